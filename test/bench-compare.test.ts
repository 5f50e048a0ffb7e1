import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compareCase, spread, table } from '../bench/compare.js';
import { barabasiAlbertEdges, CASES, selectCases, type CaseResult } from '../bench/smoke-set.js';

/**
 * `npm run bench:compare BASE`: the verdicts and the checksum flag (pure functions), the smoke set's own run on this
 * checkout's dist (built by npm test's pretest; skipped with one line without it), and the harness's refusals.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const smokeSet = path.join(root, 'dist', 'bench', 'smoke-set.js');
const compareJs = path.join(root, 'dist', 'bench', 'compare.js');
const built = existsSync(smokeSet) && existsSync(compareJs) && existsSync(path.join(root, 'dist/src/index.js'));
if (!built) console.log('bench-compare: dist/bench not built (npm run build); the run tests are skipped');
const fb = path.resolve(root, '../shared/data/ego-facebook/facebook_combined.txt');

const res = (ms: number, cpuMs: number, checksum = '42'): CaseResult => ({ name: 'c', ms, cpuMs, all: [ms], checksum });

function run(file: string, args: string[], timeout = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [file, ...args], { cwd: root, timeout, maxBuffer: 1 << 26 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('bench:compare verdicts', () => {
  it('the same speed is "same" and equal checksums are "equal"', () => {
    const c = compareCase('c', [res(100, 100), res(110, 102), res(90, 98)], [res(101, 99), res(108, 103), res(95, 100)]);
    expect(c.verdict).toBe('same');
    expect(c.checksums).toBe('equal');
    expect(c.cpuRatio!.median).toBeCloseTo(1, 1);
  });

  it('every paired CPU ratio above 1 and the median above 1 + threshold is "slower"; the mirror image "faster"', () => {
    const base = [res(100, 100), res(100, 100), res(100, 100)];
    const slow = [res(130, 120), res(125, 118), res(140, 125)];
    expect(compareCase('c', base, slow).verdict).toBe('slower');
    expect(compareCase('c', slow, base).verdict).toBe('faster');
    // One repetition on the other side of 1 keeps it "same" (noise), however large the median.
    expect(compareCase('c', base, [res(130, 120), res(90, 95), res(140, 125)]).verdict).toBe('same');
    // Below the threshold: same.
    expect(compareCase('c', base, [res(103, 103), res(102, 102), res(104, 104)], 0.05).verdict).toBe('same');
    expect(compareCase('c', base, [res(103, 103), res(102, 102), res(104, 104)], 0.01).verdict).toBe('slower');
  });

  it('the verdict reads CPU time, not wall time (a loaded machine inflates the wall)', () => {
    const c = compareCase('c', [res(100, 100), res(100, 100)], [res(300, 101), res(250, 100)]);
    expect(c.ratio!.median).toBeGreaterThan(2);
    expect(c.verdict).toBe('same');
  });

  it('a different checksum is flagged ANSWER CHANGED, whatever the speed', () => {
    const c = compareCase('c', [res(100, 100, '1875.7'), res(100, 100, '1875.7')], [res(100, 100, '1875.9'), res(100, 100, '1875.9')]);
    expect(c.checksums).toBe('differ');
    expect(c.note).toMatch(/1875\.7 vs head 1875\.9/);
    expect(table([c])).toMatch(/\*\*ANSWER CHANGED\*\*/);
  });

  it('a case skipped or failing on a side is reported as such, with the reason', () => {
    const skipped = compareCase('c', [{ name: 'c', ms: null, cpuMs: null, all: [], checksum: null, skipped: 'x not found' }], [res(1, 1)]);
    expect(skipped).toMatchObject({ verdict: 'skipped', note: 'x not found' });
    const failed = compareCase('c', [{ name: 'c', ms: null, cpuMs: null, all: [], checksum: null, error: 'rankValues is not a function' }], [res(1, 1)]);
    expect(failed).toMatchObject({ verdict: 'failed', note: 'base: rankValues is not a function' });
  });

  it('spread gives median, min and max of the finite positive ratios', () => {
    expect(spread([1.2, 0.9, 1.0, Number.NaN])).toEqual({ median: 1.0, min: 0.9, max: 1.2 });
    expect(spread([])).toBeNull();
  });
});

describe('smoke set', () => {
  it('has unique case names and a prefix selection', () => {
    const names = CASES.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    expect(selectCases(['ic '])).toEqual(names.filter((n) => n.startsWith('IC ')));
    expect(selectCases(null)).toEqual(names);
    expect(selectCases(['nothing-like-this'])).toEqual([]);
  });

  it('the BA generator is seeded: same seed same bytes, (n - m - 1)·m + m(m+1)/2 distinct ties, no self-loop', () => {
    const a = barabasiAlbertEdges(500, 5, 1);
    expect(barabasiAlbertEdges(500, 5, 1)).toBe(a);
    expect(barabasiAlbertEdges(500, 5, 2)).not.toBe(a);
    const lines = a.trim().split('\n');
    expect(lines.length).toBe((500 - 5 - 1) * 5 + 15);
    const pairs = new Set(lines.map((l) => l.split(' ').map(Number).sort((x, y) => x - y).join(' ')));
    expect(pairs.size).toBe(lines.length);
    expect(lines.every((l) => l.split(' ')[0] !== l.split(' ')[1])).toBe(true);
  });

  it.skipIf(!built)('runs a case on this checkout and prints its checksum as JSON', async () => {
    const r = await run(smokeSet, ['--only', 'parse+compile,IC ego', '--inner', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { cases: CaseResult[] };
    const parse = out.cases.find((c) => c.name === 'parse+compile ego-Facebook')!;
    const ba = out.cases.find((c) => c.name.startsWith('parse+compile BA'))!;
    expect(ba.checksum).toBe('100000/999970');
    expect(ba.ms).toBeGreaterThan(0);
    if (existsSync(fb)) {
      expect(parse.checksum).toBe('4039/176468');
      const ic = out.cases.find((c) => c.name.startsWith('IC ego'))!;
      expect(Number(ic.checksum)).toBeGreaterThan(1000); // mean reach of 500 runs from the top-degree customer, p = 0.05
    } else {
      expect(parse.skipped).toMatch(/not found/);
    }
  }, 60_000);

  it.skipIf(!built)('refuses a bad --inner and --serve without a parent', async () => {
    expect((await run(smokeSet, ['--inner', '0'])).code).toBe(2);
    const r = await run(smokeSet, ['--serve']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/IPC/);
  });
});

describe.skipIf(!built)('bench:compare refusals', () => {
  it('exit 2 without BASE, with an unknown option, or with a BASE that is not a commit', async () => {
    const none = await run(compareJs, []);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/give BASE/);
    expect((await run(compareJs, ['main', '--frobnicate'])).code).toBe(2);
    const bad = await run(compareJs, ['no-such-rev-xyz']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/no-such-rev-xyz: not a commit/);
    const only = await run(compareJs, ['HEAD', '--only', 'nothing-like-this']);
    expect(only.code).toBe(2);
  });
});
