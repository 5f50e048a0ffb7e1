import type { CompiledGraph } from '../graph/compile.js';
import { CancelledError, InputError } from '../errors.js';
import { arcProbabilities, ltWeights } from '../diffusion/probability.js';
import { Rng } from '../diffusion/rng.js';
import type { ProbabilityScheme } from '../diffusion/request.js';
import { sharedF32, sharedF64, sharedI32 } from '../graph/shared-array.js';

/**
 * Reverse-reachable (RR) sets (Borgs, Brautbar, Chayes, Lucier, SODA 2014) for IC and LT.
 *
 * An RR set picks a root (uniformly, or with probability proportional to customer value) and walks arcs
 * backwards, keeping each with its live-edge probability (Kempe, Kleinberg, Tardos 2003):
 * - IC: every in-arc u->v of a reached customer v is kept independently with p(u,v) (reverse BFS);
 * - LT: a reached customer v keeps at most one in-arc, u->v with probability b(u,v), none with 1 - Σb —
 *   a reverse random walk that stops on "none" or when it returns to a customer already in the set.
 * For any seed set S, n · Pr[S meets an RR set] is the expected reach of S; with value-weighted roots,
 * totalValue · Pr[...] is the expected value reached.
 *
 * Randomness: RR sets come in batches of RR_BATCH; batch b draws from the stream (seed, b, salt), so a
 * collection is the same whatever thread generated which batch. Collections are flat typed arrays
 * (members + offsets), grown by doubling: no object per set.
 */

export const RR_BATCH = 1024;

/** What a sampler needs; every array lives on a SharedArrayBuffer so that workers read it without a copy. */
export interface RRSpec {
  model: 'ic' | 'lt';
  n: number;
  /** Probability (IC p, LT b) of each in-arc position q, i.e. of the out-arc inArc[q]. */
  inP: Float32Array;
  /** Per customer: the probability shared by all its in-arcs, or -1 when they differ (enables O(1) steps). */
  nodeInP: Float64Array;
  /** Value-weighted roots: Walker alias tables over customer value; null = uniform roots. */
  aliasProb: Float64Array | null;
  aliasIdx: Int32Array | null;
  /** Scale of estimates: n for uniform roots, totalValue for value-weighted roots. */
  scale: number;
}

export interface RRSpecOptions {
  model: 'ic' | 'lt';
  probability: ProbabilityScheme;
  p: number;
  /** Roots with probability proportional to customer value (estimates become value reached). */
  valueWeighted?: boolean;
}


/**
 * Precompute what RR sampling reads: per-arc probabilities exactly as the engine's simulate() uses them
 * (arcProbabilities for IC, ltWeights for LT — so LT in-sums above 1 are the same 422), laid out in
 * in-arc order, and alias tables for value-weighted roots.
 */
export function rrSpec(g: CompiledGraph, o: RRSpecOptions): RRSpec {
  const { n, inOffsets, inArc } = g;
  const arcP = o.model === 'lt' ? ltWeights(g, o.probability, o.p) : arcProbabilities(g, o.probability, o.p, { perArc: true }).arcP!;
  const inP = sharedF32(g.m);
  const nodeInP = sharedF64(n);
  for (let v = 0; v < n; v++) {
    const s = inOffsets[v];
    const e = inOffsets[v + 1];
    let common = e > s ? arcP[inArc[s]] : 0;
    for (let q = s; q < e; q++) {
      const x = arcP[inArc[q]];
      inP[q] = x;
      if (x !== common) common = -1;
    }
    nodeInP[v] = common;
  }
  let aliasProb: Float64Array | null = null;
  let aliasIdx: Int32Array | null = null;
  let scale = n;
  if (o.valueWeighted) {
    if (!(g.totalValue > 0)) throw new InputError('value-weighted influence needs customers with positive value (the total value is 0)');
    ({ aliasProb, aliasIdx } = aliasTables(g.value));
    scale = g.totalValue;
  }
  return { model: o.model, n, inP, nodeInP, aliasProb, aliasIdx, scale };
}

