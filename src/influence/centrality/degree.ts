import type { CentralityResult, Graph } from './types.js';

/**
 * Degree centrality as networkx `degree_centrality` / `in_degree_centrality` / `out_degree_centrality`:
 * degree / (n - 1), where the degree of a directed graph's customer is in + out; a graph of one customer
 * scores 1 (networkx's convention), an empty graph gives an empty array.
 */
export type DegreeMode = 'total' | 'in' | 'out';

export const DEGREE_DEFAULTS = { mode: 'total' as DegreeMode, normalized: true };

export function degreeCentrality(graph: Graph, options: Partial<typeof DEGREE_DEFAULTS> = {}): CentralityResult {
  const { mode, normalized } = { ...DEGREE_DEFAULTS, ...options };
  const { n, outOffsets, inOffsets, directed } = graph;
  const scores = new Float64Array(n);
  const metric = mode === 'in' ? 'in-degree' : mode === 'out' ? 'out-degree' : 'degree';
  if (n === 1) {
    scores[0] = normalized ? 1 : 0;
    return { metric, scores };
  }
  const s = normalized ? 1 / (n - 1) : 1;
  for (let i = 0; i < n; i++) {
    const out = outOffsets[i + 1] - outOffsets[i];
    const inn = inOffsets[i + 1] - inOffsets[i];
    // An undirected tie is two arcs, so out-degree is already the number of neighbours.
    const d = mode === 'in' ? inn : mode === 'out' ? out : directed ? out + inn : out;
    scores[i] = d * s;
  }
  return { metric, scores };
}

/**
 * Weighted degree: the sum of tie weights at a customer, unnormalised (networkx `G.degree(weight='weight')`:
 * in + out for a directed graph). Unit weights when the graph has none.
 */
export const WEIGHTED_DEGREE_DEFAULTS = { mode: 'total' as DegreeMode };

export function weightedDegree(graph: Graph, options: Partial<typeof WEIGHTED_DEGREE_DEFAULTS> = {}): CentralityResult {
  const { mode } = { ...WEIGHTED_DEGREE_DEFAULTS, ...options };
  const { n, outOffsets, inOffsets, inArc, arcWeight, directed } = graph;
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    if (mode !== 'in') {
      for (let a = outOffsets[i]; a < outOffsets[i + 1]; a++) s += arcWeight ? arcWeight[a] : 1;
    }
    if (mode === 'in' || (mode === 'total' && directed)) {
      for (let q = inOffsets[i]; q < inOffsets[i + 1]; q++) s += arcWeight ? arcWeight[inArc[q]] : 1;
    }
    scores[i] = s;
  }
  return { metric: 'weighted-degree', scores };
}
