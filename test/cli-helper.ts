import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const root = fileURLToPath(new URL('..', import.meta.url));

/** The built CLI (`npm run build` first; `npm test` does it). */
export const bin = join(root, 'bin', 'ripple.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `node bin/ripple.js ...args` with a clean environment (PATH plus `env`). */
export function ripple(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}
