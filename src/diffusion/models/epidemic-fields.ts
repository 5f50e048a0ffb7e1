import type { CompiledGraph } from '../../graph/compile.js';
import { arcProbabilities } from '../probability.js';
import type { ProbabilityScheme } from '../request.js';
import { pField, probabilityField } from '../request.js';
import { rateField } from './kernel-model.js';

/**
 * Fields shared by the epidemic family (SI, SIS, SEIR, SEIS, SWIR): NDlib's parameter names where they mean
 * the same, each multiplied by the arc probability p(u,v) of the scheme, as SIR does (DESIGN §3). With the
 * default p = 1 the rates are NDlib's per-contact probabilities.
 */
export const epidemicArcFields = {
  probability: probabilityField('uniform'),
  p: pField(1),
};

export const beta = (dflt: number) => rateField(dflt, 'Infection probability per step and contact (NDlib `beta`), multiplied by p(u,v)');
export const gamma = (dflt: number) => rateField(dflt, 'Recovery probability per step, infected → removed for good (NDlib `gamma`)');
export const lambda = (dflt: number) => rateField(dflt, 'Probability per step that an infected customer becomes susceptible again (NDlib `lambda`)');
export const alpha = (dflt: number) => rateField(dflt, 'Probability per step that an exposed customer (heard it, not passing it on yet) becomes infected (NDlib `alpha`; mean latency 1/alpha)');

export function arcs(g: CompiledGraph, req: { probability: ProbabilityScheme; p: number }) {
  return arcProbabilities(g, req.probability, req.p);
}

/** Names of the epidemic compartments in the kernels' curve order (../kernels/compartmental.ts: S, I, E, R). */
export const SIER = ['susceptible', 'infected', 'exposed', 'recovered'] as const;
