import type { CompiledGraph } from '../src/graph/compile.js';
import { DEFAULT_KERNEL_PARAMS, KernelScratch, Recorder, Tracer, type KernelParams } from '../src/diffusion/kernel.js';
import type { KernelPlan } from '../src/diffusion/kernels/compartmental.js';
import { Rng } from '../src/diffusion/rng.js';
import { Scratch } from '../src/diffusion/scratch.js';

/** Test driver for the catalogue kernels: runs `runs` runs on streams (seed, r), one Recorder per run. */
export type KernelFn = (g: CompiledGraph, plan: KernelPlan, s: Scratch, ks: KernelScratch, rng: Rng, rec: Recorder) => number;

export interface RunSample {
  reach: number[];
  extra1: number[];
  extra2: number[];
  /** Per run, per compartment k, the count at each step 0 .. horizon (carried forward). */
  curve: (run: number, k: number, step: number) => number;
  /** Per run, cumulative "newly reached" by step. */
  steps: (run: number, step: number) => number;
}

export function plan(g: CompiledGraph, seeds: number[], kernel: Partial<KernelParams>, o: { maxSteps?: number; p?: number; arcP?: Float32Array } = {}): KernelPlan {
  const nodeP = o.arcP ? null : new Float64Array(g.n).fill(o.p ?? 1);
  return {
    seeds: Int32Array.from(seeds),
    maxSteps: o.maxSteps ?? 1000,
    nodeP,
    arcP: o.arcP ?? null,
    kernel: { ...DEFAULT_KERNEL_PARAMS, ...kernel },
  };
}

export function sample(fn: KernelFn, g: CompiledGraph, p: KernelPlan, runs: number, seed = 1): RunSample {
  const s = new Scratch(g.n);
  const ks = new KernelScratch(g.n, g.m);
  const rng = new Rng();
  const reach: number[] = [];
  const extra1: number[] = [];
  const extra2: number[] = [];
  const curves: Float64Array[][] = [];
  const steps: Float64Array[] = [];
  for (let r = 0; r < runs; r++) {
    rng.reseed(seed, r);
    const rec = new Recorder(p.kernel.compartments);
    reach.push(fn(g, p, s, ks, rng, rec));
    extra1.push(rec.extra1);
    extra2.push(rec.extra2);
    curves.push(rec.curves.map((c) => {
      c.endRun(); // a curve records a run's change at a step when the next step starts, or the run ends
      return c.take().sums;
    }));
    steps.push(rec.steps.take());
  }
  const cum = (d: Float64Array, step: number) => {
    let x = 0;
    for (let t = 0; t <= step && t < d.length; t++) x += d[t];
    return x;
  };
  return {
    reach, extra1, extra2,
    curve: (run, k, step) => cum(curves[run][k], step),
    steps: (run, step) => cum(steps[run], step),
  };
}

/** One traced run (stream (seed, run)). */
export function traced(fn: KernelFn, g: CompiledGraph, p: KernelPlan, seed = 1, run = 0): { reach: number; tracer: Tracer } {
  const rng = new Rng(seed, run);
  const rec = new Recorder(p.kernel.compartments);
  rec.tracer = new Tracer();
  const reach = fn(g, p, new Scratch(g.n), new KernelScratch(g.n, g.m), rng, rec);
  return { reach, tracer: rec.tracer };
}

export function meanSe(xs: number[]): { mean: number; se: number } {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, n - 1);
  return { mean, se: Math.sqrt(v / n) };
}

/** |estimate − exact| <= 4 SE (with a floor for SE 0, when every run agrees). */
export function within4se(xs: number[], exact: number): { ok: boolean; mean: number; se: number } {
  const { mean, se } = meanSe(xs);
  return { ok: Math.abs(mean - exact) <= 4 * Math.max(se, 1e-9) + 1e-9, mean, se };
}

/**
 * Exact distribution over global states of a synchronous per-customer Markov chain on a tiny graph: given
 * the global state, every customer moves independently with `next(v, state)` (a distribution over its
 * K local states). States are base-K numbers. Returns the distribution after each step 0 .. steps.
 */
export function exactChain(n: number, K: number, start: number[], next: (v: number, st: number[]) => number[], steps: number): Map<number, number>[] {
  const encode = (st: number[]) => st.reduce((acc, x, i) => acc + x * K ** i, 0);
  const decode = (code: number) => Array.from({ length: n }, (_, i) => Math.floor(code / K ** i) % K);
  let dist = new Map<number, number>([[encode(start), 1]]);
  const out = [dist];
  for (let t = 0; t < steps; t++) {
    const nd = new Map<number, number>();
    for (const [code, w] of dist) {
      const st = decode(code);
      const local = st.map((_, v) => next(v, st));
      // product of the local distributions
      let partial = new Map<number, number>([[0, w]]);
      for (let v = 0; v < n; v++) {
        const np = new Map<number, number>();
        for (const [c, pw] of partial) {
          for (let x = 0; x < K; x++) {
            const q = local[v][x];
            if (q === 0) continue;
            const c2 = c + x * K ** v;
            np.set(c2, (np.get(c2) ?? 0) + pw * q);
          }
        }
        partial = np;
      }
      for (const [c, pw] of partial) nd.set(c, (nd.get(c) ?? 0) + pw);
    }
    dist = nd;
    out.push(dist);
  }
  return out;
}

/** E[number of customers in local state x] under a distribution of exactChain. */
export function expectedCount(dist: Map<number, number>, n: number, K: number, x: number): number {
  let e = 0;
  for (const [code, w] of dist) {
    for (let i = 0; i < n; i++) if (Math.floor(code / K ** i) % K === x) e += w;
  }
  return e;
}
