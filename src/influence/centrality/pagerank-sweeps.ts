import type { Graph } from './types.js';

/**
 * PageRank's sweeps cut into chunks of rows (customers), so that one thread or several run the same arithmetic:
 * every chunk writes its own rows and its own partial sums, and the sums are added in chunk order by whoever
 * drives the iteration — the answer is bit-identical whether one thread ran every chunk or two shared them.
 * The chunks are a function of the graph only (about CHUNK_WORK in-arcs + rows each).
 *
 * Everything lives in one buffer (a SharedArrayBuffer when threads share it), laid out as
 *   control Int32[8] | chunk bounds Int32[chunks + 1] (padded to 8 bytes) | scalars Float64[8] |
 *   partial sums Float64[3 · chunks] | 8 vectors Float64[n] | in-arc weights Float64[m] (weighted only).
 * The vectors are reused across phases: r holds x and h holds y = x / out-weight during the power steps, q the next
 * iterate.
 */
const CHUNK_WORK = 1 << 15;
const MAX_CHUNKS = 256;

// control slots
const GEN = 0;
const CLAIM = 1;
const DONE = 2;
const STOP = 3;
const KIND = 4;
const CHUNKS = 5;
const WEIGHTED = 6;
const CONTROL_INTS = 8;
const EXHAUSTED = 1 << 30;

// scalar slots
export const S_ALPHA = 0;
export const S_A = 1;
export const S_B = 2;
export const S_SPREAD = 3;
export const S_MASS = 4;
const SCALARS = 8;
const PARTS = 3;

/** The phases; each is one pass over the chunks. */
export const INIT = 1;
export const CG_START = 2;
export const CG_MATVEC = 3;
export const CG_UPDATE = 4;
export const CG_DIRECTION = 5;
export const TO_X = 6;
export const START_X = 7;
export const POWER = 8;
export const SHIFT = 9;

export interface Workspace {
  buffer: ArrayBuffer | SharedArrayBuffer;
  control: Int32Array;
  bounds: Int32Array;
  chunks: number;
  scalars: Float64Array;
  partial: Float64Array;
  /** 1 / Σ_out w(u), 0 for dangling customers. */
  invOut: Float64Array;
  /** S^(-1/2) and S^(1/2) (1 for customers without ties). */
  gInv: Float64Array;
  g: Float64Array;
  z: Float64Array;
  r: Float64Array;
  p: Float64Array;
  q: Float64Array;
  h: Float64Array;
  inW: Float64Array | null;
}

/** Row bounds of the chunks: about equal work (in-arcs + rows) each. */
export function chunkBounds(graph: Pick<Graph, 'n' | 'inOffsets'>): Int32Array {
  const { n, inOffsets } = graph;
  const total = inOffsets[n] + n;
  const chunks = Math.max(1, Math.min(MAX_CHUNKS, Math.ceil(total / CHUNK_WORK)));
  const b = new Int32Array(chunks + 1);
  b[chunks] = n;
  let v = 0;
  for (let c = 1; c < chunks; c++) {
    const target = Math.floor((c * total) / chunks);
    while (v < n && inOffsets[v] + v < target) v++;
    b[c] = v;
  }
  return b;
}

function layout(n: number, m: number, chunks: number, weighted: boolean) {
  const boundsAt = CONTROL_INTS * 4;
  const boundsInts = chunks + 1 + ((chunks + 1) % 2);
  const scalarsAt = boundsAt + boundsInts * 4;
  const partialAt = scalarsAt + SCALARS * 8;
  const vectorsAt = partialAt + PARTS * chunks * 8;
  const weightsAt = vectorsAt + 8 * n * 8;
  const bytes = weightsAt + (weighted ? m * 8 : 0);
  return { boundsAt, scalarsAt, partialAt, vectorsAt, weightsAt, bytes };
}

