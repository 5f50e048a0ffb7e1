import { runCompartmental } from '../../kernels/compartmental.js';
import { modelRequest } from '../../request.js';
import { alpha, arcs, beta, epidemicArcFields, gamma, SIER } from '../epidemic-fields.js';
import { kernelModel } from '../kernel-model.js';

export const seirSchema = modelRequest(
  'seir',
  'SEIR (Anderson & May 1991; NDlib `SEIRModel`): a contact (beta·p(u,v)) exposes a susceptible customer — it has heard, but does not pass it on yet; exposed customers turn infected with alpha per step, infected ones recover for good with gamma.',
  'Susceptible–exposed–infected–recovered',
  { ...epidemicArcFields, beta: beta(0.1), alpha: alpha(0.2), gamma: gamma(0.1) },
);

/** SEIR (../../kernels/compartmental.ts with an E stage). Reach = ever exposed. */
export const seir = kernelModel({
  name: 'seir',
  title: 'SEIR',
  schema: seirSchema,
  compartments: SIER,
  params: (g, req) => ({ ...arcs(g, req), beta: req.beta, alpha: req.alpha, gamma: req.gamma }),
  kernel: (g, plan, s, ks, rng, rec) => runCompartmental(g, plan, s, ks, rng, rec, true),
  workPerRun: (g, req) => Math.max(1, g.m) * Math.max(1, Math.min(req.maxSteps, Math.ceil(1 / Math.max(req.gamma, 0.01)))),
});
