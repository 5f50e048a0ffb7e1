import { parseOrThrow } from '../validate.js';
import type { CompiledGraph } from '../graph/compile.js';
import { CancelledError, InputError } from '../errors.js';
import { activityGate, arcProbabilities, ltWeights } from '../diffusion/probability.js';
import type { EnginePool } from '../workers/pool.js';
import { simulate } from '../diffusion/simulate.js';
import type { ProbabilityScheme, SimulationRequestInput } from '../diffusion/schemas.js';
import { checkActivityReading, type ActivityReading } from '../diffusion/request.js';
import { degreeDiscountSeeds, degreeSeeds, pagerankSeeds, type BaselineResult } from './baselines.js';
import { celf } from './celf.js';
import { imm } from './imm.js';
import { evaluateSeeds, pairedDifference } from './evaluate.js';
import { growRR, RR_BATCH, RRCollection, rrSpec, type RRMemoryLimit, type RRSpec } from './rr.js';
import { influencersRequestSchema, schemeOf, type InfluenceMethod, type InfluencersRequestInput } from './schemas.js';
import type { EngineAnswer } from '../diffusion/result-schema.js';
import type { influencersResultSchema } from './result-schemas.js';

/**
 * One entry for "who are the k customers whose voice carries furthest?" (DESIGN §5, §8): pick seeds with
 * the requested method, then judge them on evidence they were not selected on (issue 19):
 *
 * - `spread`: the engine's Monte Carlo `simulate` of the chosen seeds (every method on the same yardstick, with a CI);
 * - `gain` of each seed (the expected extra reach it brings given the seeds before it) and `estimatedSpread` (their
 *   sum): coverage on a fresh RR collection of `gainSamples` sets drawn after the choice, each with a Wilson interval.
 *   A method's own figures on the collection or worlds it selected on are optimistic (IMM's by about 2% on NetHEPT);
 *   they are kept, named for what they are, as `imm.selectionEstimate` and `celf.selectionEstimate`.
 * - `imm` with `compare` (default): IMM's pick and the degree-discount, degree and PageRank picks are evaluated on
 *   another fresh collection as large as IMM's final one (common to all of them, so their differences are paired);
 *   the best is answered, and
 *   `pickedBy` and `comparison` say which won and by how much. IMM's guarantee is (1 − 1/e − ε)·OPT, which a
 *   heuristic can beat on a given graph (degree discount at p = 0.01 on NetHEPT, by about 1%): the answer is then
 *   never worse than a heuristic's on the evidence.
 */

/** What findInfluencers answers (the InfluencersResult answer): the type of its schema (result-schemas.ts). */
export type InfluencersResult = EngineAnswer<typeof influencersResultSchema>;
/** One chosen customer with its gain. */
export type InfluencerSeed = InfluencersResult['seeds'][number];

export interface InfluencersOptions {
  pool?: EnginePool;
  signal?: AbortSignal;
  /** (phase, done, total): phases 'select' (RR sets or evaluations) and 'spread' (Monte Carlo runs). */
  onProgress?: (phase: string, done: number, total: number) => void;
  /**
   * Most bytes one RR collection may hold while it grows (RRCollection's limit); past it the request stops with a 422
   * naming `name` (the setting, RIPPLE_MAX_REQUEST_MEMORY over HTTP) and the fields to lower, prefixed by `pathPrefix`
   * (`body.`) in the field list. Unset: no bound.
   */
  rrMemory?: { maxBytes: number; name: string; pathPrefix?: string };
}

/** The RRMemoryLimit of a request: what to lower to shrink its RR collections. */
function rrLimitOf(o: InfluencersOptions['rrMemory'], method: InfluenceMethod, gainSamples: number): RRMemoryLimit | undefined {
  if (!o) return undefined;
  const at = (f: string) => `${o.pathPrefix ?? ''}${f}`;
  const lower = [
    ...(method === 'imm' ? [{ path: at('epsilon'), advice: 'raise it: IMM needs RR sets in proportion to 1/epsilon²' }] : []),
    { path: at('gainSamples'), advice: `lower it (${gainSamples} now)` },
    { path: at('p'), advice: 'lower it: RR sets shrink with p' },
  ];
  return { maxBytes: o.maxBytes, name: o.name, lower };
}

