import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { parse as parseCsv } from 'csv-parse/sync';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { logGamma } from '../src/influence/imm.js';
import {
  delayCdf, delayLogPdf, fitDelay, fitLaws, geometricSizeFit, logPmf, nelderMead, selectedProbability, sizeLaw, treeDelayLogLik, treeLogLik, type Law,
} from '../src/studies/branching.js';
import { runStudyFile } from '../src/studies/runner.js';
import { readTarTexts } from '../src/studies/tree-archive.js';
import { ks2, ksContinuous, simulateTrees } from '../src/studies/tree-fit-runner.js';
import { offspringCounts, parseLabels, parseRetweetTree, splitOf, type RetweetTree } from '../src/studies/trees.js';
import { tempDir } from './helper.js';

/** Issue 19.7 on Twitter15/16: the tree parser, the split, the branching-process likelihood and the study. */

const e = (p: [string, string, string], c: [string, string, string]) => `['${p.join("', '")}']->['${c.join("', '")}']`;

/** A tree from a parent list (parent[0] = -1), every user at time = depth. */
function tree(parent: number[]): RetweetTree {
  const depth = parent.map(() => 0);
  for (let v = 1; v < parent.length; v++) depth[v] = depth[parent[v]] + 1;
  return {
    id: 't', root: 'u0', users: parent.map((_, v) => `u${v}`), parent: Int32Array.from(parent), depth: Int32Array.from(depth),
    time: Float64Array.from(depth), size: parent.length, height: Math.max(...depth), listed: parent.length, dropped: 0, lines: parent.length,
  };
}

const geo = (mean: number): Law => ({ family: 'geometric', mean, r: 1 });

describe('retweet tree files', () => {
  it('builds a user-level tree: repeated users, circles, late parents and orphans', () => {
    const text = [
      e(['ROOT', 'ROOT', '0.0'], ['a', 's', '0.0']),
      e(['a', 's', '0.0'], ['b', 's', '1.5']),
      e(['b', 's', '1.5'], ['d', 's', '3.0']),
      e(['a', 's', '0.0'], ['c', 's', '2.0']),
      e(['b', 's', '1.5'], ['a', 's', '4.0']), // a circle back to the root: ignored
      e(['c', 's', '2.0'], ['b', 's', '5.0']), // b again, later: it keeps its first parent
      e(['e', 's', '9.0'], ['f', 's', '1.0']), // e is never in the tree: f is dropped (and so is e)
      e(['d', 's', '3.0'], ['g', 's', '2.5']), // listed before d joined (2.5 < 3.0): waits for d
      '',
    ].join('\n');
    const t = parseRetweetTree(text, 's', 'tree/s.txt');
    expect(t.root).toBe('a');
    expect(t.users).toEqual(['a', 'b', 'c', 'd', 'g']);
    expect([...t.parent]).toEqual([-1, 0, 0, 1, 3]);
    expect([...t.depth]).toEqual([0, 1, 1, 2, 3]);
    expect([...t.time]).toEqual([0, 1.5, 2, 3, 2.5]);
    expect([t.size, t.height, t.listed, t.dropped, t.lines]).toEqual([5, 3, 7, 2, 8]);
  });

  it('takes the first edge\'s parent as the root without a ROOT line; errors name the file and line', () => {
    const t = parseRetweetTree(`${e(['x', '1', '0.0'], ['y', '1', '0.3'])}\n`, '1', 'f.txt');
    expect([t.root, t.size]).toEqual(['x', 2]);
    expect(() => parseRetweetTree(`${e(['x', '1', '0'], ['y', '1', '0.3'])}\nnot an edge\n`, '1', 'f.txt')).toThrow(/f\.txt:2: /);
    expect(() => parseRetweetTree(`${e(['x', '1', '0'], ['y', '1', 'soon'])}\n`, '1', 'f.txt')).toThrow(/f\.txt:1: .*delay/);
    expect(parseLabels('true:1\nnon-rumor:22\n', 'l.txt')).toEqual(new Map([['1', 'true'], ['22', 'non-rumor']]));
    expect(() => parseLabels('true\n', 'l.txt')).toThrow(/l\.txt:1: /);
  });

  it('reads a tar.gz archive (written here) one file at a time', async () => {
    const pack = tar.pack();
    pack.entry({ name: 'set/label.txt' }, 'false:7\n');
    const tree7 = `${e(['ROOT', 'ROOT', '0.0'], ['a', '7', '0.0'])}\n${e(['a', '7', '0.0'], ['b', '7', '2'])}\n`;
    pack.entry({ name: 'set/tree/7.txt' }, tree7);
    pack.entry({ name: 'other/x.txt' }, 'skip me');
    pack.finalize();
    const chunks: Buffer[] = [];
    for await (const c of pack) chunks.push(c as Buffer);
    const dir = await tempDir('ripple-trees-');
    const file = join(dir, 'a.tar.gz');
    await writeFile(file, gzipSync(Buffer.concat(chunks)));
    const seen: string[] = [];
    const n = await readTarTexts(file, (name) => name.startsWith('set/'), (name, text) => seen.push(`${name}=${text.length}`));
    expect(n).toBe(2);
    expect(seen).toEqual(['set/label.txt=8', `set/tree/7.txt=${tree7.length}`]);
    await writeFile(join(dir, 'bad.tar.gz'), gzipSync(Buffer.from('not a tar archive at all'.repeat(40))));
    await expect(readTarTexts(join(dir, 'bad.tar.gz'), () => true, () => {})).rejects.toThrow(/not a readable tar\.gz archive/);
  });

  it('splits by a hash of the tweet id and the seed: deterministic, in the asked shares', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => String(600_000_000_000_000_000n + BigInt(i) * 7919n));
    const a = ids.map((id) => splitOf(id, 1516, 0.7, 0.15));
    expect(ids.map((id) => splitOf(id, 1516, 0.7, 0.15))).toEqual(a);
    const share = (k: string) => a.filter((s) => s === k).length / ids.length;
    expect(share('train')).toBeGreaterThan(0.69);
    expect(share('train')).toBeLessThan(0.71);
    expect(share('validation')).toBeGreaterThan(0.14);
    expect(share('validation')).toBeLessThan(0.16);
    // Another seed is another split.
    const b = ids.map((id) => splitOf(id, 7, 0.7, 0.15));
    expect(b.filter((s, i) => s !== a[i]).length).toBeGreaterThan(4000);
  });
});

