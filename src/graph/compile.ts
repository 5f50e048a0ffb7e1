import type { GraphData } from './model.js';
import { sharedF32, sharedF64, sharedI32 } from './shared-array.js';

/**
 * The compute form (DESIGN §2): CSR out- and in-arcs on typed arrays, per-arc weight and explicit p,
 * per-customer attribute arrays with defaults applied. Every array lives on a SharedArrayBuffer so that
 * worker threads read the same memory instead of a copy.
 *
 * Arc a (0 <= a < m) is an out-arc position: arc a leaves u for outOffsets[u] <= a < outOffsets[u+1]
 * and reaches outTargets[a]. The in-arc position q of v (inOffsets[v] <= q < inOffsets[v+1]) comes from
 * inSources[q] and is the out-arc inArc[q], so per-arc values are stored once, in out-arc order.
 *
 * Bytes: 12 per arc (outTargets, inSources, inArc) + 4 for weights and 4 for explicit p when the graph has
 * them (<= 20); 8 per customer for offsets + 20 for followers/value/activity, plus the id strings.
 */
export interface CompiledGraph {
  n: number;
  /** Number of arcs (an undirected tie is two). */
  m: number;
  directed: boolean;
  ids: readonly string[];
  outOffsets: Int32Array;
  outTargets: Int32Array;
  inOffsets: Int32Array;
  inSources: Int32Array;
  inArc: Int32Array;
  /** Tie weight per out-arc; null when every weight is 1. */
  arcWeight: Float32Array | null;
  /** Explicit tie p per out-arc (NaN where not given); null when no tie has one. */
  arcP: Float32Array | null;
  followers: Float64Array;
  value: Float64Array;
  activity: Float32Array;
  /** Sum of `value` over all customers. */
  totalValue: number;
}

/** Buffers and scalars of a CompiledGraph: what is posted to a worker (SharedArrayBuffers are not copied). */
export interface CompiledGraphTransfer {
  n: number;
  m: number;
  directed: boolean;
  totalValue: number;
  outOffsets: SharedArrayBuffer;
  outTargets: SharedArrayBuffer;
  inOffsets: SharedArrayBuffer;
  inSources: SharedArrayBuffer;
  inArc: SharedArrayBuffer;
  arcWeight: SharedArrayBuffer | null;
  arcP: SharedArrayBuffer | null;
  followers: SharedArrayBuffer;
  value: SharedArrayBuffer;
  activity: SharedArrayBuffer;
}


/** Compile graph data into CSR form. O(n + m) time, no per-arc objects. */
export function compile(g: GraphData): CompiledGraph {
  const n = g.ids.length;
  const ties = g.src.length;
  const m = g.directed ? ties : 2 * ties;
  const outOffsets = sharedI32(n + 1);
  const inOffsets = sharedI32(n + 1);
  const { src, dst } = g;
  for (let j = 0; j < ties; j++) {
    outOffsets[src[j] + 1]++;
    inOffsets[dst[j] + 1]++;
    if (!g.directed) {
      outOffsets[dst[j] + 1]++;
      inOffsets[src[j] + 1]++;
    }
  }
  for (let i = 0; i < n; i++) {
    outOffsets[i + 1] += outOffsets[i];
    inOffsets[i + 1] += inOffsets[i];
  }
  const outTargets = sharedI32(m);
  const inSources = sharedI32(m);
  const inArc = sharedI32(m);
  const arcWeight = g.weight ? sharedF32(m) : null;
  const arcP = g.p ? sharedF32(m) : null;
  const outPos = outOffsets.slice(0, n);
  const inPos = inOffsets.slice(0, n);
  const undirected = !g.directed;
  // Inlined (no closure per arc): an undirected tie j places u->v then v->u.
  for (let j = 0; j < ties; j++) {
    const u = src[j];
    const v = dst[j];
    const a = outPos[u]++;
    outTargets[a] = v;
    let q = inPos[v]++;
    inSources[q] = u;
    inArc[q] = a;
    if (undirected) {
      const b = outPos[v]++;
      outTargets[b] = u;
      q = inPos[u]++;
      inSources[q] = v;
      inArc[q] = b;
      if (arcWeight) {
        const w = g.weight![j];
        arcWeight[b] = Number.isNaN(w) ? 1 : w;
      }
      if (arcP) arcP[b] = g.p![j];
    }
    if (arcWeight) {
      const w = g.weight![j];
      arcWeight[a] = Number.isNaN(w) ? 1 : w;
    }
    if (arcP) arcP[a] = g.p![j];
  }
  const followers = sharedF64(n);
  const value = sharedF64(n);
  const activity = sharedF32(n);
  let totalValue = 0;
  for (let i = 0; i < n; i++) {
    const f = g.followers ? g.followers[i] : NaN;
    followers[i] = Number.isNaN(f) ? 0 : f;
    const v = g.value ? g.value[i] : NaN;
    value[i] = Number.isNaN(v) ? g.defaultValue : v;
    totalValue += value[i];
    const a = g.activity ? g.activity[i] : NaN;
    activity[i] = Number.isNaN(a) ? 1 : a;
  }
  return {
    n, m, directed: g.directed, ids: g.ids,
    outOffsets, outTargets, inOffsets, inSources, inArc, arcWeight, arcP,
    followers, value, activity, totalValue,
  };
}

