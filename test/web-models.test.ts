import { describe, expect, it } from 'vitest';
import { pairedDifference } from '../src/scenarios/paired.js';
import { COLORS } from '../web/src/charts.js';
import { compareCsv, compareRows } from '../web/src/model-compare.js';
import type { ModelRun } from '../web/src/model-view.js';
import { edgeKey, outcomes, traceView } from '../web/src/trace-view.js';
import type { Family, Neighbourhood, SimulationResult, Trace } from '../web/src/types.js';

/**
 * The page's reading of a catalogue model's answer, without a browser (the browser test checks the same against the
 * API on the demo graph): a traced run on the customer's neighbourhood (web/src/trace-view.ts), and two settings
 * compared run by run from their samples (web/src/model-compare.ts).
 */

const ev = (from: string | null, to: string, time: number, state: string) => ({ from, to, time, state });
const trace = (events: Trace['events'], reach = 0): Trace => ({ run: 0, reach, events, truncated: false });

/** A neighbourhood of `ids` around the first, with the ties given. */
function hood(ids: string[], ties: [string, string][]): Neighbourhood {
  return {
    center: ids[0],
    customers: ids.map((id, i) => ({ id, label: null, segment: null, value: 1, valueIsDefault: true, followers: 0, degree: 1, depth: i === 0 ? 0 : 1 })),
    ties: ties.map(([source, target]) => ({ source, target })),
    truncated: false,
  };
}

const when = (t: number) => `step ${t}`;
const name = (id: string) => id;

describe('a traced run on the neighbourhood (trace-view)', () => {
  it('spread: who was reached, when, by whom; blocked and never reached customers are not reached', () => {
    const t = trace([
      ev(null, 'a', 0, 'infected'), ev(null, 'd', 0, 'blocked'), ev('a', 'b', 1, 'exposed'), ev('b', 'c', 2, 'exposed'),
      ev(null, 'b', 2, 'infected'), ev(null, 'b', 3, 'recovered'), ev('c', 'z', 4, 'exposed'),
    ], 4);
    const o = outcomes(t, 'epidemic');
    expect(o.get('b')).toMatchObject({ reachedAt: 1, by: 'a', final: 'recovered' });
    expect(o.get('c')).toMatchObject({ reachedAt: 2, by: 'b', final: 'exposed' });
    expect(o.get('d')).toMatchObject({ final: 'blocked' });
    expect(o.get('d')!.reachedAt).toBeUndefined();
    const v = traceView(hood(['a', 'b', 'c', 'd', 'e'], [['a', 'b'], ['b', 'c'], ['a', 'd'], ['d', 'e'], ['c', 'e']]), t, 'epidemic', when, name);
    expect(v.tree).toEqual(new Set([edgeKey('a', 'b'), edgeKey('c', 'b')])); // z is not shown: no edge to it
    expect(v.rows).toEqual([
      ['a', 'step 0', 'a seed', 'passing it on'],
      ['b', 'step 1', 'a', 'done with it'],
      ['c', 'step 2', 'b', 'heard, not passing it on yet'],
      ['d', '—', '—', 'blocked'],
      ['e', '—', '—', 'not reached'],
    ]);
    expect(v.caption).toBe('In the traced run 2 of the 4 other customers shown were reached; the run reached 4 customers in all.');
    expect(v.legend.map((l) => l.text)).toEqual(['reached at step 1', '… at step 2', 'not reached in this run', 'blocked (never adopts)', 'who reached whom']);
    // Earlier is darker: b (step 1) is the full colour, c (step 2) the light end; e is the unreached grey.
    expect(v.looks.get('b')!.color).toBe('rgb(31,95,191)');
    expect(v.looks.get('c')!.color).not.toBe(v.looks.get('b')!.color);
    expect(v.looks.get('e')!.color).toBe('#e6eaee');
  });

  it('binary opinions: the side at the end, held since step 0 or won over, and who last changed whose mind', () => {
    const t = trace([ev(null, 'a', 0, 'for'), ev(null, 'x', 0, 'for'), ev('a', 'b', 3, 'for'), ev('b', 'x', 5, 'against'), ev('x', 'b', 6, 'against'), ev('a', 'b', 8, 'for')]);
    const o = outcomes(t, 'opinion');
    expect(o.get('b')).toMatchObject({ start: 'against', final: 'for', changes: 3, lastChange: 8, by: 'a' });
    expect(o.get('x')).toMatchObject({ start: 'for', final: 'against', changes: 1, by: 'b' });
    const v = traceView(hood(['a', 'b', 'x', 'y'], [['a', 'b'], ['b', 'x'], ['x', 'y']]), t, 'opinion', when, name);
    expect(v.caption).toBe('At the end of the traced run, 2 of the 4 customers shown are for the brand and 2 against.');
    expect(v.looks.get('a')!.color).toBe(COLORS.positive);
    expect(v.looks.get('y')!.color).toBe(COLORS.negative); // no event: "against" since step 0
    expect(v.looks.get('b')!.color).not.toBe(COLORS.positive); // won over: the lighter shade
    expect(v.centerColor).toBe(COLORS.positive);
    expect(v.tree).toEqual(new Set([edgeKey('a', 'b'), edgeKey('b', 'x')]));
    expect(v.rows.map((r) => r.slice(0, 4))).toEqual([['b', 'for', 'against', '3'], ['a', 'for', 'for', '0'], ['x', 'against', 'for', '1'], ['y', 'against', 'against', '0']]);
  });

  it('a truncated trace says where it stops', () => {
    const t = { ...trace([ev(null, 'a', 0, 'for'), ev('a', 'b', 7, 'for')]), truncated: true };
    expect(traceView(hood(['a', 'b'], [['a', 'b']]), t, 'opinion', when, name).caption).toContain('what happened after step 7 is not shown');
  });
});

