import { CancelledError } from '../../../errors.js';
import type { CompiledGraph } from '../../../graph/compile.js';
import type { SirPlan } from './plan.js';
import type { Rng } from '../../rng.js';
import type { Scratch, StepSums } from '../../scratch.js';
import { spreadFrom } from '../../kernels/spread.js';
import { passesOn, type GateState } from '../../gate.js';

/**
 * One run of SIR on the customer graph (discrete time, DESIGN §3). At each step every infected customer
 * u tries each susceptible out-neighbour v once with probability beta·p(u,v); then every customer that
 * was infected at the start of the step recovers with probability gamma. Customers infected during the
 * step start infecting at the next one. With gamma = 1 each infected customer gets exactly one step of
 * chances: IC with p·beta.
 *
 * With a gate (`activity: 'gate'`, `gateState` for this run), an infected customer whose gate (passesOn, drawn at
 * its first step of infection) stays shut tries no arc while infected, and still recovers with gamma.
 *
 * Reach = ever infected, listed in s.queue[0 .. reach). `steps` gets new infections per step and
 * `infected` the number currently infected after each step (S/I/R curves follow from both).
 */
export function runSir(
  g: CompiledGraph, plan: SirPlan, s: Scratch, rng: Rng, steps: StepSums, infected: StepSums, out: { arcs: number }, isCancelled?: () => boolean,
  gateState: GateState | null = null,
): number {
  const gate = gateState ? plan.gate : null;
  const { ep, tail: seeded } = s.seedRun(plan.seeds);
  const stamp = s.stamp;
  const queue = s.queue;
  let cur = s.list;
  let nxt = s.list2;
  const off = g.outOffsets;
  const tgt = g.outTargets;
  let tail = seeded;
  for (let i = 0; i < tail; i++) cur[i] = queue[i];
  let nCur = tail;
  steps.add(0, tail);
  infected.add(0, tail);
  const nodeP = plan.nodeP;
  const arcP = plan.arcP;
  const beta = plan.beta;
  const gamma = plan.gamma;
  const maxSteps = plan.maxSteps;
  let step = 0;
  let arcs = 0;
  while (nCur > 0 && step < maxSteps) {
    step++;
    // A run can last maxSteps (gamma = 0): cancellation is checked inside it, not only between runs.
    if ((step & 255) === 0 && isCancelled?.()) throw new CancelledError();
    const before = tail;
    for (let i = 0; i < nCur; i++) {
      const u = cur[i];
      if (gate !== null && !passesOn(gate, gateState!, u, rng)) continue;
      arcs += off[u + 1] - off[u];
      tail = spreadFrom(u, off[u], off[u + 1], nodeP, arcP, beta, tgt, stamp, ep, queue, tail, rng, null, 0);
    }
    // Recovery of those infected at the start of the step; survivors then this step's new infections.
    let k = 0;
    for (let i = 0; i < nCur; i++) {
      const u = cur[i];
      if (!(rng.float() < gamma)) nxt[k++] = u;
    }
    for (let q = before; q < tail; q++) nxt[k++] = queue[q];
    const tmp = cur;
    cur = nxt;
    nxt = tmp;
    nCur = k;
    if (tail > before) steps.add(step, tail - before);
    infected.add(step, nCur); // also when 0: the curves reach the step where the last customer recovered
  }
  out.arcs += arcs;
  return tail;
}
