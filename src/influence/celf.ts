import type { CompiledGraph } from '../graph/compile.js';
import { CancelledError, InputError, UnprocessableError } from '../errors.js';
import { Rng } from '../diffusion/rng.js';
import { GainHeap } from './gain-heap.js';

/**
 * CELF greedy (Leskovec et al., "Cost-effective outbreak detection in networks", KDD 2007) with Monte
 * Carlo and common random numbers, for small graphs.
 *
 * The Monte Carlo runs are `runs` live-edge graphs (Kempe, Kleinberg, Tardos 2003) drawn once, world r
 * from the stream (seed, r): IC keeps arc a when U < p(a) (with a gate, `activity: 'gate'`, only in the worlds where
 * its sender passes things on: one draw per customer and world); LT lets each customer keep at most one in-arc,
 * chosen by b. Every candidate is evaluated on the same worlds, so the estimate σ̂(S) = mean reach of S
 * over the worlds is exactly monotone and submodular in S — which is what makes CELF's lazy evaluation
 * correct (with independent runs per evaluation the laziness would compare noise). The marginal gain of v
 * is the mean over worlds of customers reachable from v that S does not already reach.
 *
 * Limits (documented, checked): at most CELF_LIMITS.customers customers and CELF_LIMITS.arcs arcs, and
 * runs × arcs ≤ CELF_LIMITS.worldBits; beyond that use IMM.
 */
export const CELF_DEFAULTS = { runs: 1000, seed: 1 };
export const CELF_LIMITS = { customers: 5000, arcs: 200_000, worldBits: 800_000_000 };
const SALT_CELF = 0x43454c46;

