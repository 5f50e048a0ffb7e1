import type { CompiledGraph } from '../graph/compile.js';
import { CancelledError } from '../errors.js';
import { runIc } from './models/ic.js';
import { runLt } from './models/lt.js';
import { runSir } from './models/sir.js';
import { runVoice, type VoiceOut } from './models/voice.js';
import { RESPONSE_SALT, type SimulationPlan } from './plan.js';
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
  /** Voice only. */
  negative: Int32Array | null;
  positive: Int32Array | null;
  /** With plan.extras: value of the customers reached / of the negative / of the positive ones, and impressions. */
  value: Float64Array | null;
  negativeValue: Float64Array | null;
  positiveValue: Float64Array | null;
  impressions: Float64Array | null;
  /** With plan.extras, voice only: per run, the step >= 1 with most customers newly reached (0 if none). */
  peakStep: Int32Array | null;
  /** Sum over runs of new activations at step t (index t). */
  newByStep: Float64Array;
  negNewByStep: Float64Array | null;
  posNewByStep: Float64Array | null;
  /** SIR: sum over runs of customers infected after step t. */
  infectedByStep: Float64Array | null;
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
  const respRng = new Rng();
  const steps = new StepSums();
  const isVoice = plan.model === 'voice';
  const negSteps = isVoice ? new StepSums() : null;
  const posSteps = isVoice ? new StepSums() : null;
  const infSteps = plan.model === 'sir' ? new StepSums() : null;
  const reach = new Int32Array(count);
  const negative = isVoice ? new Int32Array(count) : null;
  const positive = isVoice ? new Int32Array(count) : null;
  const extras = plan.extras;
  const value = extras ? new Float64Array(count) : null;
  const negativeValue = extras && isVoice ? new Float64Array(count) : null;
  const positiveValue = extras && isVoice ? new Float64Array(count) : null;
  const impressions = extras ? new Float64Array(count) : null;
  const peakStep = extras && isVoice ? new Int32Array(count) : null;
  const activations = plan.countActivations ? new Int32Array(g.n) : null;
  const out: VoiceOut = { arcs: 0, negative: 0, positive: 0, peakStep: 0 };
  const queue = s.queue;
  const gValue = g.value;
  const followers = g.followers;
  const activity = g.activity;
  let lastProgress = performance.now();
  for (let r = from; r < to; r++) {
    if (ctx.isCancelled?.()) throw new CancelledError();
    rng.reseed(plan.seed, r);
    let k: number;
    switch (plan.model) {
      case 'ic':
        k = runIc(g, plan, s, rng, steps, out);
        break;
      case 'lt':
        k = runLt(g, plan, s, rng, steps, out);
        break;
      case 'sir':
        k = runSir(g, plan, s, rng, steps, infSteps!, out);
        break;
      case 'voice':
        respRng.reseed(plan.seed, r, RESPONSE_SALT);
        k = runVoice(g, plan, s, rng, respRng, steps, negSteps!, posSteps!, out);
        negative![r - from] = out.negative;
        positive![r - from] = out.positive;
        if (peakStep) peakStep[r - from] = out.peakStep;
        break;
    }
    reach[r - from] = k;
    if (activations) for (let i = 0; i < k; i++) activations[queue[i]]++;
    if (extras) {
      let val = 0;
      let imp = 0;
      let negVal = 0;
      for (let i = 0; i < k; i++) {
        const v = queue[i];
        val += gValue[v];
        imp += 1 + followers[v] * activity[v];
        if (isVoice && s.opinion[v] === 1) negVal += gValue[v];
      }
      value![r - from] = val;
      impressions![r - from] = imp;
      if (isVoice) {
        negativeValue![r - from] = negVal;
        positiveValue![r - from] = val - negVal;
      }
    }
    if (ctx.progress && ((r - from) & 15) === 15) {
      const now = performance.now();
      if (now - lastProgress >= PROGRESS_EVERY_MS) {
        lastProgress = now;
        ctx.progress(r - from + 1);
      }
    }
  }
  return {
    from, to, reach, negative, positive, value, negativeValue, positiveValue, impressions, peakStep,
    newByStep: steps.take(),
    negNewByStep: negSteps ? negSteps.take() : null,
    posNewByStep: posSteps ? posSteps.take() : null,
    infectedByStep: infSteps ? infSteps.take() : null,
    activations,
    arcsExamined: out.arcs,
  };
}
