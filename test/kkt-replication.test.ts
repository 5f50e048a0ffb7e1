import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { compile } from '../src/graph/compile.js';
import { parseGraph } from '../src/graph/parse.js';
import { arcProbabilities } from '../src/diffusion/probability.js';
import { simulate } from '../src/diffusion/simulate.js';
import { runStudyFile } from '../src/studies/runner.js';
import { tempDir } from './helper.js';

/**
 * Issue 19.6, "KKT replication done right": (a) the multigraph reading of parallel ties (an import option:
 * `parallelTies: count` keeps one tie whose weight is the number c of parallel lines; the `parallel` scheme gives
 * 1 − (1 − p)^c, the weighted cascade c(u,v)/d(v)); (b) the random strategy as the mean over many seed draws with
 * a CI, not one draw.
 */

const text = (s: string) => new TextEncoder().encode(s);
// a-b three times (once reversed: undirected, the same pair), b-c once, a self-loop (dropped).
const MULTI = 'a b\nb a\na b\nb c\na a\n';

async function load(parallelTies?: 'merge' | 'count') {
  return parseGraph(text(MULTI), { format: 'edgelist', name: 'm', source: 'm.txt', ...(parallelTies ? { parallelTies } : {}) });
}

function arc(g: ReturnType<typeof compile>, from: string, to: string): number {
  const u = g.ids.indexOf(from);
  const v = g.ids.indexOf(to);
  for (let a = g.outOffsets[u]; a < g.outOffsets[u + 1]; a++) if (g.outTargets[a] === v) return a;
  throw new Error(`no arc ${from}->${to}`);
}

describe('parallel ties (multigraph reading)', () => {
  it('merge (default) keeps one unit tie; count keeps one tie weighted by the number of lines', async () => {
    const merged = await load();
    expect(merged.report).toMatchObject({ ties: 2, duplicatesMerged: 2, selfLoopsDropped: 1 });
    expect(merged.data.weight).toBeNull();
    const counted = await load('count');
    expect(counted.report).toMatchObject({ ties: 2, duplicatesMerged: 2, selfLoopsDropped: 1 });
    const g = compile(counted.data);
    expect(g.arcWeight![arc(g, 'a', 'b')]).toBe(3);
    expect(g.arcWeight![arc(g, 'b', 'a')]).toBe(3);
    expect(g.arcWeight![arc(g, 'b', 'c')]).toBe(1);
  });

  it('count sums given weights of parallel ties (a weighted file)', async () => {
    const { data } = await parseGraph(text('a b 2\na b 0.5\nb c\n'), { format: 'edgelist', name: 'w', source: 'w.txt', parallelTies: 'count' });
    const g = compile(data);
    expect(g.arcWeight![arc(g, 'a', 'b')]).toBeCloseTo(2.5, 6);
    expect(g.arcWeight![arc(g, 'b', 'c')]).toBe(1);
  });

  it('the parallel scheme gives 1 - (1 - p)^c; the weighted cascade c(u,v)/d(v); unit weights give uniform', async () => {
    const g = compile((await load('count')).data);
    const par = arcProbabilities(g, 'parallel', 0.1, { perArc: true }).arcP!;
    expect(par[arc(g, 'a', 'b')]).toBeCloseTo(1 - 0.9 ** 3, 6);
    expect(par[arc(g, 'b', 'c')]).toBeCloseTo(0.1, 6);
    const wc = arcProbabilities(g, 'weighted-cascade', 0).arcP!;
    // d(b) = 3 (from a) + 1 (from c) parallel ties: a->b gets 3/4, c->b 1/4; d(a) = 3: b->a gets 1.
    expect(wc[arc(g, 'a', 'b')]).toBeCloseTo(3 / 4, 6);
    expect(wc[arc(g, 'c', 'b')]).toBeCloseTo(1 / 4, 6);
    expect(wc[arc(g, 'b', 'a')]).toBeCloseTo(1, 6);
    const unit = compile((await load()).data);
    const u1 = arcProbabilities(unit, 'parallel', 0.1, { perArc: true }).arcP!;
    const u2 = arcProbabilities(unit, 'uniform', 0.1, { perArc: true }).arcP!;
    expect(Array.from(u1)).toEqual(Array.from(u2));
  });

  it('IC under the parallel scheme matches the exact expectation on the multigraph', async () => {
    const g = compile((await load('count')).data);
    const p = 0.1;
    const q = 1 - (1 - p) ** 3;
    const exact = 1 + q + q * p; // a, then b with q, then c through b with p
    const r = await simulate(g, { model: 'ic', seeds: ['a'], probability: 'parallel', p, runs: 40_000, seed: 5 });
    expect(Math.abs(r.reach.mean - exact)).toBeLessThan(4 * r.reach.stderr);
    // The merged reading would give 1 + p + p²: clearly different.
    expect(Math.abs(r.reach.mean - (1 + p + p * p))).toBeGreaterThan(10 * r.reach.stderr);
  });
});

