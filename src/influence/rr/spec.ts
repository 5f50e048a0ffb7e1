import type { CompiledGraph } from '../../graph/compile.js';
import { InputError } from '../../errors.js';
import { activityGate, arcProbabilities, ltWeights } from '../../diffusion/probability.js';
import { checkActivityReading, type ActivityReading, type ProbabilityScheme } from '../../diffusion/request.js';
import { sharedF32, sharedF64, sharedI32 } from '../../graph/shared-array.js';

/**
 * Reverse-reachable (RR) sets (Borgs, Brautbar, Chayes, Lucier, SODA 2014) for IC and LT.
 *
 * An RR set picks a root (uniformly, or with probability proportional to customer value) and walks arcs
 * backwards, keeping each with its live-edge probability (Kempe, Kleinberg, Tardos 2003):
 * - IC: every in-arc u->v of a reached customer v is kept independently with p(u,v) (reverse BFS);
 * - LT: a reached customer v keeps at most one in-arc, u->v with probability b(u,v), none with 1 - Σb —
 *   a reverse random walk that stops on "none" or when it returns to a customer already in the set.
 * For any seed set S, n · Pr[S meets an RR set] is the expected reach of S; with value-weighted roots,
 * totalValue · Pr[...] is the expected value reached.
 *
 * Randomness: RR sets come in batches of RR_BATCH; batch b draws from the stream (seed, b, salt), so a
 * collection is the same whatever thread generated which batch. Collections are flat typed arrays
 * (members + offsets), grown by doubling: no object per set.
 */

export const RR_BATCH = 1024;

/** What a sampler needs; every array lives on a SharedArrayBuffer so that workers read it without a copy. */
export interface RRSpec {
  model: 'ic' | 'lt';
  n: number;
  /** Probability (IC p, LT b) of each in-arc position q, i.e. of the out-arc inArc[q]. */
  inP: Float32Array;
  /** Per customer: the probability shared by all its in-arcs, or -1 when they differ (enables O(1) steps). */
  nodeInP: Float64Array;
  /** Value-weighted roots: Walker alias tables over customer value; null = uniform roots. */
  aliasProb: Float64Array | null;
  aliasIdx: Int32Array | null;
  /** Scale of estimates: n for uniform roots, totalValue for value-weighted roots. */
  scale: number;
  /**
   * IC with `activity: 'gate'`: per customer, the chance it passes anything on (its arcs then carry p without activity);
   * the reverse search draws it once per set, the first time one of its arcs is kept. Null: per-arc (or all 1).
   */
  gate: Float32Array | null;
}

export interface RRSpecOptions {
  model: 'ic' | 'lt';
  probability: ProbabilityScheme;
  p: number;
  /** Roots with probability proportional to customer value (estimates become value reached). */
  valueWeighted?: boolean;
  /** The reading of activity (IC only; default per-arc). */
  activity?: ActivityReading;
}


/**
 * Precompute what RR sampling reads: per-arc probabilities exactly as the engine's simulate() uses them
 * (arcProbabilities for IC, ltWeights for LT — so LT in-sums above 1 are the same 422), laid out in
 * in-arc order, and alias tables for value-weighted roots.
 */
export function rrSpec(g: CompiledGraph, o: RRSpecOptions): RRSpec {
  // The last spec made per graph is kept: a request's pilot (the API's work and memory estimates) and its run ask for
  // the same one, which costs O(n + m) to build (a spec is read-only once built).
  const key = specKey(o);
  const last = lastSpec.get(g);
  if (last && last.key === key) return last.spec;
  const steps = buildSpec(g, o);
  let r = steps.next();
  while (!r.done) r = steps.next();
  lastSpec.set(g, { key, spec: r.value });
  return r.value;
}

/**
 * rrSpec built in slices that yield to the event loop (`tick` between blocks of customers), kept as the graph's last
 * spec: the API builds it this way before a request's pilot, which then finds it made.
 */
