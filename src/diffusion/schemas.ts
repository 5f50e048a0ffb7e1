/**
 * The simulation request, as the doors import it: the common fields (request.ts) and the model registry's
 * union of every model's schema (models/registry.ts; each model declares its own in models/NAME/schema.ts).
 */
export { MAX_RUNS, DEFAULT_RUNS, PROBABILITY_SCHEMES, type ProbabilityScheme } from './request.js';
export { MODELS, simulationRequestSchema, type ModelName, type SimulationRequest, type SimulationRequestInput } from './models/registry.js';
export { icSchema } from './models/ic/schema.js';
export { ltSchema } from './models/lt/schema.js';
export { sirSchema } from './models/sir/schema.js';
export { voiceSchema, brandResponseSchema, type BrandResponse } from './models/voice/schema.js';
