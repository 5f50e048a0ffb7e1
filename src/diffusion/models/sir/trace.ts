import type { CompiledGraph } from '../../../graph/compile.js';
import type { Tracer } from '../../kernel.js';
import { spreadFrom } from '../../kernels/spread.js';
import type { Rng } from '../../rng.js';
import type { Scratch } from '../../scratch.js';
import type { SirPlan } from './plan.js';
import { newGateState, passesOn } from '../../gate.js';

/** State codes of SIR's traced events (their names, in this order, in the answer's `trace`). */
export const SIR_TRACE_STATES = ['infected', 'recovered'] as const;

/**
 * The traced run of SIR (`trace: true`): the run of ./kernel.ts on the same stream, draw for draw, and it logs
 * (-1, seed, 0, infected) for each seed, (u, v, step, infected) for each infection (the customers one
 * spreadFrom() call queues are u's) and (-1, u, step, recovered) for each recovery. Only the one traced run
 * comes here, so the kernel of the Monte Carlo runs carries no tracing test. Leaves the run in s.queue[0 .. reach).
 */
export function traceSir(g: CompiledGraph, plan: SirPlan, s: Scratch, rng: Rng, tr: Tracer): number {
  const { ep, tail: seeded } = s.seedRun(plan.seeds);
  const { stamp, queue } = s;
  const off = g.outOffsets;
  const { nodeP, arcP, beta, gamma } = plan;
  let infected = Array.from(queue.subarray(0, seeded));
  for (const v of infected) tr.add(-1, v, 0, 0);
  let tail = seeded;
  // The kernel's gate, drawn at the same points of the stream (a customer's first step of infection).
  const gs = plan.gate ? newGateState(g.n, 1) : null;
  for (let step = 1; infected.length > 0 && step <= plan.maxSteps; step++) {
    const before = tail;
    for (const u of infected) {
      if (plan.gate && !passesOn(plan.gate, gs!, u, rng)) continue;
      const from = tail;
      tail = spreadFrom(u, off[u], off[u + 1], nodeP, arcP, beta, g.outTargets, stamp, ep, queue, tail, rng, null, 0);
      for (let q = from; q < tail; q++) tr.add(u, queue[q], step, 0);
    }
    // Recovery of those infected at the start of the step (in their order); survivors, then the newly infected.
    const still: number[] = [];
    for (const u of infected) {
      if (rng.float() < gamma) tr.add(-1, u, step, 1);
      else still.push(u);
    }
    infected = still.concat(Array.from(queue.subarray(before, tail)));
  }
  return tail;
}