/** Walker/Vose alias tables: draw i uniformly, keep it with prob[i], else take alias[i]. O(n). */
export function aliasTables(weights: Float64Array): { aliasProb: Float64Array; aliasIdx: Int32Array } {
  const n = weights.length;
  const prob = sharedF64(n);
  const alias = sharedI32(n);
  let total = 0;
  for (let i = 0; i < n; i++) total += weights[i];
  const scaled = new Float64Array(n);
  const small = new Int32Array(n);
  const large = new Int32Array(n);
  let ns = 0;
  let nl = 0;
  for (let i = 0; i < n; i++) {
    scaled[i] = (weights[i] * n) / total;
    if (scaled[i] < 1) small[ns++] = i;
    else large[nl++] = i;
  }
  while (ns > 0 && nl > 0) {
    const s = small[--ns];
    const l = large[nl - 1];
    prob[s] = scaled[s];
    alias[s] = l;
    scaled[l] = scaled[l] + scaled[s] - 1;
    if (scaled[l] < 1) {
      nl--;
      small[ns++] = l;
    }
  }
  while (nl > 0) {
    const l = large[--nl];
    prob[l] = 1;
    alias[l] = l;
  }
  while (ns > 0) {
    const s = small[--ns]; // only through rounding
    prob[s] = 1;
    alias[s] = s;
  }
  return { aliasProb: prob, aliasIdx: alias };
}

/** A flat, growable collection of RR sets: set i is members[offsets[i] .. offsets[i+1]); its root comes first. */
export class RRCollection {
  members: Int32Array;
  offsets: Int32Array;
  count = 0;
  constructor(initialSets = 1024, initialMembers = 4096) {
    this.members = new Int32Array(Math.max(16, initialMembers));
    this.offsets = new Int32Array(Math.max(16, initialSets + 1));
  }
  /** Members stored (sum of set sizes). */
  get size(): number {
    return this.offsets[this.count];
  }
  reserveMembers(total: number): void {
    if (total <= this.members.length) return;
    let cap = this.members.length;
    while (cap < total) cap = Math.min(2 ** 31 - 1, cap * 2);
    if (cap < total) throw new InputError(`RR sets: more than ${cap} members; lower the precision (raise epsilon) or use a smaller graph`);
    const next = new Int32Array(cap);
    next.set(this.members.subarray(0, this.size));
    this.members = next;
  }
  reserveSets(count: number): void {
    if (count + 1 <= this.offsets.length) return;
    let cap = this.offsets.length;
    while (cap < count + 1) cap *= 2;
    const next = new Int32Array(cap);
    next.set(this.offsets.subarray(0, this.count + 1));
    this.offsets = next;
  }
  /** Append sets given as (members, offsets) with offsets[0] = 0 and offsets.length = sets + 1. */
  append(members: Int32Array, offsets: Int32Array): void {
    const sets = offsets.length - 1;
    const base = this.size;
    this.reserveMembers(base + offsets[sets]);
    this.reserveSets(this.count + sets);
    this.members.set(members.subarray(0, offsets[sets]), base);
    const o = this.offsets;
    for (let i = 1; i <= sets; i++) o[this.count + i] = base + offsets[i];
    this.count += sets;
  }
}

/**
 * An RRCollection that keeps no sets: each appended batch is counted into `counts` (per customer, the sets that
 * contain it, roots excluded with `excludeRoot`) and dropped. growRR fills it exactly like a collection (same
 * batches, same order), so counts equal memberCounts() of the stored collection while memory stays O(n) instead
 * of O(sets × set size) (a 34-customer graph with 50M value RR sets would hold gigabytes).
 */