export interface CelfOptions {
  k: number;
  model: 'ic' | 'lt';
  /** Per out-arc probability (IC p, LT b), e.g. from arcProbabilities(..., {perArc: true}) or ltWeights. */
  arcP: Float32Array;
  /**
   * IC with `activity: 'gate'` (activityGate): per customer, the chance it passes anything on in a world (one draw per
   * customer and world; its arcs then carry p without activity). Null or absent: no gate (the worlds as before).
   */
  gate?: Float32Array | null;
  /** Optional per-customer weight of reaching it (value); default 1 (reach). */
  weights?: Float64Array | null;
  runs?: number;
  seed?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface CelfResult {
  seeds: Int32Array;
  /** Estimated marginal gain (mean over worlds) of each seed in order. */
  gains: Float64Array;
  /** σ̂ of all seeds on the worlds. */
  estimate: number;
  runs: number;
  /** Marginal-gain evaluations done (n for the first round, then the lazy re-evaluations). */
  evaluations: number;
}

export function checkCelfSize(g: CompiledGraph, runs: number): void {
  if (g.n > CELF_LIMITS.customers || g.m > CELF_LIMITS.arcs || runs * g.m > CELF_LIMITS.worldBits) {
    throw new UnprocessableError(
      `celf: the graph is too large for Monte Carlo greedy (${g.n} customers, ${g.m} arcs, ${runs} runs; limits ` +
        `${CELF_LIMITS.customers} customers, ${CELF_LIMITS.arcs} arcs, runs × arcs ≤ ${CELF_LIMITS.worldBits}); use method "imm"`,
      { customers: g.n, arcs: g.m, runs },
    );
  }
}

export async function celf(g: CompiledGraph, o: CelfOptions): Promise<CelfResult> {
  const runs = o.runs ?? CELF_DEFAULTS.runs;
  const seed = o.seed ?? CELF_DEFAULTS.seed;
  const { k, signal } = o;
  const { n, m, outOffsets, outTargets, inOffsets, inArc } = g;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new InputError(`celf: k must be an integer in [1, ${n}] (the number of customers), got ${k}`);
  if (!Number.isInteger(runs) || runs < 1) throw new InputError(`celf: runs must be a positive integer, got ${runs}`);
  checkCelfSize(g, runs);
  const p = o.arcP;
  const weights = o.weights ?? null;
  const gate = o.model === 'ic' ? (o.gate ?? null) : null;

  // Live arcs of every world as one bitset: bit r·m + a.
  const live = new Uint8Array(Math.ceil((runs * m) / 8));
  const rng = new Rng();
  for (let r = 0; r < runs; r++) {
    rng.reseed(seed, r, SALT_CELF);
    const base = r * m;
    if (o.model === 'ic' && gate) {
      // Gate reading: customer u's arcs are live only in the worlds where u passes things on (one draw per world).
      for (let u = 0; u < n; u++) {
        if (gate[u] < 1 && !(rng.float() < gate[u])) continue;
        for (let a = outOffsets[u]; a < outOffsets[u + 1]; a++) {
          if (rng.float() < p[a]) {
            const bit = base + a;
            live[bit >>> 3] |= 1 << (bit & 7);
          }
        }
      }
    } else if (o.model === 'ic') {
      for (let a = 0; a < m; a++) {
        if (rng.float() < p[a]) {
          const bit = base + a;
          live[bit >>> 3] |= 1 << (bit & 7);
        }
      }
    } else {
      for (let v = 0; v < n; v++) {
        const u = rng.float();
        let acc = 0;
        for (let q = inOffsets[v]; q < inOffsets[v + 1]; q++) {
          acc += p[inArc[q]];
          if (u < acc) {
            const bit = base + inArc[q];
            live[bit >>> 3] |= 1 << (bit & 7);
            break;
          }
        }
      }
    }
  }

  // covered[r·n + v] = 1 when the chosen seeds reach v in world r.
  const covered = new Uint8Array(runs * n);
  const stamp = new Int32Array(n);
  const queue = new Int32Array(n);
  let epoch = 0;
  /** Sum over worlds of the weight newly reached from v (and, with `commit`, mark it covered). */
  const gainOf = (v: number, commit: boolean): number => {
    let total = 0;
    for (let r = 0; r < runs; r++) {
      const cb = r * n;
      if (covered[cb + v]) continue;
      const ep = ++epoch;
      const base = r * m;
      stamp[v] = ep;
      queue[0] = v;
      let tail = 1;
      let head = 0;
      while (head < tail) {
        const u = queue[head++];
        total += weights ? weights[u] : 1;
        if (commit) covered[cb + u] = 1;
        for (let a = outOffsets[u]; a < outOffsets[u + 1]; a++) {
          const bit = base + a;
          if ((live[bit >>> 3] & (1 << (bit & 7))) === 0) continue;
          const w = outTargets[a];
          if (stamp[w] === ep || covered[cb + w]) continue;
          stamp[w] = ep;
          queue[tail++] = w;
        }
      }
    }
    return total;
  };

  // Lazy greedy: max-heap of (upper bound on gain, customer, round it was computed in).
  const heap = new GainHeap(n);
  let evaluations = 0;
  const totalEvals = n + k;
  for (let v = 0; v < n; v++) {
    if ((v & 63) === 0) {
      if (signal?.aborted) throw new CancelledError();
      o.onProgress?.(evaluations, totalEvals);
      if (signal) await new Promise<void>((res) => setImmediate(res));
    }
    heap.add(gainOf(v, false), v, 0);
    evaluations++;
  }
  heap.heapify();

  const seeds = new Int32Array(k);
  const gains = new Float64Array(k);
  let estimate = 0;
  for (let round = 0; round < k; round++) {
    for (;;) {
      if (signal?.aborted) throw new CancelledError();
      if (heap.tag[0] === round) break;
      heap.setTop(gainOf(heap.node[0], false), round);
      evaluations++;
    }
    const v = heap.node[0];
    heap.pop();
    const g1 = gainOf(v, true) / runs;
    seeds[round] = v;
    gains[round] = g1;
    estimate += g1;
    o.onProgress?.(Math.min(evaluations, totalEvals), totalEvals);
  }
  return { seeds, gains, estimate, runs, evaluations };
}
