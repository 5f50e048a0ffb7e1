import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { DOMParser } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { CancelledError } from '../src/errors.js';
import { createStudyProgress, workEta } from '../src/studies/progress.js';
import { runStudyFile } from '../src/studies/runner.js';
import { DASHES, lineChart, legendOrder, wrapText, type Series } from '../src/studies/svg.js';
import { lineChartSpec } from '../src/studies/vega.js';
import { tempDir } from './helper.js';

const parse = (svg: string) => {
  const errors: string[] = [];
  const doc = new DOMParser({ onError: (_l: unknown, msg: string) => void errors.push(msg) }).parseFromString(svg, 'image/svg+xml');
  expect(errors).toEqual([]);
  return doc;
};
const texts = (doc: ReturnType<typeof parse>) => Array.from(doc.getElementsByTagName('text')).map((t) => t.textContent ?? '');

describe('charts worth publishing', () => {
  const rising = (name: string, end: number): Series => ({ name, points: [0, 1, 2, 3].map((x) => ({ x, y: (end * x) / 3 })) });

  it('tells overlapping series apart: own dash and marker each, legend in end order, empty and all-zero series left out with a note', () => {
    const series = [rising('low', 2), rising('high', 9), rising('same as high', 9), { name: 'flat', points: [{ x: 0, y: 0 }, { x: 3, y: 0 }] }, { name: 'none', points: [] }];
    const doc = parse(lineChart(series, { title: 'T', xLabel: 'x', yLabel: 'y' }));
    const lines = Array.from(doc.getElementsByTagName('polyline'));
    expect(lines).toHaveLength(3); // flat and none are not drawn
    const dashes = lines.map((l) => l.getAttribute('stroke-dasharray') ?? '');
    expect(new Set(dashes).size).toBe(3);
    expect(dashes).toEqual(DASHES.slice(0, 3));
    // Markers: one shape per series (the paths' first command differs), on every point of these short lines.
    const markers = Array.from(doc.getElementsByTagName('path')).map((p) => p.getAttribute('d') ?? '');
    expect(markers.length).toBe(3 * 4 + 3); // 4 points each + 3 legend markers
    const all = texts(doc);
    const legend = all.filter((t) => ['low', 'high', 'same as high'].includes(t));
    expect(legend).toEqual(['high', 'same as high', 'low']); // top line first; ties keep input order
    expect(all).toContain('not shown:');
    expect(all.some((t) => t.includes('flat (0 throughout)'))).toBe(true);
    expect(all.some((t) => t.includes('none (no data)'))).toBe(true);
    expect(legendOrder([rising('a', 1), rising('b', 3)])).toEqual([1, 0]);
  });

  it('wraps long titles instead of clipping them, and grows the chart to fit', () => {
    const title = 'one-customer: ego-facebook, voice experience=negative response=at 1 eff 0.5 — reach distribution of customer:median-value (20000 runs)';
    const svg = lineChart([rising('s', 1)], { title, xLabel: 'x', yLabel: 'y' });
    const doc = parse(svg);
    const width = Number(doc.documentElement!.getAttribute('width'));
    const titleLines = Array.from(doc.getElementsByTagName('text')).filter((t) => t.getAttribute('font-weight') === 'bold').map((t) => t.textContent ?? '');
    expect(titleLines.length).toBeGreaterThan(1);
    expect(titleLines.join(' ')).toBe(title);
    // Each line fits at a generous 0.62 em per glyph of the 15 px bold title.
    for (const l of titleLines) expect(l.length * 15 * 0.62).toBeLessThanOrEqual(width);
    expect(wrapText('a b c', 1000, 12)).toEqual(['a b c']);
    expect(wrapText('', 100, 12)).toEqual(['']);
  });

  it('log y and a Vega-Lite spec with the same series, styles and order', () => {
    const series = [rising('b', 3), { name: 'a', points: [{ x: 1, y: 10, lo: 8, hi: 12 }, { x: 2, y: 100, lo: 90, hi: 110 }] }, { name: 'zero', points: [{ x: 1, y: 0 }] }];
    const svg = parse(lineChart(series, { title: 'L', xLabel: 'x', yLabel: 'y', logY: true }));
    expect(texts(svg)).toContain('100');
    const spec = lineChartSpec(series, { title: 'L', xLabel: 'x', yLabel: 'y', logY: true });
    expect(spec.$schema).toBe('https://vega.github.io/schema/vega-lite/v5.json');
    expect(spec.description).toBe('not shown: zero (0 throughout)');
    const values = (spec.data as { values: { series: string }[] }).values;
    expect(values.filter((v) => v.series === 'b')).toHaveLength(4);
    expect(values.some((v) => v.series === 'zero')).toBe(false);
    const layers = spec.layer as { mark: { type: string }; encoding: Record<string, { scale?: { type?: string }; sort?: string[] }> }[];
    expect(layers.map((l) => l.mark.type)).toEqual(['area', 'line']);
    expect(layers[1].encoding.y.scale).toEqual({ type: 'log' });
    expect(layers[1].encoding.color.sort).toEqual(['a', 'b']); // end values 100 and 3
  });
});

