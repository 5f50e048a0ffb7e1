import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * Ripple's version, from its package.json (found by walking up from this module: src/ under tsx, dist/src/ when
 * built). The OpenAPI document's `info.version` and `ripple --version` say this, so they follow the package.
 */
export function packageVersion(): string {
  if (cached !== undefined) return cached;
  for (let dir = dirname(fileURLToPath(import.meta.url)), i = 0; i < 5; dir = dirname(dir), i++) {
    const f = join(dir, 'package.json');
    if (!existsSync(f)) continue;
    const pkg = JSON.parse(readFileSync(f, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'ripple' && typeof pkg.version === 'string') return (cached = pkg.version);
  }
  throw new Error('ripple: package.json not found above ' + fileURLToPath(import.meta.url));
}
