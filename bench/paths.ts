import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout's root seen from a bench module (bench/ or dist/bench/): the nearest directory up with a package.json. */
export function repoRoot(moduleUrl: string): string {
  let dir = path.dirname(fileURLToPath(moduleUrl));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`bench: cannot find the repository root above ${fileURLToPath(moduleUrl)}`);
    dir = up;
  }
  return dir;
}
