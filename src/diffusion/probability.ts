import type { CompiledGraph } from '../graph/compile.js';
import { InputError } from '../errors.js';
import { sharedF32, sharedF64 } from '../graph/shared-array.js';
import { hash2, hashString } from './rng.js';
import type { ActivityReading, ProbabilityScheme } from './request.js';

/**
 * Per-arc activation probabilities (DESIGN §3), computed once per request, outside any run, on
 * SharedArrayBuffers so that workers read them without a copy.
 *
 * - `uniform`: every arc leaving u has p·activity(u), so only a per-customer value is stored (`nodeP`) —
 *   this is what lets IC skip geometrically over failed arcs.
 * - `weighted-cascade`: w(u,v) / sum of w over v's in-arcs (1/indeg(v) with unit weights), × activity(u).
 * - `trivalency`: 0.1, 0.01 or 0.001 chosen by a hash of the arc's customer ids (source, target, in arc direction)
 *   and an optional `probabilitySeed` (default 0) — fixed per arc, the same in every run and whatever the order of the
 *   input file (until issue 19 it hashed customer indices, so reordering a file's lines changed the answer). × activity(u).
 * - `attribute`: the tie's `p`, or the request's `p` where the tie has none. × activity(u).
 * - `parallel`: 1 − (1 − p)^w(u,v) — w independent chances at p, the multigraph reading of Kempe, Kleinberg &
 *   Tardos (KDD 2003) for c parallel ties when the graph was imported with `parallelTies: 'count'` (w = c);
 *   equals `uniform` on unit weights. × activity(u).
 *
 * "× activity(u)" is the `per-arc` reading of activity; with `activity: 'gate'` the arcs keep their probability and the
 * kernel gates the sender instead (activityGate).
 */
export interface ArcProbabilities {
  /** Per customer: the probability of every arc leaving it (uniform scheme only), else null. */
  nodeP: Float64Array | null;
  /** Per out-arc probability (other schemes), else null. */
  arcP: Float32Array | null;
}

const TRIVALENCY = [0.1, 0.01, 0.001] as const;

/** Per customer: hashString(id, seed), cached per compiled graph and seed (ids do not change within a version). */
const idHashCache = new WeakMap<CompiledGraph, Map<number, Uint32Array>>();
function idHashes(g: CompiledGraph, seed: number): Uint32Array {
  let perGraph = idHashCache.get(g);
  if (!perGraph) idHashCache.set(g, (perGraph = new Map()));
  let h = perGraph.get(seed);
  if (!h) {
    h = new Uint32Array(g.n);
    for (let u = 0; u < g.n; u++) h[u] = hashString(g.ids[u], seed);
    perGraph.set(seed, h);
  }
  return h;
}

/**
 * The per-customer gate of the `gate` reading of activity (DESIGN §9): the customers' activity when some is below 1,
 * else null (nothing to gate: the same runs as `per-arc`). The per-arc reading has no gate (activity is in the arcs).
 */
export function activityGate(g: CompiledGraph, reading: ActivityReading | undefined): Float32Array | null {
  if (reading !== 'gate') return null;
  for (let u = 0; u < g.n; u++) if (g.activity[u] < 1) return g.activity;
  return null;
}

/** Under `gate` the arcs carry no activity (the gate does); a graph whose activities are all 1. */
const ONES = new WeakMap<CompiledGraph, Float32Array>();
function ones(g: CompiledGraph): Float32Array {
  let a = ONES.get(g);
  if (!a) ONES.set(g, (a = new Float32Array(g.n).fill(1)));
  return a;
}

