import { logGamma } from '../influence/imm.js';
import type { Rng } from '../diffusion/rng.js';
import type { OffspringCounts } from './trees.js';

/**
 * A graph-free cascade model for the tree-fit study (issue 19.7, Twitter15/16): a Galton–Watson branching process.
 * Every user of generation g has an independent number of children drawn from its generation's offspring law;
 * `generations` G says how many laws there are: G = 0, one law for every user (root included); G = 1, the root has
 * its own law and every later user another; G = 2, root, first generation and the rest. Laws are Poisson(μ),
 * geometric (mean μ, P(k) = (1 − θ)θ^k, θ = μ/(1 + μ)) or negative binomial (mean μ, size r: θ = μ/(r + μ)).
 *
 * - **Size law, exactly.** The total progeny of k independent trees of one law is given by the hitting-time theorem
 *   (Otter 1949, Dwass 1969): P(T_k = n) = (k/n) · P(X_1 + … + X_n = n − k); the sum of n draws is again Poisson(nμ)
 *   or negative binomial (size n·r), so the homogeneous part is closed form. Each earlier generation is a compound
 *   (1 + the sizes of its children's subtrees), computed with Panjer's recursion (the three laws are its (a, b, 0)
 *   class). O(N²) for the law on 1..N.
 * - **Selection.** The data hold only cascades of at least `minSize` users, so the likelihood of a tree is
 *   Π_v P_g(v)(k_v) / P(S ≥ minSize) and a size's is P(S = s) / P(S ≥ minSize). A supercritical law has mass at
 *   S = ∞, which P(S ≥ minSize) counts (those cascades are never observed finished).
 */

export const FAMILIES = ['poisson', 'geometric', 'negbin'] as const;
export type Family = (typeof FAMILIES)[number];

export interface Law {
  family: Family;
  mean: number;
  /** Negative binomial size (dispersion); geometric = 1; unused for Poisson. */
  r: number;
}

/** How many free parameters a law of the family has. */
export function familyParameters(f: Family): number {
  return f === 'negbin' ? 2 : 1;
}

/** ln P(X = k). */
export function logPmf(law: Law, k: number): number {
  const mu = law.mean;
  if (mu <= 0) return k === 0 ? 0 : -Infinity;
  if (law.family === 'poisson') return -mu + k * Math.log(mu) - logGamma(k + 1);
  const r = law.family === 'geometric' ? 1 : law.r;
  return logGamma(k + r) - logGamma(r) - logGamma(k + 1) + r * Math.log(r / (r + mu)) + k * Math.log(mu / (r + mu));
}

/** ln P(X_1 + … + X_j = x) for j independent draws (Poisson(jμ), or negative binomial with size j·r). */
export function logSumPmf(law: Law, j: number, x: number): number {
  if (j === 0) return x === 0 ? 0 : -Infinity;
  return logPmf({ family: law.family === 'geometric' ? 'negbin' : law.family, mean: j * law.mean, r: j * (law.family === 'geometric' ? 1 : law.r) }, x);
}

/** Panjer's (a, b): P(k) = (a + b/k) P(k − 1). */
function panjer(law: Law): { a: number; b: number } {
  if (law.family === 'poisson') return { a: 0, b: law.mean };
  const r = law.family === 'geometric' ? 1 : law.r;
  const theta = law.mean / (r + law.mean);
  return { a: theta, b: (r - 1) * theta };
}

/**
 * P(S = n) for n = 0..N (entry 0 is 0) of a tree whose generation g < laws.length − 1 has law laws[g] and every later
 * generation laws[laws.length − 1].
 */
export function sizeLaw(laws: readonly Law[], N: number): Float64Array {
  const tail = laws[laws.length - 1];
  let w: Float64Array = new Float64Array(N + 1);
  for (let n = 1; n <= N; n++) w[n] = Math.exp(logSumPmf(tail, n, n - 1) - Math.log(n));
  for (let g = laws.length - 2; g >= 0; g--) w = subtreeOf(laws[g], w, N);
  return w;
}

