import type { CompiledGraph } from '../../graph/compile.js';
import type { KernelScratch, Recorder } from '../kernel.js';
import type { Rng } from '../rng.js';
import type { Scratch } from '../scratch.js';
import { commonValue, GAP_SHIFT, geometricGap, geometricSkip, geometricTable, NO_TABLE } from '../geometric.js';

const TWO_POW_MINUS_32 = 2.3283064365386963e-10;
import type { KernelPlan } from './compartmental.js';
import { passesOn } from '../gate.js';

/** Reused by CTIC's heap pops (no allocation per event). */
const top = { t: 0, v: 0, from: 0 };

/**
 * One run of SI as first-passage percolation. In discrete-time SI (NDlib `SIModel`, tp_rate = 1) an arc
 * u→v makes one independent attempt with probability q = beta·p(u,v) at every step after u was infected,
 * so its first success comes 1 + Geometric(q) steps after u's infection, and v is infected at the earliest
 * (t_u + delay) over its in-arcs — attempts after that change nothing. The run is therefore Dijkstra's
 * algorithm on integer arc delays, each arc drawn at most once, when its tail is infected, on a bucket queue of
 * whole steps (../step-buckets.ts: each customer waits in the bucket of its earliest arrival so far), the steps
 * taken in order: O(arcs of the infected + steps / 32) for the whole run instead of a scan of the infected
 * customers' arcs at every step. Two prunings that do not change the law (the draws are independent, so not
 * drawing one whose outcome cannot matter leaves the others' law as it is): an arc is drawn only when it could
 * bring its head earlier than its arrival so far (so not towards the infected, nor towards a customer already due
 * at the next step, nor out of a customer infected at maxSteps), and it moves its head only when it does. With
 * one q for every customer (uniform p, equal activity) the geometric gaps come from a table (../geometric.ts).
 *
 * Reach = infected by maxSteps, in s.queue[0 .. reach) in order of infection; `rec.steps` and the I curve
 * get each step's infections (S the opposite).
 */
export function runSi(g: CompiledGraph, plan: KernelPlan, s: Scratch, ks: KernelScratch, rng: Rng, rec: Recorder): number {
  const { ep, tail: seeded } = s.seedRun(plan.seeds);
  const stamp = s.stamp;
  const queue = s.queue;
  // Earliest arrival so far: since[v] where valid[v] === due (the infection step, once infected).
  const due = ks.nextEpoch();
  const valid = ks.valid;
  const since = ks.since;
  const sender = ks.a; // who brings v at since[v] (the trace's `from`)
  const maxSteps = plan.maxSteps;
  const buckets = ks.buckets;
  buckets.reserve(maxSteps);
  const off = g.outOffsets;
  const tgt = g.outTargets;
  const beta = plan.kernel.beta;
  const nodeP = plan.nodeP;
  const arcP = plan.arcP;
  const tr = rec.tracer;
  const sCurve = rec.curves[0];
  const iCurve = rec.curves[1];
  const qCommon = nodeP ? beta * commonValue(nodeP) : NaN;
  const lqCommon = Math.log1p(-qCommon);
  const tabCommon = qCommon > 0 && qCommon < 1 ? geometricTable(lqCommon) : NO_TABLE;
  const gate = plan.gate ?? null;
  const gs = gate ? ks.startGate() : null;
  rec.steps.add(0, seeded);
  sCurve.add(0, g.n - seeded);
  iCurve.add(0, seeded);
  for (let i = 0; i < seeded; i++) {
    const v = queue[i];
    valid[v] = due;
    since[v] = 0;
    if (tr) tr.add(-1, v, 0, 1);
  }
  let arcs = 0;
  let reach = seeded;
  let waiting = 0; // customers in the buckets
  let head = 0; // queue[head .. reach): infected at step t, not yet expanded
  let t = 0;
  for (;;) {
    // Expand this step's infected: their arcs can bring customers at t + 1 at the earliest.
    const nt = t + 1;
    if (nt <= maxSteps) {
      for (; head < reach; head++) {
        const u = queue[head];
        // Gate reading: a customer that does not pass it on this run tries none of its arcs.
        if (gate !== null && !passesOn(gate, gs!, u, rng)) continue;
        const e = off[u + 1];
        let a = off[u];
        arcs += e - a;
        let lq = lqCommon;
        let tab = tabCommon;
        if (nodeP) {
          const q = beta * nodeP[u];
          if (q <= 0) continue;
          if (q !== qCommon) {
            lq = Math.log1p(-q);
            tab = NO_TABLE;
          }
        }
        for (; a < e; a++) {
          const v = tgt[a];
          const known = valid[v] === due;
          if (known && since[v] <= nt) continue;
          if (!nodeP) {
            const q = beta * arcP![a];
            if (q <= 0) continue;
            lq = Math.log1p(-q);
          }
          const at = nt + geometricSkip(rng, tab, lq);
          if (known) {
            if (at >= since[v]) continue;
            buckets.remove(v, since[v]);
          } else {
            if (at > maxSteps) continue;
            valid[v] = due;
            waiting++;
          }
          since[v] = at;
          sender[v] = u;
          buckets.add(v, at);
        }
      }
    }
    if (waiting === 0) break;
    // The next step with arrivals: its customers are infected (no arc can bring them earlier any more).
    t = buckets.nextStep(nt);
    let k = 0;
    for (let v = buckets.pop(t); v >= 0; v = buckets.pop(t)) {
      waiting--;
      stamp[v] = ep;
      queue[reach++] = v;
      k++;
      if (tr) tr.add(sender[v], v, t, 1);
    }
    rec.steps.add(t, k);
    sCurve.add(t, -k);
    iCurve.add(t, k);
  }
  rec.arcs += arcs;
  return reach;
}

