import type { CompiledGraph } from '../graph/compile.js';
import { CancelledError } from '../errors.js';
import { runBatch } from './batch.js';
import { DEFAULT_RUNS } from './request.js';
import { buildPlan, type ResolvedSimulation } from './simulate.js';

/**
 * A pilot of a simulation: its first runs, measured before the whole request is planned (the API's work budget,
 * src/api/budget.ts). Run r draws from its own stream (seed, r), so running runs 0.. here changes nothing in the real
 * run, which draws them again: answers stay bit-identical with or without a pilot.
 */
export interface SimulationPilot {
  /** Runs completed by the pilot. */
  runs: number;
  /** Work of those runs: arcs examined plus steps taken (a step costs even when no arc is tried). */
  work: number;
  /**
   * The pilot hit its time cap inside a run. With runs before it, that run's work is counted as at least what its
   * time was worth at the rate of the completed runs (`cutWork`); with none, nothing was measured.
   */
  cut: boolean;
  cutWork: number;
  /** Runs the whole request plans (maxRuns in precision mode). */
  planned: number;
}

export interface PilotLimits {
  /** At most this many runs (default 32). */
  maxRuns?: number;
  /** Stop once this much work was measured (default 1,000,000 arcs and steps). */
  maxWork?: number;
  /** Time cap (default 25 ms), checked between runs and inside long runs (where the model checks cancellation). */
  maxMs?: number;
}

export const PILOT_DEFAULTS = { maxRuns: 32, maxWork: 1_000_000, maxMs: 25 } as const;

export function pilotSimulation(g: CompiledGraph, req: ResolvedSimulation, limits: PilotLimits = {}): SimulationPilot {
  const maxRuns = limits.maxRuns ?? PILOT_DEFAULTS.maxRuns;
  const maxWork = limits.maxWork ?? PILOT_DEFAULTS.maxWork;
  const deadline = performance.now() + (limits.maxMs ?? PILOT_DEFAULTS.maxMs);
  const r = req.request;
  const planned = r.precision !== undefined ? r.maxRuns : (r.runs ?? DEFAULT_RUNS);
  const plan = buildPlan(g, req);
  const out: SimulationPilot = { runs: 0, work: 0, cut: false, cutWork: 0, planned };
  const isCancelled = () => performance.now() > deadline;
  let busy = 0; // ms spent in the completed runs
  while (out.runs < Math.min(maxRuns, planned) && out.work < maxWork) {
    if (out.runs > 0 && isCancelled()) break;
    let b;
    const t0 = performance.now();
    try {
      b = runBatch(g, plan, out.runs, out.runs + 1, { isCancelled });
    } catch (e) {
      if (!(e instanceof CancelledError)) throw e;
      out.cut = true;
      if (out.runs > 0 && busy > 0) out.cutWork = (out.work / busy) * (performance.now() - t0);
      break;
    }
    busy += performance.now() - t0;
    let steps = b.newByStep.length;
    for (const sums of Object.values(b.perStep)) steps = Math.max(steps, sums.length);
    out.work += b.arcsExamined + steps;
    out.runs++;
  }
  return out;
}
