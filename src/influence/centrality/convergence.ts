/**
 * When a power iteration (pagerank, eigenvector, katz, hub/authority) stops: one rule for all of them.
 *
 * - `fixed-point` (the default): run to the fixed point. Stop when the relative L1 change of the iterate,
 *   Σ|x' − x| / Σ|x'|, is at most `tolerance` (default 1e-14), within `maxIterations` (default 10,000). For PageRank
 *   (Σx = 1) that is the plain L1 change, and the L1 distance to the fixed point is at most α/(1 − α) times it.
 *   Scores then agree with a direct solve (sparse LU, ARPACK) to 1e-8 relative or better on every customer whose score
 *   is above 1e-9 (test/centrality-fixed-point.test.ts, against scipy on ego-Facebook, Wiki-Vote and ca-HepTh; at
 *   1e-12 the worst, ca-HepTh's eigenvector, was 8e-7). Rounding puts a floor under the change (about √degree · 1e-16);
 *   a tolerance below it cannot be met, so an iteration whose change has not reached a new low for 50 iterations
 *   stops there with `converged: false` rather than running on to `maxIterations`.
 * - `networkx`: networkx's own early stop, to reproduce its numbers iteration for iteration: Σ|x' − x| < n·tolerance
 *   with networkx's defaults (tolerance 1e-6 per customer, 100 iterations for pagerank and eigenvector, 1000 for
 *   katz), and for HITS the rule of networkx's power-iteration `_hits_python` (Σ|h' − h| < tolerance on max-scaled
 *   hubs, 1e-8, 100 iterations; networkx's `hits` itself calls ARPACK, which the fixed point matches). networkx is
 *   loose: on ca-HepTh its PageRank is 13% off the fixed point for some customers.
 *
 * Every result reports `iterations`, `residual` (the last change, in the rule's own terms), `converged` (false when
 * `maxIterations` ran out first; networkx raises there) and the `tolerance` and `convergence` it used.
 */
export const CONVERGENCE_MODES = ['fixed-point', 'networkx'] as const;
export type Convergence = (typeof CONVERGENCE_MODES)[number];

export const FIXED_POINT_DEFAULTS = { tolerance: 1e-14, maxIterations: 10_000 };

/** Iterations without a new lowest change after which a fixed-point iteration is taken to have stalled. */
const STALL = 50;

export interface StopOptions {
  convergence?: Convergence;
  tolerance?: number;
  maxIterations?: number;
}

export interface StopRule {
  convergence: Convergence;
  tolerance: number;
  maxIterations: number;
  /**
   * Called once per iteration with the L1 change of the iterate and its L1 norm: `converged` ends it, `stalled` too
   * (fixed-point only: no new low for 50 iterations), `continue` goes on.
   */
  check(change: number, norm: number): 'converged' | 'stalled' | 'continue';
  /** The residual reported: the change in the rule's own terms (relative for fixed-point, absolute for networkx). */
  residual(change: number, norm: number): number;
}

/**
 * The stop rule for a metric: `networkxDefaults` are networkx's tolerance and max_iter for it; `perCustomer` says
 * whether networkx scales its tolerance by n (all but `_hits_python`).
 */
export function stopRule(
  metric: string, n: number, o: StopOptions, networkxDefaults: { tolerance: number; maxIterations: number }, perCustomer = true,
): StopRule {
  const convergence = o.convergence ?? 'fixed-point';
  const defaults = convergence === 'networkx' ? networkxDefaults : FIXED_POINT_DEFAULTS;
  const tolerance = o.tolerance ?? defaults.tolerance;
  const maxIterations = o.maxIterations ?? defaults.maxIterations;
  if (!(tolerance > 0 && Number.isFinite(tolerance))) throw new RangeError(`${metric}: tolerance must be a positive number, got ${tolerance}`);
  if (!(Number.isInteger(maxIterations) && maxIterations >= 1)) {
    throw new RangeError(`${metric}: maxIterations must be a whole number >= 1, got ${maxIterations}`);
  }
  if (convergence === 'networkx') {
    const threshold = perCustomer ? n * tolerance : tolerance;
    return { convergence, tolerance, maxIterations, check: (change) => (change < threshold ? 'converged' : 'continue'), residual: (change) => change };
  }
  let best = Infinity;
  let since = 0;
  const residual = (change: number, norm: number) => (norm > 0 ? change / norm : change);
  return {
    convergence, tolerance, maxIterations, residual,
    check(change, norm) {
      const r = residual(change, norm);
      if (r <= tolerance) return 'converged';
      if (r < best) {
        best = r;
        since = 0;
      } else if (++since >= STALL) return 'stalled';
      return 'continue';
    },
  };
}

/** The convergence fields every power-iteration result carries. */
export interface ConvergenceReport {
  iterations: number;
  converged: boolean;
  residual: number;
  tolerance: number;
  convergence: Convergence;
}

export function report(rule: StopRule, iterations: number, converged: boolean, residual: number): ConvergenceReport {
  return { iterations, converged, residual, tolerance: rule.tolerance, convergence: rule.convergence };
}
