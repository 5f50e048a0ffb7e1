import type { CompiledGraph } from '../../../graph/compile.js';
import type { LtPlan } from './plan.js';
import type { Rng } from '../../rng.js';
import type { Scratch, StepSums } from '../../scratch.js';

/**
 * One run of the linear threshold model (Kempe, Kleinberg, Tardos 2003 — not Granovetter's threshold
 * model): θ_v ~ U(0,1] per customer and run; v activates at step t+1 when the sum of b(u,v) over its
 * in-neighbours active by step t reaches θ_v.
 *
 * θ_v is drawn lazily, the first time an active in-neighbour touches v in this run (a customer never
 * touched never needs one), so a run costs O(arcs examined), not O(n). `s.mark[v] === epoch` says
 * θ_v and the running in-sum `s.acc[v]` belong to this run.
 */
export function runLt(g: CompiledGraph, plan: LtPlan, s: Scratch, rng: Rng, steps: StepSums, out: { arcs: number }): number {
  const { ep, tail: seeded } = s.seedRun(plan.seeds);
  const stamp = s.stamp;
  const mark = s.mark;
  const acc = s.acc;
  const theta = s.theta;
  const queue = s.queue;
  const off = g.outOffsets;
  const tgt = g.outTargets;
  const b = plan.b;
  let tail = seeded;
  steps.add(0, tail);
  let head = 0;
  let step = 0;
  let arcs = 0;
  const maxSteps = plan.maxSteps;
  while (head < tail && step < maxSteps) {
    step++;
    const levelEnd = tail;
    while (head < levelEnd) {
      const u = queue[head++];
      const e = off[u + 1];
      let a = off[u];
      arcs += e - a;
      for (; a < e; a++) {
        const v = tgt[a];
        if (stamp[v] === ep) continue;
        const w = b[a];
        if (w <= 0) continue;
        let sum: number;
        if (mark[v] !== ep) {
          mark[v] = ep;
          theta[v] = rng.floatOpen();
          sum = w;
        } else {
          sum = acc[v] + w;
        }
        acc[v] = sum;
        if (sum >= theta[v]) {
          stamp[v] = ep;
          queue[tail++] = v;
        }
      }
    }
    if (tail > levelEnd) steps.add(step, tail - levelEnd);
  }
  out.arcs += arcs;
  return tail;
}
