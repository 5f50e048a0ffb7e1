import type { z } from 'zod';
import type { CompiledGraph } from '../../../graph/compile.js';
import { arcProbabilities } from '../../probability.js';
import type { PlanBase } from '../model.js';
import type { sirSchema } from './schema.js';

/** What the SIR kernel reads: p per customer (uniform) or per arc, beta and gamma. */
export interface SirPlan extends PlanBase {
  model: 'sir';
  nodeP: Float64Array | null;
  arcP: Float32Array | null;
  beta: number;
  gamma: number;
}

export function planSir(g: CompiledGraph, req: z.output<typeof sirSchema>, base: PlanBase): SirPlan {
  return { ...base, model: 'sir', ...arcProbabilities(g, req.probability, req.p), beta: req.beta, gamma: req.gamma };
}