describe('study progress', () => {
  it('estimates the time left from work, not cells, and only from this run', () => {
    expect(workEta(10_000, 30, 10, 110)).toBeCloseTo(40_000); // 20 units in 10 s, 80 left
    expect(workEta(0, 0, 0, 10)).toBeNaN();
    let t = 0;
    const lines: string[] = [];
    const stream = new Writable({ write(chunk, _e, cb) { lines.push(String(chunk)); cb(); } });
    // Three cells of work 1, 1, 8: after the two small ones (2 s), the ETA is 8 s, not "one cell left".
    const p = createStudyProgress({ label: 's', total: 3, totalWork: 10, stream, intervalMs: 0, now: () => t });
    p.update(0, undefined, 0);
    t = 1000;
    p.update(1, 'c1', 1);
    t = 2000;
    p.update(2, 'c2', 2);
    t = 3000;
    p.update(2, 'c3', 3); // within the big cell
    p.stop();
    expect(lines[2]).toBe('s: 2/3 cells (20% of the work), elapsed 2s, ETA 8s — c2\n');
    expect(lines[3]).toBe('s: 2/3 cells (30% of the work), elapsed 3s, ETA 7s — c3\n');
  });
});

describe('study outputs', () => {
  it('writes steps.csv in long form and a Vega-Lite spec beside each SVG', async () => {
    const dir = await tempDir('ripple-study-out-');
    await writeFile(join(dir, 'path.txt'), 'a b\nb c\n');
    await writeFile(join(dir, 's.yaml'), 'name: path\nseed: 3\ngraphs: [{name: path, file: path.txt}]\nmodels: [{model: ic, p: 0.5}]\n' +
      'seeds: [{strategy: explicit, ids: [a]}]\nruns: 20000\noutputs: {charts: [steps, histogram]}\n');
    const r = await runStudyFile(join(dir, 's.yaml'), { workers: 0, quiet: true });
    expect(r.files).toContain('steps.csv');
    const steps = (await readFile(join(r.out, 'steps.csv'), 'utf8')).trimEnd().split('\n');
    expect(steps[0]).toBe('cell,step,series,mean,lo,hi');
    const rows = steps.slice(1).map((l) => l.split(','));
    const at = (series: string, step: number) => Number(rows.find((x) => x[2] === series && x[1] === String(step))![3]);
    // Path a - b - c from a: p^t new customers at step t.
    expect(at('new', 0)).toBe(1);
    expect(at('new', 1)).toBeCloseTo(0.5, 1);
    expect(at('new', 2)).toBeCloseTo(0.25, 1);
    const [head, cell] = (await readFile(join(r.out, 'cells.csv'), 'utf8')).trimEnd().split('\n').map((l) => l.split(','));
    const lastCumulative = rows.filter((x) => x[2] === 'cumulative').at(-1)!;
    expect(Number(lastCumulative[3])).toBeCloseTo(Number(cell[head.indexOf('reach_mean')]), 9);
    for (const f of r.files.filter((x) => x.endsWith('.svg'))) {
      const spec = JSON.parse(await readFile(join(r.out, f.replace(/\.svg$/, '.vl.json')), 'utf8'));
      expect(spec.$schema).toContain('vega-lite/v5');
      expect(spec.title.text).toBeTruthy();
    }
  });

  it('Ctrl-C saves the cells done and names the command that resumes', async () => {
    const dir = await tempDir('ripple-study-int-');
    await writeFile(join(dir, 'path.txt'), 'a b\nb c\nc d\n');
    await writeFile(join(dir, 's.yaml'), 'name: int\ngraphs: [{name: path, file: path.txt}]\nmodels: [{model: ic, p: [0.1, 0.2, 0.3, 0.4]}]\n' +
      'seeds: [{strategy: explicit, ids: [a]}]\nruns: 2000\noutputs: {charts: []}\n');
    const controller = new AbortController();
    // Abort as soon as the progress line says one cell is done (the signal a SIGINT handler would set).
    const stderr = new Writable({ write(chunk, _e, cb) { if (/ 1\/4 cells/.test(String(chunk))) controller.abort(); cb(); } });
    const err = await runStudyFile(join(dir, 's.yaml'), { workers: 0, stderr, progressIntervalMs: 0, signal: controller.signal, out: join(dir, 'o') })
      .then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(CancelledError);
    const message = (err as Error).message;
    expect(message).toMatch(/^interrupted: 1 of 4 cells saved in .*o; resume with: npm run study -- .*s\.yaml --out .*o$/);
    const resumed = await runStudyFile(join(dir, 's.yaml'), { workers: 0, quiet: true, out: join(dir, 'o') });
    expect(resumed).toMatchObject({ computed: 3, skipped: 1 });
  });
});

