import type { CompiledGraph } from '../../graph/compile.js';
import type { KernelParams, KernelScratch, Recorder } from '../kernel.js';
import { commonValue, GAP_SHIFT, geometricGap, geometricTable, NO_TABLE } from '../geometric.js';

const TWO_POW_MINUS_32 = 2.3283064365386963e-10;
import type { Rng } from '../rng.js';
import type { Scratch } from '../scratch.js';
import { passesOn } from '../gate.js';

/** What every catalogue kernel reads from the plan. */
export interface KernelPlan {
  seeds: Int32Array;
  maxSteps: number;
  nodeP: Float64Array | null;
  arcP: Float32Array | null;
  /**
   * `activity: 'gate'` with some activity below 1 (../gate.ts): per customer, the chance that it passes anything on in
   * a run (one draw, the first time it would; its arcs then carry p without activity). Null or absent: no gate.
   */
  gate?: Float32Array | null;
  kernel: KernelParams;
}

/** NDlib's status codes where they exist: S 0, I 1, E 2, R 3. */
export const S = 0;
export const I = 1;
export const E = 2;
export const R = 3;

/** Curve indices of the compartments, in the order the models list them: S, I, E, R. */
export const C_S = 0;
export const C_I = 1;
export const C_E = 2;
export const C_R = 3;

/** Reused by startInfected (no allocation per run). */
const started = { everEp: 0, ep: 0, seeded: 0 };

/**
 * The start of a compartmental run (SIS, SEIR, SEIS here; SWIR in ./swir.ts): a fresh run on both scratches (`s.stamp`:
 * ever infected, `ks.state`: the compartment), every seed infected — state I, listed in `inf[0 .. seeded)`, traced — and
 * step 0 recorded: S = n - seeded and I = seeded on curves C_S and `iCurve`. Returns the two epochs and the seed count
 * (in a reused object).
 */
export function startInfected(
  g: CompiledGraph, seeds: Int32Array, s: Scratch, ks: KernelScratch, rec: Recorder, inf: Int32Array, iCurve: number,
): { everEp: number; ep: number; seeded: number } {
  const { ep: everEp, tail: seeded } = s.seedRun(seeds);
  const ep = ks.nextEpoch();
  const { queue } = s;
  const { valid, state } = ks;
  const tr = rec.tracer;
  for (let i = 0; i < seeded; i++) {
    const v = queue[i];
    valid[v] = ep;
    state[v] = I;
    inf[i] = v;
    if (tr) tr.add(-1, v, 0, I);
  }
  rec.steps.add(0, seeded);
  rec.curves[C_S].add(0, g.n - seeded);
  rec.curves[iCurve].add(0, seeded);
  started.everEp = everEp;
  started.ep = ep;
  started.seeded = seeded;
  return started;
}

/**
 * One run of the discrete-time compartmental models SIS, SEIR and SEIS (and SIR-like variants), with the
 * synchronous semantics of NDlib's models (Kermack–McKendrick compartments on a network; Pastor-Satorras
 * & Vespignani 2001 for SIS on networks):
 *
 * at each step every customer infected at the start of the step tries each out-neighbour that is
 * susceptible at the start of the step once, with probability beta·p(u,v) (NDlib's `tp_rate = 1`: a
 * susceptible customer with k infected in-neighbours is infected with 1 − Π(1 − beta·p)); the newly
 * infected become exposed (with an E stage) or infected when the step ends. Then each customer exposed at
 * the start of the step turns infected with probability alpha, and each customer infected at the start
 * of the step recovers for good with probability gamma (SEIR) or becomes susceptible again with
 * probability lambda (SIS, SEIS). Only infected customers' arcs are examined (push), so a step costs the
 * out-degree of the infected, not n. Susceptible is "not valid in this run" (KernelScratch): a customer who
 * returns to S is un-stamped (valid 0), so the contact loop tests one array, and a customer infected earlier in the
 * step is stamped at once, so a second contact on it is the no-op its coin would be.
 *
 * With the uniform scheme the trials of one customer's arcs are skipped geometrically (a success on a
 * customer that is no longer susceptible is a no-op, exactly as its coin would be); when every customer has the
 * same q the gaps come from a table (../geometric.ts: the same numbers as the logarithm, without one per draw).
 *
 * Reach = customers ever infected or exposed (listed in s.queue[0 .. reach)); rec.curves get the changes
 * of S, I, E, R per step; the traced run logs infections (from, to, step, E or I) and recoveries.
 */