function bind(buffer: ArrayBuffer | SharedArrayBuffer, n: number, m: number): Workspace {
  const control = new Int32Array(buffer, 0, CONTROL_INTS);
  const chunks = control[CHUNKS];
  const weighted = control[WEIGHTED] === 1;
  const at = layout(n, m, chunks, weighted);
  const vec = (i: number) => new Float64Array(buffer, at.vectorsAt + i * n * 8, n);
  return {
    buffer, control, chunks,
    bounds: new Int32Array(buffer, at.boundsAt, chunks + 1),
    scalars: new Float64Array(buffer, at.scalarsAt, SCALARS),
    partial: new Float64Array(buffer, at.partialAt, PARTS * chunks),
    invOut: vec(0), gInv: vec(1), g: vec(2), z: vec(3), r: vec(4), p: vec(5), q: vec(6), h: vec(7),
    inW: weighted ? new Float64Array(buffer, at.weightsAt, m) : null,
  };
}

/** A new workspace for the graph (`shared`: on a SharedArrayBuffer, for threads). */
export function newWorkspace(graph: Graph, weighted: boolean, shared: boolean): Workspace {
  const bounds = chunkBounds(graph);
  const chunks = bounds.length - 1;
  const w = weighted && graph.arcWeight !== null;
  const { bytes } = layout(graph.n, graph.m, chunks, w);
  const buffer = shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  const control = new Int32Array(buffer, 0, CONTROL_INTS);
  control[CHUNKS] = chunks;
  control[WEIGHTED] = w ? 1 : 0;
  control[CLAIM] = EXHAUSTED;
  const ws = bind(buffer, graph.n, graph.m);
  ws.bounds.set(bounds);
  return ws;
}

/** The workspace of a buffer made by newWorkspace (another thread's view of it). */
export function openWorkspace(graph: Graph, buffer: SharedArrayBuffer): Workspace {
  return bind(buffer, graph.n, graph.m);
}

/** Sum of partial j over the chunks, in chunk order. */
export function partialSum(ws: Workspace, j: number): number {
  let s = 0;
  for (let c = 0; c < ws.chunks; c++) s += ws.partial[PARTS * c + j];
  return s;
}

// ---- the work of one chunk, per phase ----

function init(graph: Graph, ws: Workspace, lo: number, hi: number): void {
  const { outOffsets, inOffsets, inArc } = graph;
  const weights = ws.inW ? graph.arcWeight : null;
  const { invOut, gInv, g, inW } = ws;
  for (let u = lo; u < hi; u++) {
    let s = 0;
    if (weights) for (let a = outOffsets[u]; a < outOffsets[u + 1]; a++) s += weights[a];
    else s = outOffsets[u + 1] - outOffsets[u];
    const io = s > 0 ? 1 / s : 0;
    invOut[u] = io;
    const gi = io > 0 ? Math.sqrt(io) : 1;
    gInv[u] = gi;
    g[u] = 1 / gi;
  }
  if (inW && weights) for (let q = inOffsets[lo]; q < inOffsets[hi]; q++) inW[q] = weights[inArc[q]];
}

function cgStart(n: number, ws: Workspace, lo: number, hi: number, c: number): void {
  const { gInv, r, p, h, z } = ws;
  let rr = 0;
  for (let v = lo; v < hi; v++) {
    const gi = gInv[v];
    const cv = gi / n;
    r[v] = cv;
    p[v] = cv;
    h[v] = cv * gi;
    z[v] = 0;
    rr += cv * cv;
  }
  ws.partial[PARTS * c] = rr;
}

function cgMatvec(graph: Graph, ws: Workspace, lo: number, hi: number, c: number): void {
  const { inOffsets, inSources } = graph;
  const { gInv, p, q, h, inW } = ws;
  const alpha = ws.scalars[S_ALPHA];
  let pq = 0;
  for (let v = lo; v < hi; v++) {
    let s = 0;
    const end = inOffsets[v + 1];
    if (inW) for (let k = inOffsets[v]; k < end; k++) s += h[inSources[k]] * inW[k];
    else for (let k = inOffsets[v]; k < end; k++) s += h[inSources[k]];
    const qv = p[v] - alpha * gInv[v] * s;
    q[v] = qv;
    pq += p[v] * qv;
  }
  ws.partial[PARTS * c] = pq;
}

