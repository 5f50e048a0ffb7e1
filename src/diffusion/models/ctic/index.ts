import { z } from 'zod';
import { InputError } from '../../../errors.js';
import { formatDuration, parseDuration } from '../../duration.js';
import { runCtic } from '../../kernels/delay.js';
import { activityGate, arcProbabilities } from '../../probability.js';
import { exceedanceSchema, reachStatsSchema } from '../../result-schema.js';
import { activityField, modelRequest, pField, probabilityField } from '../../request.js';
import { sharedF32 } from '../../../graph/shared-array.js';
import { happened, happenedSchema, kernelModel } from '../kernel-model.js';
import type { ModelResultFields } from '../model.js';

const duration = z
  .string()
  .max(64)
  .refine((s) => {
    const x = parseDuration(s);
    return x !== null && x > 0;
  }, 'an ISO 8601 duration > 0 such as PT1H, PT30M, P2D (no years or months)');

export const cticSchema = modelRequest(
  'ctic',
  'Continuous-time independent cascade (Gomez-Rodriguez, Leskovec & Krause, KDD 2010; Du, Song, Gomez-Rodriguez & Zha, NIPS 2013): each arc u→v out of a reached customer transmits with p(u,v) after a random delay (exponential or Weibull), and v is reached at the earliest arrival. Reach by time ∞ is IC with the same p. NDlib has no counterpart (its IndependentCascadesModel is the t = ∞ view).',
  'Continuous-time independent cascade',
  {
    probability: probabilityField('uniform'),
    p: pField(0.05),
    activity: activityField,
    delay: z.enum(['exponential', 'weibull']).default('exponential').describe('Law of the transmission delay of an arc: `exponential` (rate) or `weibull` (shape, scale). Default exponential.'),
    rate: z.number().gt(0).max(1e9).default(1).describe('Exponential delays: rate per time unit (mean delay 1/rate; default 1).'),
    shape: z.number().gt(0).max(100).default(1).describe('Weibull delays: shape k (k < 1 bursty, k = 1 exponential, k > 1 regular; default 1).'),
    scale: z.number().gt(0).max(1e9).default(1).describe('Weibull delays: scale, in time units (default 1).'),
    delayWeight: z.enum(['none', 'rate']).default('none').describe('`rate`: a tie\'s weight multiplies its rate (divides its delay): stronger ties talk sooner. Default `none`.'),
    timeUnit: duration.default('PT1H').describe('Length of one time unit, ISO 8601 (default PT1H): rates are per unit, scale and times are in units.'),
    horizon: z.union([z.number().gt(0).max(1e9), duration]).default(24).describe('Horizon of the reach-by-time curve and of "reach within": time units, or an ISO 8601 duration (default 24 units).'),
    timeBins: z.number().int().min(1).max(1000).default(24).describe('Points of the reach-by-time curve between 0 and the horizon (default 24).'),
    reachTarget: z.number().int().min(1).max(1e9).optional().describe('Also report the time to reach this many customers (runs that never do count in its share).'),
  },
);

/** Time units of a CTIC request: the horizon in units and the unit in seconds. */
function timing(req: { timeUnit: string; horizon: number | string }): { unitSeconds: number; horizon: number } {
  const unitSeconds = parseDuration(req.timeUnit)!;
  const horizon = typeof req.horizon === 'number' ? req.horizon : parseDuration(req.horizon)! / unitSeconds;
  if (!(horizon > 0 && Number.isFinite(horizon))) throw new InputError(`ctic: horizon ${JSON.stringify(req.horizon)} is not a positive time`);
  return { unitSeconds, horizon };
}

/** The result fields ctic adds (it keeps no `compartments`), typed: summarizeExtras() returns exactly these. */
const resultShape = {
  timeUnit: z.string().describe('CTIC: the time unit (ISO 8601).'),
  horizon: z.object({ units: z.number(), duration: z.string() }).describe('CTIC: the horizon, in time units and as a duration.'),
  reachByTime: z.array(z.object({ time: z.number(), duration: z.string(), mean: z.number() })).describe('CTIC: mean customers reached by each time (units and ISO 8601).'),
  withinHorizon: reachStatsSchema.describe('CTIC: customers reached within the horizon.'),
  exceedanceWithinHorizon: z.array(exceedanceSchema).describe('CTIC, with `exceedance`: P(reach within the horizon >= N), 95% Wilson CI.').optional(),
  timeToReach: happenedSchema.extend({ target: z.number().int() }).describe('CTIC, with `reachTarget`: share of runs reaching `reachTarget` customers and the mean time (units) they took.').optional(),
};

/**
 * CTIC (../../kernels/delay.ts). The common `steps` curve counts arrivals per time bin (step k = bin k =
 * ((k−1)·dt, k·dt], dt = horizon / timeBins); `reachByTime` gives it in time units and as durations.
 */
export const ctic = kernelModel({
  name: 'ctic',
  title: 'continuous-time independent cascade',
  schema: cticSchema,
  compartments: ['reached'],
  compartmentCurves: false,
  params: (g, req) => {
    const { horizon } = timing(req);
    let arcDelay: Float32Array | null = null;
    if (req.delayWeight === 'rate' && g.arcWeight) {
      arcDelay = sharedF32(g.m);
      arcDelay.set(g.arcWeight);
    }
    return {
      ...arcProbabilities(g, req.probability, req.p, { activity: req.activity }),
      gate: activityGate(g, req.activity),
      delayLaw: req.delay === 'weibull' ? 1 : 0, rate: req.rate, shape: req.shape, scale: req.scale, arcDelay,
      horizon, dt: horizon / req.timeBins, reachTarget: req.reachTarget ?? 0,
    };
  },
  kernel: runCtic,
  extras: ['withinHorizon', 'timeToReach'],
  summarizeExtras: ([within, toTarget], ctx): ModelResultFields<typeof resultShape> => {
    const req = ctx.request as { timeUnit: string; horizon: number | string; timeBins: number; reachTarget?: number };
    const w = new Int32Array(within.length);
    for (let i = 0; i < w.length; i++) w[i] = within[i];
    const ex = ctx.exceedance(w);
    const { unitSeconds, horizon } = timing(req);
    const dt = horizon / req.timeBins;
    const curve = ctx.cumulativeMean;
    const byTime = [];
    for (let k = 0; k <= req.timeBins; k++) {
      const mean = curve.length === 0 ? 0 : curve[Math.min(k, curve.length - 1)];
      byTime.push({ time: k * dt, duration: formatDuration(k * dt * unitSeconds), mean });
    }
    return {
      withinHorizon: ctx.stats(w),
      ...(ex ? { exceedanceWithinHorizon: ex } : {}),
      timeUnit: req.timeUnit,
      horizon: { units: horizon, duration: formatDuration(horizon * unitSeconds) },
      reachByTime: byTime,
      ...(req.reachTarget ? { timeToReach: { target: req.reachTarget, ...happened(toTarget) } } : {}),
    };
  },
  extraResultShape: resultShape,
  workPerRun: (g) => Math.max(1, g.m),
});