/**
 * The size law of a node with law `law` whose children's subtrees have size law w (w[0] = 0): 1 + a compound sum,
 * by Panjer's recursion c(n) = Σ_{j=1..n} (a + b·j/n) w(j) c(n − j), c(0) = P(X = 0). The recursion runs on c/c(0)
 * with a running rescale, so a tiny P(X = 0) (a Poisson root with mean 500 has e^−500) does not underflow it.
 */
function subtreeOf(law: Law, w: Float64Array, N: number): Float64Array {
  const { a, b } = panjer(law);
  const c = new Float64Array(N);
  c[0] = 1;
  let logScale = logPmf(law, 0);
  for (let n = 1; n < N; n++) {
    let s = 0;
    for (let j = 1; j <= n; j++) s += (a + (b * j) / n) * w[j] * c[n - j];
    c[n] = s;
    if (s > 1e250) {
      for (let i = 0; i <= n; i++) c[i] *= 1e-250;
      logScale += 250 * Math.LN10;
    }
  }
  const out = new Float64Array(N + 1);
  for (let n = 1; n <= N; n++) out[n] = c[n - 1] > 0 ? Math.exp(Math.log(c[n - 1]) + logScale) : 0;
  return out;
}

/** P(S ≥ m) = 1 − P(S < m) (mass at S = ∞ included). */
export function selectedProbability(laws: readonly Law[], minSize: number): number {
  if (minSize <= 1) return 1;
  const p = sizeLaw(laws, minSize - 1);
  let below = 0;
  for (let n = 1; n < minSize; n++) below += p[n];
  return Math.max(0, 1 - below);
}

/**
 * Mean log-likelihood per tree of observed trees, P(tree | S ≥ minSize): Σ over classes and k of
 * count · ln P_c(k), minus trees · ln P(S ≥ minSize), divided by the number of trees.
 */
export function treeLogLik(stats: OffspringCounts, laws: readonly Law[], minSize: number): number {
  let ll = 0;
  for (let c = 0; c < stats.counts.length; c++) for (const [k, n] of stats.counts[c]) ll += n * logPmf(laws[Math.min(c, laws.length - 1)], k);
  const sel = selectedProbability(laws, minSize);
  return (ll - stats.trees * Math.log(sel)) / stats.trees;
}

/** Bounds of the search: μ in [1e-9, 1e6]; r in [1e-4, 1e5] (beyond, a negative binomial is a Poisson to within
 * what ln Γ(k + r) − ln Γ(r) can still resolve in doubles). */
const LN_MEAN = [Math.log(1e-9), Math.log(1e6)];
const LN_R = [Math.log(1e-4), Math.log(1e5)];
const clamp = (x: number, [lo, hi]: number[]) => Math.min(hi, Math.max(lo, x));

/** The laws of a parameter vector: per class [ln μ] or [ln μ, ln r] (clamped to the search bounds). */
export function lawsOf(family: Family, classes: number, x: ArrayLike<number>): Law[] {
  const per = familyParameters(family);
  return Array.from({ length: classes }, (_, c) => ({
    family, mean: Math.exp(clamp(x[c * per], LN_MEAN)), r: family === 'negbin' ? Math.exp(clamp(x[c * per + 1], LN_R)) : 1,
  }));
}

/**
 * Maximum-likelihood laws for G = classes − 1 (the trees' offspring counts pooled from generation `classes − 1` on),
 * given the selection S ≥ minSize: Nelder–Mead on (ln μ, ln r) per class from the moment estimates, restarted once
 * from its optimum.
 */
