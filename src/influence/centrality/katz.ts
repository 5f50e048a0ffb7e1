import { UnprocessableError } from '../../errors.js';
import { report, stopRule, type StopOptions } from './convergence.js';
import type { CentralityResult, Graph } from './types.js';

/**
 * Katz centrality (Katz 1953) as networkx `katz_centrality`, iteration for iteration: start from 0,
 * x' = alpha·Aᵀx + beta (each customer adds alpha times the scores of its in-neighbours, weighted by tie weight with
 * `weighted`, plus beta), then, with `normalized` (default), scale to unit Euclidean norm. The fixed point is
 * (I − alpha·Aᵀ)⁻¹·beta, which exists when alpha < 1/λmax (λmax the largest eigenvalue of A).
 * By default it runs to the fixed point (relative L1 change ≤ 1e-14, up to 10,000 iterations); `convergence:
 * "networkx"` stops where networkx does (Σ|x' − x| < n·1e-6, at most 1000 iterations). See convergence.ts.
 * networkx's default alpha 0.1 diverges on any graph with λmax ≥ 10 (ego-Facebook: λmax ≈ 162): a diverging
 * iteration is a 422 that estimates λmax from the growth, not a vector of infinities.
 */
export const KATZ_DEFAULTS = { alpha: 0.1, beta: 1, normalized: true, weighted: false };
/** networkx's `katz_centrality` defaults: the `networkx` convergence setting. */
export const KATZ_NETWORKX = { tolerance: 1e-6, maxIterations: 1000 };

/** The iterate's L1 norm past which the iteration is taken to diverge. */
const DIVERGED = 1e150;

function diverges(alpha: number, growth: number): never {
  const lambda = growth / alpha;
  throw new UnprocessableError(
    `katz: the iteration diverges for alpha ${alpha}: the largest eigenvalue of the graph is about ${lambda.toPrecision(4)}, ` +
      `so alpha must be below 1/λmax ≈ ${(1 / lambda).toPrecision(3)}`,
    { alpha, lambdaMax: lambda },
  );
}

export function katz(graph: Graph, options: Partial<typeof KATZ_DEFAULTS> & StopOptions = {}): CentralityResult {
  const { alpha, beta, normalized, weighted } = { ...KATZ_DEFAULTS, ...options };
  const { n, inOffsets, inSources, inArc } = graph;
  if (!(alpha > 0 && Number.isFinite(alpha))) throw new RangeError(`katz: alpha must be a positive number, got ${alpha}`);
  if (!(beta > 0 && Number.isFinite(beta))) throw new RangeError(`katz: beta must be a positive number, got ${beta}`);
  const rule = stopRule('katz', n, options, KATZ_NETWORKX);
  if (n === 0) return { metric: 'katz', scores: new Float64Array(0), ...report(rule, 0, true, 0) };
  const w = weighted ? graph.arcWeight : null;
  let inW: Float64Array | null = null;
  if (w) {
    inW = new Float64Array(inArc.length);
    for (let q = 0; q < inArc.length; q++) inW[q] = w[inArc[q]];
  }
  let x = new Float64Array(n);
  let next = new Float64Array(n);
  let iterations = 0;
  let converged = false;
  let residual = Infinity;
  let norm = 0;
  let growth = 0;
  while (iterations < rule.maxIterations) {
    iterations++;
    let err = 0;
    let l1 = 0;
    for (let v = 0; v < n; v++) {
      let s = 0;
      const end = inOffsets[v + 1];
      if (inW) for (let q = inOffsets[v]; q < end; q++) s += x[inSources[q]] * inW[q];
      else for (let q = inOffsets[v]; q < end; q++) s += x[inSources[q]];
      const val = alpha * s + beta;
      next[v] = val;
      l1 += val;
      err += Math.abs(val - x[v]);
    }
    growth = norm > 0 ? l1 / norm : 0;
    norm = l1;
    const t = x;
    x = next;
    next = t;
    residual = rule.residual(err, l1);
    const state = rule.check(err, l1);
    if (state === 'converged') {
      converged = true;
      break;
    }
    // Diverging: the norm grows geometrically (by alpha·λmax per step, > 1) instead of levelling off.
    if (!(l1 < DIVERGED) || (state === 'stalled' && growth > 1 + 1e-6)) diverges(alpha, growth);
    if (state === 'stalled') break;
  }
  if (normalized) {
    let sq = 0;
    for (let v = 0; v < n; v++) sq += x[v] * x[v];
    const s = sq > 0 ? 1 / Math.sqrt(sq) : 1;
    for (let v = 0; v < n; v++) x[v] *= s;
  }
  return { metric: 'katz', scores: x, ...report(rule, iterations, converged, residual) };
}