describe('study ranges and brand figures', () => {
  it('reads {from, to, step} ranges on k and on model parameters, and names a bad value', async () => {
    const { parseStudy } = await import('../src/studies/schema.js');
    const study = parseStudy('name: r\ngraphs: [{name: g, file: g.txt}]\nmodels: [{model: ic, p: {from: 0.01, to: 0.05, step: 0.01}}]\n' +
      'seeds: [{strategy: imm, k: {from: 1, to: 30, step: 1}}, {strategy: degree, k: [1, 5]}]\n');
    if (study.kind !== 'grid') throw new Error('grid expected');
    expect((study.models[0] as Record<string, unknown>).p).toEqual([0.01, 0.02, 0.03, 0.04, 0.05]);
    const k = (study.seeds[0] as { k: number[] }).k;
    expect(k).toHaveLength(30);
    expect(k[29]).toBe(30);
    expect(() => parseStudy('name: r\ngraphs: [{name: g, file: g.txt}]\nmodels: [{model: ic, p: {from: 0.5, to: 1.5, step: 0.5}}]\nseeds: [{strategy: degree, k: 1}]\n'))
      .toThrow(/models\[0\]\.p: 1\.5: Too big/);
    expect(() => parseStudy('name: r\ngraphs: [{name: g, file: g.txt}]\nmodels: [{model: ic}]\nseeds: [{strategy: degree, k: {from: 5, to: 1, step: 1}}]\n'))
      .toThrow(/seeds\[0\]\.k\.to: to \(1\) must be >= from \(5\)/);
  });

  it('voice cells carry impressions, time to peak and money with CIs, equal to the scenario report of the same runs', async () => {
    const dir = await tempDir('ripple-study-voice-');
    const json = { name: 'star', directed: true, customers: [{ id: 'h', value: 100, followers: 10 }, ...[1, 2, 3, 4].map((i) => ({ id: `l${i}`, value: 10 * i }))],
      ties: [1, 2, 3, 4].map((i) => ({ source: 'h', target: `l${i}` })) };
    await writeFile(join(dir, 'star.json'), JSON.stringify(json));
    await writeFile(join(dir, 's.yaml'), 'name: voice\nseed: 5\ngraphs: [{name: star, file: star.json}]\n' +
      'models: [{model: voice, p: 0.25, response: [null, {atStep: 0, effectiveness: 1, public: true}]}]\n' +
      'seeds: [{strategy: explicit, ids: [h]}]\nruns: 4000\nimpact: {churnIfNegative: 0.1, currency: USD}\noutputs: {charts: [steps]}\n');
    const r = await runStudyFile(join(dir, 's.yaml'), { workers: 0, quiet: true });
    const [head, noAnswer, answered] = (await readFile(join(r.out, 'cells.csv'), 'utf8')).trimEnd().split('\n').map((l) => l.split(','));
    const col = (row: string[], c: string) => row[head.indexOf(c)];
    for (const c of ['impressions_mean', 'impressions_ci_lo', 'time_to_peak_mean', 'time_to_peak_ci_hi', 'money_at_risk_mean', 'money_at_risk_ci_lo', 'money_earned_mean', 'money_net_ci_hi', 'value_exposed_mean']) {
      expect(head, c).toContain(c);
    }
    expect(col(noAnswer, 'currency')).toBe('USD');
    // The same runs as a scenario: POST /graphs/:id/scenarios would report these numbers.
    const { buildGraphData, scenario } = await import('../src/index.js');
    const { compile } = await import('../src/graph/compile.js');
    const graph = compile(buildGraphData(json).data);
    const report = await scenario(graph, { customer: 'h', p: 0.25, runs: 4000, seed: 5, horizon: 10_000, impact: { churnIfNegative: 0.1, currency: 'USD' } });
    expect(Number(col(noAnswer, 'money_at_risk_mean'))).toBeCloseTo(report.money.atRisk.mean, 9);
    expect(Number(col(noAnswer, 'impressions_mean'))).toBeCloseTo(report.impressions.mean, 9);
    expect(Number(col(noAnswer, 'time_to_peak_mean'))).toBeCloseTo(report.timeToPeak.mean, 9);
    // Complaint at 2p = 0.5 per tie: at risk = 0.1 · (100 + 0.5 · (10 + 20 + 30 + 40)) = 15 in expectation.
    expect(Math.abs(Number(col(noAnswer, 'money_at_risk_mean')) - 15)).toBeLessThan(4 * (Number(col(noAnswer, 'money_at_risk_ci_hi')) - Number(col(noAnswer, 'money_at_risk_mean'))) / 1.96);
    // Answered before it spreads with effectiveness 1: nothing at risk, the hub praises.
    expect(Number(col(answered, 'money_at_risk_mean'))).toBe(0);
    expect(Number(col(answered, 'money_earned_mean'))).toBeGreaterThan(0);
    // Each opinion's time to peak: the leaves are reached at step 1 or never, so it is exactly 1 over the runs in which
    // the opinion reaches a leaf: 1 − 0.5⁴ of the complaint's runs, 1 − 0.75⁴ of the praise's (within 4 sd of a binomial).
    expect(head).toEqual(expect.arrayContaining(['negative_time_to_peak_mean', 'negative_time_to_peak_ci_lo', 'negative_time_to_peak_ci_hi', 'negative_time_to_peak_runs', 'positive_time_to_peak_mean', 'positive_time_to_peak_ci_lo', 'positive_time_to_peak_ci_hi', 'positive_time_to_peak_runs']));
    const within = (k: number, q: number) => Math.abs(k - 4000 * q) < 4 * Math.sqrt(4000 * q * (1 - q));
    expect(['negative_time_to_peak_mean', 'negative_time_to_peak_ci_lo', 'negative_time_to_peak_ci_hi'].map((c) => col(noAnswer, c))).toEqual(['1', '1', '1']);
    expect(Number(col(noAnswer, 'negative_time_to_peak_runs'))).toBe(report.negativeTimeToPeak!.runs);
    expect(within(report.negativeTimeToPeak!.runs, 1 - 0.5 ** 4)).toBe(true);
    expect([col(noAnswer, 'positive_time_to_peak_mean'), col(noAnswer, 'positive_time_to_peak_runs')]).toEqual(['', '0']);
    expect(col(answered, 'positive_time_to_peak_mean')).toBe('1');
    expect(within(Number(col(answered, 'positive_time_to_peak_runs')), 1 - 0.75 ** 4)).toBe(true);
    expect([col(answered, 'negative_time_to_peak_mean'), col(answered, 'negative_time_to_peak_runs')]).toEqual(['', '0']);
  });
});

describe('prevalence with a CI per step', () => {
  it('the engine reports a 95% CI of the new activations at each step, which covers the closed form', async () => {
    const { buildGraph, simulate } = await import('../src/index.js');
    // Directed path a -> b -> c -> d, p = 0.5: newly active at step t with probability 0.5^t (a Bernoulli per run).
    const g = buildGraph({ directed: true, ties: [['a', 'b'], ['b', 'c'], ['c', 'd']].map(([source, target]) => ({ source, target })) });
    const r = await simulate(g, { model: 'ic', seeds: ['a'], p: 0.5, runs: 20_000, seed: 9 });
    for (const s of r.steps.slice(1)) {
      const exact = 0.5 ** s.step;
      const [lo, hi] = s.newCi95!;
      expect(lo).toBeLessThanOrEqual(exact);
      expect(hi).toBeGreaterThanOrEqual(exact);
      // Half-width = 1.96 · sqrt(q(1 − q) / n) for a Bernoulli mean q (sample sd).
      expect((hi - lo) / 2).toBeCloseTo(1.96 * Math.sqrt((s.newMean * (1 - s.newMean) * 20_000) / 19_999 / 20_000), 9);
    }
  });
});
