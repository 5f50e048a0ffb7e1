import type { CompiledGraph } from '../../../graph/compile.js';
import type { VoicePlan } from './plan.js';
import type { Rng } from '../../rng.js';
import type { CurveSums, Scratch, StepSums } from '../../scratch.js';
import { spreadFrom } from '../../kernels/spread.js';
import { passesOn, type GateState } from '../../gate.js';

/** The gate reading's per-run draws (../../gate.ts), re-exported where the voice model first had them. */
export { passesOn, type GateState } from '../../gate.js';

export interface VoiceOut {
  arcs: number;
  negative: number;
  positive: number;
  /** Step >= 1 with the most customers newly reached (either opinion), earliest on ties; 0 if none. */
  peakStep: number;
  /**
   * Step >= 1 with the most customers newly reached by the negative (positive) opinion, earliest on ties; 0 when
   * that opinion reaches no one after step 0. A brand turn is not a customer newly reached and does not count.
   */
  negativePeakStep: number;
  positivePeakStep: number;
}

const NEG = 1;
const POS = 2;
/** Turned positive privately before speaking (response at step 0, not public): holds praise, spreads nothing. */
const POS_SILENT = 3;

/**
 * One run of the voice model (DESIGN §3; after Chen et al. SDM 2011 and Budak et al. WWW 2011): two
 * opinions spread as IC. A negative message crosses u->v with min(1, p(u,v)·negativityBias), a positive
 * one with p(u,v). A customer keeps the first opinion that reaches it; when both reach it in the same
 * step, negative wins (all negative attempts of a step are made before the positive ones, and a positive
 * attempt on a customer that turned negative this step fails).
 *
 * Brand response (negative seeds only): after the activations of step `atStep`, each complainant (seed)
 * still negative turns positive with probability `effectiveness`, drawn from `respRng` — a stream
 * separate from the cascade's, so effectiveness 0 leaves every run unchanged. If `public`, a turned
 * complainant tries its out-neighbours with positive messages at step atStep+1 (a second chance, with
 * the other opinion). The negative/positive step curves count a turn as -1 negative / +1 positive at
 * `atStep`, so their cumulative sums are the holders of each opinion at each step. `atStep` 0 answers
 * before the complainant speaks (see POS_SILENT); with effectiveness 1 and `public` a run is then exactly
 * the praise run of the same stream.
 *
 * With a gate (`activity: 'gate'`, `gateState`), a customer passes a message on only if its gate (passesOn) opens.
 *
 * `passed` (when given): per customer, +1 for each run in which it passed the voice on, i.e. reached at least
 * one customer not reached before (either opinion; a turned complainant counts once per run).
 */
