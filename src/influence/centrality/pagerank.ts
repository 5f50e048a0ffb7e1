import { report, stopRule, type StopOptions } from './convergence.js';
import type { CentralityResult, Graph } from './types.js';

/**
 * PageRank as networkx `pagerank` (its scipy power iteration, step for step): start from 1/n,
 * x' = alpha·(xᵀP + (Σ_dangling x)/n) + (1 - alpha)/n, where P is the row-stochastic arc matrix
 * (each arc u->v carries w(u,v)/Σ_out w(u), unit weights unless `weighted`) and dangling customers
 * (no out-arcs) spread their rank uniformly. By default it runs to the fixed point (L1 change ≤ 1e-14; the L1
 * distance to the true PageRank is then below alpha/(1 − alpha) · 1e-14); `convergence: "networkx"` stops where
 * networkx does (Σ|x' - x| < n·1e-6, at most 100 iterations) — see convergence.ts.
 * Runs on the CSR in-arcs with typed arrays: O(m) per iteration, no allocation inside the loop.
 * A graph without arcs is uniform after one step. networkx raises after maxIterations without
 * convergence; we return the last vector with `converged: false`. Scores sum to 1.
 */
export const PAGERANK_DEFAULTS = { alpha: 0.85, weighted: false };
/** networkx's `pagerank` defaults: the `networkx` convergence setting. */
export const PAGERANK_NETWORKX = { tolerance: 1e-6, maxIterations: 100 };

export type PagerankOptions = Partial<typeof PAGERANK_DEFAULTS> & StopOptions;

export function pagerank(graph: Graph, options: PagerankOptions = {}): CentralityResult {
  const { alpha } = { ...PAGERANK_DEFAULTS, ...options };
  const { n, outOffsets, inOffsets, inSources, inArc } = graph;
  const weights = options.weighted ? graph.arcWeight : null;
  if (!(alpha >= 0 && alpha <= 1)) throw new RangeError(`pagerank: alpha must be in [0, 1], got ${alpha}`);
  const rule = stopRule('pagerank', n, options, PAGERANK_NETWORKX);
  const { maxIterations } = rule;
  if (n === 0) return { metric: 'pagerank', scores: new Float64Array(0), ...report(rule, 0, true, 0) };

  // invOut[u] = 1 / Σ_out w(u), 0 for dangling customers; inW[q] = weight of in-arc q (weighted only).
  const invOut = new Float64Array(n);
  const dangling = new Int32Array(n);
  let nd = 0;
  for (let u = 0; u < n; u++) {
    let s = 0;
    if (weights) for (let a = outOffsets[u]; a < outOffsets[u + 1]; a++) s += weights[a];
    else s = outOffsets[u + 1] - outOffsets[u];
    if (s > 0) invOut[u] = 1 / s;
    else dangling[nd++] = u;
  }
  let inW: Float64Array | null = null;
  if (weights) {
    inW = new Float64Array(inArc.length);
    for (let q = 0; q < inArc.length; q++) inW[q] = weights[inArc[q]];
  }

  let x = new Float64Array(n).fill(1 / n);
  let next = new Float64Array(n);
  const y = new Float64Array(n);
  const base = (1 - alpha) / n;
  let iterations = 0;
  let converged = false;
  let residual = Infinity;
  while (iterations < maxIterations) {
    iterations++;
    let dsum = 0;
    for (let k = 0; k < nd; k++) dsum += x[dangling[k]];
    for (let u = 0; u < n; u++) y[u] = x[u] * invOut[u];
    const spread = (alpha * dsum) / n + base;
    let err = 0;
    let norm = 0;
    for (let v = 0; v < n; v++) {
      let s = 0;
      const end = inOffsets[v + 1];
      if (inW) for (let q = inOffsets[v]; q < end; q++) s += y[inSources[q]] * inW[q];
      else for (let q = inOffsets[v]; q < end; q++) s += y[inSources[q]];
      const val = alpha * s + spread;
      next[v] = val;
      norm += val;
      err += Math.abs(val - x[v]);
    }
    const t = x;
    x = next;
    next = t;
    residual = rule.residual(err, norm);
    const state = rule.check(err, norm);
    if (state !== 'continue') {
      converged = state === 'converged';
      break;
    }
  }
  return { metric: 'pagerank', scores: x, ...report(rule, iterations, converged, residual) };
}
