import { report, stopRule, type StopOptions, type StopRule } from './convergence.js';
import {
  CG_DIRECTION, CG_MATVEC, CG_START, CG_UPDATE, INIT, POWER, SHIFT, START_X, S_A, S_ALPHA, S_B, S_MASS, S_SPREAD, TO_X,
  leaderRunner, newWorkspace, openWorkspace, partialSum, serialRunner, type Runner, type Workspace,
} from './pagerank-sweeps.js';
import type { CentralityResult, Graph } from './types.js';

/**
 * PageRank as networkx `pagerank`: the fixed point of x' = alpha·(xᵀP + (Σ_dangling x)/n) + (1 - alpha)/n, where P is
 * the row-stochastic arc matrix (each arc u->v carries w(u,v)/Σ_out w(u), unit weights unless `weighted`) and dangling
 * customers (no out-arcs) spread their rank uniformly. By default it runs to the fixed point (L1 change of one power
 * step ≤ 1e-14; the L1 distance to the true PageRank is then below alpha/(1 − alpha) · 1e-14); `convergence: "networkx"`
 * stops where networkx does (Σ|x' - x| < n·1e-6, at most 100 iterations: its scipy power iteration, step for step) —
 * see convergence.ts.
 *
 * How the fixed point is reached (`solver`, default `auto`):
 * - `power`: the power iteration above from x = 1/n, the method of networkx and of the `networkx` setting;
 * - `conjugate-gradient` (what `auto` picks for undirected graphs at the fixed point, alpha < 1): the same vector is
 *   the solution of the linear system (I − αPᵀ)y = 1/n, normalised, x = y/Σy (the dangling mass only rescales it;
 *   Langville & Meyer, *Deeper inside PageRank*, 2004). On an undirected graph Pᵀ = W·S⁻¹ (S = the customers' summed
 *   tie weights) and S^(-1/2)(I − αPᵀ)S^(1/2) = I − α·S^(-1/2)·W·S^(-1/2) is symmetric positive definite, so conjugate
 *   gradients solve it (Hestenes & Stiefel 1952): fewer sweeps than the power iteration for the same residual
 *   (ego-Facebook 48 instead of 153, ca-HepTh 53 instead of 169, BA n=100k m=5 26 instead of 43; BENCHMARKS.md). Each CG iteration is one sweep over the in-arcs, like a power
 *   step, and counts as one of `iterations`. CG stops when its residual bounds the power step's L1 change below the
 *   tolerance (‖G(x) − x‖₁ ≤ 2‖S^(1/2)r‖₁ / Σy); then power steps finish — the first one is the check: its L1 change
 *   is the `residual` reported, measured the same way as for the power iteration, and the answer is that step's
 *   iterate. If the check fails (rounding), power steps go on under the same stop rule.
 * Runs on the CSR in-arcs with typed arrays: O(m) per iteration, no allocation inside the loop. The sweeps are cut
 * into chunks of customers (pagerank-sweeps.ts) that one thread runs in turn or several threads share
 * (`pagerankShared`, the worker pool's `pagerank-lead` / `pagerank-help` tasks): the same answer, bit for bit.
 * A graph without arcs is uniform after one step. networkx raises after maxIterations without
 * convergence; we return the last vector with `converged: false`. Scores sum to 1.
 */
export const PAGERANK_DEFAULTS = { alpha: 0.85, weighted: false };
/** networkx's `pagerank` defaults: the `networkx` convergence setting. */
export const PAGERANK_NETWORKX = { tolerance: 1e-6, maxIterations: 100 };

export const PAGERANK_SOLVERS = ['auto', 'power', 'conjugate-gradient'] as const;
export type PagerankSolver = (typeof PAGERANK_SOLVERS)[number];

export type PagerankOptions = Partial<typeof PAGERANK_DEFAULTS> & StopOptions & {
  /** `auto` (default): conjugate gradients for undirected graphs at the fixed point, else the power iteration. */
  solver?: PagerankSolver;
};

/** Below this bound on the power step's relative change, conjugate gradients stop whatever the tolerance (rounding). */
const CG_FLOOR = 1e-16;

interface Plan {
  rule: StopRule;
  alpha: number;
  cg: boolean;
  weighted: boolean;
}

function plan(graph: Graph, options: PagerankOptions): Plan {
  const { alpha } = { ...PAGERANK_DEFAULTS, ...options };
  if (!(alpha >= 0 && alpha <= 1)) throw new RangeError(`pagerank: alpha must be in [0, 1], got ${alpha}`);
  const solver = options.solver ?? 'auto';
  if (!(PAGERANK_SOLVERS as readonly string[]).includes(solver)) throw new RangeError(`pagerank: solver must be one of ${PAGERANK_SOLVERS.join(', ')}, got ${String(solver)}`);
  const rule = stopRule('pagerank', graph.n, options, PAGERANK_NETWORKX);
  // CG needs a symmetric operator: undirected graphs (a directed one asked for CG runs the power iteration).
  const wanted = solver === 'conjugate-gradient' || (solver === 'auto' && rule.convergence === 'fixed-point');
  const cg = wanted && !graph.directed && alpha < 1 && rule.maxIterations >= 2;
  return { rule, alpha, cg, weighted: options.weighted === true && graph.arcWeight !== null };
}

