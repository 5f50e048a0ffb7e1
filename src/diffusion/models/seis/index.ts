import { runCompartmental } from '../../kernels/compartmental.js';
import { modelRequest } from '../../request.js';
import { alpha, arcs, beta, epidemicArcFields, lambda, SIER } from '../epidemic-fields.js';
import { kernelModel, maxStepsField } from '../kernel-model.js';

export const seisSchema = modelRequest(
  'seis',
  'SEIS (NDlib `SEISModel`): as SEIR, but an infected customer becomes susceptible again with lambda per step instead of recovering for good.',
  'Susceptible–exposed–infected–susceptible',
  { ...epidemicArcFields, beta: beta(0.1), alpha: alpha(0.2), lambda: lambda(0.1), maxSteps: maxStepsField(100) },
);

/** SEIS (../../kernels/compartmental.ts with an E stage, back to S). Reach = ever exposed. */
export const seis = kernelModel({
  name: 'seis',
  title: 'SEIS',
  schema: seisSchema,
  compartments: SIER.slice(0, 3),
  params: (g, req) => ({ ...arcs(g, req), beta: req.beta, alpha: req.alpha, lambda: req.lambda }),
  kernel: (g, plan, s, ks, rng, rec) => runCompartmental(g, plan, s, ks, rng, rec, true),
  workPerRun: (g, req) => Math.max(1, g.m) * Math.max(1, Math.min(req.maxSteps, 100)),
});
