import { runSi } from '../../kernels/delay.js';
import { modelRequest } from '../../request.js';
import { arcs, beta, epidemicArcFields } from '../epidemic-fields.js';
import { kernelModel } from '../kernel-model.js';

export const siSchema = modelRequest(
  'si',
  'SI (Kermack & McKendrick 1927 on a network; NDlib `SIModel`): an infected customer tries every susceptible out-neighbour at every step with beta·p(u,v) and stays infected for good.',
  'Susceptible–infected',
  { ...epidemicArcFields, beta: beta(0.1) },
);

/**
 * SI. Run as first-passage percolation with geometric delays on a bucket queue of steps (../../kernels/delay.ts):
 * each arc is drawn at most once per run, however many steps it stays "open". Reach = infected by maxSteps.
 */
export const si = kernelModel({
  name: 'si',
  title: 'SI',
  schema: siSchema,
  compartments: ['susceptible', 'infected'],
  params: (g, req) => ({ ...arcs(g, req), beta: req.beta }),
  kernel: runSi,
  workPerRun: (g) => Math.max(1, g.m),
});