export function pagerank(graph: Graph, options: PagerankOptions = {}): CentralityResult {
  const p = plan(graph, options);
  if (graph.n === 0) return { metric: 'pagerank', scores: new Float64Array(0), ...report(p.rule, 0, true, 0) };
  const ws = newWorkspace(graph, p.weighted, false);
  return solve(graph, p, ws, serialRunner(graph, ws));
}

/** A shared buffer for `pagerankShared` and its helpers (made on the thread that hands out the work). */
export function pagerankBuffer(graph: Graph, options: PagerankOptions = {}): SharedArrayBuffer {
  const p = plan(graph, options);
  return newWorkspace(graph, p.weighted, true).buffer as SharedArrayBuffer;
}

/**
 * PageRank driven from this thread on a buffer that helper threads share (pagerank-sweeps.ts `helpSweeps`): the same
 * answer as `pagerank`, bit for bit, with any number of helpers (none included).
 */
export function pagerankShared(graph: Graph, options: PagerankOptions, buffer: SharedArrayBuffer): CentralityResult {
  const p = plan(graph, options);
  const ws = openWorkspace(graph, buffer);
  const runner = leaderRunner(graph, ws);
  try {
    if (graph.n === 0) return { metric: 'pagerank', scores: new Float64Array(0), ...report(p.rule, 0, true, 0) };
    return solve(graph, p, ws, runner);
  } finally {
    runner.finish();
  }
}

/**
 * The iteration (n > 0): conjugate gradients first when planned (see the head of this file), then power steps under
 * the stop rule. Each sweep over the in-arcs counts as one iteration.
 */
function solve(graph: Graph, p: Plan, ws: Workspace, runner: Runner): CentralityResult {
  const { rule, alpha } = p;
  const n = graph.n;
  const S = ws.scalars;
  S[S_ALPHA] = alpha;
  runner.run(INIT);
  let iterations = 0;
  let fromCg = false;
  if (p.cg) {
    // A·z = c, A = I − α·S^(-1/2)·W·S^(-1/2), c = S^(-1/2)·1/n, from z = 0 (customers without ties: S = 1, z = c).
    // Stop when 2·Σ √s_v·|r_v| / Σ √s_v·z_v — a bound on the L1 change of a power step from x = S^(1/2)z / Σ S^(1/2)z —
    // is within the tolerance (or CG_FLOOR).
    runner.run(CG_START);
    let rr = partialSum(ws, 0);
    const stop = Math.max(rule.tolerance, CG_FLOOR);
    const budget = rule.maxIterations - 1;
    let mass = 0;
    while (iterations < budget) {
      iterations++;
      runner.run(CG_MATVEC);
      const pq = partialSum(ws, 0);
      const a = rr / pq;
      if (!(pq > 0 && Number.isFinite(a))) break; // not positive definite (asymmetric weights?): power steps finish
      S[S_A] = a;
      runner.run(CG_UPDATE);
      const rrNew = partialSum(ws, 0);
      const l1 = partialSum(ws, 1);
      mass = partialSum(ws, 2);
      if (mass > 0 && 2 * l1 <= stop * mass) break;
      if (!(rrNew > 0)) break; // exact
      S[S_B] = rrNew / rr;
      rr = rrNew;
      runner.run(CG_DIRECTION);
    }
    if (mass > 0 && Number.isFinite(mass)) {
      S[S_MASS] = mass;
      runner.run(TO_X);
      fromCg = true;
    }
  }
  if (!fromCg) runner.run(START_X);
  let dsum = partialSum(ws, 0);
  const base = (1 - alpha) / n;
  let converged = false;
  let residual = Infinity;
  while (iterations < rule.maxIterations) {
    iterations++;
    S[S_SPREAD] = (alpha * dsum) / n + base;
    runner.run(POWER);
    const err = partialSum(ws, 0);
    const norm = partialSum(ws, 1);
    residual = rule.residual(err, norm);
    const state = rule.check(err, norm);
    if (state !== 'continue') {
      converged = state === 'converged';
      break;
    }
    if (iterations >= rule.maxIterations) break;
    runner.run(SHIFT);
    dsum = partialSum(ws, 0);
  }
  return { metric: 'pagerank', scores: ws.q.slice(), ...report(rule, iterations, converged, residual) };
}