export function fitLaws(stats: OffspringCounts, family: Family, minSize: number): { laws: Law[]; logLik: number; evaluations: number } {
  const classes = stats.counts.length;
  const x0: number[] = [];
  for (const m of stats.counts) {
    let n = 0;
    let s = 0;
    let s2 = 0;
    for (const [k, c] of m) {
      n += c;
      s += c * k;
      s2 += c * k * k;
    }
    const mu = n > 0 ? Math.max(s / n, 1e-3) : 1e-3;
    const v = n > 0 ? s2 / n - (s / n) ** 2 : mu;
    x0.push(Math.log(mu));
    if (family === 'negbin') x0.push(Math.log(v > mu ? Math.min(1e3, Math.max(1e-3, (mu * mu) / (v - mu))) : 100));
  }
  const f = (x: ArrayLike<number>) => {
    const ll = treeLogLik(stats, lawsOf(family, classes, x), minSize);
    return Number.isFinite(ll) ? -ll : 1e300;
  };
  let r = nelderMead(f, x0, { step: 0.5 });
  const again = nelderMead(f, r.x, { step: 0.1 });
  const evaluations = r.evaluations + again.evaluations;
  if (again.value <= r.value) r = again;
  return { laws: lawsOf(family, classes, r.x), logLik: -r.value, evaluations };
}

/**
 * Nelder–Mead simplex minimisation (Nelder & Mead 1965; standard coefficients 1, 2, 0.5, 0.5), stopping when the
 * simplex's values differ by less than `tolerance` or after `maxEvaluations`.
 */
export function nelderMead(
  f: (x: ArrayLike<number>) => number, x0: readonly number[], o: { step?: number; tolerance?: number; maxEvaluations?: number } = {},
): { x: number[]; value: number; evaluations: number } {
  const d = x0.length;
  const step = o.step ?? 0.5;
  const tol = o.tolerance ?? 1e-12;
  const maxEval = o.maxEvaluations ?? 400 * (d + 1);
  let evaluations = 0;
  const ev = (x: number[]) => {
    evaluations++;
    return f(x);
  };
  const pts: { x: number[]; v: number }[] = [{ x: [...x0], v: ev([...x0]) }];
  for (let i = 0; i < d; i++) {
    const x = [...x0];
    x[i] += step;
    pts.push({ x, v: ev(x) });
  }
  while (evaluations < maxEval) {
    pts.sort((a, b) => a.v - b.v);
    if (Math.abs(pts[d].v - pts[0].v) <= tol * (1 + Math.abs(pts[0].v))) break;
    const c = new Array<number>(d).fill(0);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) c[j] += pts[i].x[j] / d;
    const at = (t: number) => c.map((cj, j) => cj + t * (pts[d].x[j] - cj));
    const xr = at(-1);
    const vr = ev(xr);
    if (vr < pts[0].v) {
      const xe = at(-2);
      const ve = ev(xe);
      pts[d] = ve < vr ? { x: xe, v: ve } : { x: xr, v: vr };
    } else if (vr < pts[d - 1].v) {
      pts[d] = { x: xr, v: vr };
    } else {
      const outside = vr < pts[d].v;
      const xc = at(outside ? -0.5 : 0.5);
      const vc = ev(xc);
      if (vc < (outside ? vr : pts[d].v)) pts[d] = { x: xc, v: vc };
      else {
        for (let i = 1; i <= d; i++) {
          const x = pts[i].x.map((xi, j) => pts[0].x[j] + 0.5 * (xi - pts[0].x[j]));
          pts[i] = { x, v: ev(x) };
        }
      }
    }
  }
  pts.sort((a, b) => a.v - b.v);
  return { x: pts[0].x, value: pts[0].v, evaluations };
}

/**
 * A one-parameter baseline for sizes: S − minSize geometric, P(S = s | S ≥ m) = (1 − ρ)ρ^(s − m), with the
 * closed-form MLE ρ = d / (1 + d), d = mean(s − m).
 */
