import type { z } from 'zod';
import type { CompiledGraph } from '../../../graph/compile.js';
import { activityGate, arcProbabilities, biased } from '../../probability.js';
import type { PlanBase } from '../model.js';
import type { BrandResponse, voiceSchema } from './schema.js';

/** What the voice kernel reads: positive-message p and negative-message min(1, p·bias), same layout. */
export interface VoicePlan extends PlanBase {
  model: 'voice';
  nodeP: Float64Array | null;
  arcP: Float32Array | null;
  negNodeP: Float64Array | null;
  negArcP: Float32Array | null;
  /** The seeds' opinion. */
  negativeSeeds: boolean;
  response: BrandResponse | null;
  /** `activity: 'gate'` (some activity below 1): the chance each customer passes anything on in a run, else null. */
  gate: Float32Array | null;
}

/** Salt of the separate stream that decides brand responses (so effectiveness 0 changes nothing). */
export const RESPONSE_SALT = 0x52455350;

export function planVoice(g: CompiledGraph, req: z.output<typeof voiceSchema>, base: PlanBase): VoicePlan {
  const probs = arcProbabilities(g, req.probability, req.p, { activity: req.activity });
  const neg = biased(probs, req.negativityBias);
  return {
    ...base, model: 'voice', nodeP: probs.nodeP, arcP: probs.arcP, negNodeP: neg.nodeP, negArcP: neg.arcP,
    negativeSeeds: req.experience === 'negative', response: req.response, gate: activityGate(g, req.activity),
  };
}
