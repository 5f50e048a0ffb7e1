import type { CompiledGraph } from '../../graph/compile.js';
import { CancelledError, InputError, UnprocessableError } from '../../errors.js';
import { sampleBatches, type RRSetsPayload } from './sampling.js';
import { RR_BATCH, type RRSpec } from './spec.js';

/** Collections of RR sets (flat typed arrays, or counts only) and growing one, in this thread or on a pool. */

/**
 * A bound on the bytes one collection may hold while it grows (its two arrays, and both copies of the one being
 * grown), and what to say past it: `name` is the setting that sets it (RIPPLE_MAX_REQUEST_MEMORY), `lower` the
 * request fields that shrink the collection, with advice.
 */
export interface RRMemoryLimit {
  maxBytes: number;
  name: string;
  lower: { path: string; advice: string }[];
}

const MB = 1024 * 1024;

/**
 * An RR collection would grow past its RRMemoryLimit: a 422 naming the limit and the fields to lower, raised while
 * the sets are sampled (the estimate made before any set was drawn came from a pilot, and can be low) instead of
 * the process running out of memory.
 */
export class RRMemoryLimitError extends UnprocessableError {
  constructor(bytes: number, limit: RRMemoryLimit, sets: number) {
    const fields = limit.lower.map((l) => l.path.replace(/^(body|query)\./, ''));
    super(
      `RR sets: the collection would hold ${(bytes / MB).toFixed(1)} MB after ${sets} sets, above the ${(limit.maxBytes / MB).toFixed(1)} MB one request may hold ` +
        `(${limit.name}); stopped before it grew${fields.length ? `: ${fields.map((f) => (f === 'epsilon' ? 'raise epsilon' : `lower ${f}`)).join(' or ')}` : ''}`,
      { errors: limit.lower.map((l) => ({ path: l.path, message: l.advice })), memory: Math.round(bytes), limit: limit.maxBytes },
    );
  }
}

/** A flat, growable collection of RR sets: set i is members[offsets[i] .. offsets[i+1]); its root comes first. */
export class RRCollection {
  members: Int32Array;
  offsets: Int32Array;
  count = 0;
  /** Checked whenever an array grows: past it, RRMemoryLimitError (nothing is allocated). */
  limit: RRMemoryLimit | undefined;
  constructor(initialSets = 1024, initialMembers = 4096, limit?: RRMemoryLimit) {
    this.limit = limit;
    const members = Math.max(16, initialMembers);
    const offsets = Math.max(16, initialSets + 1);
    if (limit && (members + offsets) * 4 > limit.maxBytes) throw new RRMemoryLimitError((members + offsets) * 4, limit, 0);
    this.members = new Int32Array(members);
    this.offsets = new Int32Array(offsets);
  }
  /** Members stored (sum of set sizes). */
  get size(): number {
    return this.offsets[this.count];
  }
  /**
   * The new length of an array of `length` that must hold `need` entries: doubled, or, when doubling would break the
   * limit, just what fits (at least `need`); else RRMemoryLimitError. `other` is the length of the other array.
   */
  private grown(length: number, need: number, other: number): number {
    let cap = length;
    while (cap < need && cap < 2 ** 31 - 1) cap = Math.min(2 ** 31 - 1, cap * 2);
    if (!this.limit) return cap;
    const held = (length + other) * 4; // while copying, the old array and the new one
    if (held + cap * 4 <= this.limit.maxBytes) return cap;
    const fit = Math.floor((this.limit.maxBytes - held) / 4);
    if (fit >= need) return Math.max(need, Math.min(cap, fit));
    throw new RRMemoryLimitError(held + need * 4, this.limit, this.count);
  }
  reserveMembers(total: number): void {
    if (total <= this.members.length) return;
    const cap = this.grown(this.members.length, total, this.offsets.length);
    if (cap < total) throw new InputError(`RR sets: more than ${cap} members; lower the precision (raise epsilon) or use a smaller graph`);
    const next = new Int32Array(cap);
    next.set(this.members.subarray(0, this.size));
    this.members = next;
  }
  reserveSets(count: number): void {
    if (count + 1 <= this.offsets.length) return;
    const cap = this.grown(this.offsets.length, count + 1, this.members.length);
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

/** Most batches per in-thread step between event-loop yields (cancellation and progress). */
const BATCHES_PER_STEP = 16;
/** Time an in-thread step aims at, in ms. */
const STEP_MS = 2;
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
  // In this thread: a step of batches at a time, as many as fit in STEP_MS at the rate measured so far (at most
  // BATCHES_PER_STEP), then a yield, so the event loop keeps serving other requests between steps.
  let per = 1;
  for (let b = fromBatch, to = b; b < toBatch; b = to) {
    if (signal?.aborted) throw new CancelledError();
    const t0 = performance.now();
    to = Math.min(toBatch, b + per);
    const r = sampleBatches(g, spec, seed, salt, b, to);
    coll.append(r.members, r.offsets);
    onProgress?.(coll.count, toBatch * RR_BATCH);
    const msPerBatch = (performance.now() - t0) / (to - b);
    if (signal) await new Promise<void>((res) => setImmediate(res));
    per = Math.max(1, Math.min(BATCHES_PER_STEP, Math.floor(STEP_MS / Math.max(msPerBatch, 0.01))));
  }
}
