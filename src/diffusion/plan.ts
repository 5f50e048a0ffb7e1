import type { ModelName } from './schemas.js';

/**
 * A validated request turned into what the models read: customer indices, precomputed per-arc (or
 * per-customer) probabilities on SharedArrayBuffers, and model parameters. This is the payload posted
 * to workers (typed arrays on shared memory are not copied).
 */
export interface SimulationPlan {
  model: ModelName;
  seed: number;
  /** Seed customer indices, deduplicated, in request order. */
  seeds: Int32Array;
  maxSteps: number;
  /** IC/SIR/voice (positive messages): per-customer p (uniform scheme) or per-arc p. LT: per-arc b. */
  nodeP: Float64Array | null;
  arcP: Float32Array | null;
  /** IC with nodeP: log(1 - nodeP[u]) per customer, for geometric skipping (precomputed once per request). */
  nodeLogQ: Float64Array | null;
  /** IC: log(1 - p) when every customer has the same p (uniform scheme, equal activity), else NaN. */
  uniformLogQ: number;
  /** Voice negative messages: min(1, p·bias), same layout as nodeP/arcP. */
  negNodeP: Float64Array | null;
  negArcP: Float32Array | null;
  beta: number;
  gamma: number;
  /** Voice: the seeds' opinion. */
  negativeSeeds: boolean;
  response: { atStep: number; effectiveness: number; public: boolean } | null;
  /** Count activations per customer (amplifiers). */
  countActivations: boolean;
  /** Per-run value reached and impressions. */
  extras: boolean;
}

/** Salt of the separate stream that decides brand responses (so effectiveness 0 changes nothing). */
export const RESPONSE_SALT = 0x52455350;
