import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOMParser } from '@xmldom/xmldom';
import { parse as parseCsv } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { logGridGolden, parseCascades, pearson, predictionMetrics, spearman } from '../src/studies/cascades.js';
import { expandCells, expandModel } from '../src/studies/grid.js';
import { TIMING_COLUMNS, toCsv } from '../src/studies/rows.js';
import { runStudyFile } from '../src/studies/runner.js';
import { parseStudy, type GridStudy } from '../src/studies/schema.js';
import { randomOrder } from '../src/studies/seeds.js';
import { histogramChart, lineChart, niceTicks } from '../src/studies/svg.js';
import { studySchemaText } from '../scripts/export-study-schema.js';
import { tempDir } from './helper.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const sims = join(root, 'simulations');

/** CSV text without the timing columns (the only ones allowed to differ between two runs). */
function withoutTiming(csv: string): string {
  const lines = csv.trimEnd().split('\n');
  const header = lines[0].split(',');
  const drop = new Set(TIMING_COLUMNS.map((c) => header.indexOf(c)).filter((i) => i >= 0));
  expect(drop.size).toBe(TIMING_COLUMNS.length);
  // No field of these CSVs contains a comma inside quotes except `seeds`/`response`, which have none here.
  return lines.map((l) => l.split(',').filter((_, i) => !drop.has(i)).join(',')).join('\n');
}

function issuesOf(fn: () => unknown): { path: string; message: string; line?: number }[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return ((e as InputError).details?.errors ?? []) as { path: string; message: string; line?: number }[];
  }
  throw new Error('expected an InputError');
}

describe('study files', () => {
  it('reports problems with their YAML path and line', () => {
    const text = ['name: bad', 'graphs:', '  - name: g', '    file: 12', 'models:', '  - model: ic', '    p: [0.1, 2]', 'seeds:', '  - strategy: imm', '    k: 0', ''].join('\n');
    const issues = issuesOf(() => parseStudy(text, 'bad.yaml'));
    expect(issues.map((i) => [i.path, i.line])).toEqual([['graphs[0].file', 4], ['models[0].p[1]', 7], ['seeds[0].k', 10]]);
    expect(() => parseStudy(text, 'bad.yaml')).toThrow(/bad\.yaml:4:11: graphs\[0\]\.file: /);
  });

  it('reports YAML syntax errors with a line, unknown fields and a missing graph source', () => {
    expect(() => parseStudy('name: x\ngraphs: [1,\n', 'syn.yaml')).toThrow(/syn\.yaml:\d+:\d+: /);
    const issues = issuesOf(() => parseStudy('name: x\ngraphs:\n  - name: g\nmodels: [{model: ic, pp: 1}]\nseeds: [{strategy: random, k: 1}]\n', 'u.yaml'));
    expect(issues.map((i) => i.path)).toEqual(['graphs[0].file', 'models[0]']);
    expect(issues[1].message).toMatch(/pp/);
  });

  it('every shipped study parses', async () => {
    for (const f of ['demo-tiny', 'kkt-2003', 'kkt-2003-nethept', 'one-customer', 'observed-cascades', 'twitter-trees']) {
      const s = parseStudy(await readFile(join(sims, `${f}.yaml`), 'utf8'), `${f}.yaml`);
      expect(s.name).toBe(f);
    }
  });

  it('schemas/study.schema.json is up to date (npx tsx scripts/export-study-schema.ts)', async () => {
    expect(await readFile(join(root, 'schemas', 'study.schema.json'), 'utf8')).toBe(studySchemaText());
  });

  it('expands parameter grids into cells: models × strategies × k', () => {
    const pts = expandModel({ model: 'voice', p: [0.01, 0.02], experience: ['negative', 'positive'], response: [null, { atStep: 3, effectiveness: 0.5, public: true }] });
    expect(pts).toHaveLength(8);
    expect(new Set(pts.map((p) => p.label)).size).toBe(8);
    expect(pts[0]).toMatchObject({ p: 0.01, params: { p: 0.01, experience: 'negative', response: null, negativityBias: 2 } });
    expect(pts[0].params).not.toHaveProperty('beta');
    expect(pts[7]).toMatchObject({ p: 0.02, params: { experience: 'positive', response: { atStep: 3 } } });
    const study = parseStudy(
      'name: g\ngraphs: [{name: a, file: a.txt}, {name: b, file: b.txt}]\nmodels: [{model: ic, p: [0.1, 0.2]}, {model: lt}]\n' +
        'seeds: [{strategy: random, k: [3, 1, 3]}, {strategy: customer, pick: [random, top-value]}]\nruns: 10\n', 'g.yaml',
    ) as GridStudy;
    const cells = expandCells(study);
    expect(cells).toHaveLength(2 * 3 * (2 + 2));
    expect(cells.map((c) => c.index)).toEqual(cells.map((_, i) => i));
    expect(cells.filter((c) => c.strategy.name === 'random').map((c) => c.k).slice(0, 2)).toEqual([1, 3]);
  });

  it('random seed sets are nested, distinct and seeded', () => {
    const a = randomOrder(100, 30, 5);
    expect(new Set(a).size).toBe(30);
    expect(Array.from(randomOrder(100, 10, 5))).toEqual(Array.from(a.slice(0, 10)));
    expect(Array.from(randomOrder(100, 30, 6))).not.toEqual(Array.from(a));
  });
});

