import type { CompiledGraph } from '../graph/compile.js';
import { CancelledError, InputError } from '../errors.js';
import { arcProbabilities, ltWeights } from '../diffusion/probability.js';
import type { EnginePool } from '../diffusion/pool.js';
import { simulate } from '../diffusion/simulate.js';
import type { ReachStats } from '../diffusion/stats.js';
import type { ProbabilityScheme, SimulationRequestInput } from '../diffusion/schemas.js';
import { degreeDiscountSeeds, degreeSeeds, pagerankSeeds, type BaselineResult } from './baselines.js';
import { celf } from './celf.js';
import { imm } from './imm.js';
import { growRR, RR_BATCH, RRCollection, rrSpec } from './rr.js';
import { influencersRequestSchema, parseRequest, schemeOf, type InfluenceMethod, type InfluencersRequestInput } from './schemas.js';

/**
 * One entry for "who are the k customers whose voice carries furthest?" (DESIGN §5, §8): pick seeds with
 * the requested method, then re-estimate their spread with the engine's Monte Carlo `simulate` (so every
 * method is judged by the same yardstick, with a CI).
 *
 * `gain` of a seed is the estimated increase of expected reach it brings given the seeds before it:
 * IMM — coverage increments on its final RR collection; CELF — marginal Monte Carlo gain on its shared
 * worlds; baselines — coverage increments on a separate RR collection of `gainSamples` sets (their own
 * ranking score is in `score`).
 */

export interface InfluencerSeed {
  id: string;
  gain: number;
  /** Baselines: the score that ranked the seed (out-degree, PageRank, discounted degree). */
  score?: number;
}

export interface InfluencersResult {
  method: InfluenceMethod;
  model: 'ic' | 'lt';
  probability: ProbabilityScheme;
  p: number;
  k: number;
  seed: number;
  seeds: InfluencerSeed[];
  /** Engine re-estimate of the reach of all seeds together (`runs` Monte Carlo runs). */
  spread: ReachStats;
  runs: number;
  /** The method's own estimate of the spread (sum of gains). */
  estimatedSpread: number;
  elapsedMs: number;
  /** Milliseconds spent choosing seeds (the rest is the re-estimation). */
  selectionMs: number;
  imm?: { epsilon: number; ell: number; ellAdjusted: number; theta: number; samplingRRSets: number; lowerBound: number; capped: boolean };
  celf?: { runs: number; evaluations: number };
  warnings?: string[];
}

export interface InfluencersOptions {
  pool?: EnginePool;
  signal?: AbortSignal;
  /** (phase, done, total): phases 'select' (RR sets or evaluations) and 'spread' (Monte Carlo runs). */
  onProgress?: (phase: string, done: number, total: number) => void;
}

const SALT_GAINS = 0x4741494e;

/**
 * Pick `k` seed customers (`method` imm — the default, with its (1 − 1/e − ε) guarantee —, celf, degree, pagerank or
 * degree-discount) for the IC or LT model, then re-estimate the chosen set's spread by Monte Carlo. Request fields and
 * defaults as `POST /graphs/:id/influencers`; the same request and seed give the same seeds and numbers.
 */