export async function rrSpecAsync(g: CompiledGraph, o: RRSpecOptions, tick: () => Promise<void>): Promise<RRSpec> {
  const key = specKey(o);
  const last = lastSpec.get(g);
  if (last && last.key === key) return last.spec;
  const steps = buildSpec(g, o);
  let r = steps.next();
  while (!r.done) {
    await tick();
    r = steps.next();
  }
  lastSpec.set(g, { key, spec: r.value });
  return r.value;
}

const specKey = (o: RRSpecOptions) => `${o.model}|${o.probability}|${o.p}|${o.valueWeighted === true}|${o.activity ?? 'per-arc'}`;
const lastSpec = new WeakMap<CompiledGraph, { key: string; spec: RRSpec }>();

/** The spec, built in steps (a yield every 16 384 customers): rrSpec runs them at once, rrSpecAsync in slices. */
function* buildSpec(g: CompiledGraph, o: RRSpecOptions): Generator<void, RRSpec, void> {
  const { n, inOffsets, inArc } = g;
  checkActivityReading(o.model, o.activity);
  const arcP = o.model === 'lt' ? ltWeights(g, o.probability, o.p) : arcProbabilities(g, o.probability, o.p, { perArc: true, activity: o.activity }).arcP!;
  yield;
  const inP = sharedF32(g.m);
  const nodeInP = sharedF64(n);
  for (let v = 0; v < n; v++) {
    if ((v & 16383) === 16383) yield;
    const s = inOffsets[v];
    const e = inOffsets[v + 1];
    let common = e > s ? arcP[inArc[s]] : 0;
    for (let q = s; q < e; q++) {
      const x = arcP[inArc[q]];
      inP[q] = x;
      if (x !== common) common = -1;
    }
    nodeInP[v] = common;
  }
  let aliasProb: Float64Array | null = null;
  let aliasIdx: Int32Array | null = null;
  let scale = n;
  if (o.valueWeighted) {
    if (!(g.totalValue > 0)) throw new InputError('value-weighted influence needs customers with positive value (the total value is 0)');
    yield;
    ({ aliasProb, aliasIdx } = aliasTables(g.value));
    scale = g.totalValue;
  }
  const gate = o.model === 'ic' ? activityGate(g, o.activity) : null;
  return { model: o.model, n, inP, nodeInP, aliasProb, aliasIdx, scale, gate: gate ? sharedCopy(gate) : null };
}

/** A copy on shared memory (a spec goes to the workers without a copy). */
function sharedCopy(a: Float32Array): Float32Array {
  const out = sharedF32(a.length);
  out.set(a);
  return out;
}

/** Walker/Vose alias tables: draw i uniformly, keep it with prob[i], else take alias[i]. O(n). */
export function aliasTables(weights: Float64Array): { aliasProb: Float64Array; aliasIdx: Int32Array } {
  const n = weights.length;
  const prob = sharedF64(n);
  const alias = sharedI32(n);
  let total = 0;
  for (let i = 0; i < n; i++) total += weights[i];
  const scaled = new Float64Array(n);
  const small = new Int32Array(n);
  const large = new Int32Array(n);
  let ns = 0;
  let nl = 0;
  for (let i = 0; i < n; i++) {
    scaled[i] = (weights[i] * n) / total;
    if (scaled[i] < 1) small[ns++] = i;
    else large[nl++] = i;
  }
  while (ns > 0 && nl > 0) {
    const s = small[--ns];
    const l = large[nl - 1];
    prob[s] = scaled[s];
    alias[s] = l;
    scaled[l] = scaled[l] + scaled[s] - 1;
    if (scaled[l] < 1) {
      nl--;
      small[ns++] = l;
    }
  }
  while (nl > 0) {
    const l = large[--nl];
    prob[l] = 1;
    alias[l] = l;
  }
  while (ns > 0) {
    const s = small[--ns]; // only through rounding
    prob[s] = 1;
    alias[s] = s;
  }
  return { aliasProb: prob, aliasIdx: alias };
}
