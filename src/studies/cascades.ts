import { ParseError } from '../errors.js';

/**
 * Observed cascades and the statistics of the cascade-fit study (pure).
 * File format (Inf-VAE, Sankar et al. WSDM 2020): one cascade per line, `seed u1 t1 u2 t2 ...`,
 * times are offsets from the seed. The observed size counts the seed and every distinct adopter.
 */

export interface Cascade {
  seed: string;
  /** Distinct adopters other than the seed, in order of adoption. */
  adopters: string[];
  /** Adoption time of each adopter (same order; the first time a repeated adopter appears), offsets from the seed. */
  times: number[];
  size: number;
}

export function parseCascades(text: string, source: string): Cascade[] {
  const out: Cascade[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const tok = lines[i].trim().split(/\s+/).filter((t) => t !== '');
    if (tok.length === 0) continue;
    if (tok.length % 2 !== 1) throw new ParseError(source, i + 1, `a cascade is "seed u1 t1 u2 t2 ...": got ${tok.length} fields (an even count)`);
    const seed = tok[0];
    const seen = new Set<string>([seed]);
    const adopters: string[] = [];
    const times: number[] = [];
    for (let j = 1; j < tok.length; j += 2) {
      const t = Number(tok[j + 1]);
      if (!Number.isFinite(t)) throw new ParseError(source, i + 1, `time ${JSON.stringify(tok[j + 1].slice(0, 40))} is not a number`);
      if (!seen.has(tok[j])) {
        seen.add(tok[j]);
        adopters.push(tok[j]);
        times.push(t);
      }
    }
    out.push({ seed, adopters, times, size: 1 + adopters.length });
  }
  return out;
}

export function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return xs.length ? s / xs.length : NaN;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function pearson(x: readonly number[], y: readonly number[]): number {
  const n = Math.min(x.length, y.length);
  if (n < 2) return NaN;
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const a = x[i] - mx;
    const b = y[i] - my;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
}

/** Ranks with ties averaged (1-based). */
export function ranks(x: readonly number[]): number[] {
  const idx = x.map((_, i) => i).sort((a, b) => x[a] - x[b] || a - b);
  const r = new Array<number>(x.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && x[idx[j + 1]] === x[idx[i]]) j++;
    for (let t = i; t <= j; t++) r[idx[t]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}

export function spearman(x: readonly number[], y: readonly number[]): number {
  return pearson(ranks(x), ranks(y));
}

/** Least squares y = a + b·x. */
export function linearFit(x: readonly number[], y: readonly number[]): { a: number; b: number } {
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
  }
  const b = sxx > 0 ? sxy / sxx : 0;
  return { a: my - b * mx, b };
}

/** Mean squared error of log sizes: the fit objective (sizes span two orders of magnitude). */
export function logLoss(pred: readonly number[], obs: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < obs.length; i++) s += (Math.log(Math.max(pred[i], 1e-9)) - Math.log(obs[i])) ** 2;
  return obs.length ? s / obs.length : NaN;
}

export interface PredictionMetrics {
  /** Pearson correlation of log sizes. */
  pearsonLog: number;
  spearman: number;
  /** Median |predicted − observed| (customers). */
  medianAbsError: number;
  /** Median |ln predicted − ln observed| (a factor e^x off). */
  medianAbsLogError: number;
  /** Mean predicted / mean observed. */
  meanRatio: number;
}

export function predictionMetrics(pred: readonly number[], obs: readonly number[]): PredictionMetrics {
  const lp = pred.map((v) => Math.log(Math.max(v, 1e-9)));
  const lo = obs.map((v) => Math.log(v));
  return {
    pearsonLog: pearson(lp, lo),
    spearman: spearman(pred, obs),
    medianAbsError: median(pred.map((v, i) => Math.abs(v - obs[i]))),
    medianAbsLogError: median(lp.map((v, i) => Math.abs(v - lo[i]))),
    meanRatio: mean(pred) / mean(obs),
  };
}

const PHI = (Math.sqrt(5) - 1) / 2;

/**
 * Minimise f over [lo, hi] on a log scale: a log-spaced grid of `points`, then golden-section search
 * in the bracket around the best grid point. Returns every evaluation (x, f) in evaluation order.
 */
export async function logGridGolden(
  f: (x: number) => Promise<number>, lo: number, hi: number, points: number, iterations: number,
): Promise<{ best: number; bestValue: number; evaluations: { x: number; value: number; phase: 'grid' | 'golden' }[] }> {
  const evals: { x: number; value: number; phase: 'grid' | 'golden' }[] = [];
  const l0 = Math.log(lo);
  const l1 = Math.log(hi);
  const grid = Array.from({ length: points }, (_, i) => Math.exp(l0 + ((l1 - l0) * i) / (points - 1)));
  for (const x of grid) evals.push({ x, value: await f(x), phase: 'grid' });
  let bi = 0;
  for (let i = 1; i < grid.length; i++) if (evals[i].value < evals[bi].value) bi = i;
  let a = Math.log(grid[Math.max(0, bi - 1)]);
  let b = Math.log(grid[Math.min(grid.length - 1, bi + 1)]);
  let c = b - PHI * (b - a);
  let d = a + PHI * (b - a);
  const g = async (lx: number) => {
    const x = Math.exp(lx);
    const value = await f(x);
    evals.push({ x, value, phase: 'golden' });
    return value;
  };
  if (iterations > 0) {
    let fc = await g(c);
    let fd = await g(d);
    for (let i = 2; i < iterations; i++) {
      if (fc < fd) {
        b = d;
        d = c;
        fd = fc;
        c = b - PHI * (b - a);
        fc = await g(c);
      } else {
        a = c;
        c = d;
        fc = fd;
        d = a + PHI * (b - a);
        fd = await g(d);
      }
    }
  }
  let best = evals[0];
  for (const e of evals) if (e.value < best.value) best = e;
  return { best: best.x, bestValue: best.value, evaluations: evals };
}