export class RRCounter extends RRCollection {
  readonly counts: Int32Array;
  private members_ = 0;
  constructor(n: number, private readonly excludeRoot: boolean) {
    super(0, 0);
    this.counts = new Int32Array(n);
  }
  override get size(): number {
    return this.members_;
  }
  override reserveMembers(): void {}
  override reserveSets(): void {}
  override append(members: Int32Array, offsets: Int32Array): void {
    const sets = offsets.length - 1;
    const counts = this.counts;
    const skip = this.excludeRoot ? 1 : 0;
    for (let i = 0; i < sets; i++) for (let x = offsets[i] + skip; x < offsets[i + 1]; x++) counts[members[x]]++;
    this.members_ += offsets[sets];
    this.count += sets;
  }
}

/** Reusable per-thread state of a sampler (no allocation per RR set). */
class RRScratch {
  readonly stamp: Int32Array;
  readonly queue: Int32Array;
  epoch = 0;
  constructor(n: number) {
    this.stamp = new Int32Array(n);
    this.queue = new Int32Array(n);
  }
  next(): number {
    if (this.epoch >= 0x7ffffffe) {
      this.stamp.fill(0);
      this.epoch = 0;
    }
    return ++this.epoch;
  }
}
const scratches = new WeakMap<Int32Array, RRScratch>();
function scratchFor(g: CompiledGraph): RRScratch {
  let s = scratches.get(g.inOffsets);
  if (!s) {
    s = new RRScratch(g.n);
    scratches.set(g.inOffsets, s);
  }
  return s;
}

/** Growable output of a batch run (per call, not per set). */
class Out {
  members = new Int32Array(4096);
  offsets: Int32Array;
  sets = 0;
  constructor(sets: number) {
    this.offsets = new Int32Array(sets + 1);
  }
  ensure(extra: number): void {
    const need = this.offsets[this.sets] + extra;
    if (need <= this.members.length) return;
    let cap = this.members.length * 2;
    while (cap < need) cap *= 2;
    const next = new Int32Array(cap);
    next.set(this.members.subarray(0, this.offsets[this.sets]));
    this.members = next;
  }
}

/**
 * Generate the RR sets of batches [fromBatch, toBatch) in this thread: RR_BATCH sets per batch, batch b
 * from the stream (seed, b, salt). Returns members (trimmed copy) and offsets (length sets + 1, from 0).
 */
export function sampleBatches(
  g: CompiledGraph, spec: RRSpec, seed: number, salt: number, fromBatch: number, toBatch: number,
  isCancelled?: () => boolean,
): { members: Int32Array; offsets: Int32Array } {
  const sets = (toBatch - fromBatch) * RR_BATCH;
  const out = new Out(sets);
  const s = scratchFor(g);
  const rng = new Rng();
  const n = g.n;
  for (let b = fromBatch; b < toBatch; b++) {
    if (isCancelled?.()) throw new CancelledError();
    rng.reseed(seed, b, salt);
    for (let i = 0; i < RR_BATCH; i++) {
      out.ensure(n);
      const root = drawRoot(spec, rng, n);
      const len = spec.model === 'ic' ? reverseIc(g, spec, s, rng, root, out.members, out.offsets[out.sets]) : reverseLt(g, spec, s, rng, root, out.members, out.offsets[out.sets]);
      out.offsets[out.sets + 1] = out.offsets[out.sets] + len;
      out.sets++;
    }
  }
  return { members: out.members.slice(0, out.offsets[sets]), offsets: out.offsets };
}

function drawRoot(spec: RRSpec, rng: Rng, n: number): number {
  const i = rng.int(n);
  const prob = spec.aliasProb;
  if (!prob) return i;
  return rng.float() < prob[i] ? i : spec.aliasIdx![i];
}

/**
 * IC reverse BFS from root; writes the set into dst[at ..] and returns its size. Where all in-arcs of v
 * share one probability c (uniform p, or weighted cascade with unit weights), the next kept in-arc is
 * found by geometric skipping, floor(log U / log(1 - c)): cost proportional to arcs kept.
 */
