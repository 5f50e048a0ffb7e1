import type { CompiledGraph } from '../../graph/compile.js';
import { activityGate, arcProbabilities } from '../probability.js';
import type { ActivityReading, ProbabilityScheme } from '../request.js';
import { activityField, pField, probabilityField } from '../request.js';
import { rateField } from './kernel-model.js';

/**
 * Fields shared by the epidemic family (SI, SIS, SEIR, SEIS, SWIR): NDlib's parameter names where they mean
 * the same, each multiplied by the arc probability p(u,v) of the scheme, as SIR does (DESIGN §3). With the
 * default p = 1 the rates are NDlib's per-contact probabilities. `activity` is read per arc (p(u,v) × activity(u)) or
 * as a gate (DESIGN §9: a customer passes it on at all in a run with probability activity, one draw the first time it
 * would, kept for the run — also when SIS or SEIS infect it again).
 */
export const epidemicArcFields = {
  probability: probabilityField('uniform'),
  p: pField(1),
  activity: activityField,
};

export const beta = (dflt: number) => rateField(dflt, 'Infection probability per step and contact (NDlib `beta`), multiplied by p(u,v)');
export const gamma = (dflt: number) => rateField(dflt, 'Recovery probability per step, infected → removed for good (NDlib `gamma`)');
export const lambda = (dflt: number) => rateField(dflt, 'Probability per step that an infected customer becomes susceptible again (NDlib `lambda`)');
export const alpha = (dflt: number) => rateField(dflt, 'Probability per step that an exposed customer (heard it, not passing it on yet) becomes infected (NDlib `alpha`; mean latency 1/alpha)');

/** The arc probabilities of an epidemic request and, under `activity: 'gate'`, the customers' gate (../gate.ts). */
export function arcs(g: CompiledGraph, req: { probability: ProbabilityScheme; p: number; activity: ActivityReading }) {
  return { ...arcProbabilities(g, req.probability, req.p, { activity: req.activity }), gate: activityGate(g, req.activity) };
}

/** Names of the epidemic compartments in the kernels' curve order (../kernels/compartmental.ts: S, I, E, R). */
export const SIER = ['susceptible', 'infected', 'exposed', 'recovered'] as const;