export async function findInfluencers(graph: CompiledGraph, rawReq: InfluencersRequestInput | unknown, opts: InfluencersOptions = {}): Promise<InfluencersResult> {
  const t0 = performance.now();
  const req = parseRequest(influencersRequestSchema, 'influencers', rawReq);
  const { k, method, model, p, seed } = req;
  const probability = schemeOf(req);
  const { pool, signal, onProgress } = opts;
  if (k > graph.n) throw new InputError(`k: must be at most the number of customers (${graph.n}), got ${k}`, { fields: [{ path: 'k', message: `at most ${graph.n}` }] });
  if (signal?.aborted) throw new CancelledError();

  let seeds: Int32Array;
  let gains: Float64Array;
  let scores: Float64Array | null = null;
  const extra: Partial<InfluencersResult> = {};
  const warnings: string[] = [];
  switch (method) {
    case 'imm': {
      const spec = rrSpec(graph, { model, probability, p });
      const r = await imm(graph, spec, {
        k, epsilon: req.epsilon, ell: req.ell, seed, pool, signal,
        onProgress: onProgress ? (_phase, d, t) => onProgress('select', d, t) : undefined,
      });
      seeds = r.seeds;
      gains = r.gains;
      extra.imm = { epsilon: r.epsilon, ell: req.ell, ellAdjusted: r.ellAdjusted, theta: r.theta, samplingRRSets: r.samplingRRSets, lowerBound: r.lowerBound, capped: r.capped };
      if (r.capped) warnings.push(`IMM needed more RR sets than its cap; used ${r.theta}: the (1 - 1/e - epsilon) guarantee does not hold`);
      break;
    }
    case 'celf': {
      const arcP = model === 'lt' ? ltWeights(graph, probability, p) : arcProbabilities(graph, probability, p, { perArc: true }).arcP!;
      const r = await celf(graph, {
        k, model, arcP, runs: req.celfRuns, seed, signal,
        onProgress: onProgress ? (d, t) => onProgress('select', d, t) : undefined,
      });
      seeds = r.seeds;
      gains = r.gains;
      extra.celf = { runs: r.runs, evaluations: r.evaluations };
      break;
    }
    default: {
      let b: BaselineResult;
      if (method === 'degree') b = degreeSeeds(graph, k);
      else if (method === 'pagerank') b = pagerankSeeds(graph, k);
      else {
        if (probability !== 'uniform' || model !== 'ic') warnings.push('degree-discount assumes IC with one uniform p; it used the request p');
        b = degreeDiscountSeeds(graph, k, p);
      }
      seeds = b.seeds;
      scores = b.scores;
      gains = await coverageGains(graph, seeds, { model, probability, p, samples: req.gainSamples, seed, opts });
    }
  }
  const selectionMs = performance.now() - t0;
  const ids = Array.from(seeds, (v) => graph.ids[v]);
  const sim = await simulate(
    graph,
    spreadRequest(model, { seeds: ids, runs: req.runs, seed, probability, p }),
    { pool, signal, onProgress: onProgress ? (d, t) => onProgress('spread', d, t) : undefined },
  );
  let estimatedSpread = 0;
  for (let i = 0; i < gains.length; i++) estimatedSpread += gains[i];
  return {
    method, model, probability, p, k, seed,
    seeds: ids.map((id, i) => (scores ? { id, gain: gains[i], score: scores[i] } : { id, gain: gains[i] })),
    spread: sim.reach, runs: sim.runs, estimatedSpread,
    elapsedMs: Math.round((performance.now() - t0) * 1000) / 1000,
    selectionMs: Math.round(selectionMs * 1000) / 1000,
    ...extra,
    ...(warnings.length ? { warnings } : {}),
  };
}

/** The engine request that re-estimates a seed set's reach: no step limit (as RR sets assume), no amplifiers. */
export function spreadRequest(
  model: 'ic' | 'lt', o: { seeds: string[]; runs: number; seed: number; probability: ProbabilityScheme; p: number },
): SimulationRequestInput {
  const common = { ...o, maxSteps: 1_000_000, top: 0 };
  return model === 'ic' ? { model: 'ic', ...common } : { model: 'lt', ...common };
}

/** Marginal reach of each seed in order, from a fresh RR collection: n·(sets newly covered)/θ. */
async function coverageGains(
  graph: CompiledGraph, seeds: Int32Array,
  o: { model: 'ic' | 'lt'; probability: ProbabilityScheme; p: number; samples: number; seed: number; opts: InfluencersOptions },
): Promise<Float64Array> {
  const spec = rrSpec(graph, { model: o.model, probability: o.probability, p: o.p });
  const coll = new RRCollection(o.samples + RR_BATCH);
  await growRR(graph, spec, o.seed, SALT_GAINS, coll, o.samples, {
    pool: o.opts.pool, signal: o.opts.signal,
    onProgress: o.opts.onProgress ? (d, t) => o.opts.onProgress!('select', d, t) : undefined,
  });
  const rank = new Int32Array(graph.n).fill(-1);
  for (let i = 0; i < seeds.length; i++) if (rank[seeds[i]] < 0) rank[seeds[i]] = i;
  const firstHit = new Float64Array(seeds.length);
  const { members, offsets, count } = coll;
  for (let r = 0; r < count; r++) {
    let best = -1;
    for (let x = offsets[r]; x < offsets[r + 1]; x++) {
      const j = rank[members[x]];
      if (j >= 0 && (best < 0 || j < best)) best = j;
    }
    if (best >= 0) firstHit[best]++;
  }
  for (let i = 0; i < seeds.length; i++) firstHit[i] = (spec.scale * firstHit[i]) / count;
  return firstHit;
}
