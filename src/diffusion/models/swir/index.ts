import { runSwir } from '../../kernels/swir.js';
import { modelRequest } from '../../request.js';
import { arcs, epidemicArcFields } from '../epidemic-fields.js';
import { kernelModel, rateField } from '../kernel-model.js';

export const swirSchema = modelRequest(
  'swir',
  'SWIR (Lee, Choi, Stippich, Kertész et al. 2017; NDlib `SWIRModel`): each infected customer contacts its out-neighbours once (with p(u,v)); a susceptible one becomes infected with kappa or else weakened with mu, a weakened one infected with nu; infected customers are then removed.',
  'Susceptible–weakened–infected–removed',
  {
    ...epidemicArcFields,
    kappa: rateField(0.1, 'Probability that a contact infects a susceptible customer (NDlib `kappa`)'),
    mu: rateField(0.4, 'Probability that a contact that did not infect weakens a susceptible customer (NDlib `mu`)'),
    nu: rateField(0.3, 'Probability that a contact infects a weakened customer (NDlib `nu`)'),
  },
);

/** SWIR (../../kernels/swir.ts: independent trials, infection wins a step — NDlib's correlated draws named there). Reach = ever infected. */
export const swir = kernelModel({
  name: 'swir',
  title: 'SWIR',
  schema: swirSchema,
  compartments: ['susceptible', 'weakened', 'infected', 'removed'],
  params: (g, req) => ({ ...arcs(g, req), kappa: req.kappa, mu: req.mu, nu: req.nu }),
  kernel: runSwir,
  workPerRun: (g) => Math.max(1, g.m),
});
