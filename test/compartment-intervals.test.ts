import { describe, expect, it } from 'vitest';
import { runCompartmental } from '../src/diffusion/kernels/compartmental.js';
import { OpinionRule, runBinaryOpinion, runHk } from '../src/diffusion/kernels/opinion.js';
import { modelOf } from '../src/diffusion/models/registry.js';
import type { KernelModelPlan } from '../src/diffusion/models/kernel-model.js';
import { simulate } from '../src/diffusion/simulate.js';
import { reportCsv } from '../src/scenarios/csv.js';
import { indexOf } from '../src/graph/compile.js';
import { sample, type KernelFn } from './catalogue-helpers.js';
import { build, type Tie } from './diffusion-helpers.js';

/**
 * `compartmentsCi95`: the 95% interval of each compartment's mean at each step, over the runs. Checked against the
 * per-run counts of the same runs (streams (seed, r)), run one by one through the model's kernel: the means must be
 * the same numbers as `compartments`, and the interval mean ± 1.96·sd/√runs of those counts (sd with runs − 1).
 */

function ring(n: number, chords: number): ReturnType<typeof build> {
  const ties: Tie[] = [];
  for (let i = 0; i < n; i++) ties.push([`c${i}`, `c${(i + 1) % n}`]);
  for (let i = 0; i < chords; i++) ties.push([`c${(i * 7) % n}`, `c${(i * 13 + 5) % n}`]);
  return build(false, ties.filter(([a, b]) => a !== b));
}

const g = ring(40, 25);
const RUNS = 80;
const SEED = 5;

const cases: { model: string; params: Record<string, unknown>; kernel: KernelFn; names: string[]; perCustomer?: string }[] = [
  { model: 'voter', params: { forShare: 0.3, maxSteps: 15 }, kernel: (g, p, s, ks, rng, rec) => runBinaryOpinion(g, p, s, ks, rng, rec, OpinionRule.Voter), names: ['against', 'for'] },
  { model: 'sis', params: { beta: 0.3, lambda: 0.3, maxSteps: 25 }, kernel: (g, p, s, ks, rng, rec) => runCompartmental(g, p, s, ks, rng, rec, false), names: ['susceptible', 'infected'] },
  { model: 'hk', params: { epsilon: 0.5, maxSteps: 20 }, kernel: runHk, names: ['against', 'for', 'meanOpinion'], perCustomer: 'meanOpinion' },
];

describe('compartment curves with 95% intervals', () => {
  for (const c of cases) {
    it(`${c.model}: the interval at each step is that of the per-run counts of the same runs`, async () => {
      const request = { model: c.model, seeds: ['c0', 'c3'], runs: RUNS, seed: SEED, ...c.params };
      const r = (await simulate(g, request as never)) as unknown as {
        compartments: Record<string, number>[];
        compartmentsCi95: ({ step: number } & Record<string, [number, number]>)[];
      };
      expect(r.compartmentsCi95.length).toBe(r.compartments.length);
      // The same runs, one at a time, through the model's own plan and kernel.
      const d = modelOf(c.model);
      const parsed = d.schema.parse(request) as Record<string, unknown> & { maxSteps: number };
      const base = { model: c.model, seed: SEED, seeds: Int32Array.from(['c0', 'c3'].map((id) => indexOf(g, id))), maxSteps: parsed.maxSteps, countActivations: false, extras: false };
      const plan = d.plan(g, parsed, base) as KernelModelPlan;
      const runs = sample(c.kernel, g, plan, RUNS, SEED);
      let spread = 0;
      for (const row of r.compartmentsCi95) {
        c.names.forEach((name, k) => {
          const per = c.perCustomer === name ? g.n : 1;
          const xs = Array.from({ length: RUNS }, (_, run) => runs.curve(run, k, row.step) / per);
          const mean = xs.reduce((a, b) => a + b, 0) / RUNS;
          const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (RUNS - 1));
          const half = (1.96 * sd) / Math.sqrt(RUNS);
          const where = `${c.model} step ${row.step} ${name}`;
          expect(r.compartments[row.step][name], where).toBeCloseTo(mean, 9);
          const lo = per === 1 ? Math.max(0, mean - half) : mean - half;
          expect(row[name][0], where).toBeCloseTo(lo, 9);
          expect(row[name][1], where).toBeCloseTo(mean + half, 9);
          spread = Math.max(spread, row[name][1] - row[name][0]);
        });
      }
      expect(spread).toBeGreaterThan(0); // the runs differ: the intervals are not points
      // Step 0 is fixed by the request (the seeds, and no random draw for SIS): an interval of width 0 there.
      if (c.model === 'sis') expect(r.compartmentsCi95[0]).toEqual({ step: 0, susceptible: [g.n - 2, g.n - 2], infected: [2, 2] });
    });
  }
});

describe('a model result as tidy CSV', () => {
  it('has the compartments with their intervals, the consensus and the final shares (what the page shows)', async () => {
    const r = (await simulate(g, { model: 'voter', seeds: ['c0'], runs: 30, seed: 2, forShare: 0.3, maxSteps: 5 } as never)) as unknown as {
      compartments: Record<string, number>[]; compartmentsCi95: Record<string, [number, number]>[];
      finalShares: { for: { mean: number; ci95: [number, number] } }; consensus: { share: { mean: number } };
    };
    const [head, ...lines] = reportCsv(r).trim().split('\r\n').map((l) => l.split(','));
    const rows = lines.map((c) => Object.fromEntries(head.map((h, i) => [h, c[i]])));
    const at = (measure: string, step?: number) => rows.find((x) => x.measure === measure && (step === undefined || x.step === String(step)))!;
    for (const step of [0, 1, 5]) {
      const row = at('compartment.for', step);
      expect(Number(row.mean)).toBe(r.compartments[step].for);
      expect([Number(row.ci95_low), Number(row.ci95_high)]).toEqual(r.compartmentsCi95[step].for);
      expect(row.unit).toBe('customers');
    }
    expect(Number(at('finalShares.for').mean)).toBe(r.finalShares.for.mean);
    expect(Number(at('finalShares.for').ci95_high)).toBe(r.finalShares.for.ci95[1]);
    expect(Number(at('consensus.share').mean)).toBe(r.consensus.share.mean);
    expect(at('compartment.against', 5)).toBeDefined();
  });
});
