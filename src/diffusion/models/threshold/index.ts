import { Rule, runThresholdFamily } from '../../kernels/threshold.js';
import { modelRequest } from '../../request.js';
import { kernelModel } from '../kernel-model.js';
import { ADOPTION, thresholdFields, thresholdParams, thresholdWork } from '../threshold-fields.js';

export const thresholdSchema = modelRequest(
  'threshold',
  "Granovetter's threshold model (Granovetter 1978, Threshold models of collective behavior; NDlib `ThresholdModel`): a customer adopts at step t+1 when the share of its in-neighbours adopting by step t reaches its threshold θ_v. Not Kempe's linear threshold (`lt`).",
  'Granovetter threshold',
  { ...thresholdFields },
);

/** Granovetter's fractional threshold (../../kernels/threshold.ts, push-based: only the adopters' arcs are touched). */
export const threshold = kernelModel({
  name: 'threshold',
  title: 'Granovetter threshold',
  schema: thresholdSchema,
  compartments: ADOPTION.slice(0, 2),
  params: (g, req) => thresholdParams(g, req),
  kernel: (g, plan, s, ks, rng, rec) => runThresholdFamily(g, plan, s, ks, rng, rec, Rule.Threshold),
  workPerRun: (g, req) => thresholdWork(g, req),
});