export function geometricSizeFit(sizes: readonly number[], minSize: number): { rho: number; logPmf: (s: number) => number } {
  let d = 0;
  for (const s of sizes) d += s - minSize;
  d /= sizes.length;
  const rho = d / (1 + d);
  return { rho, logPmf: (s: number) => (s < minSize ? -Infinity : Math.log(1 - rho) + (s - minSize) * (rho > 0 ? Math.log(rho) : s === minSize ? 0 : -Infinity)) };
}

/**
 * A sampler of a law by inversion of its CDF, tabulated until the tail is below 1e-12 (at most `maxK` + 1 entries).
 * Exact up to that tail (the table's total is the normaliser); deterministic for a given Rng stream.
 */
export class LawSampler {
  private readonly cdf: Float64Array;
  constructor(readonly law: Law, maxK = 2_000_000) {
    const out: number[] = [];
    let c = 0;
    for (let k = 0; k <= maxK; k++) {
      const p = Math.exp(logPmf(law, k));
      c += p;
      out.push(c);
      // Past the mean the terms fall: stop when the rest is below 1e-12, or when a term is below 1e-18 (with r near
      // its bound, ln Γ(k + r) − ln Γ(r) carries ~1e-10 of rounding, so the sum may never come within 1e-12 of 1).
      if (k > law.mean && (1 - c < 1e-12 || p < 1e-18)) break;
    }
    this.cdf = Float64Array.from(out);
  }

