import type { z } from 'zod';
import type { CompiledGraph } from '../../../graph/compile.js';
import { activityGate, arcProbabilities } from '../../probability.js';
import { sharedF64 } from '../../../graph/shared-array.js';
import type { PlanBase } from '../model.js';
import type { icSchema } from './schema.js';

/** What the IC kernel reads: per-customer p (uniform scheme) or per-arc p, and logs for geometric skipping. */
export interface IcPlan extends PlanBase {
  model: 'ic';
  /** Per-customer p (uniform scheme), else null. */
  nodeP: Float64Array | null;
  /** Per-arc p (other schemes), else null. */
  arcP: Float32Array | null;
  /** With nodeP: log(1 - nodeP[u]) per customer, for geometric skipping (precomputed once per request). */
  nodeLogQ: Float64Array | null;
  /** log(1 - p) when every customer has the same p (uniform scheme, equal activity), else NaN. */
  uniformLogQ: number;
  /**
   * `activity: 'gate'` with some activity below 1: per customer, the chance that it passes it on at all (one draw when
   * it activates; its arcs then carry p without activity). Null: activity is in the arcs (`per-arc`) or all 1.
   */
  gate: Float32Array | null;
}

export function planIc(g: CompiledGraph, req: z.output<typeof icSchema>, base: PlanBase): IcPlan {
  const { nodeP, arcP } = arcProbabilities(g, req.probability, req.p, { activity: req.activity });
  let nodeLogQ: Float64Array | null = null;
  let uniformLogQ = NaN;
  if (nodeP) {
    nodeLogQ = sharedF64(nodeP.length);
    for (let i = 0; i < nodeP.length; i++) nodeLogQ[i] = Math.log1p(-nodeP[i]);
    if (nodeP.every((x) => x === nodeP[0])) uniformLogQ = nodeLogQ[0] ?? NaN;
  }
  return { ...base, model: 'ic', nodeP, arcP, nodeLogQ, uniformLogQ, gate: activityGate(g, req.activity) };
}
