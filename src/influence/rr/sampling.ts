import type { CompiledGraph } from '../../graph/compile.js';
import { CancelledError } from '../../errors.js';
import { Rng } from '../../diffusion/rng.js';
import { RR_BATCH, type RRSpec } from './spec.js';
import { buildGeometricTable, geometricSkip, NO_TABLE } from '../../diffusion/geometric.js';

/** Sampling RR sets: the reverse IC breadth-first search and the reverse LT walk, batch by batch (see ./spec.ts). */

/** Reusable per-thread state of a sampler (no allocation per RR set). */
class RRScratch {
  readonly stamp: Int32Array;
  readonly queue: Int32Array;
  /** Gate reading: closed[u] = the epoch of the set in which u drew "passes nothing on". */
  readonly closed: Int32Array;
  epoch = 0;
  private _memoC: Float64Array | null = null;
  private _memoLq: Float64Array | null = null;
  private _memoTab: Uint8Array | null = null;
  constructor(n: number) {
    this.stamp = new Int32Array(n);
    this.queue = new Int32Array(n);
    this.closed = new Int32Array(n);
  }
  /**
   * Per receiver v, the common in-arc probability c its skipping was last set up for (NaN: never), with log(1 − c)
   * and the index of its gap table in `gapTables`: looked up in O(1) per member, valid for any spec (keyed by c).
   */
  get memoC(): Float64Array {
    return (this._memoC ??= new Float64Array(this.stamp.length).fill(NaN));
  }
  get memoLq(): Float64Array {
    return (this._memoLq ??= new Float64Array(this.stamp.length));
  }
  get memoTab(): Uint8Array {
    return (this._memoTab ??= new Uint8Array(this.stamp.length));
  }
  next(): number {
    if (this.epoch >= 0x7ffffffe) {
      this.stamp.fill(0);
      this.closed.fill(0);
      this.epoch = 0;
    }
    return ++this.epoch;
  }
  /** Start an RR set at dst[at] with its root: a fresh epoch with the root stamped. Returns the epoch. */
  start(root: number, dst: Int32Array, at: number): number {
    const ep = this.next();
    this.stamp[root] = ep;
    dst[at] = root;
    return ep;
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
 * The gap tables (../../diffusion/geometric.ts) of the receivers' common probabilities met in this thread, one per
 * distinct c (uniform p: one; weighted cascade: one per in-degree), at most MAX_GAP_TABLES (16 KB each); index 0
 * holds nothing (the formula), for the c's beyond.
 */
const gapTables: Int32Array[] = [NO_TABLE];
const gapTableOf = new Map<number, number>();
const MAX_GAP_TABLES = 256;

function gapTableIndex(lq: number): number {
  let k = gapTableOf.get(lq);
  if (k === undefined) {
    if (gapTables.length >= MAX_GAP_TABLES) return 0;
    k = gapTables.push(buildGeometricTable(lq)) - 1;
    gapTableOf.set(lq, k);
  }
  return k;
}

/**
 * IC reverse BFS from root; writes the set into dst[at ..] and returns its size. Where all in-arcs of v
 * share one probability c (uniform p, or weighted cascade with unit weights), the next kept in-arc is
 * found by geometric skipping, floor(log U / log(1 - c)): cost proportional to arcs kept. The gaps come from a
 * table per c (the same numbers as the logarithm, without one per draw), and v's log(1 − c) and table are set up
 * once per thread, not once per set.
 */
function reverseIc(g: CompiledGraph, spec: RRSpec, s: RRScratch, rng: Rng, root: number, dst: Int32Array, at: number): number {
  if (spec.gate) return reverseIcGated(g, spec, s, rng, root, dst, at);
  const ep = s.start(root, dst, at);
  const stamp = s.stamp;
  const { inOffsets, inSources } = g;
  const { inP, nodeInP } = spec;
  const memoC = s.memoC;
  const memoLq = s.memoLq;
  const memoTab = s.memoTab;
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
      let lq: number;
      if (memoC[v] === c) lq = memoLq[v];
      else {
        lq = Math.log1p(-c);
        memoC[v] = c;
        memoLq[v] = lq;
        memoTab[v] = gapTableIndex(lq);
      }
      const tab = gapTables[memoTab[v]];
      q += geometricSkip(rng, tab, lq);
      while (q < e) {
        const u = inSources[q];
        if (stamp[u] !== ep) {
          stamp[u] = ep;
          dst[tail++] = u;
        }
        q += 1 + geometricSkip(rng, tab, lq);
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
 * IC reverse BFS under the gate reading of activity: an in-arc u->v is live when its coin (p without activity) says so
 * AND u passes things on in this world (probability activity(u), one draw per set: drawn the first time one of u's arcs
 * is kept, and remembered when it says no, so u's other arcs in this set are dead too). A coin per arc (no geometric
 * skipping: the gate is per sender, the skips are per receiver).
 */
function reverseIcGated(g: CompiledGraph, spec: RRSpec, s: RRScratch, rng: Rng, root: number, dst: Int32Array, at: number): number {
  const ep = s.start(root, dst, at);
  const { stamp, closed } = s;
  const { inOffsets, inSources } = g;
  const inP = spec.inP;
  const gate = spec.gate!;
  let tail = at + 1;
  let head = at;
  while (head < tail) {
    const v = dst[head++];
    const e = inOffsets[v + 1];
    for (let q = inOffsets[v]; q < e; q++) {
      const u = inSources[q];
      if (stamp[u] === ep || closed[u] === ep) continue;
      if (rng.float() >= inP[q]) continue;
      const a = gate[u];
      if (a < 1 && rng.float() >= a) {
        closed[u] = ep;
        continue;
      }
      stamp[u] = ep;
      dst[tail++] = u;
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
  const ep = s.start(root, dst, at);
  const stamp = s.stamp;
  const { inOffsets, inSources } = g;
  const { inP, nodeInP } = spec;
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

/** What a pilot of RR sets measured (pilotSets). */
export interface RRPilot {
  /** Sets drawn. */
  sets: number;
  /** Members of those sets (their sizes summed). */
  members: number;
  /**
   * In-arcs the sampler examines, summed over the sets: every in-arc of a member where the arcs differ (or p = 1),
   * 1 + p·(in-degree) expected where geometric skipping jumps to the kept ones, 1 per step of an LT walk.
   */
  arcs: number;
  /** Stopped by the time cap before `maxSets` sets or `maxWork` arcs: the figures come from fewer sets. */
  cut: boolean;
}

/**
 * A short pilot before sampling at scale: the first sets of batch 0 of the stream (seed, 0, salt) — exactly the sets
 * the real sampling starts with, drawn from their own Rng, so the pilot changes no stream — counted, not stored,
 * until `maxSets` sets, `maxWork` in-arcs of their members, or `maxMs` ms (checked between sets). Memory O(n), plus
 * the sets themselves when `keep` (a collection) takes them.
 */
export function pilotSets(
  g: CompiledGraph, spec: RRSpec, seed: number, salt: number,
  o: { maxSets: number; maxWork: number; maxMs: number; keep?: { append(members: Int32Array, offsets: Int32Array): void } },
): RRPilot {
  const out: RRPilot = { sets: 0, members: 0, arcs: 0, cut: false };
  const n = g.n;
  if (n === 0) return out;
  const s = scratchFor(g);
  const rng = new Rng();
  rng.reseed(seed, 0, salt);
  const dst = new Int32Array(n);
  const { inOffsets } = g;
  const { nodeInP } = spec;
  const ic = spec.model === 'ic';
  const deadline = performance.now() + o.maxMs;
  const maxSets = Math.min(o.maxSets, RR_BATCH);
  while (out.sets < maxSets && out.arcs < o.maxWork) {
    if (out.sets > 0 && performance.now() > deadline) {
      out.cut = true;
      break;
    }
    const root = drawRoot(spec, rng, n);
    const len = spec.model === 'ic' ? reverseIc(g, spec, s, rng, root, dst, 0) : reverseLt(g, spec, s, rng, root, dst, 0);
    out.sets++;
    out.members += len;
    o.keep?.append(dst.subarray(0, len), Int32Array.of(0, len));
    for (let i = 0; i < len; i++) {
      const v = dst[i];
      const deg = inOffsets[v + 1] - inOffsets[v];
      const c = nodeInP[v];
      if (c < 0 || spec.gate) out.arcs += deg;
      else if (!ic) out.arcs += 1;
      else out.arcs += c >= 1 ? deg : c > 0 ? 1 + c * deg : 0;
    }
  }
  return out;
}
