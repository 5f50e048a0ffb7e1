import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBatch } from '../src/diffusion/batch.js';
import { modelOf } from '../src/diffusion/models/registry.js';
import { scratchFor } from '../src/diffusion/scratch.js';
import { buildPlan, parseSimulationRequest, simulate } from '../src/diffusion/simulate.js';
import type { CompiledGraph } from '../src/graph/compile.js';
import { build, type Tie } from './diffusion-helpers.js';

/**
 * `trace: true` for IC, LT, SIR and voice (their own traced kernels, models/NAME/trace.ts): exact transmission trees
 * on a path and a star with p = 1, and the proof that the traced run is run 0 of the untraced Monte Carlo.
 */

type Ev = [from: string | null, to: string, time: number, state: string];
const events = (r: { trace?: { events: { from: string | null; to: string; time: number; state: string }[] } }): Ev[] =>
  r.trace!.events.map((e) => [e.from, e.to, e.time, e.state]);

const path = build(true, [['c0', 'c1'], ['c1', 'c2'], ['c2', 'c3']]);
const star = build(true, [['c0', 'c1'], ['c0', 'c2'], ['c0', 'c3'], ['c0', 'c4']]);

describe('traced runs: exact trees on tiny graphs (p = 1)', () => {
  it('IC on a path: each customer reached by the one before, one step later (any probability scheme)', async () => {
    const want: Ev[] = [[null, 'c0', 0, 'active'], ['c0', 'c1', 1, 'active'], ['c1', 'c2', 2, 'active'], ['c2', 'c3', 3, 'active']];
    for (const probability of ['uniform', 'attribute']) {
      const r = await simulate(path, { model: 'ic', seeds: ['c0'], p: 1, probability, runs: 5, seed: 3, trace: true } as never);
      expect(events(r), probability).toEqual(want);
      expect(r.trace!.reach).toBe(4);
      expect(r.trace!.run).toBe(0);
      expect(r.trace!.truncated).toBe(false);
    }
    // maxSteps cuts the tree where it cuts the run.
    const cut = await simulate(path, { model: 'ic', seeds: ['c0'], p: 1, maxSteps: 2, runs: 1, seed: 3, trace: true } as never);
    expect(events(cut)).toEqual(want.slice(0, 3));
  });

  it('IC on a star: the centre reaches every leaf at step 1, in arc order; p = 0 reaches nobody', async () => {
    const r = await simulate(star, { model: 'ic', seeds: ['c0'], p: 1, runs: 1, seed: 1, trace: true } as never);
    expect(events(r)).toEqual([[null, 'c0', 0, 'active'], ...[1, 2, 3, 4].map((i): Ev => ['c0', `c${i}`, 1, 'active'])]);
    const none = await simulate(star, { model: 'ic', seeds: ['c0'], p: 0, runs: 1, seed: 1, trace: true } as never);
    expect(events(none)).toEqual([[null, 'c0', 0, 'active']]);
  });

  it('LT on a path (weighted cascade: b = 1 for a single in-arc, so every threshold is met)', async () => {
    const r = await simulate(path, { model: 'lt', seeds: ['c0'], runs: 1, seed: 9, trace: true } as never);
    expect(events(r)).toEqual([[null, 'c0', 0, 'active'], ['c0', 'c1', 1, 'active'], ['c1', 'c2', 2, 'active'], ['c2', 'c3', 3, 'active']]);
  });

  it('SIR on a path with beta = p = gamma = 1: infected one step, recovered the next', async () => {
    const r = await simulate(path, { model: 'sir', seeds: ['c0'], p: 1, beta: 1, gamma: 1, runs: 1, seed: 2, trace: true } as never);
    expect(events(r)).toEqual([
      [null, 'c0', 0, 'infected'],
      ['c0', 'c1', 1, 'infected'], [null, 'c0', 1, 'recovered'],
      ['c1', 'c2', 2, 'infected'], [null, 'c1', 2, 'recovered'],
      ['c2', 'c3', 3, 'infected'], [null, 'c2', 3, 'recovered'],
      [null, 'c3', 4, 'recovered'],
    ]);
  });

  it('voice: the complaint spreads, the brand turns the complainant (a turn has no `from`), negative wins the same step', async () => {
    const base = { model: 'voice', seeds: ['c0'], experience: 'negative', p: 1, runs: 1, seed: 4, trace: true };
    const late = await simulate(path, { ...base, response: { atStep: 1, effectiveness: 1, public: true } } as never);
    expect(events(late)).toEqual([
      [null, 'c0', 0, 'negative'], ['c0', 'c1', 1, 'negative'], [null, 'c0', 1, 'positive'], ['c1', 'c2', 2, 'negative'], ['c2', 'c3', 3, 'negative'],
    ]);
    const early = await simulate(star, { ...base, response: { atStep: 0, effectiveness: 1, public: true } } as never);
    expect(events(early)).toEqual([[null, 'c0', 0, 'negative'], [null, 'c0', 0, 'positive'], ...[1, 2, 3, 4].map((i): Ev => ['c0', `c${i}`, 1, 'positive'])]);
    const praise = await simulate(star, { ...base, experience: 'positive' } as never);
    expect(events(praise)).toEqual([[null, 'c0', 0, 'positive'], ...[1, 2, 3, 4].map((i): Ev => ['c0', `c${i}`, 1, 'positive'])]);
  });
});

