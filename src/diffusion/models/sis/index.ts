import { runCompartmental } from '../../kernels/compartmental.js';
import { modelRequest } from '../../request.js';
import { arcs, beta, epidemicArcFields, lambda } from '../epidemic-fields.js';
import { kernelModel, maxStepsField } from '../kernel-model.js';

export const sisSchema = modelRequest(
  'sis',
  'SIS (Pastor-Satorras & Vespignani 2001, epidemic spreading in scale-free networks; NDlib `SISModel`): infected customers infect susceptible out-neighbours with beta·p(u,v) per step and become susceptible again with lambda — people who forget and can hear it again.',
  'Susceptible–infected–susceptible',
  { ...epidemicArcFields, beta: beta(0.1), lambda: lambda(0.2), maxSteps: maxStepsField(100) },
);

/** SIS (../../kernels/compartmental.ts without an E stage). Reach = ever infected; `steps` counts infections (re-infections too). */
export const sis = kernelModel({
  name: 'sis',
  title: 'SIS',
  schema: sisSchema,
  compartments: ['susceptible', 'infected'],
  params: (g, req) => ({ ...arcs(g, req), beta: req.beta, lambda: req.lambda }),
  kernel: (g, plan, s, ks, rng, rec) => runCompartmental(g, plan, s, ks, rng, rec, false),
  workPerRun: (g, req) => Math.max(1, g.m) * Math.max(1, Math.min(req.maxSteps, 100)),
});
