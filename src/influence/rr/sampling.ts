import type { CompiledGraph } from '../../graph/compile.js';
import { CancelledError } from '../../errors.js';
import { Rng } from '../../diffusion/rng.js';
import { RR_BATCH, type RRSpec } from './spec.js';

/** Sampling RR sets: the reverse IC breadth-first search and the reverse LT walk, batch by batch (see ./spec.ts). */

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