/**
 * One run of the continuous-time independent cascade (Gomez-Rodriguez, Leskovec, Krause, KDD 2010;
 * Du, Song, Gomez-Rodriguez, Zha, NIPS 2013): each arc u→v out of a reached customer transmits with
 * probability p(u,v) (the IC coin) after a delay drawn from its law — exponential(rate), or Weibull(shape,
 * scale) — and v is reached at the earliest arrival. Whether v is ever reached depends only on the coins,
 * which are IC's live-edge graph: reach at time ∞ has IC's law (tests check it against the exact IC value).
 *
 * Dijkstra on the drawn delays with a binary heap that gets an arrival only when it is earlier than the customer's
 * earliest so far; with one p for every customer the coins are skipped geometrically by table (../geometric.ts).
 * Customers are reached in time order either way, so the draws and the answer are those of pushing every arrival.
 *
 * The run continues past the horizon (reach at ∞ is the reported reach); the reach-by-time curve bins each
 * arrival at ceil(t / dt) (so bin k counts arrivals in ((k-1)·dt, k·dt]), for t <= horizon only. Per-run
 * extras: rec.extra1 = reach within the horizon, rec.extra2 = time of the reachTarget-th arrival
 * (Infinity when fewer customers are reached).
 */
export function runCtic(g: CompiledGraph, plan: KernelPlan, s: Scratch, ks: KernelScratch, rng: Rng, rec: Recorder): number {
  const { ep, tail: seeded } = s.seedRun(plan.seeds);
  const stamp = s.stamp;
  const queue = s.queue;
  const heap = rec.tracer ? ks.tracedHeap : ks.heap;
  heap.clear();
  // Earliest arrival pushed so far: best[v] where valid[v] === due. A later arrival is not pushed (it could only
  // be a stale entry when popped), so the heap holds improvements, not every success.
  const due = ks.nextEpoch();
  const valid = ks.valid;
  const best = ks.x;
  const off = g.outOffsets;
  const tgt = g.outTargets;
  const k = plan.kernel;
  const weibull = k.delayLaw === 1;
  const invRate = 1 / k.rate;
  const invShape = 1 / k.shape;
  const scale = k.scale;
  const arcDelay = k.arcDelay;
  const horizon = k.horizon;
  const dt = k.dt;
  const target = k.reachTarget;
  const nodeP = plan.nodeP;
  const arcP = plan.arcP;
  const tr = rec.tracer;
  const curve = rec.curves[0];
  // One p for every customer (uniform scheme, equal activity): the geometric gaps from a table (../geometric.ts).
  const pCommon = nodeP ? commonValue(nodeP) : NaN;
  const lqCommon = pCommon >= 1 ? -Infinity : Math.log1p(-pCommon);
  const tabCommon = pCommon > 0 && pCommon < 1 ? geometricTable(lqCommon) : NO_TABLE;
  const gate = plan.gate ?? null;
  const gs = gate ? ks.startGate() : null;
  rec.steps.add(0, seeded);
  curve.add(0, seeded);
  let arcs = 0;
  let reach = 0;
  let within = 0;
  let timeToTarget = target > 0 && seeded >= target ? 0 : Infinity;
  let bin = 0; // the time bin of the latest arrival within the horizon, and its arrivals so far
  let inBin = 0;
  let head = 0;
  let t = 0;
  // The generator in locals for the whole run (sfc32, exactly Rng.nextUint32; written back at the end): the same
  // draws as geometricSkip(rng, …), rng.float() and rng.floatOpen(), without storing and reloading its state.
  let s0 = rng.a;
  let s1 = rng.b;
  let s2 = rng.c;
  let s3 = rng.d;
  for (;;) {
    let u: number;
    if (head < seeded) {
      u = queue[head++];
      if (tr) tr.add(-1, u, 0, 0);
      reach++;
      within++;
    } else {
      let found = -1;
      while (heap.size > 0) {
        heap.popTo(top);
        if (stamp[top.v] !== ep) {
          found = top.v;
          break;
        }
      }
      if (found < 0) break;
      u = found;
      t = top.t;
      stamp[u] = ep;
      queue[reach++] = u;
      if (reach === target) timeToTarget = t;
      if (t <= horizon) {
        within++;
        // Arrivals come in time order: a bin's count is added once, when the next bin opens (a run adds at most
        // once per bin, which the per-step intervals of `steps` need).
        const b = Math.max(1, Math.ceil(t / dt));
        if (b !== bin) {
          if (inBin > 0) {
            rec.steps.add(bin, inBin);
            curve.add(bin, inBin);
          }
          bin = b;
          inBin = 0;
        }
        inBin++;
      }
      if (tr) tr.add(top.from, u, t, 0);
    }
    // Gate reading: a reached customer that does not pass it on this run tries none of its arcs.
    if (gate !== null && !passesOn(gate, gs!, u, rng)) continue;
    const e = off[u + 1];
    let a = off[u];
    arcs += e - a;
    if (nodeP) {
      // One p for all of u's arcs: skip geometrically to the next successful coin (a success on a customer
      // already reached is a no-op, exactly as its coin would be).
      const pu = nodeP[u];
      if (pu <= 0) continue;
      const common = pu === pCommon;
      const lq = common ? lqCommon : pu >= 1 ? -Infinity : Math.log1p(-pu);
      const tab = common ? tabCommon : NO_TABLE;
      // geometricSkip: the gap of 32-bit draw x from the table, or floor(log U / lq) where it has none.
      for (let gap = -1; ; ) {
        s3 = (s3 + 1) | 0;
        const t0 = (((s0 + s1) | 0) + s3) | 0;
        s0 = s1 ^ (s1 >>> 9);
        s1 = (s2 + (s2 << 3)) | 0;
        s2 = (((s2 << 21) | (s2 >>> 11)) + t0) | 0;
        const g0 = t0 >>> 0;
        const tk = tab[g0 >>> GAP_SHIFT];
        a += 1 + gap + (tk >= 0 ? tk : geometricGap(g0, lq));
        if (a >= e) break;
        gap = 0;
        const v = tgt[a];
        if (stamp[v] !== ep) {
          s3 = (s3 + 1) | 0;
          const t1 = (((s0 + s1) | 0) + s3) | 0;
          s0 = s1 ^ (s1 >>> 9);
          s1 = (s2 + (s2 << 3)) | 0;
          s2 = (((s2 << 21) | (s2 >>> 11)) + t1) | 0;
          const x = -Math.log(((t1 >>> 0) + 1) * TWO_POW_MINUS_32); // Exp(1): -log(rng.floatOpen())
          let delay = weibull ? scale * Math.pow(x, invShape) : x * invRate;
          if (arcDelay) delay /= arcDelay[a];
          const at = t + delay;
          if (valid[v] !== due || at < best[v]) {
            valid[v] = due;
            best[v] = at;
            heap.push(at, v, u);
          }
        }
      }
      continue;
    }
    for (; a < e; a++) {
      const v = tgt[a];
      if (stamp[v] === ep) continue;
      s3 = (s3 + 1) | 0;
      const t0 = (((s0 + s1) | 0) + s3) | 0;
      s0 = s1 ^ (s1 >>> 9);
      s1 = (s2 + (s2 << 3)) | 0;
      s2 = (((s2 << 21) | (s2 >>> 11)) + t0) | 0;
      if (!((t0 >>> 0) * TWO_POW_MINUS_32 < arcP![a])) continue; // rng.float() < p
      s3 = (s3 + 1) | 0;
      const t1 = (((s0 + s1) | 0) + s3) | 0;
      s0 = s1 ^ (s1 >>> 9);
      s1 = (s2 + (s2 << 3)) | 0;
      s2 = (((s2 << 21) | (s2 >>> 11)) + t1) | 0;
      const x = -Math.log(((t1 >>> 0) + 1) * TWO_POW_MINUS_32); // Exp(1)
      let delay = weibull ? scale * Math.pow(x, invShape) : x * invRate;
      if (arcDelay) delay /= arcDelay[a];
      const at = t + delay;
      if (valid[v] !== due || at < best[v]) {
        valid[v] = due;
        best[v] = at;
        heap.push(at, v, u);
      }
    }
  }
  rng.a = s0;
  rng.b = s1;
  rng.c = s2;
  rng.d = s3;
  if (inBin > 0) {
    rec.steps.add(bin, inBin);
    curve.add(bin, inBin);
  }
  rec.arcs += arcs;
  rec.extra1 = within;
  rec.extra2 = timeToTarget;
  return reach;
}
