import type { CompiledGraph } from '../graph/compile.js';
import { InputError } from '../errors.js';
import { Rng } from '../diffusion/rng.js';
import { modelOf } from '../diffusion/models/registry.js';
import { resolveSeeds } from '../diffusion/simulate.js';
import type { WorkerPool } from '../workers/pool.js';
import { computeCentrality, topScores } from '../influence/centrality/index.js';
import { findInfluencers } from '../influence/influencers.js';
import { valueScores } from '../influence/value.js';
import type { ModelPoint, StrategyPoint } from './grid.js';
import type { ActivityReading } from '../diffusion/request.js';

/**
 * Seed strategies of a study: an ordered list of customer indices (the k-seed set of a cell is its prefix
 * of length k, so spread-vs-k curves are nested, as in Kempe et al. 2003). All choices are seeded by the
 * study seed; a selection is computed once per (graph, strategy, model parameters it depends on).
 */

const SALT_RANDOM = 0x52414e44; // 'RAND'
const SALT_PICK = 0x5049434b; // 'PICK'

export interface Selection {
  /** Customer indices, best first. */
  order: Int32Array;
  ms: number;
  /** Extra facts about the choice (e.g. the value-weighted reach of a picked customer). */
  note?: Record<string, number | string>;
}

/** The key under which a selection can be reused: what the selection depends on. */
export function selectionKey(graph: string, s: StrategyPoint, m: ModelPoint): string {
  const spec = s.spec;
  const dependsOnModel = !['explicit', 'random', 'centrality'].includes(spec.strategy);
  // The gate reading changes the pick; per-arc (the default) keeps the keys of before it existed.
  const model = dependsOnModel ? [influenceModel(m), m.probability, m.p, ...(activityOf(m) === 'gate' ? ['gate'] : [])] : [];
  return JSON.stringify([graph, s.name, spec, s.pick, ...model]);
}

/** The reading of activity of a model point (its `activity` parameter), or undefined for a model that reads none. */
function activityOf(m: ModelPoint): ActivityReading | undefined {
  const a = m.params.activity;
  return a === 'gate' || a === 'per-arc' ? a : undefined;
}

/** The live-edge model whose influence maximisation picks seeds for this model (its registry declaration). */
function influenceModel(m: ModelPoint): 'ic' | 'lt' {
  return modelOf(m.model).influenceModel;
}

/** k customers uniformly at random without replacement (partial Fisher–Yates on a seeded stream). */
export function randomOrder(n: number, k: number, seed: number): Int32Array {
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  const rng = new Rng(seed, 0, SALT_RANDOM);
  const kk = Math.min(k, n);
  for (let i = 0; i < kk; i++) {
    const j = i + rng.int(n - i);
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  return perm.slice(0, kk);
}

export async function selectSeeds(
  graph: CompiledGraph, s: StrategyPoint, m: ModelPoint, seed: number, opts: { pool?: WorkerPool; signal?: AbortSignal } = {},
): Promise<Selection> {
  const t0 = performance.now();
  const spec = s.spec;
  const maxK = Math.max(...s.ks);
  if (spec.strategy !== 'explicit' && spec.strategy !== 'customer' && maxK > graph.n) {
    throw new InputError(`seeds: strategy ${s.name}: k=${maxK} is larger than the graph (${graph.n} customers)`);
  }
  const done = (order: Int32Array, note?: Selection['note']): Selection => ({ order, ms: performance.now() - t0, ...(note ? { note } : {}) });
  switch (spec.strategy) {
    case 'explicit':
      return done(resolveSeeds(graph, spec.ids));
    case 'random':
      return done(randomOrder(graph.n, maxK, seed));
    case 'centrality': {
      const r = await computeCentrality(graph, spec.metric, { pool: opts.pool, signal: opts.signal });
      return done(Int32Array.from(topScores(r.scores, maxK), (x) => x.index));
    }
    case 'customer': {
      if (graph.n === 0) throw new InputError(`seeds: strategy ${s.name}: the graph has no customers`);
      const pick = s.pick ?? 'random';
      const v = await valueScores(graph, { model: 'ic', probability: m.probability ?? 'uniform', p: m.p ?? 0.05, activity: activityOf(m), rrSets: spec.rrSets, seed }, opts);
      let idx: number;
      if (pick === 'random') {
        idx = new Rng(seed, 0, SALT_PICK).int(graph.n);
      } else {
        const order = Int32Array.from({ length: graph.n }, (_, i) => i);
        order.sort((a, b) => v.network[b] - v.network[a] || a - b);
        idx = pick === 'top-value' ? order[0] : order[Math.floor((graph.n - 1) / 2)];
      }
      // networkValue / networkValueStderr: the deprecated names of valueWeightedReach / valueWeightedReachStderr (kept for this release).
      return done(Int32Array.of(idx), {
        valueWeightedReach: v.network[idx], valueWeightedReachStderr: v.stderr[idx],
        networkValue: v.network[idx], networkValueStderr: v.stderr[idx], ownValue: v.own[idx], rrSets: v.rrSets,
      });
    }
    default: {
      const model = influenceModel(m);
      const r = await findInfluencers(
        graph,
        {
          k: maxK, method: spec.strategy, model, probability: m.probability ?? 'uniform', p: m.p ?? 0.05, seed,
          ...(activityOf(m) ? { activity: activityOf(m) } : {}),
          runs: 1, gainSamples: 1000,
          ...(spec.epsilon !== undefined ? { epsilon: spec.epsilon } : {}),
          ...(spec.celfRuns !== undefined ? { celfRuns: spec.celfRuns } : {}),
        },
        { pool: opts.pool, signal: opts.signal },
      );
      const order = resolveSeeds(graph, r.seeds.map((x) => x.id));
      return done(order, r.imm ? { immTheta: r.imm.theta, immEpsilon: r.imm.epsilon } : undefined);
    }
  }
}