function reverseIc(g: CompiledGraph, spec: RRSpec, s: RRScratch, rng: Rng, root: number, dst: Int32Array, at: number): number {
  const ep = s.next();
  const stamp = s.stamp;
  const { inOffsets, inSources } = g;
  const { inP, nodeInP } = spec;
  stamp[root] = ep;
  dst[at] = root;
  let tail = at + 1;
  let head = at;
  while (head < tail) {
    const v = dst[head++];
    const e = inOffsets[v + 1];
    let q = inOffsets[v];
    if (q === e) continue;
    const c = nodeInP[v];
    if (c >= 0) {
      if (c <= 0) continue;
      if (c >= 1) {
        for (; q < e; q++) {
          const u = inSources[q];
          if (stamp[u] !== ep) {
            stamp[u] = ep;
            dst[tail++] = u;
          }
        }
        continue;
      }
      const lq = Math.log1p(-c);
      q += Math.floor(Math.log(rng.floatOpen()) / lq);
      while (q < e) {
        const u = inSources[q];
        if (stamp[u] !== ep) {
          stamp[u] = ep;
          dst[tail++] = u;
        }
        q += 1 + Math.floor(Math.log(rng.floatOpen()) / lq);
      }
    } else {
      for (; q < e; q++) {
        if (rng.float() < inP[q]) {
          const u = inSources[q];
          if (stamp[u] !== ep) {
            stamp[u] = ep;
            dst[tail++] = u;
          }
        }
      }
    }
  }
  return tail - at;
}

/**
 * LT reverse random walk from root: at v draw r ~ U[0,1) and keep the in-arc whose cumulative b interval
 * holds r (none when r >= Σb); stop on none or on a customer already in the set. O(1) per step when all
 * in-arcs of v share one weight, else a scan of v's in-arcs.
 */
function reverseLt(g: CompiledGraph, spec: RRSpec, s: RRScratch, rng: Rng, root: number, dst: Int32Array, at: number): number {
  const ep = s.next();
  const stamp = s.stamp;
  const { inOffsets, inSources } = g;
  const { inP, nodeInP } = spec;
  stamp[root] = ep;
  dst[at] = root;
  let tail = at + 1;
  let v = root;
  for (;;) {
    const st = inOffsets[v];
    const e = inOffsets[v + 1];
    if (st === e) break;
    const r = rng.float();
    const c = nodeInP[v];
    let q = -1;
    if (c >= 0) {
      if (c <= 0) break;
      const j = Math.floor(r / c);
      if (j < e - st) q = st + j;
    } else {
      let acc = 0;
      for (let x = st; x < e; x++) {
        acc += inP[x];
        if (r < acc) {
          q = x;
          break;
        }
      }
    }
    if (q < 0) break;
    const u = inSources[q];
    if (stamp[u] === ep) break;
    stamp[u] = ep;
    dst[tail++] = u;
    v = u;
  }
  return tail - at;
}

/** Payload of the pool's `rr-sets` task. */
export interface RRSetsPayload {
  spec: RRSpec;
  seed: number;
  salt: number;
  fromBatch: number;
  toBatch: number;
}

/** The `rr-sets` task handler (see src/workers/tasks.ts): batches [fromBatch, toBatch) in a worker. */
export function rrSetsTask(graph: CompiledGraph, payload: RRSetsPayload, ctx: { isCancelled(): boolean }): { members: Int32Array; offsets: Int32Array } {
  return sampleBatches(graph, payload.spec, payload.seed, payload.salt, payload.fromBatch, payload.toBatch, ctx.isCancelled);
}

/** What RR generation needs from a worker pool (structurally src/workers/pool.ts's WorkerPool). */
export interface RRPool {
  readonly size: number;
  run<T>(task: string, graph: CompiledGraph, payload: unknown, opts?: { signal?: AbortSignal; onProgress?: (data: unknown) => void }): Promise<T>;
}

export interface GrowOptions {
  pool?: RRPool;
  signal?: AbortSignal;
  /** (RR sets in the collection, target). */
  onProgress?: (done: number, total: number) => void;
}

/** Batches per in-thread step between event-loop yields (cancellation and progress). */
const BATCHES_PER_STEP = 16;
/** Most RR batches (of RR_BATCH sets) in one worker task. */
const MAX_BATCHES_PER_TASK = 64;