export function arcProbabilities(
  g: CompiledGraph, scheme: ProbabilityScheme, p: number, opts: { perArc?: boolean; probabilitySeed?: number; activity?: ActivityReading } = {},
): ArcProbabilities {
  if (!(p >= 0 && p <= 1)) throw new InputError(`p must be in [0, 1], got ${p}`);
  const { n, m, outOffsets, outTargets } = g;
  const activity = opts.activity === 'gate' ? ones(g) : g.activity;
  if (scheme === 'uniform' && !opts.perArc) {
    const nodeP = sharedF64(n);
    for (let u = 0; u < n; u++) nodeP[u] = p * activity[u];
    return { nodeP, arcP: null };
  }
  const arcP = sharedF32(m);
  switch (scheme) {
    case 'uniform':
      for (let u = 0; u < n; u++) {
        const pu = p * activity[u];
        for (let a = outOffsets[u]; a < outOffsets[u + 1]; a++) arcP[a] = pu;
      }
      break;
    case 'weighted-cascade': {
      const { inOffsets, inArc, inSources, arcWeight } = g;
      for (let v = 0; v < n; v++) {
        const s = inOffsets[v];
        const e = inOffsets[v + 1];
        let sum = 0;
        if (arcWeight) for (let q = s; q < e; q++) sum += arcWeight[inArc[q]];
        else sum = e - s;
        for (let q = s; q < e; q++) {
          const a = inArc[q];
          arcP[a] = ((arcWeight ? arcWeight[a] : 1) / sum) * activity[inSources[q]];
        }
      }
      break;
    }
    case 'trivalency': {
      const h = idHashes(g, opts.probabilitySeed ?? 0);
      for (let u = 0; u < n; u++) {
        const act = activity[u];
        const hu = h[u];
        for (let a = outOffsets[u]; a < outOffsets[u + 1]; a++) arcP[a] = TRIVALENCY[hash2(hu, h[outTargets[a]]) % 3] * act;
      }
      break;
    }
    case 'attribute': {
      const tieP = g.arcP;
      for (let u = 0; u < n; u++) {
        const act = activity[u];
        for (let a = outOffsets[u]; a < outOffsets[u + 1]; a++) {
          const t = tieP ? tieP[a] : NaN;
          arcP[a] = (Number.isNaN(t) ? p : t) * act;
        }
      }
      break;
    }
    case 'parallel': {
      const w = g.arcWeight;
      const q = Math.log1p(-p); // ln(1 − p); -Infinity at p = 1 (then every arc is 1)
      for (let u = 0; u < n; u++) {
        const act = activity[u];
        for (let a = outOffsets[u]; a < outOffsets[u + 1]; a++) {
          const c = w ? w[a] : 1;
          arcP[a] = (p >= 1 ? 1 : -Math.expm1(c * q)) * act;
        }
      }
      break;
    }
    default:
      throw new InputError(`unknown probability scheme ${JSON.stringify(scheme)}`);
  }
  return { nodeP: null, arcP };
}

/** Tolerance on LT in-weight sums (float rounding of weighted-cascade weights). */
const LT_SUM_TOLERANCE = 1e-6;

/**
 * LT weights b(u,v) (Kempe et al.): the same schemes, always per arc. The sum of b over v's in-arcs must
 * not exceed 1 (else "none" would have negative probability in the live-edge view): a 400 naming v (DESIGN §3).
 */
export function ltWeights(g: CompiledGraph, scheme: ProbabilityScheme, p: number): Float32Array {
  const { arcP } = arcProbabilities(g, scheme, p, { perArc: true });
  const b = arcP!;
  const { n, inOffsets, inArc } = g;
  for (let v = 0; v < n; v++) {
    let sum = 0;
    for (let q = inOffsets[v]; q < inOffsets[v + 1]; q++) sum += b[inArc[q]];
    if (sum > 1 + LT_SUM_TOLERANCE) {
      const id = g.ids[v] ?? `#${v}`;
      // DESIGN §3: in-sums above 1 under `attribute` or `uniform` are a 400.
      throw new InputError(
        `lt: in-weights of customer ${JSON.stringify(id.length > 80 ? `${id.slice(0, 80)}…` : id)} sum to ${sum.toPrecision(6)} > 1 ` +
          `under the ${scheme} scheme; use weighted-cascade or smaller p`,
        { customer: id, sum, scheme },
      );
    }
  }
  return b;
}

/** Negative-message probabilities of the voice model: min(1, p·bias), same layout as `probs`. */
export function biased(probs: ArcProbabilities, bias: number): ArcProbabilities {
  if (probs.nodeP) {
    const src = probs.nodeP;
    const out = sharedF64(src.length);
    for (let i = 0; i < src.length; i++) out[i] = Math.min(1, src[i] * bias);
    return { nodeP: out, arcP: null };
  }
  const src = probs.arcP!;
  const out = sharedF32(src.length);
  for (let i = 0; i < src.length; i++) out[i] = Math.min(1, src[i] * bias);
  return { nodeP: null, arcP: out };
}
