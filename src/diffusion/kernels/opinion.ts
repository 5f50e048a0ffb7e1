import type { CompiledGraph } from '../../graph/compile.js';
import type { KernelScratch, Recorder } from '../kernel.js';
import type { Rng } from '../rng.js';
import type { Scratch } from '../scratch.js';
import type { KernelPlan } from './compartmental.js';

/** Binary opinions: 0 against the brand, 1 for it. Curve indices: against, for. */
const C_AGAINST = 0;
const C_FOR = 1;

export const enum OpinionRule {
  /** Clifford & Sudbury 1973, Holley & Liggett 1975: a random listener copies a random in-neighbour. */
  Voter = 0,
  /** Castellano, Muñoz, Pastor-Satorras 2009: copies q random in-neighbours (with repetition) if they agree. */
  QVoter = 1,
  /** Galam 2002, Krapivsky & Redner 2003: q random customers take their majority opinion (mean field). */
  Majority = 2,
  /** Sznajd-Weron & Sznajd 2000: two agreeing neighbours convince all their out-neighbours. */
  Sznajd = 3,
}

/**
 * Step 0 of a binary-opinion run: the seeds hold "for", plus floor(forShare·n) other customers drawn
 * uniformly (by rejection); everybody else "against". O(n): every customer holds an opinion. Returns the
 * number holding "for".
 */
function initBinary(g: CompiledGraph, plan: KernelPlan, ks: KernelScratch, rng: Rng, rec: Recorder): number {
  const n = g.n;
  const op = ks.state;
  op.fill(0);
  const seeds = plan.seeds;
  let nFor = 0;
  const tr = rec.tracer;
  for (let i = 0; i < seeds.length; i++) {
    if (op[seeds[i]] === 0) {
      op[seeds[i]] = 1;
      nFor++;
      if (tr) tr.add(-1, seeds[i], 0, 1);
    }
  }
  const want = Math.min(n - nFor, Math.floor(plan.kernel.forShare * n));
  // Uniform among the customers not yet "for", by rejection: depends on the run's stream only.
  for (let got = 0; got < want; ) {
    const v = rng.int(n);
    if (op[v] === 1) continue;
    op[v] = 1;
    got++;
    nFor++;
    if (tr) tr.add(-1, v, 0, 1);
  }
  return nFor;
}

/**
 * One run of a binary opinion model. Time: one step is a sweep of n elementary updates (ceil(n/q) group
 * discussions for majority rule), so steps are comparable across sizes; NDlib counts one elementary update
 * per iteration. A run ends at consensus (everybody for, or everybody against: both absorbing) or maxSteps.
 * A customer without in-neighbours never changes (voter, q-voter); Sznajd pairs a customer with an
 * out-neighbour. Per-run extras: rec.extra1 = consensus step (NaN if none by maxSteps), rec.extra2 = final
 * share of customers "for" (1 or 0 at consensus). Reach = customers "for" at the end, in s.queue.
 */
