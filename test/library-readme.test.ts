import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * README's library example, compiled with tsc (strict, NodeNext, against the package's own `exports`: the
 * `import … from 'ripple'` a user writes) and run with node; its printed numbers are checked against the closed form.
 */
const root = join(import.meta.dirname, '..');
const dir = join(root, '.ripple-tmp', `readme-example-${process.pid}`);

function readmeExample(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const m = /<!-- library-example -->\s*```ts\n([\s\S]*?)```/.exec(readme);
  if (!m) throw new Error('README.md has no ```ts block after <!-- library-example -->');
  return m[1];
}

describe('README library example', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is at most ten lines of code besides the import, compiles and runs to the right numbers', () => {
    const code = readmeExample();
    const lines = code.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('import '));
    expect(lines.length).toBeLessThanOrEqual(10);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'example.ts'), code);
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    execFileSync(process.execPath, [tsc, '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022',
      '--types', 'node', '--skipLibCheck', '--rootDir', dir, '--outDir', dir, join(dir, 'example.ts')], { cwd: root, stdio: 'pipe' });
    const out = execFileSync(process.execPath, [join(dir, 'example.js')], { cwd: root, encoding: 'utf8' });
    const reach = /^reach ([\d.]+) \[ ([\d.]+), ([\d.]+) \]/m.exec(out);
    expect(reach, out).not.toBeNull();
    const [mean, lo, hi] = reach!.slice(1).map(Number);
    // Tree a-b-c-d, a-e: 1 + p + p² + p³ + p with p = 0.5.
    expect(lo).toBeLessThanOrEqual(2.375);
    expect(hi).toBeGreaterThanOrEqual(2.375);
    expect(Math.abs(mean - 2.375)).toBeLessThan(0.05);
    // An answer that always lands before the complaint spreads removes the whole negative reach, which without an
    // answer is the same closed form (a complaint crosses a tie with 2 · 0.25).
    const change = /^negative reach change (-[\d.]+) \[ (-[\d.]+), (-[\d.]+) \]/m.exec(out);
    expect(change, out).not.toBeNull();
    const [d, dlo, dhi] = change!.slice(1).map(Number);
    expect(dlo).toBeLessThanOrEqual(-2.375);
    expect(dhi).toBeGreaterThanOrEqual(-2.375);
    expect(Math.abs(d + 2.375)).toBeLessThan(0.1);
    expect(out).toContain("id: 'a'");
  }, 120_000);
});
