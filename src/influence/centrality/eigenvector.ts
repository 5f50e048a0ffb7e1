import { report, stopRule, type StopOptions } from './convergence.js';
import type { CentralityResult, Graph } from './types.js';

/**
 * Eigenvector centrality as networkx `eigenvector_centrality`, iteration for iteration: start from 1/n,
 * x' = (A + I)ᵀx (each customer adds the scores of its in-neighbours, weighted by tie weight with `weighted`;
 * for a directed graph that is the left eigenvector: in-arcs count), scale x' to unit Euclidean norm.
 * By default it runs to the fixed point (relative L1 change ≤ 1e-14, up to 10,000 iterations), which matches an
 * ARPACK eigenvector (what `eigenvector_centrality_numpy` computes); `convergence: "networkx"` stops where networkx
 * does (Σ|x' - x| < n·1e-6, at most 100 iterations; networkx raises there, we report `converged: false`). See
 * convergence.ts. An empty graph gives an empty array; a graph without arcs stays at the uniform vector 1/√n (what
 * networkx returns).
 */
export const EIGENVECTOR_DEFAULTS = { weighted: false };
/** networkx's `eigenvector_centrality` defaults: the `networkx` convergence setting. */
export const EIGENVECTOR_NETWORKX = { tolerance: 1e-6, maxIterations: 100 };

export function eigenvector(graph: Graph, options: Partial<typeof EIGENVECTOR_DEFAULTS> & StopOptions = {}): CentralityResult {
  const { weighted } = { ...EIGENVECTOR_DEFAULTS, ...options };
  const { n, inOffsets, inSources, inArc } = graph;
  const w = weighted ? graph.arcWeight : null;
  const rule = stopRule('eigenvector', n, options, EIGENVECTOR_NETWORKX);
  if (n === 0) return { metric: 'eigenvector', scores: new Float64Array(0), ...report(rule, 0, true, 0) };
  let inW: Float64Array | null = null;
  if (w) {
    inW = new Float64Array(inArc.length);
    for (let q = 0; q < inArc.length; q++) inW[q] = w[inArc[q]];
  }
  let x = new Float64Array(n).fill(1 / n);
  let next = new Float64Array(n);
  let iterations = 0;
  let converged = false;
  let residual = Infinity;
  while (iterations < rule.maxIterations) {
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
    let l1 = 0;
    for (let v = 0; v < n; v++) {
      const val = next[v] / norm;
      next[v] = val;
      l1 += Math.abs(val);
      err += Math.abs(val - x[v]);
    }
    const t = x;
    x = next;
    next = t;
    residual = rule.residual(err, l1);
    const state = rule.check(err, l1);
    if (state !== 'continue') {
      converged = state === 'converged';
      break;
    }
  }
  return { metric: 'eigenvector', scores: x, ...report(rule, iterations, converged, residual) };
}