export function runBinaryOpinion(g: CompiledGraph, plan: KernelPlan, s: Scratch, ks: KernelScratch, rng: Rng, rec: Recorder, rule: OpinionRule): number {
  const n = g.n;
  const op = ks.state;
  const inOff = g.inOffsets;
  const inSrc = g.inSources;
  const off = g.outOffsets;
  const tgt = g.outTargets;
  const q = plan.kernel.q;
  const tieOpinion = plan.kernel.tieOpinion;
  const tr = rec.tracer;
  let nFor = initBinary(g, plan, ks, rng, rec);
  rec.steps.add(0, nFor);
  rec.curves[C_AGAINST].add(0, n - nFor);
  rec.curves[C_FOR].add(0, nFor);
  const updates = rule === OpinionRule.Majority ? Math.ceil(n / q) : n;
  let step = 0;
  let consensus = nFor === 0 || nFor === n ? 0 : NaN;
  let arcs = 0;
  while (consensus !== consensus && step < plan.maxSteps) {
    step++;
    const before = nFor;
    for (let k = 0; k < updates; k++) {
      if (rule === OpinionRule.Voter) {
        const l = rng.int(n);
        const d = inOff[l + 1] - inOff[l];
        if (d === 0) continue;
        const sp = inSrc[inOff[l] + rng.int(d)];
        arcs++;
        const o = op[sp];
        if (op[l] !== o) {
          op[l] = o;
          nFor += o === 1 ? 1 : -1;
          if (tr) tr.add(sp, l, step, o);
        }
      } else if (rule === OpinionRule.QVoter) {
        const l = rng.int(n);
        const d = inOff[l + 1] - inOff[l];
        if (d === 0) continue;
        const first = inSrc[inOff[l] + rng.int(d)];
        const o = op[first];
        let agree = true;
        for (let j = 1; j < q; j++) {
          if (op[inSrc[inOff[l] + rng.int(d)]] !== o) {
            agree = false;
            break;
          }
        }
        arcs += q;
        if (agree && op[l] !== o) {
          op[l] = o;
          nFor += o === 1 ? 1 : -1;
          if (tr) tr.add(first, l, step, o);
        }
      } else if (rule === OpinionRule.Majority) {
        // The group is drawn first (with repetition, as NDlib), then everyone in it takes the majority.
        const grp = ks.a;
        let votes = 0;
        for (let j = 0; j < q; j++) {
          const v = rng.int(n);
          grp[j] = v;
          votes += op[v];
        }
        const o = 2 * votes > q ? 1 : 2 * votes < q ? 0 : tieOpinion;
        for (let j = 0; j < q; j++) {
          const v = grp[j];
          if (op[v] !== o) {
            op[v] = o;
            nFor += o === 1 ? 1 : -1;
            if (tr) tr.add(-1, v, step, o);
          }
        }
      } else {
        const s1 = rng.int(n);
        const d1 = off[s1 + 1] - off[s1];
        if (d1 === 0) continue;
        const s2 = tgt[off[s1] + rng.int(d1)];
        const o = op[s1];
        if (op[s2] !== o) continue;
        for (let pass = 0; pass < 2; pass++) {
          const sp = pass === 0 ? s1 : s2;
          const e = off[sp + 1];
          arcs += e - off[sp];
          for (let a = off[sp]; a < e; a++) {
            const v = tgt[a];
            if (op[v] !== o) {
              op[v] = o;
              nFor += o === 1 ? 1 : -1;
              if (tr) tr.add(sp, v, step, o);
            }
          }
        }
      }
      if (nFor === 0 || nFor === n) {
        consensus = step;
        break;
      }
    }
    if (nFor !== before) {
      rec.steps.add(step, nFor - before);
      rec.curves[C_FOR].add(step, nFor - before);
      rec.curves[C_AGAINST].add(step, before - nFor);
    }
  }
  rec.arcs += arcs;
  rec.extra1 = consensus;
  rec.extra2 = n > 0 ? nFor / n : 0;
  const queue = s.queue;
  let k = 0;
  for (let v = 0; v < n; v++) if (op[v] === 1) queue[k++] = v;
  return k;
}

/** Changes smaller than this do not wake a customer's neighbours (HK converges geometrically on sparse graphs). */
export const HK_TOLERANCE = 1e-9;

/**
 * One run of Hegselmann–Krause bounded confidence (Hegselmann & Krause, JASSS 2002) on the graph,
 * synchronous as in the paper: every customer moves to the mean opinion of itself and those in-neighbours
 * whose opinion is within epsilon of its own (|x_j − x_i| <= epsilon). Opinions in [-1, 1]: at step 0 the
 * seeds hold seedOpinion, customers with an explicit opinion hold it, the others draw U(opinionLo, opinionHi).
 *
 * Work proportional to change: only customers with a changed in-neighbour (or a change of their own) in
 * the previous step are recomputed (the others' means are unchanged). A run ends when no opinion moves
 * by more than HK_TOLERANCE, or at maxSteps. NDlib's HKModel differs: it updates one random customer at a
 * time, leaves the customer's own opinion out of the mean, uses a strict "< epsilon", and (in 6.0.x) keeps
 * only the last of the n updates of an iteration.
 *
 * Reported: "for" = opinion > 0 (reach, in s.queue), "against" = opinion < 0, and the opinion sum (curves
 * 0, 1, 2); rec.extra1 = consensus step (the step it converged, if all opinions then lie within 1e-6;
 * NaN otherwise), rec.extra2 = final mean opinion.
 */