function randomGraph(n: number, deg: number, pMax: number): CompiledGraph {
  const ties: Tie[] = [];
  let x = 4242;
  for (let u = 0; u < n; u++) {
    for (let k = 0; k < deg; k++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      const v = x % n;
      if (v !== u) ties.push([`c${u}`, `c${v}`, { weight: 1 + (x % 3), p: (((x >>> 8) % 100) / 100) * pMax }]);
    }
  }
  // Unequal activity: the uniform scheme then takes IC's per-customer path instead of the one-gap-sequence path.
  return build(false, ties, Array.from({ length: n }, (_, i) => ({ id: `c${i}`, activity: i % 5 === 0 ? 0.5 : 1 })));
}

describe('the traced run is run 0 of the untraced Monte Carlo', () => {
  const g = randomGraph(400, 3, 0.4);
  const flat = randomGraph(400, 3, 0.05); // LT attribute: in-sums of p stay <= 1
  const even = build(false, Array.from({ length: 399 }, (_, i): Tie => [`c${i}`, `c${(i * 7 + 1) % 400}`]).concat(Array.from({ length: 400 }, (_, i): Tie => [`c${i}`, `c${(i * 13 + 5) % 400}`])));
  const cases: [string, CompiledGraph, Record<string, unknown>][] = [
    ['ic uniform, one p (one gap sequence)', even, { model: 'ic', p: 0.3 }],
    ['ic uniform, per-customer p (activity)', g, { model: 'ic', p: 0.3 }],
    ['ic p = 1 (every gap 0)', even, { model: 'ic', p: 1, maxSteps: 6 }],
    ['ic weighted cascade (a coin per arc)', g, { model: 'ic', probability: 'weighted-cascade' }],
    ['ic attribute', g, { model: 'ic', probability: 'attribute', p: 0.2 }],
    ['lt weighted cascade', g, { model: 'lt' }],
    ['lt attribute', flat, { model: 'lt', probability: 'attribute' }],
    ['sir', g, { model: 'sir', p: 0.6, beta: 0.5, gamma: 0.4 }],
    ['sir weighted cascade, gamma 0', g, { model: 'sir', probability: 'weighted-cascade', beta: 1, gamma: 0, maxSteps: 12 }],
    ['voice negative, public answer at step 2', g, { model: 'voice', p: 0.15, response: { atStep: 2, effectiveness: 0.7, public: true } }],
    ['voice negative, private answer at step 0', g, { model: 'voice', p: 0.2, response: { atStep: 0, effectiveness: 0.5, public: false } }],
    ['voice positive', g, { model: 'voice', experience: 'positive', probability: 'weighted-cascade' }],
  ];

  it.each(cases)('%s: same customers reached, same new customers per step, over 25 seeds', (_name, graph, params) => {
    let reachedSomeone = 0;
    let bothSpread = 0;
    for (let seed = 1; seed <= 25; seed++) {
      const req = parseSimulationRequest({ seeds: ['c0', 'c17', 'c99'], runs: 1, seed, top: 0, ...params });
      const plan = buildPlan(graph, req, { extras: params.model === 'voice' });
      const batch = runBatch(graph, plan, 0, 1);
      const reach = batch.reach[0];
      const reached = Array.from(scratchFor(graph).queue.subarray(0, reach), (i) => graph.ids[i]).sort();
      const tr = modelOf(plan.model).trace(graph, plan as never, 0);
      expect(tr.reach).toBe(reach);
      expect([...new Set(tr.events.map((e) => e.to))].sort()).toEqual(reached);
      // A customer's first event is its reach: a seed at time 0 without a parent, else from one reached before it.
      // Later events of the same customer (a recovery, the brand's turn) have no parent.
      const byStep = new Float64Array(batch.newByStep.length);
      const seen = new Set<string>();
      for (const e of tr.events) {
        if (seen.has(e.to)) {
          expect(e.from).toBeNull();
          continue;
        }
        if (e.time === 0) expect(e.from).toBeNull();
        else expect(seen.has(e.from!)).toBe(true);
        seen.add(e.to);
        byStep[e.time]++;
      }
      expect(Array.from(byStep)).toEqual(Array.from(batch.newByStep));
      if (params.model === 'voice') {
        const last = new Map(tr.events.map((e) => [e.to, e.state]));
        expect([...last.values()].filter((s) => s === 'negative').length).toBe(batch.perRun.negative[0]);
        // Each opinion's time to peak: the step >= 1 with the most customers first reached holding it (earliest on
        // ties, 0 if none), read off the trace's first events (a turn is a later event of the complainant).
        const peakOf = (opinion: string) => {
          const per = new Map<number, number>();
          const first = new Set<string>();
          for (const e of tr.events) {
            if (first.has(e.to)) continue;
            first.add(e.to);
            if (e.time >= 1 && e.state === opinion) per.set(e.time, (per.get(e.time) ?? 0) + 1);
          }
          let best = 0;
          let at = 0;
          for (const [t, k] of [...per].sort((a, b) => a[0] - b[0])) if (k > best) [best, at] = [k, t];
          return at;
        };
        expect([batch.perRun.negativePeakStep[0], batch.perRun.positivePeakStep[0]]).toEqual([peakOf('negative'), peakOf('positive')]);
        if (batch.perRun.negativePeakStep[0] > 0 && batch.perRun.positivePeakStep[0] > 0) bothSpread++;
      }
      if (reach > 3) reachedSomeone++;
    }
    expect(reachedSomeone).toBeGreaterThan(0);
    // The public answer at step 2 spreads praise beside the complaint in some runs: both peaks are checked there.
    if (_name === 'voice negative, public answer at step 2') expect(bothSpread).toBeGreaterThan(0);
  });

  it('the trace does not depend on the number of runs, and changes nothing else in the answer', async () => {
    const req = { model: 'ic', seeds: ['c0', 'c17'], p: 0.3, seed: 5 };
    const one = await simulate(g, { ...req, runs: 1, trace: true } as never);
    const many = await simulate(g, { ...req, runs: 200, trace: true } as never);
    expect(many.trace).toEqual(one.trace);
    expect(one.trace!.reach).toBe(one.reach.mean);
    const untraced = await simulate(g, { ...req, runs: 200 } as never);
    expect(JSON.stringify({ ...many, trace: undefined, elapsedMs: 0 })).toBe(JSON.stringify({ ...untraced, elapsedMs: 0 }));
  });
});

describe('ripple simulate --trace', () => {
  it('IC and SIR runs traced from the command line (--json and the human summary)', async () => {
    const { ripple } = await import('./cli-helper.js');
    const dir = mkdtempSync(join(os.tmpdir(), 'ripple-trace-'));
    try {
      const file = join(dir, 'path.txt');
      writeFileSync(file, '0 1\n1 2\n2 3\n');
      const ic = await ripple(['simulate', '--file', file, '--directed', '--model', 'ic', '--seeds', '0', '--p', '1', '--runs', '3', '--trace', '--json']);
      expect(ic.code, ic.stderr).toBe(0);
      expect(JSON.parse(ic.stdout).trace.events.map((e: { from: string | null; to: string }) => [e.from, e.to])).toEqual([[null, '0'], ['0', '1'], ['1', '2'], ['2', '3']]);
      const sir = await ripple(['simulate', '--file', file, '--directed', '--model', 'sir', '--seeds', '0', '--beta', '1', '--gamma', '1', '--runs', '3', '--trace']);
      expect(sir.code, sir.stderr).toBe(0);
      expect(sir.stdout).toMatch(/trace of run 0: 8 events/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
