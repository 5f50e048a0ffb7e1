/**
 * A validated request turned into what a model's kernel reads: customer indices, precomputed per-arc (or
 * per-customer) probabilities on SharedArrayBuffers, and the model's parameters — one plan type per model
 * (models/NAME/plan.ts), joined into a discriminated union on `model` by the registry. This is the payload
 * posted to workers (typed arrays on shared memory are not copied).
 */
export type { SimulationPlan } from './models/registry.js';
export type { PlanBase } from './models/model.js';