  sample(rng: Rng): number {
    const u = rng.float() * this.cdf[this.cdf.length - 1];
    let lo = 0;
    let hi = this.cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cdf[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Delays (time per step)

export const DELAY_FAMILIES = ['exponential', 'lognormal', 'lognormal-tree'] as const;
export type DelayFamily = (typeof DELAY_FAMILIES)[number];

/**
 * The delay of one step (minutes). `lognormal-tree` adds a speed per tree: ln delay = a + u + b·z with u ~ N(0, τ²)
 * drawn once per tree and z ~ N(0, 1) per hop (a one-way random-effects model: a tree's hops share its pace), so its
 * hops are log-normal with σ² = b² + τ² each but correlated within a tree.
 */
export interface DelayLaw {
  family: DelayFamily;
  /** exponential: the mean; lognormal: μ of ln delay. */
  a: number;
  /** lognormal: σ of ln delay (within a tree for lognormal-tree); exponential: unused (0). */
  b: number;
  /** lognormal-tree: τ, the spread of the trees' ln pace; else 0. */
  tau: number;
}

/** MLE of an iid delay law on positive delays (minutes): exponential mean = sample mean; lognormal μ, σ of the logs. */
export function fitDelay(family: 'exponential' | 'lognormal', delays: readonly number[]): DelayLaw {
  const n = delays.length;
  if (family === 'exponential') return { family, a: delays.reduce((s, x) => s + x, 0) / n, b: 0, tau: 0 };
  let m = 0;
  for (const x of delays) m += Math.log(x);
  m /= n;
  let v = 0;
  for (const x of delays) v += (Math.log(x) - m) ** 2;
  return { family, a: m, b: Math.sqrt(v / n), tau: 0 };
}

/** Per tree and delay class: hops n, Σ ln d, Σ (ln d)² (the sufficient statistics of the lognormal-tree model). */
export interface TreeHopStats {
  n: Float64Array;
  s: Float64Array;
  s2: Float64Array;
}

/**
 * Mean log-likelihood per hop of the trees' hops under lognormal-tree laws (one per class, τ shared): each tree's
 * log-delays are jointly normal with covariance D + τ²11ᵀ (D = diag σ_c²), in closed form by Sherman–Morrison:
 * ln det = Σ ln σ_j² + ln(1 + τ²A), quadratic form Q − τ²B²/(1 + τ²A) with A = Σ 1/σ_j², B = Σ r_j/σ_j², Q = Σ r_j²/σ_j²;
 * minus Σ ln d (the density of d, not of ln d).
 */
export function treeDelayLogLik(trees: readonly TreeHopStats[], laws: readonly DelayLaw[]): number {
  let ll = 0;
  let hops = 0;
  const tau2 = laws[0].tau ** 2;
  for (const t of trees) {
    let A = 0;
    let B = 0;
    let Q = 0;
    let logDet = 0;
    let N = 0;
    let sumLog = 0;
    for (let c = 0; c < t.n.length; c++) {
      const n = t.n[c];
      if (n === 0) continue;
      const { a: mu, b } = laws[Math.min(c, laws.length - 1)];
      const v = b * b;
      A += n / v;
      B += (t.s[c] - n * mu) / v;
      Q += (t.s2[c] - 2 * mu * t.s[c] + n * mu * mu) / v;
      logDet += n * Math.log(v);
      N += n;
      sumLog += t.s[c];
    }
    if (N === 0) continue;
    ll += -0.5 * (N * Math.log(2 * Math.PI) + logDet + Math.log(1 + tau2 * A) + Q - (tau2 * B * B) / (1 + tau2 * A)) - sumLog;
    hops += N;
  }
  return hops ? ll / hops : NaN;
}

/** Maximum-likelihood lognormal-tree laws (Nelder–Mead on μ_c, ln σ_c, ln τ from the iid fit, τ starting at σ/2). */
export function fitTreeDelays(trees: readonly TreeHopStats[], start: readonly DelayLaw[]): DelayLaw[] {
  const C = start.length;
  const build = (x: ArrayLike<number>): DelayLaw[] =>
    Array.from({ length: C }, (_, c) => ({ family: 'lognormal-tree' as const, a: x[2 * c], b: Math.exp(x[2 * c + 1]), tau: Math.exp(x[2 * C]) }));
  const x0 = [...start.flatMap((l) => [l.a, Math.log(l.b)]), Math.log(start[0].b / 2)];
  const f = (x: ArrayLike<number>) => {
    const v = treeDelayLogLik(trees, build(x));
    return Number.isFinite(v) ? -v : 1e300;
  };
  let r = nelderMead(f, x0, { step: 0.3 });
  const again = nelderMead(f, r.x, { step: 0.05 });
  if (again.value <= r.value) r = again;
  return build(r.x);
}

export function delayLogPdf(law: DelayLaw, x: number): number {
  if (!(x > 0)) return -Infinity;
  if (law.family === 'exponential') return -Math.log(law.a) - x / law.a;
  const sd = Math.sqrt(law.b * law.b + law.tau * law.tau);
  const z = (Math.log(x) - law.a) / sd;
  return -Math.log(x * sd * Math.sqrt(2 * Math.PI)) - 0.5 * z * z;
}

/** The CDF of one hop's delay (lognormal-tree: the marginal over trees, σ² = b² + τ²). */
export function delayCdf(law: DelayLaw, x: number): number {
  if (!(x > 0)) return 0;
  if (law.family === 'exponential') return 1 - Math.exp(-x / law.a);
  return 0.5 * erfc(-(Math.log(x) - law.a) / (Math.sqrt(law.b * law.b + law.tau * law.tau) * Math.SQRT2));
}

export function delayMedian(law: DelayLaw): number {
  return law.family === 'exponential' ? law.a * Math.LN2 : Math.exp(law.a);
}

export function delayMean(law: DelayLaw): number {
  return law.family === 'exponential' ? law.a : Math.exp(law.a + (law.b * law.b + law.tau * law.tau) / 2);
}

/** A standard normal (Box–Muller, one per call). */
export function normal(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(rng.floatOpen())) * Math.cos(2 * Math.PI * rng.float());
}

/** One hop's delay; `pace` = the tree's u (lognormal-tree; 0 otherwise). */
export function sampleDelay(law: DelayLaw, rng: Rng, pace = 0): number {
  if (law.family === 'exponential') return -law.a * Math.log(rng.floatOpen());
  return Math.exp(law.a + pace + law.b * normal(rng));
}

/** erfc (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7: enough for a CDF). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 +
    t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}