/** Bytes held by the typed arrays of a compiled graph (ids excluded). */
export function compiledBytes(c: CompiledGraph): number {
  const arrays = [c.outOffsets, c.outTargets, c.inOffsets, c.inSources, c.inArc, c.arcWeight, c.arcP, c.followers, c.value, c.activity];
  return arrays.reduce((s, a) => s + (a ? a.byteLength : 0), 0);
}

export function toTransfer(c: CompiledGraph): CompiledGraphTransfer {
  const buf = (a: { buffer: ArrayBufferLike }) => a.buffer as SharedArrayBuffer;
  return {
    n: c.n, m: c.m, directed: c.directed, totalValue: c.totalValue,
    outOffsets: buf(c.outOffsets), outTargets: buf(c.outTargets), inOffsets: buf(c.inOffsets),
    inSources: buf(c.inSources), inArc: buf(c.inArc),
    arcWeight: c.arcWeight ? buf(c.arcWeight) : null, arcP: c.arcP ? buf(c.arcP) : null,
    followers: buf(c.followers), value: buf(c.value), activity: buf(c.activity),
  };
}

/** Rebuild typed-array views over shared buffers (in a worker). Ids stay on the main thread. */
export function fromTransfer(t: CompiledGraphTransfer): CompiledGraph {
  return {
    n: t.n, m: t.m, directed: t.directed, ids: [], totalValue: t.totalValue,
    outOffsets: new Int32Array(t.outOffsets, 0, t.n + 1),
    outTargets: new Int32Array(t.outTargets, 0, t.m),
    inOffsets: new Int32Array(t.inOffsets, 0, t.n + 1),
    inSources: new Int32Array(t.inSources, 0, t.m),
    inArc: new Int32Array(t.inArc, 0, t.m),
    arcWeight: t.arcWeight ? new Float32Array(t.arcWeight, 0, t.m) : null,
    arcP: t.arcP ? new Float32Array(t.arcP, 0, t.m) : null,
    followers: new Float64Array(t.followers, 0, t.n),
    value: new Float64Array(t.value, 0, t.n),
    activity: new Float32Array(t.activity, 0, t.n),
  };
}

/** id -> index lookup, built once per compiled graph on first use (a Map: ids are never object keys). */
const indexCache = new WeakMap<CompiledGraph, Map<string, number>>();
export function indexOf(c: CompiledGraph, id: string): number {
  let map = indexCache.get(c);
  if (!map) {
    map = new Map();
    for (let i = 0; i < c.ids.length; i++) map.set(c.ids[i], i);
    indexCache.set(c, map);
  }
  return map.get(id) ?? -1;
}