const SALT_GAINS = 0x4741494e;
const SALT_COMPARE = 0x434d5052;

type Candidate = { method: InfluenceMethod; seeds: Int32Array; scores: Float64Array | null };

/**
 * k at most the number of customers: a 400 whose message names `label` (`k`, `--k`) and whose field list names
 * `path` (`k`, `body.k`). The one check behind the engine, the influencers service and the CLI.
 */
export function checkK(graph: CompiledGraph, k: number, label = 'k', path = label): void {
  if (k > graph.n) throw new InputError(`${label}: must be at most the number of customers (${graph.n}), got ${k}`, { errors: [{ path, message: `must be at most ${graph.n}` }] });
}

/** The share of an influencers request done (0..1): selection is 0..0.8, the engine's re-estimate 0.8..1. */
export function influencersProgress(phase: string, done: number, total: number): number {
  const f = total > 0 ? done / total : 0;
  return phase === 'spread' ? 0.8 + 0.2 * f : 0.8 * f;
}

/**
 * Pick `k` seed customers (`method` imm — the default, with its (1 − 1/e − ε) guarantee —, celf, degree, pagerank or
 * degree-discount) for the IC or LT model, then re-estimate the chosen set's spread by Monte Carlo. Request fields and
 * defaults as `POST /graphs/:id/influencers`; the same request and seed give the same seeds and numbers.
 */
export async function findInfluencers(graph: CompiledGraph, rawReq: InfluencersRequestInput | unknown, opts: InfluencersOptions = {}): Promise<InfluencersResult> {
  const t0 = performance.now();
  const req = parseOrThrow(influencersRequestSchema, rawReq, 'influencers request');
  const { k, method, model, p, seed, activity } = req;
  const probability = schemeOf(req);
  checkActivityReading(model, activity);
  const { pool, signal, onProgress } = opts;
  const rrLimit = rrLimitOf(opts.rrMemory, method, req.gainSamples);
  checkK(graph, k);
  if (signal?.aborted) throw new CancelledError();

  let seeds: Int32Array;
  let scores: Float64Array | null = null;
  const extra: Partial<InfluencersResult> = {};
  const warnings: string[] = [];
  switch (method) {
    case 'imm': {
      const spec = rrSpec(graph, { model, probability, p, activity });
      const r = await imm(graph, spec, {
        k, epsilon: req.epsilon, ell: req.ell, seed, pool, signal, rrLimit,
        onProgress: onProgress ? (_phase, d, t) => onProgress('select', d, t) : undefined,
      });
      seeds = r.seeds;
      extra.imm = {
        epsilon: r.epsilon, ell: req.ell, ellAdjusted: r.ellAdjusted, theta: r.theta, samplingRRSets: r.samplingRRSets, lowerBound: r.lowerBound,
        capped: r.capped, selectionEstimate: r.estimate,
      };
      if (r.capped) warnings.push(`IMM needed more RR sets than its cap; used ${r.theta}: the (1 - 1/e - epsilon) guarantee does not hold`);
      break;
    }
    case 'celf': {
      const arcP = model === 'lt' ? ltWeights(graph, probability, p) : arcProbabilities(graph, probability, p, { perArc: true, activity }).arcP!;
      const r = await celf(graph, {
        k, model, arcP, gate: model === 'ic' ? activityGate(graph, activity) : null, runs: req.celfRuns, seed, signal,
        onProgress: onProgress ? (d, t) => onProgress('select', d, t) : undefined,
      });
      seeds = r.seeds;
      let own = 0;
      for (const x of r.gains) own += x;
      extra.celf = { runs: r.runs, evaluations: r.evaluations, selectionEstimate: own };
      break;
    }
    default: {
      if (method === 'degree-discount' && (probability !== 'uniform' || model !== 'ic')) warnings.push('degree-discount assumes IC with one uniform p; it used the request p');
      const b = baseline(graph, method, k, p);
      seeds = b.seeds;
      scores = b.scores;
    }
  }
  const spec = rrSpec(graph, { model, probability, p, activity });
  const fresh = (salt: number, samples: number) => freshCollection(graph, spec, salt, samples, seed, opts, rrLimit);
  let pickedBy: InfluenceMethod = method;
  if (method === 'imm' && req.compare) {
    const picks: Candidate[] = [{ method: 'imm', seeds, scores: null }];
    for (const h of ['degree-discount', 'degree', 'pagerank'] as const) picks.push({ method: h, ...baseline(graph, h, k, p) });
    // As many sets as IMM's own final collection (at least gainSamples): the picks often differ by well under 1%.
    const coll = await fresh(SALT_COMPARE, Math.max(req.gainSamples, extra.imm?.theta ?? 0));
    const evals = picks.map((c) => evaluateSeeds(coll, graph.n, spec.scale, c.seeds));
    let best = 0;
    for (let i = 1; i < evals.length; i++) if (evals[i].estimate > evals[best].estimate) best = i;
    pickedBy = picks[best].method;
    seeds = picks[best].seeds;
    scores = picks[best].scores;
    extra.comparison = {
      rrSets: coll.count,
      winner: pickedBy,
      candidates: picks.map((c, i) => ({
        method: c.method, estimate: evals[i].estimate, ci95: evals[i].ci95,
        differenceToWinner: pairedDifference(evals[i], evals[best], spec.scale, sameSeeds(c.seeds, picks[best].seeds)),
      })),
    };
  }
  // The gains: a collection drawn after every choice above, so nothing was selected on it.
  const evaluation = evaluateSeeds(await fresh(SALT_GAINS, req.gainSamples), graph.n, spec.scale, seeds);
  const selectionMs = performance.now() - t0;
  const ids = Array.from(seeds, (v) => graph.ids[v]);
  const sim = await simulate(
    graph,
    spreadRequest(model, { seeds: ids, runs: req.runs, seed, probability, p, activity }),
    { pool, signal, onProgress: onProgress ? (d, t) => onProgress('spread', d, t) : undefined },
  );
  const seedRows = ids.map((id, i) => {
    const row: InfluencerSeed = { id, gain: evaluation.gains[i], gainCi95: [evaluation.gainLo[i], evaluation.gainHi[i]] };
    if (scores) row.score = scores[i];
    return row;
  });
  return {
    method, model, probability, p, activity, k, seed, pickedBy,
    seeds: seedRows,
    spread: sim.reach, runs: sim.runs,
    estimatedSpread: evaluation.estimate, estimatedSpreadCi95: evaluation.ci95, evaluation: { rrSets: evaluation.rrSets },
    elapsedMs: Math.round((performance.now() - t0) * 1000) / 1000,
    selectionMs: Math.round(selectionMs * 1000) / 1000,
    ...extra,
    ...(warnings.length ? { warnings } : {}),
  };
}

