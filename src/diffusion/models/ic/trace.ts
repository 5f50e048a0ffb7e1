import type { CompiledGraph } from '../../../graph/compile.js';
import type { Tracer } from '../../kernel.js';
import type { Rng } from '../../rng.js';
import type { Scratch } from '../../scratch.js';
import type { IcPlan } from './plan.js';

/**
 * The traced run of IC (`trace: true`): the run of ./kernel.ts on the same stream, draw for draw (the same
 * three paths: one gap sequence across the frontier's arc lists when every customer has the same p, a gap per
 * customer with per-customer p, a coin per arc otherwise), and it logs who reached whom: (-1, seed, 0) for each
 * seed, then (u, v, step) when u's chance activates v. Only the one traced run comes here, so the kernel of
 * the Monte Carlo runs carries no tracing test at all. Leaves the run in s.queue[0 .. reach) like the kernel.
 */
export function traceIc(g: CompiledGraph, plan: IcPlan, s: Scratch, rng: Rng, tr: Tracer): number {
  const { ep, tail: seeded } = s.seedRun(plan.seeds);
  const { stamp, queue } = s;
  const off = g.outOffsets;
  const tgt = g.outTargets;
  const { nodeP, arcP, maxSteps, uniformLogQ, gate } = plan;
  const nodeLogQ = plan.nodeLogQ!;
  for (let i = 0; i < seeded; i++) tr.add(-1, queue[i], 0, 0);
  let tail = seeded;
  let head = 0;
  let step = 0;
  const activate = (u: number, v: number) => {
    if (stamp[v] === ep) return;
    stamp[v] = ep;
    queue[tail++] = v;
    tr.add(u, v, step, 0);
  };
  const gap = (logQ: number) => Math.floor(Math.log(rng.floatOpen()) / logQ);
  let skip = uniformLogQ < 0 ? gap(uniformLogQ) : 0;
  while (head < tail && step < maxSteps) {
    step++;
    const levelEnd = tail;
    while (head < levelEnd) {
      const u = queue[head++];
      if (gate !== null && gate[u] < 1 && rng.float() >= gate[u]) continue; // the kernel's gate, same draw
      const e = off[u + 1];
      if (uniformLogQ < 0) {
        // The gap to the next success carries over from one customer's arc list to the next.
        let a = off[u] + skip;
        for (; a < e; a += 1 + gap(uniformLogQ)) activate(u, tgt[a]);
        skip = a - e;
      } else if (nodeP) {
        const pu = nodeP[u];
        if (pu <= 0) continue;
        if (pu >= 1) for (let a = off[u]; a < e; a++) activate(u, tgt[a]);
        else for (let a = off[u] + gap(nodeLogQ[u]); a < e; a += 1 + gap(nodeLogQ[u])) activate(u, tgt[a]);
      } else {
        for (let a = off[u]; a < e; a++) if (stamp[tgt[a]] !== ep && rng.float() < arcP![a]) activate(u, tgt[a]);
      }
    }
  }
  return tail;
}
