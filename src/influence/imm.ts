import type { CompiledGraph } from '../graph/compile.js';
import { InputError } from '../errors.js';
import { growRR, maxCoverage, RRCollection, type RRMemoryLimit, type RRPool, type RRSpec } from './rr.js';

/**
 * IMM — Tang, Shi, Xiao. "Influence maximization in near-linear time: a martingale approach." SIGMOD 2015,
 * with the fix of Chen, "An issue in the martingale analysis of the influence maximization algorithm IMM"
 * (CSoNet 2018): the final node selection runs on a FRESH RR collection, independent of the sampling phase.
 *
 * Sampling phase (Algorithm 2): ε' = √2·ε; for i = 1 .. log2(n) − 1, x = n/2^i, grow R to
 * θ_i = λ'/x with λ' = (2 + 2ε'/3)(ln C(n,k) + ℓ ln n + ln log2 n)·n/ε'²; S_i = greedy(R, k); if
 * n·F_R(S_i) ≥ (1 + ε')·x then LB = n·F_R(S_i)/(1 + ε') and stop (LB = 1 if never).
 * Final: θ = λ* / LB, λ* = 2n((1 − 1/e)α + β)²/ε², α = √(ℓ ln n + ln 2),
 * β = √((1 − 1/e)(ln C(n,k) + ℓ ln n + ln 2)); a fresh R of θ sets; S = greedy(R, k).
 * ℓ is raised to ℓ·(1 + ln 2/ln n) so that the whole run succeeds with probability ≥ 1 − 1/n^ℓ; then
 * E[reach(S)] ≥ (1 − 1/e − ε)·OPT. ln C(n,k) uses log-gamma.
 *
 * Defaults: epsilon 0.1, ell 1, maxRRSets 50,000,000 (when θ would exceed it the run uses the cap and
 * reports `capped`: the guarantee then no longer holds).
 */
export const IMM_DEFAULTS = { epsilon: 0.1, ell: 1, seed: 1, maxRRSets: 50_000_000 };

/** Stream salts: sampling phase and final selection draw from disjoint streams (Chen 2018). */
export const SALT_IMM_SAMPLING = 0x494d4d31;
export const SALT_IMM_FINAL = 0x494d4d32;

export interface ImmOptions {
  k: number;
  epsilon?: number;
  ell?: number;
  seed?: number;
  maxRRSets?: number;
  pool?: RRPool;
  signal?: AbortSignal;
  /** Most bytes each RR collection may hold while it grows: past it, RRMemoryLimitError (a 422 naming what to lower). */
  rrLimit?: RRMemoryLimit;
  /** Progress: phase, RR sets generated so far in it, and its current target. */
  onProgress?: (phase: 'sampling' | 'final', done: number, total: number) => void;
}

