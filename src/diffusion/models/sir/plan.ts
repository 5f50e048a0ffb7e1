import type { z } from 'zod';
import type { CompiledGraph } from '../../../graph/compile.js';
import { activityGate, arcProbabilities } from '../../probability.js';
import type { PlanBase } from '../model.js';
import type { sirSchema } from './schema.js';

/** What the SIR kernel reads: p per customer (uniform) or per arc, beta and gamma. */
export interface SirPlan extends PlanBase {
  model: 'sir';
  nodeP: Float64Array | null;
  arcP: Float32Array | null;
  beta: number;
  gamma: number;
  /**
   * `activity: 'gate'` with some activity below 1: per customer, the chance that it passes anything on in a run (one
   * draw at its first step of infection, kept while it stays infected; its arcs then carry p without activity).
   */
  gate: Float32Array | null;
}

export function planSir(g: CompiledGraph, req: z.output<typeof sirSchema>, base: PlanBase): SirPlan {
  return {
    ...base, model: 'sir', ...arcProbabilities(g, req.probability, req.p, { activity: req.activity }), beta: req.beta, gamma: req.gamma,
    gate: activityGate(g, req.activity),
  };
}