export function runVoice(
  g: CompiledGraph, plan: VoicePlan, s: Scratch, rng: Rng, respRng: Rng,
  steps: StepSums, negSteps: CurveSums, posSteps: CurveSums, out: VoiceOut, passed: Int32Array | null = null,
  gateState: GateState | null = null,
): number {
  const gate = gateState ? plan.gate : null;
  const { ep, tail: seeded } = s.seedRun(plan.seeds);
  const mark = passed ? s.mark : null;
  negSteps.startRun();
  posSteps.startRun();
  const stamp = s.stamp;
  const op = s.opinion;
  const queue = s.queue;
  const flipped = s.list;
  const off = g.outOffsets;
  const tgt = g.outTargets;
  const seedOp = plan.negativeSeeds ? NEG : POS;
  let tail = seeded;
  for (let i = 0; i < tail; i++) op[queue[i]] = seedOp;
  const nSeeds = tail;
  let neg = seedOp === NEG ? tail : 0;
  let pos = tail - neg;
  steps.add(0, tail);
  (seedOp === NEG ? negSteps : posSteps).add(0, tail);
  const response = plan.negativeSeeds ? plan.response : null;
  const atStep = response ? response.atStep : -1;
  const nodeP = plan.nodeP;
  const arcP = plan.arcP;
  const negNodeP = plan.negNodeP;
  const negArcP = plan.negArcP;
  const maxSteps = plan.maxSteps;
  let nFlipped = 0;
  let head = 0;
  let step = 0;
  let arcs = 0;
  let peakStep = 0;
  let peakNew = 0;
  let negPeakStep = 0;
  let negPeakNew = 0;
  let posPeakStep = 0;
  let posPeakNew = 0;
  if (atStep === 0) {
    // Answered before speaking: a turned complainant's first message is praise (public) or nothing (private).
    let turned = 0;
    for (let i = 0; i < nSeeds; i++) {
      const u = queue[i];
      if (respRng.float() < response!.effectiveness) {
        op[u] = response!.public ? POS : POS_SILENT;
        turned++;
      }
    }
    if (turned > 0) {
      neg -= turned;
      pos += turned;
      negSteps.add(0, -turned);
      posSteps.add(0, turned);
    }
  }
  while (step < maxSteps && (head < tail || nFlipped > 0 || step < atStep)) {
    step++;
    const levelEnd = tail;
    // Negative messages first.
    for (let q = head; q < levelEnd; q++) {
      const u = queue[q];
      if (op[u] !== NEG) continue;
      if (gate !== null && !passesOn(gate, gateState!, u, rng)) continue;
      arcs += off[u + 1] - off[u];
      const before = tail;
      tail = spreadFrom(u, off[u], off[u + 1], negNodeP, negArcP, 1, tgt, stamp, ep, queue, tail, rng, op, NEG);
      // Passed it on: reached someone new this run (counted once per run per customer).
      if (mark && tail > before && mark[u] !== ep) {
        mark[u] = ep;
        passed![u]++;
      }
    }
    const negNew = tail - levelEnd;
    // Then positive messages: this level's positive customers and turned complainants (public response).
    for (let q = head; q < levelEnd + nFlipped; q++) {
      const u = q < levelEnd ? queue[q] : flipped[q - levelEnd];
      if (op[u] !== POS) continue;
      if (gate !== null && !passesOn(gate, gateState!, u, rng)) continue;
      arcs += off[u + 1] - off[u];
      const before = tail;
      tail = spreadFrom(u, off[u], off[u + 1], nodeP, arcP, 1, tgt, stamp, ep, queue, tail, rng, op, POS);
      // Passed it on: reached someone new this run (counted once per run per customer).
      if (mark && tail > before && mark[u] !== ep) {
        mark[u] = ep;
        passed![u]++;
      }
    }
    const posNew = tail - levelEnd - negNew;
    nFlipped = 0;
    head = levelEnd;
    neg += negNew;
    pos += posNew;
    if (negNew + posNew > 0) steps.add(step, negNew + posNew);
    if (negNew + posNew > peakNew) {
      peakNew = negNew + posNew;
      peakStep = step;
    }
    if (negNew > 0) {
      negSteps.add(step, negNew);
      if (negNew > negPeakNew) {
        negPeakNew = negNew;
        negPeakStep = step;
      }
    }
    if (posNew > 0) {
      posSteps.add(step, posNew);
      if (posNew > posPeakNew) {
        posPeakNew = posNew;
        posPeakStep = step;
      }
    }
    if (step === atStep) {
      let turned = 0;
      for (let i = 0; i < nSeeds; i++) {
        const u = queue[i];
        if (op[u] === NEG && respRng.float() < response!.effectiveness) {
          op[u] = POS;
          turned++;
          if (response!.public) flipped[nFlipped++] = u;
        }
      }
      if (turned > 0) {
        neg -= turned;
        pos += turned;
        negSteps.add(step, -turned);
        posSteps.add(step, turned);
      }
    }
  }
  negSteps.endRun();
  posSteps.endRun();
  out.arcs += arcs;
  out.negative = neg;
  out.positive = pos;
  out.peakStep = peakStep;
  out.negativePeakStep = negPeakStep;
  out.positivePeakStep = posPeakStep;
  return tail;
}