/** The engine request that re-estimates a seed set's reach: no step limit (as RR sets assume), no amplifiers. */
export function spreadRequest(
  model: 'ic' | 'lt', o: { seeds: string[]; runs: number; seed: number; probability: ProbabilityScheme; p: number; activity?: ActivityReading },
): SimulationRequestInput {
  const { activity, ...rest } = o;
  const common = { ...rest, maxSteps: 1_000_000, top: 0, ...(activity ? { activity } : {}) };
  checkActivityReading(model, activity);
  return model === 'ic' ? { model: 'ic', ...common } : { model: 'lt', ...common };
}

function sameSeeds(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  const x = Int32Array.from(a).sort();
  const y = Int32Array.from(b).sort();
  return x.every((v, i) => v === y[i]);
}

/** A baseline's pick: degree, PageRank (of the reversed graph) or degree discount. */
function baseline(graph: CompiledGraph, method: InfluenceMethod, k: number, p: number): BaselineResult {
  if (method === 'degree') return degreeSeeds(graph, k);
  if (method === 'pagerank') return pagerankSeeds(graph, k);
  return degreeDiscountSeeds(graph, k, p);
}

/** `samples` RR sets from their own stream (seed, salt): independent of every other collection of the request. */
async function freshCollection(
  graph: CompiledGraph, spec: RRSpec, salt: number, samples: number, seed: number, opts: InfluencersOptions, limit?: RRMemoryLimit,
): Promise<RRCollection> {
  const coll = new RRCollection(samples + RR_BATCH, undefined, limit);
  await growRR(graph, spec, seed, salt, coll, samples, {
    pool: opts.pool, signal: opts.signal,
    onProgress: opts.onProgress ? (d, t) => opts.onProgress!('select', d, t) : undefined,
  });
  if (opts.signal?.aborted) throw new CancelledError();
  return coll;
}
