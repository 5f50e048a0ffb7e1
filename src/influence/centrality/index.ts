/**
 * Centrality (DESIGN §5): networkx definitions on the compiled CSR graph. One algorithm per file, each with a
 * DEFAULTS object; `registry.ts` maps the metric names of DESIGN §8 (+ weighted-degree, louvain) to them;
 * `compute.ts` runs them on the worker pool (all-sources kernels split by source) with a per-graph cache.
 */
export * from './types.js';
export { CENTRALITY, centrality, topScores, type CentralityOptions } from './registry.js';
export { betweenness, betweennessPartial, betweennessStderr, rescaleBetweenness, resolveSample, sampleSources, sumPartials, BETWEENNESS_DEFAULTS } from './betweenness.js';
export { closeness, closenessPartial, harmonic, CLOSENESS_DEFAULTS, type DistanceMeasure } from './closeness.js';
export { degreeCentrality, weightedDegree, DEGREE_DEFAULTS, WEIGHTED_DEGREE_DEFAULTS } from './degree.js';
export { eigenvector, EIGENVECTOR_DEFAULTS, EIGENVECTOR_NETWORKX } from './eigenvector.js';
export { authority, hits, hub, HITS_DEFAULTS, HITS_NETWORKX } from './hits.js';
export { katz, KATZ_DEFAULTS, KATZ_NETWORKX } from './katz.js';
export { CONVERGENCE_MODES, FIXED_POINT_DEFAULTS, type Convergence, type ConvergenceReport, type StopOptions } from './convergence.js';
export { kcore } from './kcore.js';
export { louvain, modularity, LOUVAIN_DEFAULTS } from './louvain.js';
export { pagerank, PAGERANK_DEFAULTS, PAGERANK_NETWORKX } from './pagerank.js';
export { seededRandom } from './rng.js';
export { computeCentrality, type ComputeOptions, type PoolLike } from './compute.js';
export { centralityPartialTask, centralityTask, type PartialPayload, type WholePayload } from './tasks.js';
