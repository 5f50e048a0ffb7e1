/**
 * Ripple as a library: the same functions the API and the CLI call.
 *
 *   import { buildGraph, loadGraph, simulate, scenario, compare, rankCentrality, findInfluencers, rankValues } from 'ripple';
 *
 * Graphs: builders and parsers (`buildGraph`, `loadGraph`, `readGraphFile`, `parseGraph`, `compile`); the engine below.
 */
export * from './errors.js';
export * from './graph/model.js';
export { GraphBuilder, type BuilderOptions } from './graph/builder.js';
export { compile, compiledBytes, indexOf, toTransfer, fromTransfer, type CompiledGraph, type CompiledGraphTransfer } from './graph/compile.js';
export { graphInfo, degreeStats, degreeOf, weakComponents, type GraphInfo, type DegreeStats } from './graph/stats.js';
export { detectFormat, parseGraph, toRippleJson } from './graph/parse.js';
export { readGraphFile } from './io/read-graph-file.js';
export { createStore, FileStore, CompiledCache, type GraphStore, type GraphSummary } from './store/index.js';
export { loadConfig, ConfigError, parseBytes, type Config, type ConfigOverrides } from './config.js';
export { buildApp, type AppDeps } from './api/app.js';

// ---- The engine (DESIGN §3–§6): the functions the API and the CLI call. Each takes a CompiledGraph and a request
// with the HTTP API's fields and defaults (validated: a bad field throws an InputError naming it); without a
// `pool` option the work runs in this thread, with the same numbers.

/** Graphs in memory and from files: `buildGraph`, `buildGraphData`, `loadGraph`; brand scenarios: `scenario`, `compare`; `rankCentrality`. */
export * from './library.js';
/** Monte Carlo cascades (IC, LT, SIR, voice): `simulate(graph, { model, seeds, runs, seed, … })`. */
export {
  simulate, parseSimulationRequest, MODELS, PROBABILITY_SCHEMES, DEFAULT_RUNS, MAX_RUNS, simulationRequestSchema,
  countStats, meanCi,
  type SimulationResult, type SimulationRequest, type SimulationRequestInput, type SimulateOptions, type ModelName,
  type ProbabilityScheme, type BrandResponse, type StepStat, type SirStep, type Amplifier, type ReachStats, type MeanCi,
} from './diffusion/index.js';
/** Worker threads for engine work: pass `{ pool }` to simulate, centrality, influencers, value. */
export { WorkerPool } from './workers/pool.js';
/** The model registry: every model's declaration (schema, plan, kernel, outputs, cost); CONTRIBUTING.md "Adding a model". */
export { MODEL_DEFINITIONS, findModel, type ModelDefinition } from './diffusion/models/index.js';
/** Scenario requests in full (single or compare, as the HTTP route) and the riskiest-customers ranking. */
export {
  runScenarioRequest, riskiestCustomers, isCompare, SCENARIO_DEFAULTS, scenarioRequestSchema,
  type ScenarioReport, type CompareResult, type ScenarioAnswer, type ScenarioContext, type ScenarioRequestInput,
  type VariantInput, type RiskiestResult, type RiskiestRequestInput, type Difference, type Money, type Assumptions,
} from './scenarios/index.js';
/** Centrality scores with networkx's definitions (`rankCentrality` ranks them by customer id). */
export { centrality, CENTRALITY_METRICS, type CentralityResult, type CentralityOptions, type CentralityMetric } from './influence/centrality/index.js';
/** Influencer selection: IMM, CELF, degree, PageRank, degree discount. */
export { findInfluencers, type InfluencersResult, type InfluencerSeed, type InfluencersOptions } from './influence/influencers.js';
export { INFLUENCE_METHODS, type InfluencersRequestInput, type ValueRankingRequestInput, type CustomerValueRequestInput } from './influence/schemas.js';
/** Network value of customers (Domingos & Richardson 2001): the ranking and one customer. */
export { rankValues, customerValue, type ValueRankingResult, type CustomerValueResult, type ValueOptions } from './influence/value.js';
