import type { CentralityResult, Graph } from './types.js';

/**
 * HITS hubs and authorities (Kleinberg 1999) as networkx `hits`: the principal left/right singular vectors of
 * the adjacency matrix (authority a ∝ Aᵀh, hub h ∝ Aa), each normalised to sum 1. networkx's `hits` reads the
 * `weight` attribute when present; here tie weights count only with `weighted`. networkx computes them with
 * ARPACK (svds); we use the power iteration networkx also ships (`_hits_python`: max-normalised each step)
 * with a much tighter tolerance, so both land on the same vector when the top singular value is simple.
 * A graph without arcs gives the uniform 1/n for both (networkx returns NaN there).
 */
export const HITS_DEFAULTS = { maxIterations: 1000, tolerance: 1e-12, weighted: false };

export interface HitsResult {
  hubs: Float64Array;
  authorities: Float64Array;
  iterations: number;
  converged: boolean;
}

export function hits(graph: Graph, options: Partial<typeof HITS_DEFAULTS> = {}): HitsResult {
  const { maxIterations, tolerance, weighted } = { ...HITS_DEFAULTS, ...options };
  const { n, m, outOffsets, outTargets, inOffsets, inSources, inArc } = graph;
  const w = weighted ? graph.arcWeight : null;
  let h = new Float64Array(n).fill(n > 0 ? 1 / n : 0);
  const a = new Float64Array(n);
  if (n === 0) return { hubs: h, authorities: a, iterations: 0, converged: true };
  if (m === 0) return { hubs: h, authorities: a.fill(1 / n), iterations: 0, converged: true };
  let inW: Float64Array | null = null;
  if (w) {
    inW = new Float64Array(m);
    for (let q = 0; q < m; q++) inW[q] = w[inArc[q]];
  }
  let next = new Float64Array(n);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
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
    for (let u = 0; u < n; u++) {
      next[u] /= hmax;
      err += Math.abs(next[u] - h[u]);
    }
    for (let v = 0; v < n; v++) a[v] /= amax;
    const t = h;
    h = next;
    next = t;
    if (err < tolerance) {
      converged = true;
      break;
    }
  }
  normaliseSum(h);
  normaliseSum(a);
  return { hubs: h, authorities: a, iterations, converged };
}

function normaliseSum(x: Float64Array): void {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  if (s > 0) for (let i = 0; i < x.length; i++) x[i] /= s;
}

export function hub(graph: Graph, options: Partial<typeof HITS_DEFAULTS> = {}): CentralityResult {
  const r = hits(graph, options);
  return { metric: 'hub', scores: r.hubs, iterations: r.iterations, converged: r.converged };
}

export function authority(graph: Graph, options: Partial<typeof HITS_DEFAULTS> = {}): CentralityResult {
  const r = hits(graph, options);
  return { metric: 'authority', scores: r.authorities, iterations: r.iterations, converged: r.converged };
}
