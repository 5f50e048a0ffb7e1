import type { CompiledGraph } from '../../graph/compile.js';
import type { KernelScratch, Recorder } from '../kernel.js';
import type { Rng } from '../rng.js';
import type { Scratch } from '../scratch.js';
import type { KernelPlan } from './compartmental.js';

/** States: S 0, adopting 1 (NDlib "Infected"), blocked 2 (NDlib -1); and two that live inside a run. */
const S = 0;
const A = 1;
const B = 2;
const EXPOSED = 3; // profile family: susceptible, exposed, flips its profile coin every step
const PENDING = 4; // adopts when the step ends
/** Curve indices: susceptible, adopting, blocked. */
const C_S = 0;
const C_A = 1;
const C_B = 2;

/** Which rule a threshold-family run follows. */
export const enum Rule {
  /** Granovetter 1978: adopt when the adopting share of in-neighbours reaches θ_v. */
  Threshold = 0,
  /** Ruan, Iñiguez, Karsai, Kertész 2015: Threshold + blocked customers + spontaneous adoption. */
  Kertesz = 1,
  /** Milli et al. 2018: exposed (>= 1 adopting in-neighbour) customers adopt with their profile each step. */
  Profile = 2,
  /** Milli et al. 2018: as Profile, exposure needs the adopting share to reach θ_v. */
  ProfileThreshold = 3,
}

/**
 * One run of a threshold-family model (synchronous: adoptions of step t see the adopters of steps < t,
 * as in NDlib). Push-based: when a customer adopts, its out-neighbours' counts of adopting in-neighbours go
 * up by one at the next step, and only they are checked — a run costs the arcs of the adopters (plus, for
 * the profile models, one coin per exposed customer and step), never a scan of all customers per step.
 * The share is count / in-degree (blocked in-neighbours count in the in-degree, not in the count).
 *
 * θ_v: the plan's per-customer value, else the default, or with drawThreshold a fresh U(0,1] per run, drawn
 * when v is first touched. Kertész: floor(n·blocked) non-seed customers are blocked at step 0 (a uniform
 * subset, by rejection). Profile family: an exposed customer adopts with probability profile_v
 * each step; if it does not and `blocked` > 0, it is blocked (immune) with probability `blocked`.
 * Spontaneous adoption (adopterRate a): every susceptible customer adopts with probability a at each step
 * (geometric skipping over the customers, so a step costs a·n, not n). Reach = adopters, in s.queue.
 */