describe('random seeds: the expected spread over many draws', () => {
  // Under IC with p = 1 a seed reaches its whole component: a triangle and 7 pairs (17 customers). One random
  // customer reaches 3 with probability 3/17 and 2 otherwise: the expectation over seed sets is 37/17 exactly.
  // A single draw reports 3 or 2 with a zero-width CI (every run is the same): the old, wrong, answer.
  it('reports the mean over draws with a CI that covers the exact expectation', async () => {
    const dir = await tempDir('ripple-draws-');
    const edges = ['t0 t1', 't1 t2', 't2 t0', ...Array.from({ length: 7 }, (_, i) => `i${i} i${i}x`)].join('\n');
    await writeFile(join(dir, 'g.txt'), `${edges}\n`);
    const study = (draws: number) => [
      'name: draws', 'seed: 9', 'graphs: [{name: g, file: g.txt}]', 'models: [{model: ic, p: 1, label: p1}]',
      `seeds: [{strategy: random, k: 1, draws: ${draws}}]`, 'runs: 2000', 'outputs: {charts: []}', '',
    ].join('\n');
    await writeFile(join(dir, 'many.yaml'), study(400));
    await writeFile(join(dir, 'one.yaml'), study(1));
    await runStudyFile(join(dir, 'many.yaml'), { out: join(dir, 'many'), workers: 0, quiet: true });
    await runStudyFile(join(dir, 'one.yaml'), { out: join(dir, 'one'), workers: 0, quiet: true });
    const row = async (d: string) => (parse(await readFile(join(dir, d, 'cells.csv'), 'utf8'), { columns: true }) as Record<string, string>[])[0];
    const exact = (3 * 3 + 14 * 2) / 17;
    const many = await row('many');
    expect(Number(many.draws)).toBe(400);
    expect(Number(many.runs)).toBe(400 * 5); // ⌈2000 / 400⌉ runs per draw
    const lo = Number(many.reach_ci_lo);
    const hi = Number(many.reach_ci_hi);
    expect(lo).toBeLessThan(exact);
    expect(hi).toBeGreaterThan(exact);
    expect(hi - lo).toBeGreaterThan(0.02);
    expect(Number(many.draw_sd)).toBeGreaterThan(0.2); // sd of a 3-or-2 draw: 0.38
    // One draw: a single seed set, a CI of width 0 that excludes the expectation — what the study used to report.
    const one = await row('one');
    expect(Number(one.draws)).toBe(1);
    expect(Number(one.reach_ci_hi) - Number(one.reach_ci_lo)).toBe(0);
    expect([2, 3]).toContain(Number(one.reach_mean));
  });
});

describe('parallel ties over HTTP (POST and PUT /graphs…/import?parallelTies=)', () => {
  it('count keeps one tie weighted by the number of lines, in raw and multipart uploads; merge is the default; other values are a 400', async () => {
    const { buildTestApp } = await import('./helper.js');
    const { app } = await buildTestApp();
    const upload = (query: string, method: 'POST' | 'PUT' = 'POST', id = '') =>
      app.inject({ method, url: `/graphs${id ? `/${id}` : ''}/import?format=edgelist&name=m${query}`, headers: { 'content-type': 'text/plain' }, payload: MULTI });
    const weightOf = async (id: string) => {
      const ties = (await app.inject(`/graphs/${id}/export`)).json().ties as { source: string; target: string; weight?: number }[];
      return Object.fromEntries(ties.map((t) => [[t.source, t.target].sort().join('-'), t.weight ?? 1]));
    };
    const counted = await upload('&parallelTies=count');
    expect(counted.statusCode, counted.body).toBe(201);
    expect(counted.json()).toMatchObject({ ties: 2 });
    expect(await weightOf(counted.json().id)).toEqual({ 'a-b': 3, 'b-c': 1 });
    const merged = await upload('');
    expect(await weightOf(merged.json().id)).toEqual({ 'a-b': 1, 'b-c': 1 });
    const replaced = await upload('&parallelTies=count', 'PUT', merged.json().id);
    expect(replaced.statusCode, replaced.body).toBe(200);
    expect(await weightOf(merged.json().id)).toEqual({ 'a-b': 3, 'b-c': 1 });

    const boundary = 'ripple-parallel';
    const multipart = `--${boundary}\r\nContent-Disposition: form-data; name="ties"; filename="m.txt"\r\nContent-Type: text/plain\r\n\r\n${MULTI}\r\n--${boundary}--\r\n`;
    const mp = await app.inject({ method: 'POST', url: '/graphs/import?parallelTies=count', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: multipart });
    expect(mp.statusCode, mp.body).toBe(201);
    expect(await weightOf(mp.json().id)).toEqual({ 'a-b': 3, 'b-c': 1 });

    const bad = await upload('&parallelTies=sum');
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(bad.json().detail).toMatch(/parallelTies/);
  });
});