export function runHk(g: CompiledGraph, plan: KernelPlan, s: Scratch, ks: KernelScratch, rng: Rng, rec: Recorder): number {
  const n = g.n;
  const k = plan.kernel;
  const x = ks.x;
  const y = ks.y;
  const inOff = g.inOffsets;
  const inSrc = g.inSources;
  const off = g.outOffsets;
  const tgt = g.outTargets;
  const eps = k.epsilon;
  const lo = k.opinionLo;
  const span = k.opinionHi - k.opinionLo;
  const nodeOpinion = k.nodeOpinion;
  const mark = ks.valid; // mark[v] === current "wake" stamp: v is in the next active list
  const tr = rec.tracer;
  let active = ks.a;
  let nextActive = ks.b;
  const isSeed = ks.state;
  isSeed.fill(0);
  for (let i = 0; i < plan.seeds.length; i++) isSeed[plan.seeds[i]] = 1;
  let nFor = 0;
  let nAgainst = 0;
  let sum = 0;
  for (let v = 0; v < n; v++) {
    const given = nodeOpinion ? nodeOpinion[v] : NaN;
    const o = isSeed[v] ? k.seedOpinion : given === given ? given : lo + span * rng.float();
    x[v] = o;
    active[v] = v;
    if (o > 0) nFor++;
    else if (o < 0) nAgainst++;
    sum += o;
    if (tr) tr.add(-1, v, 0, o > 0 ? 1 : 0);
  }
  let nActive = n;
  rec.steps.add(0, nFor);
  rec.curves[0].add(0, nAgainst);
  rec.curves[1].add(0, nFor);
  rec.curves[2].add(0, sum);
  let step = 0;
  let arcs = 0;
  let wake: number;
  while (nActive > 0 && step < plan.maxSteps) {
    step++;
    for (let i = 0; i < nActive; i++) {
      const v = active[i];
      const xv = x[v];
      let acc = xv;
      let cnt = 1;
      const e = inOff[v + 1];
      arcs += e - inOff[v];
      for (let q = inOff[v]; q < e; q++) {
        const xu = x[inSrc[q]];
        if (Math.abs(xu - xv) <= eps) {
          acc += xu;
          cnt++;
        }
      }
      y[v] = acc / cnt;
    }
    // Apply synchronously; wake the out-neighbours of those that moved.
    wake = ks.nextEpoch();
    let nNext = 0;
    let dFor = 0;
    let dAgainst = 0;
    let dSum = 0;
    for (let i = 0; i < nActive; i++) {
      const v = active[i];
      const old = x[v];
      const nv = y[v];
      if (nv === old) continue;
      x[v] = nv;
      dSum += nv - old;
      dFor += (nv > 0 ? 1 : 0) - (old > 0 ? 1 : 0);
      dAgainst += (nv < 0 ? 1 : 0) - (old < 0 ? 1 : 0);
      if (Math.abs(nv - old) <= HK_TOLERANCE) continue;
      if (tr && (nv > 0) !== (old > 0)) tr.add(-1, v, step, nv > 0 ? 1 : 0);
      if (mark[v] !== wake) {
        mark[v] = wake;
        nextActive[nNext++] = v;
      }
      const e = off[v + 1];
      for (let a = off[v]; a < e; a++) {
        const w = tgt[a];
        if (mark[w] !== wake) {
          mark[w] = wake;
          nextActive[nNext++] = w;
        }
      }
    }
    nFor += dFor;
    nAgainst += dAgainst;
    sum += dSum;
    if (dFor !== 0) {
      rec.steps.add(step, dFor);
      rec.curves[1].add(step, dFor);
    }
    if (dAgainst !== 0) rec.curves[0].add(step, dAgainst);
    if (dSum !== 0) rec.curves[2].add(step, dSum);
    const tmp = active;
    active = nextActive;
    nextActive = tmp;
    nActive = nNext;
  }
  let mn = Infinity;
  let mx = -Infinity;
  const queue = s.queue;
  let reach = 0;
  let total = 0;
  for (let v = 0; v < n; v++) {
    const o = x[v];
    if (o < mn) mn = o;
    if (o > mx) mx = o;
    total += o;
    if (o > 0) queue[reach++] = v;
  }
  rec.arcs += arcs;
  rec.extra1 = nActive === 0 && mx - mn <= 1e-6 ? step : NaN;
  rec.extra2 = n > 0 ? total / n : 0;
  return reach;
}