export function runThresholdFamily(g: CompiledGraph, plan: KernelPlan, s: Scratch, ks: KernelScratch, rng: Rng, rec: Recorder, rule: Rule): number {
  const { ep: adoptEp, tail: seeded } = s.seedRun(plan.seeds);
  const adopted = s.stamp;
  const queue = s.queue;
  const ep = ks.nextEpoch();
  const valid = ks.valid;
  const state = ks.state;
  const count = ks.count;
  const theta = ks.theta;
  const exposed = ks.a;
  const pending = ks.b;
  const off = g.outOffsets;
  const tgt = g.outTargets;
  const inOff = g.inOffsets;
  const n = g.n;
  const k = plan.kernel;
  const nodeTheta = k.nodeThreshold;
  const drawTheta = k.drawThreshold;
  const theta0 = k.threshold;
  const nodeProfile = k.nodeProfile;
  const profile0 = k.profile;
  const blockP = k.blocked;
  const rate = k.adopterRate;
  const logQRate = rate > 0 && rate < 1 ? Math.log1p(-rate) : rate >= 1 ? -Infinity : 0;
  const usesThreshold = rule !== Rule.Profile;
  const usesProfile = rule === Rule.Profile || rule === Rule.ProfileThreshold;
  const tr = rec.tracer;
  const curves = rec.curves;
  for (let i = 0; i < seeded; i++) {
    const v = queue[i];
    valid[v] = ep;
    state[v] = A;
    if (tr) tr.add(-1, v, 0, A);
  }
  let blockedCount = 0;
  if (rule === Rule.Kertesz && blockP > 0) {
    // A uniform subset of the non-seeds by rejection (as NDlib: draw a customer, block it unless taken): it
    // depends on the run's stream only, so a run is the same in any batch or worker. < 2 draws per block for
    // blocked <= 1/2; n·H(n) at worst.
    const want = Math.min(n - seeded, Math.floor(n * blockP));
    while (blockedCount < want) {
      const v = rng.int(n);
      if (valid[v] === ep) continue; // a seed, or blocked already
      valid[v] = ep;
      state[v] = B;
      count[v] = 0;
      if (drawTheta) theta[v] = rng.floatOpen();
      blockedCount++;
      if (tr) tr.add(-1, v, 0, B);
    }
  }
  let reach = seeded;
  rec.steps.add(0, seeded);
  curves[C_S].add(0, n - seeded - blockedCount);
  curves[C_A].add(0, seeded);
  if (blockedCount > 0) curves[C_B].add(0, blockedCount);
  let susceptible = n - seeded - blockedCount;
  let freshFrom = 0; // adopters of the previous step: queue[freshFrom .. freshTo)
  let freshTo = seeded;
  let nExposed = 0;
  let step = 0;
  let arcs = 0;
  while (step < plan.maxSteps && susceptible > 0 && (freshTo > freshFrom || nExposed > 0 || rate > 0)) {
    step++;
    let nPending = 0;
    let newlyBlocked = 0;
    // 1. The previous step's adopters reach their out-neighbours.
    for (let i = freshFrom; i < freshTo; i++) {
      const u = queue[i];
      const e = off[u + 1];
      arcs += e - off[u];
      for (let a = off[u]; a < e; a++) {
        const v = tgt[a];
        let st: number;
        if (valid[v] !== ep) {
          valid[v] = ep;
          state[v] = S;
          count[v] = 0;
          if (drawTheta) theta[v] = rng.floatOpen();
          st = S;
        } else {
          st = state[v];
          if (st !== S) continue; // adopting, blocked, pending, or exposed (which needs no more counting)
        }
        const c = ++count[v];
        let reached = true;
        if (usesThreshold) {
          const th = drawTheta ? theta[v] : nodeTheta && nodeTheta[v] === nodeTheta[v] ? nodeTheta[v] : theta0;
          reached = c / (inOff[v + 1] - inOff[v]) >= th;
        }
        if (!reached) continue;
        if (!usesProfile) {
          state[v] = PENDING;
          pending[nPending++] = v;
          if (tr) tr.add(u, v, step, A);
        } else if (st === S) {
          state[v] = EXPOSED;
          exposed[nExposed++] = v;
          count[v] = -1 - u; // remember who exposed v (for the trace): counts are no longer needed
        }
      }
    }
    // 2. Spontaneous adoption of susceptible (or exposed) customers.
    if (rate > 0) {
      let v = Math.floor(Math.log(rng.floatOpen()) / logQRate);
      while (v < n) {
        const st = valid[v] === ep ? state[v] : S;
        if (st === S || st === EXPOSED) {
          if (valid[v] !== ep) {
            valid[v] = ep;
            count[v] = 0;
            if (drawTheta) theta[v] = rng.floatOpen();
          }
          state[v] = PENDING;
          pending[nPending++] = v;
          if (tr) tr.add(-1, v, step, A);
        }
        v += 1 + Math.floor(Math.log(rng.floatOpen()) / logQRate);
      }
    }
    // 3. Profile coins of the exposed.
    if (usesProfile) {
      let kept = 0;
      for (let i = 0; i < nExposed; i++) {
        const v = exposed[i];
        if (state[v] !== EXPOSED) continue; // adopted spontaneously this step
        const pr = nodeProfile && nodeProfile[v] === nodeProfile[v] ? nodeProfile[v] : profile0;
        if (rng.float() < pr) {
          state[v] = PENDING;
          pending[nPending++] = v;
          if (tr) tr.add(count[v] < 0 ? -1 - count[v] : -1, v, step, A);
        } else if (blockP > 0 && rng.float() < blockP) {
          state[v] = B;
          newlyBlocked++;
          if (tr) tr.add(-1, v, step, B);
        } else {
          exposed[kept++] = v;
        }
      }
      nExposed = kept;
    }
    // 4. This step's adopters.
    freshFrom = reach;
    for (let i = 0; i < nPending; i++) {
      const v = pending[i];
      state[v] = A;
      adopted[v] = adoptEp;
      queue[reach++] = v;
    }
    freshTo = reach;
    susceptible -= nPending + newlyBlocked;
    if (nPending > 0) {
      rec.steps.add(step, nPending);
      curves[C_A].add(step, nPending);
    }
    if (nPending + newlyBlocked > 0) curves[C_S].add(step, -nPending - newlyBlocked);
    if (newlyBlocked > 0) curves[C_B].add(step, newlyBlocked);
  }
  rec.arcs += arcs;
  return reach;
}
