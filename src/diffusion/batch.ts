import type { CompiledGraph } from '../graph/compile.js';
import { CancelledError } from '../errors.js';
import { modelOf } from './models/registry.js';
import type { SimulationPlan } from './plan.js';
import { Rng } from './rng.js';
import { scratchFor, StepSums } from './scratch.js';

/**
 * What a batch of runs [from, to) returns. Per-run values are kept in run order (the main thread
 * aggregates them in run order, so every statistic is bit-identical for any split into batches or
 * workers); per-step and per-customer tables are integer sums, which do not depend on order either.
 */
export interface BatchResult {
  from: number;
  to: number;
  reach: Int32Array;
  /** With plan.extras: value of the customers reached, and impressions. */
  value: Float64Array | null;
  impressions: Float64Array | null;
  /** Sum over runs of new activations at step t (index t). */
  newByStep: Float64Array;
  /** Sum over runs of the square of new activations at step t: the per-step CI of `newMean`. */
  newSqByStep: Float64Array;
  /** The model's own outputs (its `outputs` declaration): per-run columns and per-step sums, by name. */
  perRun: Record<string, Int32Array | Float64Array>;
  perStep: Record<string, Float64Array>;
  /** The model's per-customer counts (length n), by name. */
  perCustomer?: Record<string, Int32Array | Float64Array>;
  /** Per customer: runs in which it was activated (with plan.countActivations). */
  activations: Int32Array | null;
  arcsExamined: number;
}

export interface BatchContext {
  /** Polled between runs; true stops the batch with CancelledError. */
  isCancelled?: () => boolean;
  /** Called now and then with the runs done so far in this batch. */
  progress?: (runsDone: number) => void;
}

const PROGRESS_EVERY_MS = 100;

/** Run Monte Carlo runs [from, to) of `plan` on `g` in this thread. Run r uses stream (plan.seed, r). */
export function runBatch(g: CompiledGraph, plan: SimulationPlan, from: number, to: number, ctx: BatchContext = {}): BatchResult {
  const count = to - from;
  const s = scratchFor(g);
  const rng = new Rng();
  const steps = new StepSums();
  const extras = plan.extras;
  const runner = modelOf(plan.model).open(g, plan, { s, steps, count, from, extras, isCancelled: ctx.isCancelled });
  const reach = new Int32Array(count);
  const value = extras ? new Float64Array(count) : null;
  const impressions = extras ? new Float64Array(count) : null;
  const activations = plan.countActivations ? new Int32Array(g.n) : null;
  const queue = s.queue;
  const gValue = g.value;
  const followers = g.followers;
  const activity = g.activity;
  let lastProgress = performance.now();
  for (let r = from; r < to; r++) {
    if (ctx.isCancelled?.()) throw new CancelledError();
    rng.reseed(plan.seed, r);
    const k = runner.run(rng, r, r - from);
    reach[r - from] = k;
    if (activations) for (let i = 0; i < k; i++) activations[queue[i]]++;
    if (extras) {
      let val = 0;
      let imp = 0;
      for (let i = 0; i < k; i++) {
        const v = queue[i];
        val += gValue[v];
        imp += 1 + followers[v] * activity[v];
      }
      value![r - from] = val;
      impressions![r - from] = imp;
    }
    if (ctx.progress && ((r - from) & 15) === 15) {
      const now = performance.now();
      if (now - lastProgress >= PROGRESS_EVERY_MS) {
        lastProgress = now;
        ctx.progress(r - from + 1);
      }
    }
  }
  const own = runner.take();
  return {
    from, to, reach, value, impressions, newByStep: steps.take(), newSqByStep: steps.takeSquares(), perRun: own.perRun, perStep: own.perStep, ...(own.perCustomer ? { perCustomer: own.perCustomer } : {}), activations,
    arcsExamined: runner.arcs(),
  };
}