export function runCompartmental(g: CompiledGraph, plan: KernelPlan, s: Scratch, ks: KernelScratch, rng: Rng, rec: Recorder, withE: boolean): number {
  let inf = ks.a; // infected at the start of the step
  const { everEp, ep, seeded } = startInfected(g, plan.seeds, s, ks, rec, inf, C_I);
  const ever = s.stamp;
  const queue = s.queue;
  const valid = ks.valid;
  const state = ks.state;
  const off = g.outOffsets;
  const tgt = g.outTargets;
  const { beta, alpha, gamma, lambda } = plan.kernel;
  const nodeP = plan.nodeP;
  const arcP = plan.arcP;
  const tr = rec.tracer;
  const curves = rec.curves;
  let infNext = ks.b;
  const exp = ks.c; // exposed at the start of the step
  const fresh = ks.d; // infected during the step
  let nInf = seeded;
  let nExp = 0;
  let reach = seeded;
  // Uniform p and equal activity (the common case): one q for every customer, its gaps read from a table.
  const qCommon = nodeP ? beta * commonValue(nodeP) : NaN;
  const lqCommon = Math.log1p(-qCommon);
  const tabCommon = qCommon > 0 && qCommon < 1 ? geometricTable(lqCommon) : NO_TABLE;
  const recover = gamma + lambda; // SEIR has only gamma, SIS and SEIS only lambda
  const gate = plan.gate ?? null;
  const gs = gate ? ks.startGate() : null;
  const toS = lambda > 0;
  let step = 0;
  let arcs = 0;
  // The generator in locals for the whole run (sfc32, exactly Rng.nextUint32; written back at the end): every draw
  // below is the one rng.float() / geometricSkip(rng, …) would make, without storing and reloading its state.
  let s0 = rng.a;
  let s1 = rng.b;
  let s2 = rng.c;
  let s3 = rng.d;
  while ((nInf > 0 || nExp > 0) && step < plan.maxSteps) {
    step++;
    let nFresh = 0;
    // 1. Contacts from the infected of the start of the step.
    for (let i = 0; i < nInf; i++) {
      const u = inf[i];
      // Gate reading: a customer that does not pass it on this run stays infected (and recovers) but tries no arc.
      if (gate !== null && !passesOn(gate, gs!, u, rng)) continue;
      const e = off[u + 1];
      let a = off[u];
      arcs += e - a;
      if (nodeP) {
        const q = beta * nodeP[u];
        if (q <= 0) continue;
        if (q >= 1) {
          for (; a < e; a++) {
            const v = tgt[a];
            if (valid[v] !== ep) {
              valid[v] = ep;
              fresh[nFresh++] = v;
              if (tr) tr.add(u, v, step, withE ? E : I);
            }
          }
          continue;
        }
        const common = q === qCommon;
        const lq = common ? lqCommon : Math.log1p(-q);
        const tab = common ? tabCommon : NO_TABLE;
        // geometricSkip: the gap of 32-bit draw x from the table, or floor(log U / lq) where it has none.
        for (let gap = -1; ; ) {
          s3 = (s3 + 1) | 0;
          const t = (((s0 + s1) | 0) + s3) | 0;
          s0 = s1 ^ (s1 >>> 9);
          s1 = (s2 + (s2 << 3)) | 0;
          s2 = (((s2 << 21) | (s2 >>> 11)) + t) | 0;
          const x = t >>> 0;
          const k = tab[x >>> GAP_SHIFT];
          a += 1 + gap + (k >= 0 ? k : geometricGap(x, lq));
          if (a >= e) break;
          gap = 0;
          const v = tgt[a];
          if (valid[v] !== ep) {
            valid[v] = ep;
            fresh[nFresh++] = v;
            if (tr) tr.add(u, v, step, withE ? E : I);
          }
        }
      } else {
        const pa = arcP!;
        for (; a < e; a++) {
          const v = tgt[a];
          if (valid[v] === ep) continue;
          s3 = (s3 + 1) | 0;
          const t = (((s0 + s1) | 0) + s3) | 0;
          s0 = s1 ^ (s1 >>> 9);
          s1 = (s2 + (s2 << 3)) | 0;
          s2 = (((s2 << 21) | (s2 >>> 11)) + t) | 0;
          if ((t >>> 0) * TWO_POW_MINUS_32 < beta * pa[a]) {
            valid[v] = ep;
            fresh[nFresh++] = v;
            if (tr) tr.add(u, v, step, withE ? E : I);
          }
        }
      }
    }
    // 2. Exposed of the start of the step turn infected with alpha.
    let kInf = 0;
    let nExpLeft = 0;
    let eToI = 0;
    for (let i = 0; i < nExp; i++) {
      const u = exp[i];
      s3 = (s3 + 1) | 0;
      const t = (((s0 + s1) | 0) + s3) | 0;
      s0 = s1 ^ (s1 >>> 9);
      s1 = (s2 + (s2 << 3)) | 0;
      s2 = (((s2 << 21) | (s2 >>> 11)) + t) | 0;
      if ((t >>> 0) * TWO_POW_MINUS_32 < alpha) {
        state[u] = I;
        infNext[kInf++] = u;
        eToI++;
        if (tr) tr.add(-1, u, step, I);
      } else {
        exp[nExpLeft++] = u;
      }
    }
    // 3. Infected of the start of the step recover (R) or return to S.
    let left = 0;
    for (let i = 0; i < nInf; i++) {
      const u = inf[i];
      s3 = (s3 + 1) | 0;
      const t = (((s0 + s1) | 0) + s3) | 0;
      s0 = s1 ^ (s1 >>> 9);
      s1 = (s2 + (s2 << 3)) | 0;
      s2 = (((s2 << 21) | (s2 >>> 11)) + t) | 0;
      if ((t >>> 0) * TWO_POW_MINUS_32 < recover) {
        left++;
        // Back to S = no longer valid in this run (the contact loop's one test); R stays valid with state R.
        if (toS) valid[u] = 0;
        else state[u] = R;
        if (tr) tr.add(-1, u, step, toS ? S : R);
      } else {
        infNext[kInf++] = u;
      }
    }
    // 4. This step's infections take effect.
    for (let i = 0; i < nFresh; i++) {
      const v = fresh[i];
      if (ever[v] !== everEp) {
        ever[v] = everEp;
        queue[reach++] = v;
      }
      if (withE) {
        state[v] = E;
        exp[nExpLeft++] = v;
      } else {
        state[v] = I;
        infNext[kInf++] = v;
      }
    }
    nExp = nExpLeft;
    const tmp = inf;
    inf = infNext;
    infNext = tmp;
    nInf = kInf;
    if (nFresh > 0) {
      rec.steps.add(step, nFresh);
      curves[C_S].add(step, -nFresh);
    }
    if (withE) {
      curves[C_E].add(step, nFresh - eToI);
      curves[C_I].add(step, eToI - left);
    } else {
      curves[C_I].add(step, nFresh - left);
    }
    if (left > 0) {
      if (toS) curves[C_S].add(step, left);
      else curves[C_R].add(step, left);
    }
  }
  rng.a = s0;
  rng.b = s1;
  rng.c = s2;
  rng.d = s3;
  rec.arcs += arcs;
  return reach;
}
