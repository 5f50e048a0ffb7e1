/**
 * Pure statistics of the cascade-fit (calibration) study, issue 19.7: size likelihoods that account for how the
 * cascades were selected (only cascades of at least `minSize` adopters are in the data, so every model and
 * baseline is conditioned on S >= minSize), KS distance between size distributions, and adopter-ranking scores
 * (AUC, average precision at 10).
 */

/**
 * Log-spaced size bins over [minSize, maxSize]: edges e0 = minSize, e(j+1) = max(ej + 1, ceil(ej · 2^(1/perDoubling))).
 * Bin j holds the integer sizes ej .. e(j+1) − 1; the last edge is maxSize + 1.
 */
export function logBins(minSize: number, maxSize: number, perDoubling: number): number[] {
  const edges = [minSize];
  const f = 2 ** (1 / perDoubling);
  while (edges[edges.length - 1] <= maxSize) {
    const e = edges[edges.length - 1];
    edges.push(Math.min(maxSize + 1, Math.max(e + 1, Math.ceil(e * f))));
  }
  return edges;
}

/**
 * A size distribution on [minSize, maxSize] from samples (sizes below minSize are dropped: the conditioning on
 * S >= minSize), smoothed on log bins: P(bin j) = (c_j + α/J) / (C + α), uniform within a bin. With α > 0 every size
 * in the support has positive probability, so a log-likelihood is always finite; with no sample >= minSize the
 * distribution is the prior alone (uniform over the J bins).
 */
export class SizeDistribution {
  readonly edges: number[];
  private readonly binP: Float64Array;
  /** Samples at or above minSize (the conditioning event's count). */
  readonly kept: number;

  constructor(samples: ArrayLike<number>, readonly minSize: number, readonly maxSize: number, perDoubling: number, readonly alpha: number) {
    this.edges = logBins(minSize, maxSize, perDoubling);
    const J = this.edges.length - 1;
    const counts = new Float64Array(J);
    let kept = 0;
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i];
      if (s < minSize) continue;
      counts[this.bin(Math.min(s, maxSize))]++;
      kept++;
    }
    this.kept = kept;
    this.binP = new Float64Array(J);
    const denom = kept + alpha;
    for (let j = 0; j < J; j++) this.binP[j] = denom > 0 ? (counts[j] + alpha / J) / denom : 1 / J;
  }

  bin(s: number): number {
    const e = this.edges;
    let lo = 0;
    let hi = e.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (e[mid] <= s) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** P(S = s | S >= minSize). */
  pmf(s: number): number {
    if (s < this.minSize || s > this.maxSize) return 0;
    const j = this.bin(s);
    return this.binP[j] / (this.edges[j + 1] - this.edges[j]);
  }

  logPmf(s: number): number {
    return Math.log(this.pmf(Math.min(s, this.maxSize)));
  }

  /** P(S <= s | S >= minSize). */
  cdf(s: number): number {
    if (s < this.minSize) return 0;
    if (s >= this.maxSize) return 1;
    const j = this.bin(s);
    let c = 0;
    for (let i = 0; i < j; i++) c += this.binP[i];
    return c + (this.binP[j] * (s - this.edges[j] + 1)) / (this.edges[j + 1] - this.edges[j]);
  }
}

/** Empirical CDF of integer sizes, as a function. */
export function empiricalCdf(sizes: readonly number[]): (s: number) => number {
  const sorted = [...sizes].sort((a, b) => a - b);
  return (s: number) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid] <= s) lo = mid + 1;
      else hi = mid;
    }
    return sorted.length ? lo / sorted.length : 0;
  };
}

/**
 * Kolmogorov–Smirnov distance sup_s |F(s) − G(s)| between a model CDF and the empirical CDF of observed sizes,
 * over the integer sizes minSize .. maxSize (both are step functions on the integers, so this is the exact sup).
 */
export function ksDistance(model: (s: number) => number, observed: readonly number[], minSize: number, maxSize: number): number {
  const emp = empiricalCdf(observed);
  let d = 0;
  for (let s = minSize; s <= maxSize; s++) d = Math.max(d, Math.abs(model(s) - emp(s)));
  return d;
}

/**
 * Area under the ROC curve of `scores` for the positives (Mann–Whitney U with average ranks for ties, so a
 * constant score gives exactly 0.5). NaN without positives or without negatives.
 */
export function auc(scores: ArrayLike<number>, positive: (i: number) => boolean): number {
  const n = scores.length;
  const idx = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let rankSum = 0;
  let pos = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[idx[j + 1]] === scores[idx[i]]) j++;
    const r = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) {
      if (positive(idx[t])) {
        rankSum += r;
        pos++;
      }
    }
    i = j + 1;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/**
 * Average precision at k: (1 / min(k, |positives|)) Σ_{i <= k} precision@i · rel_i over the top k by score (ties
 * broken by the lower index: deterministic). NaN without positives.
 */
export function averagePrecisionAt(scores: ArrayLike<number>, positive: (i: number) => boolean, positives: number, k = 10): number {
  if (positives === 0) return NaN;
  const n = scores.length;
  const top: number[] = [];
  // Partial selection: k passes are fine for k = 10.
  const taken = new Uint8Array(n);
  for (let r = 0; r < Math.min(k, n); r++) {
    let best = -1;
    for (let i = 0; i < n; i++) if (!taken[i] && (best < 0 || scores[i] > scores[best])) best = i;
    taken[best] = 1;
    top.push(best);
  }
  let hits = 0;
  let sum = 0;
  for (let r = 0; r < top.length; r++) {
    if (positive(top[r])) {
      hits++;
      sum += hits / (r + 1);
    }
  }
  return sum / Math.min(k, positives);
}

/** Mean of the finite values (NaN when none). */
export function finiteMean(xs: readonly number[]): number {
  let s = 0;
  let c = 0;
  for (const x of xs) {
    if (Number.isFinite(x)) {
      s += x;
      c++;
    }
  }
  return c ? s / c : NaN;
}

/** Median and quartiles (type 7) of the values. */
export function quartiles(xs: readonly number[]): { q1: number; median: number; q3: number } {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => {
    if (s.length === 0) return NaN;
    const h = (s.length - 1) * p;
    const lo = Math.floor(h);
    return s[lo] + (h - lo) * ((s[Math.min(lo + 1, s.length - 1)] ?? s[lo]) - s[lo]);
  };
  return { q1: q(0.25), median: q(0.5), q3: q(0.75) };
}