describe('branching process likelihood', () => {
  it('geometric size law is the Catalan law; Poisson is Borel', () => {
    const th = 0.3;
    const p = sizeLaw([geo(th / (1 - th))], 6);
    // P(S = n) = C(n−1) θ^(n−1) (1 − θ)^n (C = Catalan numbers 1, 1, 2, 5, 14): ordered trees with n nodes.
    const catalan = [1, 1, 2, 5, 14, 42];
    for (let n = 1; n <= 6; n++) expect(p[n]).toBeCloseTo(catalan[n - 1] * th ** (n - 1) * (1 - th) ** n, 14);
    const lam = 0.7;
    const b = sizeLaw([{ family: 'poisson', mean: lam, r: 1 }], 8);
    for (let n = 1; n <= 8; n++) expect(b[n]).toBeCloseTo(Math.exp(-lam * n + (n - 1) * Math.log(lam * n) - logGamma(n + 1)), 14);
    // Subcritical: the law sums to 1 (up to the tail beyond 2000).
    const nb = sizeLaw([{ family: 'negbin', mean: 0.6, r: 0.4 }], 2000);
    expect(nb.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 6);
  });

  it('a root with its own law: Panjer\'s recursion equals the direct hitting-time sum, also for a root mean of 600', () => {
    for (const root of [{ family: 'negbin' as const, mean: 4, r: 0.7 }, { family: 'poisson' as const, mean: 600, r: 1 }]) {
      const rest: Law = { family: 'negbin', mean: 0.5, r: 0.3 };
      const N = root.mean > 100 ? 700 : 40;
      const p = sizeLaw([root, rest], N);
      const direct = (n: number) => {
        if (n === 1) return Math.exp(logPmf(root, 0));
        let s = 0;
        // Σ_k q(k) (k / (n − 1)) P(X_1 + … + X_(n−1) = n − 1 − k), the sum of n − 1 draws negative binomial with size (n − 1) r.
        for (let k = 1; k <= n - 1; k++) s += Math.exp(logPmf(root, k) + Math.log(k / (n - 1)) + logPmf({ family: 'negbin', mean: (n - 1) * 0.5, r: (n - 1) * 0.3 }, n - 1 - k));
        return s;
      };
      for (const n of [1, 2, 3, 10, N]) expect(p[n] / direct(n)).toBeCloseTo(1, 9);
    }
  });

  it('the conditional likelihood of a tiny tree, by hand', () => {
    // Root with 2 leaf children; geometric θ: P(tree) = (1 − θ)^3 θ^2; P(S ≥ 2) = θ.
    const stats = offspringCounts([tree([-1, 0, 0])], 1);
    const th = 0.4;
    expect(treeLogLik(stats, [geo(th / (1 - th))], 1)).toBeCloseTo(3 * Math.log(1 - th) + 2 * Math.log(th), 12);
    expect(treeLogLik(stats, [geo(th / (1 - th))], 2)).toBeCloseTo(3 * Math.log(1 - th) + Math.log(th), 12);
    expect(selectedProbability([geo(th / (1 - th))], 3)).toBeCloseTo(1 - (1 - th) - th * (1 - th) ** 2, 14);
  });

  it('MLE in closed form: geometric and Poisson means, with and without the selection; a root law apart', () => {
    // Trees: N nodes, K = N − T children in all.
    const trees = [tree([-1, 0, 0, 1, 1, 1]), tree([-1, 0]), tree([-1, 0, 1, 2]), tree([-1, 0, 0, 0, 0])];
    const N = 6 + 2 + 4 + 5;
    const T = trees.length;
    const K = N - T;
    const s1 = offspringCounts(trees, 1);
    // Unselected: mean = K / N for both laws.
    expect(fitLaws(s1, 'geometric', 1).laws[0].mean).toBeCloseTo(K / N, 5);
    expect(fitLaws(s1, 'poisson', 1).laws[0].mean).toBeCloseTo(K / N, 5);
    // Geometric, selected on S ≥ 2 (P = θ): L ∝ (1 − θ)^N θ^(K − T), so θ = (K − T) / (N + K − T), mean (K − T) / N.
    expect(fitLaws(s1, 'geometric', 2).laws[0].mean).toBeCloseTo((K - T) / N, 5);
    // Root apart, unselected: the root's mean is the roots' mean degree (2, 1, 1, 4), the rest's is the others'.
    const s2 = offspringCounts(trees, 2);
    const fit = fitLaws(s2, 'poisson', 1);
    expect(fit.laws[0].mean).toBeCloseTo(8 / 4, 5);
    expect(fit.laws[1].mean).toBeCloseTo((K - 8) / (N - T), 5);
  });

  it('Nelder–Mead finds a quadratic\'s minimum; the one-parameter geometric size law and delay MLEs are closed form', () => {
    const r = nelderMead((x) => (x[0] - 1) ** 2 + 3 * (x[1] + 2) ** 2 + (x[0] - 1) * (x[1] + 2), [0, 0]);
    expect(r.x[0]).toBeCloseTo(1, 4);
    expect(r.x[1]).toBeCloseTo(-2, 4);
    const g = geometricSizeFit([5, 7, 9], 5); // mean excess 2: ρ = 2/3
    expect(g.rho).toBeCloseTo(2 / 3, 14);
    expect(g.logPmf(7)).toBeCloseTo(Math.log(1 / 3) + 2 * Math.log(2 / 3), 14);
    expect(fitDelay('exponential', [1, 2, 6]).a).toBeCloseTo(3, 14);
    const ln = fitDelay('lognormal', [1, Math.E ** 2]);
    expect([ln.a, ln.b]).toEqual([1, 1]);
    expect(delayCdf(ln, Math.E)).toBeCloseTo(0.5, 6);
    expect(ks2([1, 2, 3], [1, 2, 3])).toBe(0);
    expect(ks2([1, 2], [3, 4])).toBe(1);
    expect(ksContinuous((x) => Math.min(1, x), [0.5])).toBeCloseTo(0.5, 14);
  });

  it('delays with a pace per tree: the closed-form likelihood equals the bivariate normal density; τ = 0 is the iid law', () => {
    const law = { family: 'lognormal-tree' as const, a: 0.5, b: 0.8, tau: 0.6 };
    const d = [2, 5];
    const y = d.map(Math.log);
    const st = { n: Float64Array.of(2), s: Float64Array.of(y[0] + y[1]), s2: Float64Array.of(y[0] ** 2 + y[1] ** 2) };
    // Covariance [[b² + τ², τ²], [τ², b² + τ²]].
    const v = law.b ** 2 + law.tau ** 2;
    const c = law.tau ** 2;
    const det = v * v - c * c;
    const r = y.map((x) => x - law.a);
    const quad = (v * r[0] ** 2 - 2 * c * r[0] * r[1] + v * r[1] ** 2) / det;
    const direct = -Math.log(2 * Math.PI) - 0.5 * Math.log(det) - 0.5 * quad - y[0] - y[1];
    expect(treeDelayLogLik([st], [law])).toBeCloseTo(direct / 2, 12);
    const iid = { ...law, family: 'lognormal' as const, tau: 0 };
    expect(treeDelayLogLik([st], [{ ...law, tau: 0 }])).toBeCloseTo((delayLogPdf(iid, 2) + delayLogPdf(iid, 5)) / 2, 12);
  });

  it('simulated trees are kept at the rate P(S ≥ min) of the exact law, and are the same for the same seed', () => {
    const laws = [geo(0.8)];
    const o = { minSize: 3, runs: 3000, maxDraws: 1e6, cap: 10_000, seed: 5 };
    const sim = simulateTrees(laws, [{ family: 'exponential', a: 1, b: 0, tau: 0 }], o);
    const p = selectedProbability(laws, 3);
    const rate = sim.accepted / sim.draws;
    expect(Math.abs(rate - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / sim.draws));
    expect(Math.min(...sim.sizes)).toBe(3);
    expect(simulateTrees(laws, [{ family: 'exponential', a: 1, b: 0, tau: 0 }], o).t90).toEqual(sim.t90);
  });
});