function cgUpdate(ws: Workspace, lo: number, hi: number, c: number): void {
  const { g, z, r, p, q } = ws;
  const a = ws.scalars[S_A];
  let rr = 0;
  let l1 = 0;
  let mass = 0;
  for (let v = lo; v < hi; v++) {
    const zv = z[v] + a * p[v];
    z[v] = zv;
    const rv = r[v] - a * q[v];
    r[v] = rv;
    rr += rv * rv;
    const gv = g[v];
    l1 += gv * Math.abs(rv);
    mass += gv * zv;
  }
  const at = PARTS * c;
  ws.partial[at] = rr;
  ws.partial[at + 1] = l1;
  ws.partial[at + 2] = mass;
}

function cgDirection(ws: Workspace, lo: number, hi: number): void {
  const { gInv, r, p, h } = ws;
  const b = ws.scalars[S_B];
  for (let v = lo; v < hi; v++) {
    const pv = r[v] + b * p[v];
    p[v] = pv;
    h[v] = pv * gInv[v];
  }
}

/** x = S^(1/2)z / mass into r, y = x / out-weight into h; partial: the dangling customers' x. */
function toX(ws: Workspace, lo: number, hi: number, c: number): void {
  const { g, z, r, h, invOut } = ws;
  const mass = ws.scalars[S_MASS];
  let dsum = 0;
  for (let v = lo; v < hi; v++) {
    const xv = (g[v] * z[v]) / mass;
    r[v] = xv;
    const io = invOut[v];
    h[v] = xv * io;
    if (io === 0) dsum += xv;
  }
  ws.partial[PARTS * c] = dsum;
}

function startX(n: number, ws: Workspace, lo: number, hi: number, c: number): void {
  const { r, h, invOut } = ws;
  const xv = 1 / n;
  let dsum = 0;
  for (let v = lo; v < hi; v++) {
    r[v] = xv;
    const io = invOut[v];
    h[v] = xv * io;
    if (io === 0) dsum += xv;
  }
  ws.partial[PARTS * c] = dsum;
}

/** One power step over the chunk's rows: q = alpha·gather(h) + spread; partials Σ|q − x| and Σq. */
function powerStep(graph: Graph, ws: Workspace, lo: number, hi: number, c: number): void {
  const { inOffsets, inSources } = graph;
  const { r: x, h: y, q: next, inW } = ws;
  const alpha = ws.scalars[S_ALPHA];
  const spread = ws.scalars[S_SPREAD];
  let err = 0;
  let norm = 0;
  for (let v = lo; v < hi; v++) {
    let s = 0;
    const end = inOffsets[v + 1];
    if (inW) for (let k = inOffsets[v]; k < end; k++) s += y[inSources[k]] * inW[k];
    else for (let k = inOffsets[v]; k < end; k++) s += y[inSources[k]];
    const val = alpha * s + spread;
    next[v] = val;
    norm += val;
    err += Math.abs(val - x[v]);
  }
  const at = PARTS * c;
  ws.partial[at] = err;
  ws.partial[at + 1] = norm;
}

function shift(ws: Workspace, lo: number, hi: number, c: number): void {
  const { r: x, h: y, q: next, invOut } = ws;
  let dsum = 0;
  for (let v = lo; v < hi; v++) {
    const xv = next[v];
    x[v] = xv;
    const io = invOut[v];
    y[v] = xv * io;
    if (io === 0) dsum += xv;
  }
  ws.partial[PARTS * c] = dsum;
}

