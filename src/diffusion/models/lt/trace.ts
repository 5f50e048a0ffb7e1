import type { CompiledGraph } from '../../../graph/compile.js';
import type { Tracer } from '../../kernel.js';
import type { Rng } from '../../rng.js';
import type { Scratch } from '../../scratch.js';
import type { LtPlan } from './plan.js';

/**
 * The traced run of LT (`trace: true`): the run of ./kernel.ts on the same stream, draw for draw (θ_v drawn the
 * first time an active in-neighbour touches v), and it logs who reached whom: (-1, seed, 0) for each seed, then
 * (u, v, step) when u's weight is the one that brings v's in-sum up to θ_v. Only the one traced run comes here,
 * so the kernel of the Monte Carlo runs carries no tracing test. Leaves the run in s.queue[0 .. reach).
 */
export function traceLt(g: CompiledGraph, plan: LtPlan, s: Scratch, rng: Rng, tr: Tracer): number {
  const { ep, tail: seeded } = s.seedRun(plan.seeds);
  const { stamp, mark, acc, theta, queue } = s;
  const off = g.outOffsets;
  const tgt = g.outTargets;
  const b = plan.b;
  for (let i = 0; i < seeded; i++) tr.add(-1, queue[i], 0, 0);
  let tail = seeded;
  let head = 0;
  let step = 0;
  while (head < tail && step < plan.maxSteps) {
    step++;
    const levelEnd = tail;
    while (head < levelEnd) {
      const u = queue[head++];
      for (let a = off[u]; a < off[u + 1]; a++) {
        const v = tgt[a];
        if (stamp[v] === ep || b[a] <= 0) continue;
        if (mark[v] === ep) acc[v] += b[a];
        else {
          mark[v] = ep;
          theta[v] = rng.floatOpen();
          acc[v] = b[a];
        }
        if (!(acc[v] >= theta[v])) continue;
        stamp[v] = ep;
        queue[tail++] = v;
        tr.add(u, v, step, 0);
      }
    }
  }
  return tail;
}
