/** The cascade engine's public surface (DESIGN §3, §4). */
export { simulate, simulateRuns, parseSimulationRequest, resolveSeeds, resolveSimulation, resolveParsedSimulation, isResolvedSimulation, withRuns, buildPlan } from './simulate.js';
export type { ResolvedSimulation, SimulationResult, SimulateOptions, PerRunValues, StepStat, SirStep, Amplifier } from './simulate.js';
export {
  simulationRequestSchema, icSchema, ltSchema, sirSchema, voiceSchema, brandResponseSchema,
  MODELS, PROBABILITY_SCHEMES, MAX_RUNS, DEFAULT_RUNS,
} from './schemas.js';
export type { SimulationRequest, SimulationRequestInput, ModelName, ProbabilityScheme, BrandResponse } from './schemas.js';
export { Rng, mix32, hash2 } from './rng.js';
export { countStats, meanCi, type ReachStats, type MeanCi, type Quantiles, type HistogramBin } from './stats.js';
export { arcProbabilities, ltWeights, type ArcProbabilities } from './probability.js';