/** A catalogue model's answer with the fields the page reads. */
function result(fields: Partial<SimulationResult>): SimulationResult {
  return { graphId: 'g', model: 'm', runs: 4, seed: 1, seeds: ['a'], reach: { mean: 0, ci95: [0, 0] }, steps: [], ...fields };
}
const runOf = (family: Family, r: SimulationResult): ModelRun => ({ model: r.model, family, title: 'T', result: r, customers: 10 });
const mc = (mean: number): { mean: number; ci95: [number, number] } => ({ mean, ci95: [mean - 1, mean + 1] });

describe('two settings compared run by run (model-compare)', () => {
  it('spread: the reach difference is paired over the runs, as the API pairs a scenario compare; figures with no per-run values are not', () => {
    const rows = [{ step: 0, susceptible: 9, infected: 1, recovered: 0 }];
    const cis = [{ step: 0, susceptible: [9, 9], infected: [1, 1], recovered: [0, 0] }] as unknown as SimulationResult['compartmentsCi95'];
    const a = runOf('epidemic', result({ model: 'sir', reach: mc(2.5), compartments: rows, compartmentsCi95: cis, samples: { reach: [1, 2, 3, 4] } }));
    const b = runOf('epidemic', result({ model: 'sir', reach: mc(1.5), compartments: rows, compartmentsCi95: cis, samples: { reach: [1, 1, 2, 2] } }));
    const out = compareRows(a, b);
    const reach = out.find((r) => r.key === 'reach')!;
    const d = pairedDifference(Float64Array.from([1, 2, 3, 4]), Float64Array.from([1, 1, 2, 2]));
    expect(reach.diff).toMatchObject({ mean: -1, pairs: 4, sure: true, text: '−1' });
    expect(reach.diff!.ci95).toEqual(d.ci95);
    expect(d.ci95[1]).toBeCloseTo(-1 + 1.96 * Math.sqrt(2 / 3) / 2, 12);
    expect(reach.a.value).toBe('2.5');
    expect(out.find((r) => r.key === 'peak')).toMatchObject({ note: 'not paired: the answer has no per-run values of it' });
    const csv = compareCsv([{ name: 'A', run: a, params: { beta: 0.1 } }, { name: 'B', run: b, params: { beta: 0.05 } }], out).split('\n');
    expect(csv[0]).toBe('variant,section,measure,step,time,customer,mean,ci95_low,ci95_high,unit,baseline');
    expect(csv).toContain('B,request,beta,,,,0.05,,,,');
    expect(csv).toContain(`B,difference,reach,,,,-1,${d.ci95[0]},${d.ci95[1]},customers,A`);
    expect(csv).toContain(`B,difference,reach.relative,,,,${d.relative!.mean},${d.relative!.ci95[0]},${d.relative!.ci95[1]},share,A`);
  });

  it('opinions: final shares in percentage points, consensus as a 0/1 per run, its time over the runs where both reach it', () => {
    const opinionResult = (forShare: number[], consensusStep: (number | null)[]) => result({
      model: 'voter', finalShares: { for: mc(0.5), against: mc(0.5) }, consensus: { share: mc(0.75), step: mc(5), forWins: mc(0.25) },
      samples: { reach: [1, 1, 1, 1], forShare, consensusStep },
    });
    const a = runOf('opinion', opinionResult([1, 0.5, 0, 1], [3, null, 5, 7]));
    const b = runOf('opinion', opinionResult([1, 0.6, 1, 0], [2, 4, 6, null]));
    const out = new Map(compareRows(a, b).map((r) => [r.key, r]));
    expect(out.get('for')!.diff).toMatchObject({ pairs: 4, higherIsBetter: true });
    expect(out.get('for')!.diff!.mean).toBeCloseTo(0.025, 12);
    expect(out.get('for')!.diff!.text).toBe('+2.5 pp');
    expect(out.get('against')!.diff!.mean).toBeCloseTo(-0.025, 12);
    expect(out.get('consensus')!.diff!.mean).toBe(0); // [1,0,1,1] against [1,1,1,0]
    // forWins: consensus and everybody for — [1,0,0,1] against [1,0,1,0].
    expect(out.get('forWins')!.diff!.mean).toBe(0);
    const time = out.get('consensusTime')!;
    expect(time.diff).toMatchObject({ mean: 0, pairs: 2 }); // runs 0 and 2 only: 2 − 3 and 6 − 5
    expect(time.diff!.ci95[0]).toBeCloseTo(-1.96, 12); // sd √2 over 2 pairs
    expect(time.note).toBe('over the 2 runs where both reach it');
  });
});
