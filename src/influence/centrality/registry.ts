import { InputError } from '../../errors.js';
import { betweenness } from './betweenness.js';
import { closeness, harmonic } from './closeness.js';
import { degreeCentrality, weightedDegree } from './degree.js';
import { eigenvector } from './eigenvector.js';
import { authority, hub } from './hits.js';
import { katz } from './katz.js';
import type { Convergence } from './convergence.js';
import { kcore } from './kcore.js';
import { louvain } from './louvain.js';
import { pagerank } from './pagerank.js';
import { CENTRALITY_METRICS, isCentralityMetric, type CentralityMetric, type CentralityResult, type Graph, type Progress } from './types.js';
import { topK } from '../../graph/top-k.js';


/** Options any metric may receive; each metric reads the ones it knows (see its DEFAULTS). */
export interface CentralityOptions {
  weighted?: boolean;
  normalized?: boolean;
  /** betweenness: sampled sources (k < n) and their seed; louvain: seed. */
  k?: number;
  seed?: number;
  sources?: Int32Array;
  /** pagerank: damping; katz: attenuation. */
  alpha?: number;
  /** katz: the constant each customer gets. */
  beta?: number;
  /** Power iterations: stop rule (convergence.ts), its tolerance and iteration cap (unset = the rule's defaults). */
  convergence?: Convergence;
  maxIterations?: number;
  tolerance?: number;
  wfImproved?: boolean;
  resolution?: number;
  signal?: AbortSignal;
  onProgress?: Progress;
}

type MetricFn = (graph: Graph, opts: CentralityOptions) => CentralityResult;

/** metric name -> single-thread implementation. */
export const CENTRALITY: ReadonlyMap<CentralityMetric, MetricFn> = new Map<CentralityMetric, MetricFn>([
  ['degree', (g, o) => degreeCentrality(g, { mode: 'total', ...pick(o, ['normalized']) })],
  ['in-degree', (g, o) => degreeCentrality(g, { mode: 'in', ...pick(o, ['normalized']) })],
  ['out-degree', (g, o) => degreeCentrality(g, { mode: 'out', ...pick(o, ['normalized']) })],
  ['weighted-degree', (g) => weightedDegree(g)],
  ['pagerank', (g, o) => pagerank(g, pick(o, ['alpha', 'convergence', 'maxIterations', 'tolerance', 'weighted']))],
  ['betweenness', (g, o) => betweenness(g, pick(o, ['normalized', 'weighted', 'k', 'seed', 'sources', 'signal', 'onProgress']))],
  ['closeness', (g, o) => closeness(g, pick(o, ['weighted', 'wfImproved', 'signal', 'onProgress']))],
  ['harmonic', (g, o) => harmonic(g, pick(o, ['weighted', 'signal', 'onProgress']))],
  ['eigenvector', (g, o) => eigenvector(g, pick(o, ['convergence', 'maxIterations', 'tolerance', 'weighted']))],
  ['katz', (g, o) => katz(g, pick(o, ['alpha', 'beta', 'normalized', 'convergence', 'maxIterations', 'tolerance', 'weighted']))],
  ['hub', (g, o) => hub(g, pick(o, ['convergence', 'maxIterations', 'tolerance', 'weighted']))],
  ['authority', (g, o) => authority(g, pick(o, ['convergence', 'maxIterations', 'tolerance', 'weighted']))],
  ['kcore', (g) => kcore(g)],
  ['louvain', (g, o) => louvain(g, pick(o, ['seed', 'resolution', 'weighted']))],
]);

/** Options without undefined entries, so that `{...DEFAULTS, ...options}` keeps the defaults. */
function pick<K extends keyof CentralityOptions>(o: CentralityOptions, keys: K[]): { [P in K]?: NonNullable<CentralityOptions[P]> } {
  const out: { [P in K]?: NonNullable<CentralityOptions[P]> } = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k] as NonNullable<CentralityOptions[typeof k]>;
  return out;
}

/** Single-thread computation of one metric by name (names of DESIGN §8 plus weighted-degree and louvain). */
export function centrality(graph: Graph, metric: string, opts: CentralityOptions = {}): CentralityResult {
  if (!isCentralityMetric(metric)) {
    throw new InputError(`centrality: unknown metric ${JSON.stringify(metric.slice(0, 40))}; one of ${CENTRALITY_METRICS.join(', ')}`);
  }
  return CENTRALITY.get(metric)!(graph, opts);
}

/** The top `k` customers by score (ties broken by index), ranks from 1: `{index, score, rank}`. */
export function topScores(scores: Float64Array, k: number): { index: number; score: number; rank: number }[] {
  return Array.from(topK(scores, k), (index, r) => ({ index, score: scores[index], rank: r + 1 }));
}
