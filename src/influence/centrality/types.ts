import type { CompiledGraph } from '../../graph/compile.js';
import type { Convergence } from './convergence.js';

/** The metric names of DESIGN §8 plus `weighted-degree` and `louvain`. */
export const CENTRALITY_METRICS = [
  'degree', 'in-degree', 'out-degree', 'weighted-degree', 'pagerank', 'betweenness', 'closeness', 'harmonic',
  'eigenvector', 'katz', 'hub', 'authority', 'kcore', 'louvain',
] as const;
export type CentralityMetric = (typeof CENTRALITY_METRICS)[number];

export function isCentralityMetric(name: string): name is CentralityMetric {
  return (CENTRALITY_METRICS as readonly string[]).includes(name);
}

/**
 * What every metric returns: one score per customer index (`scores[i]` belongs to `graph.ids[i]`),
 * never NaN, plus what the caller needs to reproduce or judge it.
 */
export interface CentralityResult {
  metric: CentralityMetric;
  scores: Float64Array;
  /** Sweeps over the arcs run (pagerank, eigenvector, katz, hub, authority): power iterations, or for PageRank on an undirected graph conjugate-gradient iterations + the final power step. */
  iterations?: number;
  /** False when an iterative method stopped at maxIterations before reaching its tolerance. */
  converged?: boolean;
  /** The last change of the iterate in the stop rule's terms (convergence.ts): relative L1 change for fixed-point. */
  residual?: number;
  /** The tolerance and stop rule used (convergence.ts). */
  tolerance?: number;
  convergence?: Convergence;
  /** Sampled betweenness: the number of sources used and the seed that chose them. */
  sample?: { k: number; seed: number; sources: Int32Array };
  /** Sampled betweenness: the standard error of each customer's score (betweennessStderr). */
  stderr?: Float64Array;
  /** Louvain: modularity of the partition found and the number of communities (scores = community index). */
  modularity?: number;
  communities?: number;
}

/** A range of source indices [from, to) or an explicit list: the unit of work of an all-sources kernel. */
export type SourceSet = Int32Array | { from: number; to: number };

export function sourceCount(sources: SourceSet, n: number): number {
  if (sources instanceof Int32Array) return sources.length;
  return Math.max(0, Math.min(n, sources.to) - Math.max(0, sources.from));
}

/** The i-th source of a SourceSet (no allocation). */
export function sourceAt(sources: SourceSet, i: number): number {
  return sources instanceof Int32Array ? sources[i] : Math.max(0, sources.from) + i;
}

/** Called with (done, total) sources; return value ignored. Kernels call it every few hundred sources. */
export type Progress = (done: number, total: number) => void;

export type Graph = CompiledGraph;
