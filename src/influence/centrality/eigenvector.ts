import type { CentralityResult, Graph } from './types.js';

/**
 * Eigenvector centrality as networkx `eigenvector_centrality`, iteration for iteration: start from 1/n,
 * x' = (A + I)ᵀx (each customer adds the scores of its in-neighbours, weighted by tie weight with `weighted`;
 * for a directed graph that is the left eigenvector: in-arcs count), scale x' to unit Euclidean norm,
 * stop when Σ|x' - x| < n·tolerance. With networkx's tolerance and start we stop at the same iteration and
 * return the same vector. networkx raises after 100 iterations; we go on to `maxIterations` and report
 * `converged: false` if still not there. An empty graph gives an empty array; a graph without arcs stays
 * at the uniform vector 1/√n (what networkx returns).
 */
export const EIGENVECTOR_DEFAULTS = { maxIterations: 1000, tolerance: 1e-6, weighted: false };

export function eigenvector(graph: Graph, options: Partial<typeof EIGENVECTOR_DEFAULTS> = {}): CentralityResult {
  const { maxIterations, tolerance, weighted } = { ...EIGENVECTOR_DEFAULTS, ...options };
  const { n, inOffsets, inSources, inArc } = graph;
  const w = weighted ? graph.arcWeight : null;
  if (n === 0) return { metric: 'eigenvector', scores: new Float64Array(0), iterations: 0, converged: true };
  let inW: Float64Array | null = null;
  if (w) {
    inW = new Float64Array(inArc.length);
    for (let q = 0; q < inArc.length; q++) inW[q] = w[inArc[q]];
  }
  let x = new Float64Array(n).fill(1 / n);
  let next = new Float64Array(n);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    let sq = 0;
    for (let v = 0; v < n; v++) {
      let s = x[v];
      const end = inOffsets[v + 1];
      if (inW) for (let q = inOffsets[v]; q < end; q++) s += x[inSources[q]] * inW[q];
      else for (let q = inOffsets[v]; q < end; q++) s += x[inSources[q]];
      next[v] = s;
      sq += s * s;
    }
    const norm = Math.sqrt(sq) || 1;
    let err = 0;
    for (let v = 0; v < n; v++) {
      next[v] /= norm;
      err += Math.abs(next[v] - x[v]);
    }
    const t = x;
    x = next;
    next = t;
    if (err < n * tolerance) {
      converged = true;
      break;
    }
  }
  return { metric: 'eigenvector', scores: x, iterations, converged };
}