/**
 * Grow `coll` to at least `target` sets (rounded up to whole batches). The collection must hold whole
 * batches of the same (spec, seed, salt) so far. With a pool, batch ranges run on the workers and are
 * appended in batch order: the collection is identical for any number of workers.
 */
export async function growRR(
  g: CompiledGraph, spec: RRSpec, seed: number, salt: number, coll: RRCollection, target: number, opts: GrowOptions = {},
): Promise<void> {
  const { signal, pool, onProgress } = opts;
  const fromBatch = Math.ceil(coll.count / RR_BATCH);
  const toBatch = Math.ceil(target / RR_BATCH);
  if (toBatch <= fromBatch) return;
  coll.reserveSets(toBatch * RR_BATCH);
  if (pool && pool.size > 1 && toBatch - fromBatch >= 4) {
    // Tasks of at most MAX_BATCHES_PER_TASK batches, at most 2 per worker in flight: the sets waiting to be
    // appended (in batch order) stay bounded whatever the target (the split does not change any set).
    const chunks = Math.min(toBatch - fromBatch, pool.size * 4);
    const per = Math.min(MAX_BATCHES_PER_TASK, Math.ceil((toBatch - fromBatch) / chunks));
    const window = pool.size * 2;
    const inner = new AbortController();
    const onAbort = () => inner.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) inner.abort();
    const results: ({ members: Int32Array; offsets: Int32Array } | null)[] = [];
    let next = 0; // next chunk to append, so appends stay in batch order
    const tasks: Promise<void>[] = [];
    const pending = new Set<Promise<void>>();
    let failed: unknown;
    try {
      for (let c = 0, b = fromBatch; b < toBatch && failed === undefined; c++, b += per) {
        while (pending.size >= window || (c - next >= window * 2 && pending.size > 0)) await Promise.race(pending);
        if (failed !== undefined || inner.signal.aborted) break;
        const payload: RRSetsPayload = { spec, seed, salt, fromBatch: b, toBatch: Math.min(toBatch, b + per) };
        results.push(null);
        const task = pool.run<{ members: Int32Array; offsets: Int32Array }>('rr-sets', g, payload, { signal: inner.signal }).then((r) => {
          results[c] = r;
          while (next < results.length && results[next]) {
            const x = results[next]!;
            coll.append(x.members, x.offsets);
            results[next] = null;
            next++;
            onProgress?.(coll.count, toBatch * RR_BATCH);
          }
        }).catch((e: unknown) => {
          failed ??= e;
          inner.abort();
          throw e;
        });
        const tracked = task.then(() => undefined, () => undefined).finally(() => pending.delete(tracked));
        pending.add(tracked);
        tasks.push(task);
      }
      const settled = await Promise.allSettled(tasks);
      const rejected = settled.find((x): x is PromiseRejectedResult => x.status === 'rejected');
      if (rejected || inner.signal.aborted) {
        if (signal?.aborted) throw new CancelledError();
        const real = settled.find((x): x is PromiseRejectedResult => x.status === 'rejected' && !(x.reason instanceof CancelledError));
        throw (real ?? rejected)?.reason ?? new CancelledError();
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    return;
  }
  for (let b = fromBatch; b < toBatch; b += BATCHES_PER_STEP) {
    if (signal?.aborted) throw new CancelledError();
    const r = sampleBatches(g, spec, seed, salt, b, Math.min(toBatch, b + BATCHES_PER_STEP));
    coll.append(r.members, r.offsets);
    onProgress?.(coll.count, toBatch * RR_BATCH);
    if (signal) await new Promise<void>((res) => setImmediate(res));
  }
}

/**
 * Per customer, the number of RR sets that contain it (all positions, or only non-root positions with
 * `excludeRoot`: then scale·count/θ estimates the expected value reached among customers other than v).
 */
export function memberCounts(coll: RRCollection, n: number, excludeRoot = false): Int32Array {
  const counts = new Int32Array(n);
  const { members, offsets, count } = coll;
  for (let i = 0; i < count; i++) {
    for (let x = offsets[i] + (excludeRoot ? 1 : 0); x < offsets[i + 1]; x++) counts[members[x]]++;
  }
  return counts;
}

/** Share of RR sets that contain at least one of `seeds`. */
export function coverage(coll: RRCollection, n: number, seeds: ArrayLike<number>): number {
  if (coll.count === 0) return 0;
  const inS = new Uint8Array(n);
  for (let i = 0; i < seeds.length; i++) inS[seeds[i]] = 1;
  const { members, offsets, count } = coll;
  let hit = 0;
  for (let i = 0; i < count; i++) {
    for (let x = offsets[i]; x < offsets[i + 1]; x++) {
      if (inS[members[x]]) {
        hit++;
        break;
      }
    }
  }
  return hit / count;
}

/**
 * Greedy maximum coverage over an RR collection (the node selection of IMM, Tang et al. 2015): k times,
 * take the customer in the most not-yet-covered sets. Lazy max-heap on typed arrays keyed by the count
 * when pushed (counts only decrease, so a popped entry whose count is still current is the maximum);
 * ties go to the lower customer index. Customers beyond those covering anything are taken in index order
 * with gain 0. O(Σ|R| + n log n).
 */
export function maxCoverage(coll: RRCollection, n: number, k: number): { seeds: Int32Array; covered: Int32Array; total: number } {
  const { members, offsets, count } = coll;
  const size = offsets[count];
  // Inverted index: customer -> RR sets containing it.
  const deg = new Int32Array(n);
  for (let x = 0; x < size; x++) deg[members[x]]++;
  const start = new Int32Array(n + 1);
  for (let v = 0; v < n; v++) start[v + 1] = start[v] + deg[v];
  const setsOf = new Int32Array(size);
  const pos = start.slice(0, n);
  for (let i = 0; i < count; i++) for (let x = offsets[i]; x < offsets[i + 1]; x++) setsOf[pos[members[x]]++] = i;

  const heapV = new Int32Array(n);
  const heapK = new Int32Array(n);
  let hn = 0;
  const better = (i: number, j: number) => heapK[i] > heapK[j] || (heapK[i] === heapK[j] && heapV[i] < heapV[j]);
  const swap = (i: number, j: number) => {
    const tv = heapV[i];
    heapV[i] = heapV[j];
    heapV[j] = tv;
    const tk = heapK[i];
    heapK[i] = heapK[j];
    heapK[j] = tk;
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      if (l >= hn) return;
      let b = l;
      if (l + 1 < hn && better(l + 1, l)) b = l + 1;
      if (!better(b, i)) return;
      swap(b, i);
      i = b;
    }
  };
  for (let v = 0; v < n; v++) {
    if (deg[v] > 0) {
      heapV[hn] = v;
      heapK[hn] = deg[v];
      hn++;
    }
  }
  for (let i = (hn >> 1) - 1; i >= 0; i--) down(i);

  const seeds = new Int32Array(k);
  const covered = new Int32Array(k);
  const chosen = new Uint8Array(n);
  const done = new Uint8Array(count);
  let total = 0;
  let picked = 0;
  while (picked < k && hn > 0) {
    const v = heapV[0];
    const key = heapK[0];
    if (key !== deg[v]) {
      heapK[0] = deg[v];
      down(0);
      continue;
    }
    if (key === 0) break;
    heapV[0] = heapV[--hn];
    heapK[0] = heapK[hn];
    down(0);
    seeds[picked] = v;
    covered[picked] = key;
    chosen[v] = 1;
    picked++;
    total += key;
    for (let y = start[v]; y < start[v + 1]; y++) {
      const r = setsOf[y];
      if (done[r]) continue;
      done[r] = 1;
      for (let x = offsets[r]; x < offsets[r + 1]; x++) deg[members[x]]--;
    }
  }
  for (let v = 0; picked < k && v < n; v++) {
    if (!chosen[v]) {
      chosen[v] = 1;
      seeds[picked++] = v;
    }
  }
  return { seeds, covered, total };
}
