import type { Rng } from '../rng.js';

const TWO_POW_MINUS_32 = 2.3283064365386963e-10;

/** Arcs of the customer being spread from whose head was not reached before it (grown, never per run once grown). */
let open = new Int32Array(1024);

/**
 * The IC-style chances of one customer `u` at its out-arcs a in [from, to) (shared by the SIR and voice kernels,
 * which spread the same way and differ in what a reached customer becomes). Each out-neighbour v not reached yet
 * in this run (stamp[v] !== ep) is reached with probability scale·nodeP[u] (per-customer probabilities) or
 * scale·arcP[a] (per-arc ones), one coin per arc in arc order: it is stamped, given `opinion` when `op` is given,
 * and queued at queue[tail++]. Returns the new tail. A customer with no chance (scale·nodeP[u] <= 0) draws nothing.
 * `scale` 1 multiplies exactly, so a kernel without one draws the same numbers as before it used this helper.
 *
 * How, for speed, with the same draws: first the arcs whose head is not reached yet are listed without a branch
 * (whether a head is reached is a coin toss for the branch predictor), then only those get a coin, in arc order,
 * each head looked at again first (an earlier arc of u may have reached it: a repeated tie). The coins are
 * `rng.float() < chance` drawn with the generator's state in locals (Rng.nextUint32's sfc32 step, written back at
 * the end), the same numbers without storing and reloading the state per coin.
 */
export function spreadFrom(
  u: number, from: number, to: number, nodeP: Float64Array | null, arcP: Float32Array | null, scale: number,
  tgt: Int32Array, stamp: Int32Array, ep: number, queue: Int32Array, tail: number, rng: Rng, op: Uint8Array | null, opinion: number,
): number {
  const pu = nodeP ? scale * nodeP[u] : 0;
  if (nodeP && pu <= 0) return tail;
  if (to - from > open.length) open = new Int32Array(Math.max(to - from, open.length * 2));
  const list = open;
  let k = 0;
  for (let a = from; a < to; a++) {
    const d = stamp[tgt[a]] ^ ep; // 0 when reached
    list[k] = a;
    k += (d | -d) >>> 31;
  }
  let s0 = rng.a;
  let s1 = rng.b;
  let s2 = rng.c;
  let s3 = rng.d;
  for (let j = 0; j < k; j++) {
    const a = list[j];
    const v = tgt[a];
    if (stamp[v] === ep) continue;
    // sfc32 (Rng.nextUint32)
    s3 = (s3 + 1) | 0;
    const t = (((s0 + s1) | 0) + s3) | 0;
    s0 = s1 ^ (s1 >>> 9);
    s1 = (s2 + (s2 << 3)) | 0;
    s2 = (((s2 << 21) | (s2 >>> 11)) + t) | 0;
    if ((t >>> 0) * TWO_POW_MINUS_32 < (nodeP ? pu : scale * arcP![a])) {
      stamp[v] = ep;
      if (op) op[v] = opinion;
      queue[tail++] = v;
    }
  }
  rng.a = s0;
  rng.b = s1;
  rng.c = s2;
  rng.d = s3;
  return tail;
}
