import type { z } from 'zod';
import type { CompiledGraph } from '../../../graph/compile.js';
import { ltWeights } from '../../probability.js';
import type { PlanBase } from '../model.js';
import type { ltSchema } from './schema.js';

/** What the LT kernel reads: the weights b(u,v) per out-arc (in-sums checked <= 1). */
export interface LtPlan extends PlanBase {
  model: 'lt';
  b: Float32Array;
}

/** In-weight sums above 1 are a 400 naming the customer (DESIGN §3). */
export function planLt(g: CompiledGraph, req: z.output<typeof ltSchema>, base: PlanBase): LtPlan {
  return { ...base, model: 'lt', b: ltWeights(g, req.probability, req.p) };
}