export interface ImmResult {
  /** Seeds in greedy order. */
  seeds: Int32Array;
  /** Estimated increment of the objective (reach, or value with value-weighted roots) of each seed. */
  gains: Float64Array;
  /** Estimate of the objective of all k seeds on the final collection: scale·F_R(S). */
  estimate: number;
  /** RR sets of the final (fresh) collection. */
  theta: number;
  /** RR sets generated in the sampling phase. */
  samplingRRSets: number;
  /** Lower bound on OPT found by the sampling phase. */
  lowerBound: number;
  /** ℓ after the ℓ·(1 + ln 2/ln n) adjustment. */
  ellAdjusted: number;
  epsilon: number;
  /** θ was cut to maxRRSets: the (1 − 1/e − ε) guarantee does not hold. */
  capped: boolean;
  /** Members stored in the final collection (memory: 4 bytes each, plus 4 per set). */
  members: number;
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; relative error < 1e-13). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** ln C(n, k) via log-gamma (no factorials, no overflow). */
export function logBinomial(n: number, k: number): number {
  if (k < 0 || k > n) return -Infinity;
  if (k === 0 || k === n) return 0;
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

/** The IMM sample-size constants for (n, k, ε, ℓ). Exported for tests and for planning. */
export function immConstants(n: number, k: number, epsilon: number, ell: number): { ellAdjusted: number; epsPrime: number; lambdaPrime: number; lambdaStar: number } {
  const lnN = Math.log(n);
  const ellAdjusted = ell * (1 + Math.LN2 / lnN);
  const lnC = logBinomial(n, k);
  const epsPrime = Math.SQRT2 * epsilon;
  const lambdaPrime = ((2 + (2 * epsPrime) / 3) * (lnC + ellAdjusted * lnN + Math.log(Math.log2(n))) * n) / (epsPrime * epsPrime);
  const e1 = 1 - 1 / Math.E;
  const alpha = Math.sqrt(ellAdjusted * lnN + Math.LN2);
  const beta = Math.sqrt(e1 * (lnC + ellAdjusted * lnN + Math.LN2));
  const lambdaStar = (2 * n * (e1 * alpha + beta) ** 2) / (epsilon * epsilon);
  return { ellAdjusted, epsPrime, lambdaPrime, lambdaStar };
}

/**
 * Run IMM on a prepared RR spec (IC or LT, uniform or value-weighted roots). With value-weighted roots
 * the bounds are computed as for reach (n) and estimates are scaled by total value: a heuristic use.
 */
export async function imm(g: CompiledGraph, spec: RRSpec, opts: ImmOptions): Promise<ImmResult> {
  const { k, pool, signal, onProgress } = opts;
  const epsilon = opts.epsilon ?? IMM_DEFAULTS.epsilon;
  const ell = opts.ell ?? IMM_DEFAULTS.ell;
  const seed = opts.seed ?? IMM_DEFAULTS.seed;
  const maxRRSets = opts.maxRRSets ?? IMM_DEFAULTS.maxRRSets;
  const n = g.n;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new InputError(`imm: k must be an integer in [1, ${n}] (the number of customers), got ${k}`);
  if (!(epsilon > 0 && epsilon < 1)) throw new InputError(`imm: epsilon must be in (0, 1), got ${epsilon}`);
  if (!(ell > 0)) throw new InputError(`imm: ell must be > 0, got ${ell}`);

  if (n === 1) {
    // One customer: it is the only choice and reaches exactly itself.
    return { seeds: Int32Array.of(0), gains: Float64Array.of(spec.scale), estimate: spec.scale, theta: 0, samplingRRSets: 0, lowerBound: 1, ellAdjusted: ell, epsilon, capped: false, members: 0 };
  }
  const { ellAdjusted, epsPrime, lambdaPrime, lambdaStar } = immConstants(n, k, epsilon, ell);
  let capped = false;
  const cap = (t: number) => {
    if (t > maxRRSets) {
      capped = true;
      return maxRRSets;
    }
    return Math.ceil(t);
  };

  // Sampling phase: estimate a lower bound LB of OPT.
  const R = new RRCollection(undefined, undefined, opts.rrLimit);
  let lowerBound = 1;
  const rounds = Math.log2(n) - 1;
  for (let i = 1; i <= rounds; i++) {
    const x = n / 2 ** i;
    const thetaI = cap(lambdaPrime / x);
    await growRR(g, spec, seed, SALT_IMM_SAMPLING, R, thetaI, { pool, signal, onProgress: (d, t) => onProgress?.('sampling', d, t) });
    const sel = maxCoverage(R, n, k);
    const est = (n * sel.total) / R.count;
    if (est >= (1 + epsPrime) * x) {
      lowerBound = est / (1 + epsPrime);
      break;
    }
    if (capped) break;
  }
  const samplingRRSets = R.count;

  // Final selection on a fresh collection (Chen 2018).
  const theta = cap(lambdaStar / lowerBound);
  const F = new RRCollection(Math.min(theta, 1 << 20), Math.min(theta, 1 << 20) * 4, opts.rrLimit);
  R.members = new Int32Array(0); // release the sampling collection before the final one grows
  R.offsets = new Int32Array(1);
  await growRR(g, spec, seed, SALT_IMM_FINAL, F, theta, { pool, signal, onProgress: (d, t) => onProgress?.('final', d, t) });
  const sel = maxCoverage(F, n, k);
  const gains = new Float64Array(k);
  for (let j = 0; j < k; j++) gains[j] = (spec.scale * sel.covered[j]) / F.count;
  return {
    seeds: sel.seeds, gains, estimate: (spec.scale * sel.total) / F.count, theta: F.count, samplingRRSets,
    lowerBound, ellAdjusted, epsilon, capped, members: F.size,
  };
}
