import type { CompiledGraph } from '../graph/compile.js';
import type { WorkerPool } from '../workers/pool.js';
import { hash2 } from '../diffusion/rng.js';
import { simulateRuns, type SimulationResult, type StepStat } from '../diffusion/simulate.js';
import { countStats, meanCi, Z95, type HistogramSpec } from '../diffusion/stats.js';
import { cellRequest, type Cell } from './grid.js';
import { randomOrder } from './seeds.js';

/**
 * The random strategy as an expectation over seed sets (Kempe, Kleinberg & Tardos 2003 report the average
 * over random choices, not one draw): D independent draws, each a seeded random permutation whose k-prefix is
 * the seed set, each simulated on its own run streams with ⌈runs / D⌉ runs. The cell's spread is the mean of the
 * draws' means; its 95% CI comes from the spread of those D means (two-stage sampling: it covers both the choice
 * of seeds and the Monte Carlo noise). Quantiles and the histogram are those of all runs pooled (the mixture
 * over seed sets). The per-step curves are the mean over draws, with the CI of `new` from the draws' spread.
 */

export interface DrawSummary {
  draws: number;
  runsPerDraw: number;
  /** Sample sd of the draws' mean spreads (seed-set variation + Monte Carlo noise of one draw). */
  drawSd: number;
  /** The seed sets of the first few draws (for the row's `seeds` column). */
  firstSeeds: string[][];
}

const SALT_DRAW = 0x44524157; // 'DRAW'

/** Seed of draw d: its permutation and its run streams (independent of every other draw and of the study seed's own streams). */
export function drawSeed(studySeed: number, d: number): number {
  return hash2(hash2(studySeed >>> 0, SALT_DRAW), d) >>> 0;
}

export async function simulateDraws(
  g: CompiledGraph, cell: Cell, draws: number, maxK: number, studySeed: number, bins: number | HistogramSpec,
  o: { pool?: WorkerPool; signal?: AbortSignal; onProgress?: (done: number, total: number) => void },
): Promise<{ result: SimulationResult; summary: DrawSummary }> {
  const t0 = performance.now();
  const runs = cell.runs ?? cell.maxRuns ?? 1000;
  const perDraw = Math.max(1, Math.ceil(runs / draws));
  const total = perDraw * draws;
  const reach = new Int32Array(total);
  const means = new Float64Array(draws);
  const stepLists: StepStat[][] = [];
  const firstSeeds: string[][] = [];
  let arcs = 0;
  let last: SimulationResult | undefined;
  for (let d = 0; d < draws; d++) {
    const seed = drawSeed(studySeed, d);
    const order = randomOrder(g.n, maxK, seed).subarray(0, Math.min(cell.k, g.n));
    const ids = Array.from(order, (i) => g.ids[i]);
    if (d < 3) firstSeeds.push(ids);
    const req = { ...cellRequest({ ...cell, runs: perDraw, precision: null, maxRuns: null }, ids, seed, bins), top: 0 };
    const { result, perRun } = await simulateRuns(g, req, {
      pool: o.pool, signal: o.signal,
      onProgress: o.onProgress ? (done) => o.onProgress!(d * perDraw + done, total) : undefined,
    }, true);
    reach.set(perRun!.reach.subarray(0, perDraw), d * perDraw);
    means[d] = result.reach.mean;
    stepLists.push(result.steps);
    arcs += result.arcsExamined;
    last = result;
  }
  const pooled = countStats(reach, bins);
  const between = meanCi(means);
  // The mean of equal-size draws' means is the pooled mean; its CI is the between-draw one.
  const reachStats = { ...pooled, mean: between.mean, stderr: between.stderr, ci95: [between.mean - Z95 * between.stderr, between.mean + Z95 * between.stderr] as [number, number] };
  const result: SimulationResult = {
    ...last!,
    runs: total,
    seed: studySeed,
    elapsedMs: performance.now() - t0,
    seeds: firstSeeds[0] ?? [],
    stoppedBy: 'runs',
    reach: reachStats,
    steps: meanSteps(stepLists),
    amplifiers: [],
    arcsExamined: arcs / draws,
  };
  delete result.exceedance;
  delete result.trace;
  return { result, summary: { draws, runsPerDraw: perDraw, drawSd: between.sd, firstSeeds } };
}

/** Per-step mean over draws (a draw that stopped earlier adds 0 new and keeps its last cumulative), CI of `new` from the draws' spread. */
function meanSteps(lists: StepStat[][]): StepStat[] {
  const len = Math.max(0, ...lists.map((l) => l.length));
  const out: StepStat[] = [];
  const nw = new Float64Array(lists.length);
  for (let s = 0; s < len; s++) {
    let cum = 0;
    for (let d = 0; d < lists.length; d++) {
      const l = lists[d];
      const at = l[s];
      nw[d] = at ? at.newMean : 0;
      cum += at ? at.cumulativeMean : (l.length > 0 ? l[l.length - 1].cumulativeMean : 0);
    }
    const m = meanCi(nw);
    out.push({ step: s, newMean: m.mean, cumulativeMean: cum / lists.length, newCi95: [Math.max(0, m.ci95[0]), m.ci95[1]] });
  }
  return out;
}