/** Run chunk c of a phase. */
export function work(graph: Graph, ws: Workspace, kind: number, c: number): void {
  const lo = ws.bounds[c];
  const hi = ws.bounds[c + 1];
  switch (kind) {
    case INIT: return init(graph, ws, lo, hi);
    case CG_START: return cgStart(graph.n, ws, lo, hi, c);
    case CG_MATVEC: return cgMatvec(graph, ws, lo, hi, c);
    case CG_UPDATE: return cgUpdate(ws, lo, hi, c);
    case CG_DIRECTION: return cgDirection(ws, lo, hi);
    case TO_X: return toX(ws, lo, hi, c);
    case START_X: return startX(graph.n, ws, lo, hi, c);
    case POWER: return powerStep(graph, ws, lo, hi, c);
    case SHIFT: return shift(ws, lo, hi, c);
    default: throw new Error(`pagerank: unknown phase ${kind}`);
  }
}

/** Who runs the chunks of a phase: this thread alone, or this thread with helpers on the same buffer. */
export interface Runner {
  run(kind: number): void;
}

export function serialRunner(graph: Graph, ws: Workspace): Runner {
  return {
    run(kind) {
      for (let c = 0; c < ws.chunks; c++) work(graph, ws, kind, c);
    },
  };
}

/** Spins before a waiting thread sleeps (a phase between two sweeps takes microseconds). */
const SPIN = 20_000;

/**
 * The thread that drives the iteration on a shared buffer: it publishes each phase (kind, then the chunk counter
 * reset, then a new generation), claims chunks like any helper and waits until every chunk is done. It never waits
 * for a helper to arrive — with none it runs every chunk itself. `finish()` (call it in `finally`) releases helpers.
 */
export function leaderRunner(graph: Graph, ws: Workspace): Runner & { finish(): void } {
  const ctl = ws.control;
  const chunks = ws.chunks;
  return {
    run(kind) {
      Atomics.store(ctl, KIND, kind);
      Atomics.store(ctl, DONE, 0);
      Atomics.store(ctl, CLAIM, 0);
      Atomics.add(ctl, GEN, 1);
      Atomics.notify(ctl, GEN);
      for (;;) {
        const c = Atomics.add(ctl, CLAIM, 1);
        if (c >= chunks) break;
        work(graph, ws, kind, c);
        Atomics.add(ctl, DONE, 1);
      }
      let spins = 0;
      for (;;) {
        const d = Atomics.load(ctl, DONE);
        if (d >= chunks) break;
        if (++spins > SPIN) Atomics.wait(ctl, DONE, d, 50);
      }
    },
    finish() {
      Atomics.store(ctl, STOP, 1);
      Atomics.store(ctl, CLAIM, EXHAUSTED);
      Atomics.add(ctl, GEN, 1);
      Atomics.notify(ctl, GEN);
    },
  };
}

/** How long a helper waits for a leader that has not started (ms) before it leaves. */
const NO_LEADER_MS = 5_000;

/**
 * A helper thread on a shared buffer: claims chunks of each phase the leader publishes until the leader finishes
 * (or `isCancelled()`; a helper that leaves only means the leader runs more chunks itself).
 */
export function helpSweeps(graph: Graph, buffer: SharedArrayBuffer, isCancelled: () => boolean): void {
  const ws = openWorkspace(graph, buffer);
  const ctl = ws.control;
  const chunks = ws.chunks;
  const t0 = Date.now();
  for (;;) {
    if (Atomics.load(ctl, STOP) === 1) return;
    const gen = Atomics.load(ctl, GEN);
    for (;;) {
      const c = Atomics.add(ctl, CLAIM, 1);
      if (c >= chunks) break;
      work(graph, ws, Atomics.load(ctl, KIND), c);
      Atomics.add(ctl, DONE, 1);
      Atomics.notify(ctl, DONE);
    }
    let spins = 0;
    while (Atomics.load(ctl, GEN) === gen && Atomics.load(ctl, STOP) === 0) {
      if (++spins < SPIN) continue;
      Atomics.wait(ctl, GEN, gen, 20);
      if (isCancelled()) return;
      if (gen === 0 && Date.now() - t0 > NO_LEADER_MS) return;
    }
  }
}
