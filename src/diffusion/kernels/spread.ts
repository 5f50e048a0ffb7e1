import type { Rng } from '../rng.js';

/**
 * The IC-style chances of one customer `u` at its out-arcs a in [from, to) (shared by the SIR and voice kernels,
 * which spread the same way and differ in what a reached customer becomes). Each out-neighbour v not reached yet
 * in this run (stamp[v] !== ep) is reached with probability scale·nodeP[u] (per-customer probabilities) or
 * scale·arcP[a] (per-arc ones), one coin per arc in arc order: it is stamped, given `opinion` when `op` is given,
 * and queued at queue[tail++]. Returns the new tail. A customer with no chance (scale·nodeP[u] <= 0) draws nothing.
 * `scale` 1 multiplies exactly, so a kernel without one draws the same numbers as before it used this helper.
 */
export function spreadFrom(
  u: number, from: number, to: number, nodeP: Float64Array | null, arcP: Float32Array | null, scale: number,
  tgt: Int32Array, stamp: Int32Array, ep: number, queue: Int32Array, tail: number, rng: Rng, op: Uint8Array | null, opinion: number,
): number {
  if (nodeP) {
    const pu = scale * nodeP[u];
    if (pu <= 0) return tail;
    for (let a = from; a < to; a++) {
      const v = tgt[a];
      if (stamp[v] !== ep && rng.float() < pu) {
        stamp[v] = ep;
        if (op) op[v] = opinion;
        queue[tail++] = v;
      }
    }
    return tail;
  }
  const pa = arcP!;
  for (let a = from; a < to; a++) {
    const v = tgt[a];
    if (stamp[v] !== ep && rng.float() < scale * pa[a]) {
      stamp[v] = ep;
      if (op) op[v] = opinion;
      queue[tail++] = v;
    }
  }
  return tail;
}
