import type { CompiledGraph } from '../../../graph/compile.js';
import type { Tracer } from '../../kernel.js';
import { spreadFrom } from '../../kernels/spread.js';
import type { Rng } from '../../rng.js';
import type { Scratch } from '../../scratch.js';
import type { VoicePlan } from './plan.js';
import { passesOn, type GateState } from './kernel.js';

/** State codes of voice's traced events (their names, in this order, in the answer's `trace`). */
export const VOICE_TRACE_STATES = ['negative', 'positive'] as const;

/** Opinion codes in Scratch.opinion, as in ./kernel.ts. */
const NEG = 1;
const POS = 2;
const POS_SILENT = 3;

/**
 * The traced run of voice (`trace: true`): the run of ./kernel.ts on the same streams (the cascade's `rng`, the
 * brand response's `respRng`), draw for draw — negative messages of a step before positive ones, then the brand's
 * turn at `atStep` — and it logs (-1, seed, 0, opinion) for each seed, (u, v, step, opinion) for each customer
 * reached (the customers one spreadFrom() call queues are u's) and (-1, complainant, atStep, positive) for each
 * turn. Only the one traced run comes here, so the kernel of the Monte Carlo runs carries no tracing test.
 */
export function traceVoice(g: CompiledGraph, plan: VoicePlan, s: Scratch, rng: Rng, respRng: Rng, tr: Tracer): number {
  const { ep, tail: seeded } = s.seedRun(plan.seeds);
  const { stamp, queue, opinion: op } = s;
  const off = g.outOffsets;
  const seedOp = plan.negativeSeeds ? NEG : POS;
  for (let i = 0; i < seeded; i++) {
    op[queue[i]] = seedOp;
    tr.add(-1, queue[i], 0, seedOp === NEG ? 0 : 1);
  }
  const response = plan.negativeSeeds ? plan.response : null;
  const atStep = response ? response.atStep : -1;
  const turned = () => response !== null && respRng.float() < response.effectiveness;
  let tail = seeded;
  let step = 0;
  // The kernel's gate, drawn at the same points of the stream (a customer's first message of the run).
  const gateState: GateState | null = plan.gate ? { stamp: new Int32Array(g.n), open: new Uint8Array(g.n), run: 1 } : null;
  const spread = (u: number, nodeP: Float64Array | null, arcP: Float32Array | null, opinion: number) => {
    if (plan.gate && !passesOn(plan.gate, gateState!, u, rng)) return;
    const from = tail;
    tail = spreadFrom(u, off[u], off[u + 1], nodeP, arcP, 1, g.outTargets, stamp, ep, queue, tail, rng, op, opinion);
    for (let q = from; q < tail; q++) tr.add(u, queue[q], step, opinion === NEG ? 0 : 1);
  };
  if (atStep === 0) {
    // Answered before speaking: a turned complainant's first message is praise (public) or nothing (private).
    for (let i = 0; i < seeded; i++) {
      if (!turned()) continue;
      op[queue[i]] = response!.public ? POS : POS_SILENT;
      tr.add(-1, queue[i], 0, 1);
    }
  }
  let head = 0;
  let flipped: number[] = [];
  while (step < plan.maxSteps && (head < tail || flipped.length > 0 || step < atStep)) {
    step++;
    const levelEnd = tail;
    for (let q = head; q < levelEnd; q++) if (op[queue[q]] === NEG) spread(queue[q], plan.negNodeP, plan.negArcP, NEG);
    // Then positive messages: this level's positive customers and the complainants turned at the step before (public).
    for (const u of [...queue.subarray(head, levelEnd), ...flipped]) if (op[u] === POS) spread(u, plan.nodeP, plan.arcP, POS);
    head = levelEnd;
    flipped = [];
    if (step !== atStep) continue;
    for (let i = 0; i < seeded; i++) {
      const u = queue[i];
      if (op[u] !== NEG || !turned()) continue;
      op[u] = POS;
      tr.add(-1, u, step, 1);
      if (response!.public) flipped.push(u);
    }
  }
  return tail;
}