describe('tree-fit study', () => {
  it('runs on a small synthetic archive, deterministically', async () => {
    // 120 trees: a root with 3 + (i mod 5) children, every third child with one child of its own.
    const pack = tar.pack();
    for (let i = 0; i < 120; i++) {
      const id = String(1000 + i);
      const lines = [e(['ROOT', 'ROOT', '0.0'], [`r${i}`, id, '0.0'])];
      for (let c = 0; c < 3 + (i % 5); c++) {
        lines.push(e([`r${i}`, id, '0.0'], [`u${i}-${c}`, id, String(1 + c)]));
        if (c % 3 === 0) lines.push(e([`u${i}-${c}`, id, String(1 + c)], [`v${i}-${c}`, id, String(2.5 + 2 * c)]));
      }
      pack.entry({ name: `toy/tree/${id}.txt` }, `${lines.join('\n')}\n`);
    }
    pack.finalize();
    const chunks: Buffer[] = [];
    for await (const c of pack) chunks.push(c as Buffer);
    const dir = await tempDir('ripple-tree-fit-');
    await writeFile(join(dir, 'toy.tar.gz'), gzipSync(Buffer.concat(chunks)));
    await writeFile(join(dir, 's.yaml'), [
      'kind: tree-fit', 'name: tf', 'seed: 3', 'datasets:', '  - {name: toy, archive: toy.tar.gz, folder: toy}',
      'fit: {families: [geometric, negbin], generations: [0, 1]}', 'evaluate: {runs: 300}', '',
    ].join('\n'));
    const run = async (out: string) => {
      const r = await runStudyFile(join(dir, 's.yaml'), { workers: 0, quiet: true, out: join(dir, out) });
      const rows = parseCsv(await readFile(join(r.out, 'cells.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
      return { r, row: rows[0] };
    };
    const { r, row } = await run('a');
    expect(r.files).toEqual(expect.arrayContaining(['cells.csv', 'settings.csv', 'delays.csv', 'predictions--toy.csv', 'charts/size-ccdf--toy.svg', 'charts/depth--toy.svg', 'manifest.json']));
    expect(Number(row.trees)).toBe(120);
    expect(Number(row.train_trees) + Number(row.validation_trees) + Number(row.test_trees)).toBe(120);
    // Sizes 1 + (3..7) + (1..3): the smallest training tree has 5 users.
    expect(Number(row.min_size)).toBe(5);
    for (const c of ['test_loglik', 'baseline_test_loglik', 'geometric_test_loglik', 'ks_model', 'ks_baseline', 'ks_depth_model', 'step_median_minutes']) {
      expect(Number.isFinite(Number(row[c])), c).toBe(true);
    }
    // Every user is new in every tree: past activity has no test adopter to rank (AUC empty, not a number made up).
    expect(Number(row.adopters_seen_share)).toBe(0);
    expect(row.auc_activity).toBe('');
    // The root clearly has more children than the rest: the root-apart setting wins on validation.
    expect(row.generations).toBe('1');
    const { row: again } = await run('b');
    const { elapsed_ms: _a, ...x } = row;
    const { elapsed_ms: _b, ...y } = again;
    expect(y).toEqual(x);
  });

  const archive = fileURLToPath(new URL('../../shared/data/cascades-twitter15-16/twitter15_16_trees.tar.gz', import.meta.url));
  if (!existsSync(archive)) console.log('Twitter15/16 parser check skipped: ../shared/data/cascades-twitter15-16 not found');
  it.skipIf(!existsSync(archive))('parses the real Twitter16 trees as SOURCE.md counts them', async () => {
    const trees: RetweetTree[] = [];
    await readTarTexts(archive, (n) => n.startsWith('twitter16/tree/'), (n, text) => trees.push(parseRetweetTree(text, n, n)));
    expect(trees).toHaveLength(818);
    // SOURCE.md: 363,536 edge lines; distinct users per tree 74 .. 3,089.
    expect(trees.reduce((a, t) => a + t.lines, 0)).toBe(363_536);
    expect(Math.min(...trees.map((t) => t.listed))).toBe(74);
    expect(Math.max(...trees.map((t) => t.listed))).toBe(3089);
  });
});
