import { report, stopRule, type ConvergenceReport, type StopOptions } from './convergence.js';
import type { CentralityResult, Graph } from './types.js';

/**
 * HITS hubs and authorities (Kleinberg 1999) as networkx `hits`: the principal left/right singular vectors of
 * the adjacency matrix (authority a ∝ Aᵀh, hub h ∝ Aa), each normalised to sum 1. networkx's `hits` reads the
 * `weight` attribute when present; here tie weights count only with `weighted`. networkx computes them with
 * ARPACK (svds); we use the power iteration networkx also ships (`_hits_python`: max-normalised each step).
 * By default it runs to the fixed point (relative L1 change of the hubs ≤ 1e-14), where it matches ARPACK when the top
 * singular value is simple; `convergence: "networkx"` stops as `_hits_python` does (Σ|h' − h| < 1e-8 on max-scaled
 * hubs, at most 100 iterations). See convergence.ts.
 * A graph without arcs gives the uniform 1/n for both (networkx returns NaN there).
 */
export const HITS_DEFAULTS = { weighted: false };
/** networkx's `_hits_python` defaults (tolerance not scaled by n): the `networkx` convergence setting. */
export const HITS_NETWORKX = { tolerance: 1e-8, maxIterations: 100 };

export interface HitsResult extends ConvergenceReport {
  hubs: Float64Array;
  authorities: Float64Array;
}

export function hits(graph: Graph, options: Partial<typeof HITS_DEFAULTS> & StopOptions = {}): HitsResult {
  const { weighted } = { ...HITS_DEFAULTS, ...options };
  const { n, m, outOffsets, outTargets, inOffsets, inSources, inArc } = graph;
  const w = weighted ? graph.arcWeight : null;
  const rule = stopRule('hits', n, options, HITS_NETWORKX, false);
  let h = new Float64Array(n).fill(n > 0 ? 1 / n : 0);
  const a = new Float64Array(n);
  if (n === 0) return { hubs: h, authorities: a, ...report(rule, 0, true, 0) };
  if (m === 0) return { hubs: h, authorities: a.fill(1 / n), ...report(rule, 0, true, 0) };
  let inW: Float64Array | null = null;
  if (w) {
    inW = new Float64Array(m);
    for (let q = 0; q < m; q++) inW[q] = w[inArc[q]];
  }
  let next = new Float64Array(n);
  let iterations = 0;
  let converged = false;
  let residual = Infinity;
  while (iterations < rule.maxIterations) {
    iterations++;
    let amax = 0;
    for (let v = 0; v < n; v++) {
      let s = 0;
      const end = inOffsets[v + 1];
      if (inW) for (let q = inOffsets[v]; q < end; q++) s += h[inSources[q]] * inW[q];
      else for (let q = inOffsets[v]; q < end; q++) s += h[inSources[q]];
      a[v] = s;
      if (s > amax) amax = s;
    }
    let hmax = 0;
    for (let u = 0; u < n; u++) {
      let s = 0;
      const end = outOffsets[u + 1];
      if (w) for (let e = outOffsets[u]; e < end; e++) s += a[outTargets[e]] * w[e];
      else for (let e = outOffsets[u]; e < end; e++) s += a[outTargets[e]];
      next[u] = s;
      if (s > hmax) hmax = s;
    }
    let err = 0;
    let l1 = 0;
    for (let u = 0; u < n; u++) {
      const val = next[u] / hmax;
      next[u] = val;
      l1 += val;
      err += Math.abs(val - h[u]);
    }
    for (let v = 0; v < n; v++) a[v] /= amax;
    const t = h;
    h = next;
    next = t;
    residual = rule.residual(err, l1);
    const state = rule.check(err, l1);
    if (state !== 'continue') {
      converged = state === 'converged';
      break;
    }
  }
  normaliseSum(h);
  normaliseSum(a);
  return { hubs: h, authorities: a, ...report(rule, iterations, converged, residual) };
}

function normaliseSum(x: Float64Array): void {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  if (s > 0) for (let i = 0; i < x.length; i++) x[i] /= s;
}

export function hub(graph: Graph, options: Partial<typeof HITS_DEFAULTS> & StopOptions = {}): CentralityResult {
  const { hubs, authorities: _a, ...rest } = hits(graph, options);
  return { metric: 'hub', scores: hubs, ...rest };
}

export function authority(graph: Graph, options: Partial<typeof HITS_DEFAULTS> & StopOptions = {}): CentralityResult {
  const { hubs: _h, authorities, ...rest } = hits(graph, options);
  return { metric: 'authority', scores: authorities, ...rest };
}
