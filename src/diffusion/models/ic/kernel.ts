import type { CompiledGraph } from '../../../graph/compile.js';
import type { IcPlan } from './plan.js';
import type { Rng } from '../../rng.js';
import type { Scratch, StepSums } from '../../scratch.js';

/**
 * One run of the independent cascade (Kempe, Kleinberg, Tardos 2003): a customer first active at step t
 * gets one chance at step t+1 to activate each inactive out-neighbour v, with probability p(u,v).
 *
 * Breadth-first over `s.queue`; a step is one queue level. With per-customer probabilities (uniform
 * scheme) the run draws the geometric gap to the next successful arc, floor(log U / log(1 - p_u)),
 * instead of a coin per arc: cost proportional to successes, not arcs. A success on an already active
 * customer is a no-op, exactly as its coin would be. When all customers share one p the gap even
 * carries over from one customer's arc list to the next (one log per success, none per customer).
 *
 * With a gate (`activity: 'gate'`), a customer taken from the queue first draws whether it passes it on at all
 * (probability activity; no draw when its activity is 1); if not, none of its arcs is tried.
 *
 * Leaves the activated customers in s.queue[0 .. reach) and returns reach; adds new activations per
 * step to `steps` and returns the arcs examined (out-arcs of activated customers that got a chance).
 */
export function runIc(g: CompiledGraph, plan: IcPlan, s: Scratch, rng: Rng, steps: StepSums, out: { arcs: number }): number {
  const { ep, tail: seeded } = s.seedRun(plan.seeds);
  const stamp = s.stamp;
  const queue = s.queue;
  const off = g.outOffsets;
  const tgt = g.outTargets;
  let tail = seeded;
  steps.add(0, tail);
  let head = 0;
  let step = 0;
  let arcs = 0;
  const nodeP = plan.nodeP;
  const nodeLogQ = plan.nodeLogQ!;
  const arcP = plan.arcP;
  const maxSteps = plan.maxSteps;
  // uniformLogQ: log(1-p) < 0 for 0 < p < 1, -Infinity for p = 1 (every gap 0); NaN or 0 use the other paths.
  const uniformLogQ = plan.uniformLogQ;
  const gate = plan.gate;
  let skip = uniformLogQ < 0 ? Math.floor(Math.log(rng.floatOpen()) / uniformLogQ) : 0;
  while (head < tail && step < maxSteps) {
    step++;
    const levelEnd = tail;
    if (uniformLogQ < 0) {
      // One p for every arc: the trials of the whole run form one i.i.d. sequence (frontier arc lists
      // concatenated), so the gap to the next success carries over from one customer's list to the next.
      while (head < levelEnd) {
        const u = queue[head++];
        if (gate !== null && gate[u] < 1 && rng.float() >= gate[u]) continue;
        const e = off[u + 1];
        const d = e - off[u];
        arcs += d;
        if (skip >= d) {
          skip -= d;
          continue;
        }
        let a = off[u] + skip;
        for (;;) {
          const v = tgt[a];
          if (stamp[v] !== ep) {
            stamp[v] = ep;
            queue[tail++] = v;
          }
          a += 1 + Math.floor(Math.log(rng.floatOpen()) / uniformLogQ);
          if (a >= e) break;
        }
        skip = a - e;
      }
    } else if (nodeP) {
      while (head < levelEnd) {
        const u = queue[head++];
        if (gate !== null && gate[u] < 1 && rng.float() >= gate[u]) continue;
        const pu = nodeP[u];
        if (pu <= 0) continue;
        const e = off[u + 1];
        let a = off[u];
        arcs += e - a;
        if (pu >= 1) {
          for (; a < e; a++) {
            const v = tgt[a];
            if (stamp[v] !== ep) {
              stamp[v] = ep;
              queue[tail++] = v;
            }
          }
          continue;
        }
        const lq = nodeLogQ[u];
        a += Math.floor(Math.log(rng.floatOpen()) / lq);
        while (a < e) {
          const v = tgt[a];
          if (stamp[v] !== ep) {
            stamp[v] = ep;
            queue[tail++] = v;
          }
          a += 1 + Math.floor(Math.log(rng.floatOpen()) / lq);
        }
      }
    } else {
      const pa = arcP!;
      while (head < levelEnd) {
        const u = queue[head++];
        if (gate !== null && gate[u] < 1 && rng.float() >= gate[u]) continue;
        const e = off[u + 1];
        let a = off[u];
        arcs += e - a;
        for (; a < e; a++) {
          const v = tgt[a];
          if (stamp[v] !== ep && rng.float() < pa[a]) {
            stamp[v] = ep;
            queue[tail++] = v;
          }
        }
      }
    }
    if (tail > levelEnd) steps.add(step, tail - levelEnd);
  }
  out.arcs += arcs;
  return tail;
}
