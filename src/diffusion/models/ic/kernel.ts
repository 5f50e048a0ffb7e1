import type { CompiledGraph } from '../../../graph/compile.js';
import type { IcPlan } from './plan.js';
import type { Rng } from '../../rng.js';
import type { Scratch, StepSums } from '../../scratch.js';
import { geometricSkip, geometricTable, NO_TABLE } from '../../geometric.js';
import { spreadFrom } from '../../kernels/spread.js';

/**
 * One run of the independent cascade (Kempe, Kleinberg, Tardos 2003): a customer first active at step t
 * gets one chance at step t+1 to activate each inactive out-neighbour v, with probability p(u,v).
 *
 * Breadth-first over `s.queue`; a step is one queue level. With per-customer probabilities (uniform
 * scheme) the run draws the geometric gap to the next successful arc, floor(log U / log(1 - p_u)),
 * instead of a coin per arc: cost proportional to successes, not arcs. A success on an already active
 * customer is a no-op, exactly as its coin would be. When all customers share one p the gap even
 * carries over from one customer's arc list to the next (one draw per success, none per customer), and the gaps
 * come from a table instead of a logarithm (../../geometric.ts: the same numbers).
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
  // The uniform gaps from a table (../../geometric.ts): the same numbers as floor(log U / log(1 - p)), without a
  // logarithm per draw (p = 1, log(1 - p) = -Infinity, has no table: every gap is 0 by the formula).
  const tab = uniformLogQ < 0 && uniformLogQ > -Infinity ? geometricTable(uniformLogQ) : NO_TABLE;
  let skip = uniformLogQ < 0 ? geometricSkip(rng, tab, uniformLogQ) : 0;
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
          a += 1 + geometricSkip(rng, tab, uniformLogQ);
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
      // A coin per arc (per-arc p): the helper SIR and voice use draws exactly `stamp[v] !== ep && rng.float() < p(a)`.
      while (head < levelEnd) {
        const u = queue[head++];
        if (gate !== null && gate[u] < 1 && rng.float() >= gate[u]) continue;
        const e = off[u + 1];
        arcs += e - off[u];
        tail = spreadFrom(u, off[u], e, null, arcP, 1, tgt, stamp, ep, queue, tail, rng, null, 0);
      }
    }
    if (tail > levelEnd) steps.add(step, tail - levelEnd);
  }
  out.arcs += arcs;
  return tail;
}