describe('study runner', () => {
  it('runs demo-tiny twice with the same numbers (in-thread and on 2 workers), and resumes', async () => {
    const dir = await tempDir('ripple-study-');
    const a = await runStudyFile(join(sims, 'demo-tiny.yaml'), { out: join(dir, 'a'), workers: 0, quiet: true });
    const b = await runStudyFile(join(sims, 'demo-tiny.yaml'), { out: join(dir, 'b'), workers: 2, quiet: true });
    expect(a.computed).toBe(16);
    const csvA = await readFile(join(dir, 'a', 'cells.csv'), 'utf8');
    const csvB = await readFile(join(dir, 'b', 'cells.csv'), 'utf8');
    expect(withoutTiming(csvA)).toBe(withoutTiming(csvB));
    expect(csvA.split('\n')).toHaveLength(16 + 2);
    for (const f of a.files.filter((x) => x.endsWith('.svg'))) expect(await readFile(join(dir, 'a', f), 'utf8')).toBe(await readFile(join(dir, 'b', f), 'utf8'));
    expect(b.files).toContain('charts/spread-vs-k--demo--ic-uniform-p-0.02.svg');
    const manifest = JSON.parse(await readFile(join(dir, 'a', 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ study: 'demo-tiny', seed: 7, cells: { total: 16, computed: 16, reused: 0 } });
    expect(manifest.inputs[0].checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.versions.ripple).toBeDefined();
    // Rerun into the same folder: nothing recomputed, the same CSV.
    const again = await runStudyFile(join(sims, 'demo-tiny.yaml'), { out: join(dir, 'a'), workers: 0, quiet: true });
    expect(again).toMatchObject({ computed: 0, skipped: 16 });
    expect(await readFile(join(dir, 'a', 'cells.csv'), 'utf8')).toBe(csvA);
    // Spread grows with k for each strategy and IMM is at least as good as random at k=8.
    const rows = csvA.trimEnd().split('\n').slice(1).map((l) => l.split(','));
    const header = csvA.split('\n')[0].split(',');
    const col = (r: string[], c: string) => r[header.indexOf(c)];
    const at = (s: string, k: number) => Number(col(rows.find((r) => col(r, 'strategy') === s && col(r, 'k') === String(k))!, 'reach_mean'));
    expect(at('imm', 8)).toBeGreaterThan(at('imm', 1));
    expect(at('imm', 8)).toBeGreaterThan(at('random', 8));
  });

  it('recomputes only the cells whose parameters changed, and estimates a closed form', async () => {
    const dir = await tempDir('ripple-study-');
    // Path a - b - c (undirected): IC from a reaches 1 + p + p² on average.
    await writeFile(join(dir, 'path.txt'), 'a b\nb c\n');
    const study = (p2: number) =>
      `name: path\nseed: 3\ngraphs: [{name: path, file: path.txt}]\nmodels: [{model: ic, p: [0.5, ${p2}]}]\n` +
      `seeds: [{strategy: explicit, ids: [a]}]\nruns: 40000\noutputs: {charts: [steps, histogram]}\n`;
    await writeFile(join(dir, 's.yaml'), study(1));
    const first = await runStudyFile(join(dir, 's.yaml'), { workers: 0, quiet: true });
    expect(first.out).toBe(join(dir, 'out', 'path'));
    const csv = await readFile(join(first.out, 'cells.csv'), 'utf8');
    const [head, r1, r2] = csv.trimEnd().split('\n').map((l) => l.split(','));
    const mean = (r: string[]) => Number(r[head.indexOf('reach_mean')]);
    const se = (r: string[]) => Number(r[head.indexOf('reach_stderr')]);
    expect(Math.abs(mean(r1) - 1.75)).toBeLessThan(4 * se(r1));
    expect(mean(r2)).toBe(3);
    await writeFile(join(dir, 's.yaml'), study(0));
    const second = await runStudyFile(join(dir, 's.yaml'), { workers: 0, quiet: true });
    expect(second).toMatchObject({ computed: 1, skipped: 1 });
    const csv2 = await readFile(join(first.out, 'cells.csv'), 'utf8');
    expect(csv2.split('\n')[1]).toBe(csv.split('\n')[1]);
    expect(Number(csv2.split('\n')[2].split(',')[head.indexOf('reach_mean')])).toBe(1);
  });

  it('recomputes the cells when the way the graph is read or the histogram bins change', async () => {
    const dir = await tempDir('ripple-study-');
    // Directed a -> b -> c: IC p=1 from c reaches only c; read as undirected it reaches all 3.
    await writeFile(join(dir, 'g.txt'), 'n m\na b\nb c\n');
    const study = (o: { directed: boolean; skip: number; bins: number }) =>
      `name: reread\ngraphs: [{name: g, file: g.txt, format: edgelist, directed: ${o.directed}, skipLines: ${o.skip}}]\n` +
      `models: [{model: ic, p: 1}]\nseeds: [{strategy: explicit, ids: [c]}]\nruns: 10\noutputs: {charts: [histogram], histogramBins: ${o.bins}}\n`;
    const reach = async (o: { directed: boolean; skip: number; bins: number }) => {
      await writeFile(join(dir, 's.yaml'), study(o));
      const r = await runStudyFile(join(dir, 's.yaml'), { workers: 0, quiet: true });
      const [head, row] = (await readFile(join(r.out, 'cells.csv'), 'utf8')).trimEnd().split('\n').map((l) => l.split(','));
      return { computed: r.computed, reach: Number(row[head.indexOf('reach_mean')]), customers: JSON.parse(await readFile(join(r.out, 'manifest.json'), 'utf8')).inputs[0].customers };
    };
    expect(await reach({ directed: true, skip: 1, bins: 1 })).toMatchObject({ computed: 1, reach: 1, customers: 3 });
    expect(await reach({ directed: true, skip: 1, bins: 1 })).toMatchObject({ computed: 0, reach: 1 });
    expect(await reach({ directed: false, skip: 1, bins: 1 })).toMatchObject({ computed: 1, reach: 3 });
    expect(await reach({ directed: false, skip: 0, bins: 1 })).toMatchObject({ computed: 1, reach: 3, customers: 5 });
    expect(await reach({ directed: false, skip: 0, bins: 2 })).toMatchObject({ computed: 1, reach: 3 });
  });

  it('says clearly which input is missing and what data the study needs', async () => {
    const dir = await tempDir('ripple-study-');
    await writeFile(join(dir, 's.yaml'), 'name: m\nrequiresData: the X data set in ../shared/data/x\ngraphs: [{name: g, file: nope/graph.txt}]\nmodels: [{model: ic}]\nseeds: [{strategy: random, k: 1}]\n');
    await expect(runStudyFile(join(dir, 's.yaml'), { workers: 0, quiet: true })).rejects.toThrow(/graphs\[0\]\.file: .*nope\/graph\.txt not found\. This study needs the X data set/);
  });

  it('runs a cascade fit on a small synthetic data set', async () => {
    const dir = await tempDir('ripple-study-');
    await mkdir(join(dir, 'd'));
    // A star 0-1..0-9 plus a path 10-11-12: header line "N M" as in Inf-VAE.
    const edges = ['13 11', ...Array.from({ length: 9 }, (_, i) => `0 ${i + 1}`), '10 11', '11 12'];
    await writeFile(join(dir, 'd', 'graph.txt'), `${edges.join('\n')}\n`);
    await writeFile(join(dir, 'd', 'train.txt'), '0 1 1.0 2 2.0 3 3.0 4 4.0\n10 11 5.0\n0 5 1.0 6 2.0 7 3.0\n');
    await writeFile(join(dir, 'd', 'test.txt'), '0 8 1.0 9 2.0 1 3.0\n10 11 1.0 12 2.0\n99 98 1.0\n10 12 1.0\n');
    await writeFile(join(dir, 'c.yaml'), [
      'kind: cascade-fit', 'name: cf', 'seed: 2',
      'datasets:', '  - name: toy', '    graph: {name: toy, file: d/graph.txt, format: edgelist, skipLines: 1}', '    train: d/train.txt', '    test: d/test.txt',
      'fit: {pMin: 0.01, pMax: 0.9, gridPoints: 5, goldenIterations: 6, runs: 200}', 'evaluate: {runs: 500}', '',
    ].join('\n'));
    const r = await runStudyFile(join(dir, 'c.yaml'), { workers: 0, quiet: true });
    expect(r.files).toEqual(expect.arrayContaining(['cells.csv', 'predictions--toy.csv', 'charts/size-ccdf--toy.svg', 'charts/size-ccdf--toy.vl.json', 'charts/fit-loglik--toy.svg', 'manifest.json']));
    const row = (parseCsv(await readFile(join(r.out, 'cells.csv'), 'utf8'), { columns: true }) as Record<string, string>[])[0];
    const get = (c: string) => row[c];
    expect(Number(get('customers'))).toBe(13); // the header line is not an edge
    expect(Number(get('test_seeds_missing'))).toBe(1);
    expect(Number(get('observed_test_median'))).toBe(2.5); // sizes 4, 3, 2, 2
    // No validation file: the last 15% of the training lines (here 1 of 3) are the validation split.
    expect([get('train_cascades'), get('validation_cascades'), get('min_size')]).toEqual(['2', '1', '2']);
    const p = Number(get('p_fit'));
    expect(p).toBeGreaterThan(0.1);
    expect(p).toBeLessThan(0.9);
    expect(Number(get('evaluations'))).toBe(5 + 6);
    for (const c of ['test_loglik', 'baseline_test_loglik', 'ks_model', 'ks_baseline', 'auc_model', 'auc_degree', 'auc_activity', 'map10_model', 'step_duration']) {
      expect(Number.isFinite(Number(get(c))), c).toBe(true);
    }
    // Step duration: in the 2 training cascades every adopter's latest earlier-adopting neighbour is the seed (time 0):
    // delays 1, 2, 3, 4 (star) and 5 (path): the median is 3.
    expect(Number(get('step_duration'))).toBe(3);
  });
});

describe('study statistics and charts', () => {
  it('parses cascades and counts distinct adopters', () => {
    expect(parseCascades('5 6 1.0 7 2.5 6 3.0\n\n8\n', 't.txt')).toEqual([
      { seed: '5', adopters: ['6', '7'], times: [1, 2.5], size: 3 },
      { seed: '8', adopters: [], times: [], size: 1 },
    ]);
    expect(() => parseCascades('1 2 3.0\n1 2\n', 't.txt')).toThrow(/t\.txt:2: /);
  });

  it('correlations, metrics and the log-grid + golden-section search', async () => {
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    expect(spearman([1, 2, 3, 4], [1, 8, 27, 1000])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 2, 3], [1, 2, 2, 3])).toBeCloseTo(1, 12);
    const m = predictionMetrics([2, 4, 8], [2, 2, 2]);
    expect(m.medianAbsError).toBe(2);
    expect(m.medianAbsLogError).toBeCloseTo(Math.log(2), 12);
    const r = await logGridGolden(async (x) => (Math.log(x) - Math.log(0.03)) ** 2, 0.001, 0.5, 9, 20);
    expect(r.best).toBeCloseTo(0.03, 4);
    expect(r.evaluations).toHaveLength(9 + 20);
  });

  it('renders well-formed SVG with CI bands, log axes and histograms', () => {
    const parse = (svg: string) => {
      const errors: string[] = [];
      const doc = new DOMParser({ onError: (_l: unknown, msg: string) => void errors.push(msg) }).parseFromString(svg, 'image/svg+xml');
      expect(errors).toEqual([]);
      return doc;
    };
    const line = lineChart(
      [{ name: 'a & <b>', points: [{ x: 1, y: 1, lo: 0.5, hi: 1.5 }, { x: 2, y: 3, lo: 2, hi: 4 }] }, { name: 'dots', markersOnly: true, points: [{ x: 1, y: 2 }] }],
      { title: 'T', xLabel: 'x', yLabel: 'y' },
    );
    const doc = parse(line);
    expect(doc.getElementsByTagName('polygon').length).toBe(1);
    expect(doc.getElementsByTagName('polyline').length).toBe(1);
    expect(line).toContain('a &amp; &lt;b&gt;');
    const log = parse(lineChart([{ name: 's', markersOnly: true, points: [{ x: 10, y: 100 }, { x: 1000, y: 0 }] }], { title: 'L', xLabel: 'x', yLabel: 'y', logX: true, logY: true, diagonal: true }));
    expect(log.getElementsByTagName('circle').length).toBe(1); // y = 0 cannot be drawn on a log axis
    const hist = parse(histogramChart([{ from: 1, to: 2, count: 3 }, { from: 3, to: 4, count: 1 }], { title: 'H', xLabel: 'x', yLabel: 'y' }));
    expect(hist.getElementsByTagName('rect').length).toBe(2 + 2); // background + frame + 2 bars
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(3, 97)).toEqual([20, 40, 60, 80]);
    // Seed-set sizes and steps are whole numbers: no tick at k = 1.5.
    expect(niceTicks(1, 4)).toEqual([1, 1.5, 2, 2.5, 3, 3.5, 4]);
    expect(niceTicks(1, 4, 6, true)).toEqual([1, 2, 3, 4]);
  });

  it('CSV quoting', () => {
    expect(toCsv([{ a: 'x,y', b: 1.5, c: null }, { a: 'q"', d: true }])).toBe('a,b,c,d\n"x,y",1.5,,\n"q""",,,true\n');
  });
});

describe('shipped studies on ../shared/data', () => {
  const data = join(root, '..', 'shared', 'data');
  const present = existsSync(join(data, 'ca-HepTh')) && existsSync(join(data, 'ego-facebook')) && existsSync(join(data, 'cascades-stackexchange-infvae'));
  if (!present) console.log(`study tests on real data skipped: ${data} is absent`);
  it.runIf(present)('their input files resolve relative to the study files', async () => {
    for (const f of ['kkt-2003', 'one-customer', 'observed-cascades']) {
      const text = await readFile(join(sims, `${f}.yaml`), 'utf8');
      const files = [...text.matchAll(/(?:file|train|test): (\.\.\/\.\.\/shared\/data\/[^\s,}]+)/g)].map((m) => join(sims, m[1]));
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) expect(existsSync(file), file).toBe(true);
    }
  });
});
