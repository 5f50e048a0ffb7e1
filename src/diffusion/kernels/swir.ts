import type { CompiledGraph } from '../../graph/compile.js';
import type { KernelScratch, Recorder } from '../kernel.js';
import type { Rng } from '../rng.js';
import type { Scratch } from '../scratch.js';
import { passesOn } from '../gate.js';
import { startInfected, type KernelPlan } from './compartmental.js';

/** NDlib's SWIR codes: S 0, I 1, W 2, R 3; plus two states that last until the end of a step. */
const S = 0;
const I = 1;
const W = 2;
const R = 3;
const TO_W = 5; // susceptible at the start of the step, weakened during it
const TO_I = 6; // infected during the step
/** Curve indices: S, W, I, R (the model's compartments order). */
const C_S = 0;
const C_W = 1;
const C_I = 2;
const C_R = 3;

/**
 * One run of SWIR (Lee, Choi, Stippich, Kertész et al., "Hybrid phase transition into an absorbing state:
 * percolation and avalanches", PRE 2016; NDlib `SWIRModel`). Each step, every customer infected at the
 * start of the step contacts each out-neighbour once with probability p(u,v) (1 by default): a contacted
 * susceptible customer becomes infected with kappa, or else weakened with mu; a contacted weakened one
 * (weakened before this step) becomes infected with nu.
 * Then every customer infected at the start of the step is removed: each infected customer gets exactly
 * one step of contacts. A customer infected by any contact is infected; one only weakened stays weakened.
 *
 * Differences from NDlib's code, named: NDlib draws one number per infected customer and reuses it across
 * its neighbours until a kappa trial fails (correlated trials), and a later contact's outcome overwrites
 * an earlier one's in the same step (an infection can be undone into "weakened"). Here every trial is
 * independent and infection wins. Reach = ever infected.
 */
export function runSwir(g: CompiledGraph, plan: KernelPlan, s: Scratch, ks: KernelScratch, rng: Rng, rec: Recorder): number {
  let inf = ks.a;
  const { everEp, ep, seeded } = startInfected(g, plan.seeds, s, ks, rec, inf, C_I);
  const ever = s.stamp;
  const queue = s.queue;
  const valid = ks.valid;
  const state = ks.state;
  const off = g.outOffsets;
  const tgt = g.outTargets;
  const { kappa, mu, nu } = plan.kernel;
  const nodeP = plan.nodeP;
  const arcP = plan.arcP;
  const tr = rec.tracer;
  const curves = rec.curves;
  let next = ks.b;
  const weak = ks.c; // weakened during the step
  let nInf = seeded;
  let reach = seeded;
  let step = 0;
  let arcs = 0;
  const gate = plan.gate ?? null;
  const gs = gate ? ks.startGate() : null;
  while (nInf > 0 && step < plan.maxSteps) {
    step++;
    let nNext = 0;
    let nWeak = 0;
    let fromS = 0; // S -> I this step
    let fromW = 0; // W -> I this step
    for (let i = 0; i < nInf; i++) {
      const u = inf[i];
      // Gate reading: a customer that does not pass it on this run contacts no one (and is removed as usual).
      if (gate !== null && !passesOn(gate, gs!, u, rng)) continue;
      const e = off[u + 1];
      arcs += e - off[u];
      const pu = nodeP ? nodeP[u] : 0;
      for (let a = off[u]; a < e; a++) {
        const v = tgt[a];
        const st = valid[v] === ep ? state[v] : S;
        if (st !== S && st !== TO_W && st !== W) continue;
        const p = nodeP ? pu : arcP![a];
        if (p < 1 && !(rng.float() < p)) continue; // no contact on this arc this step
        if (st === W) {
          if (rng.float() < nu) {
            state[v] = TO_I;
            next[nNext++] = v;
            if (tr) tr.add(u, v, step, I);
          }
        } else if (rng.float() < kappa) {
          if (st === TO_W) fromW--; // counted as S -> I instead of S -> W
          valid[v] = ep;
          state[v] = TO_I;
          next[nNext++] = v;
          fromS++;
          if (tr) tr.add(u, v, step, I);
        } else if (st === S && rng.float() < mu) {
          valid[v] = ep;
          state[v] = TO_W;
          weak[nWeak++] = v;
          fromW++;
          if (tr) tr.add(u, v, step, W);
        }
      }
    }
    // fromW so far = net S -> W (weakened and not infected later in the step).
    // Apply the step: infections, then weakenings not overtaken by an infection, then removals.
    for (let i = 0; i < nNext; i++) {
      const v = next[i];
      state[v] = I;
      if (ever[v] !== everEp) {
        ever[v] = everEp;
        queue[reach++] = v;
      }
    }
    for (let i = 0; i < nWeak; i++) {
      const v = weak[i];
      if (state[v] === TO_W) state[v] = W;
    }
    const wToI = nNext - fromS;
    for (let i = 0; i < nInf; i++) state[inf[i]] = R;
    if (tr) for (let i = 0; i < nInf; i++) tr.add(-1, inf[i], step, R);
    if (nNext > 0) rec.steps.add(step, nNext);
    curves[C_S].add(step, -fromS - fromW);
    curves[C_W].add(step, fromW - wToI);
    curves[C_I].add(step, nNext - nInf);
    curves[C_R].add(step, nInf);
    const tmp = inf;
    inf = next;
    next = tmp;
    nInf = nNext;
  }
  rec.arcs += arcs;
  return reach;
}
