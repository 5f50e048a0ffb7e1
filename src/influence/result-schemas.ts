import { z } from 'zod';
import { graphRefShape, meanCiSchema, reachStatsSchema } from '../diffusion/result-schema.js';
import { CONVERGENCE_MODES } from './centrality/convergence.js';
import { CENTRALITY_METRICS } from './centrality/types.js';
import { INFLUENCE_METHODS, VALUE_RANKING_KEYS } from './schemas.js';
import { ACTIVITY_READINGS } from '../diffusion/request.js';

/**
 * What the influence engine answers (DESIGN §5, §8), next to the code that writes it: a centrality ranking
 * (centrality/answer.ts), influencers (influencers.ts), the value ranking and one customer's value (value.ts). The
 * API validates its answers with these and names them in /openapi.json; the examples are checked by the tests.
 */

/** A mean with its 95% interval. */
const brief = z.object({ mean: z.number(), ci95: z.tuple([z.number(), z.number()]).describe('95% confidence interval.') });

export const centralityResultSchema = z
  .object({
    ...graphRefShape,
    version: z.number().int().meta({ deprecated: true }).describe('Deprecated: the same as `graphVersion` (the name every engine answer uses), kept for this release.'),
    metric: z.enum(CENTRALITY_METRICS),
    customers: z.number().int(),
    top: z.array(z.object({
      id: z.string(), score: z.number(), rank: z.number().int(),
      stderr: z.number().optional().describe('Sampled betweenness: standard error of the score from the sampled sources (finite-population corrected).'),
    })),
    iterations: z.number().int().optional().describe('Sweeps over the arcs run (pagerank, eigenvector, katz, hub, authority): power iterations; for PageRank on an undirected graph at the fixed point, conjugate-gradient iterations plus the final power step whose change is the residual.'),
    converged: z.boolean().optional().describe('False when an iterative method stopped at maxIterations (or stalled at the rounding floor) before its tolerance.'),
    residual: z.number().optional().describe('The last change of the scores in the stop rule\'s terms: relative L1 change (fixed-point), L1 change (networkx).'),
    tolerance: z.number().optional().describe('The tolerance the iteration stopped at (the rule\'s default unless given).'),
    convergence: z.enum(CONVERGENCE_MODES).optional().describe('The stop rule used: fixed-point (default) or networkx.'),
    sample: z.object({ k: z.number().int(), seed: z.number().int() }).optional().describe('Sampled betweenness: sources used and their seed (each top customer then has a `stderr`).'),
    modularity: z.number().optional(),
    communities: z.number().int().optional().describe('Louvain: scores are community indices.'),
    options: z.record(z.string(), z.unknown()).describe('The options that shaped the scores (unset = defaults).'),
    engine: z.literal('gds').optional().describe('Present when the scores were computed in Neo4j with GDS (CENTRALITY_ENGINE=gds|auto).'),
    cached: z.boolean().describe('True when the scores came from the cache.'),
    elapsedMs: z.number(),
  })
  .describe('Top customers by a centrality metric.')
  .meta({
    id: 'CentralityResult',
    examples: [{
      graphId: 'g_0123456789abcdef', graphVersion: 1, version: 1, metric: 'pagerank', customers: 3000, iterations: 131, converged: true,
      residual: 8.7e-15, tolerance: 1e-14, convergence: 'fixed-point', options: {},
      top: [{ id: 'c42', score: 0.0061, rank: 1 }, { id: 'c7', score: 0.0058, rank: 2 }], cached: false, elapsedMs: 3.2,
    }],
  });

export const influencersResultSchema = z
  .looseObject({
    ...graphRefShape,
    method: z.enum(INFLUENCE_METHODS),
    model: z.enum(['ic', 'lt']),
    probability: z.string(),
    p: z.number(),
    activity: z.enum(ACTIVITY_READINGS).describe('The reading of activity the RR sets, CELF\'s worlds and the spread\'s runs used (`per-arc` or `gate`).'),
    k: z.number().int(),
    seed: z.number().int(),
    pickedBy: z.enum(INFLUENCE_METHODS).describe('Whose pick the seeds are: `method`, or for imm with `compare` the heuristic that beat IMM\'s pick on a fresh collection.'),
    seeds: z
      .array(z.object({
        id: z.string(),
        gain: z.number().describe('Expected extra reach given the seeds before it, on the fresh evaluation collection (not selected on).'),
        gainCi95: z.tuple([z.number(), z.number()]).describe('95% Wilson interval of the gain.'),
        score: z.number().optional(),
      }))
      .describe('Chosen customers, in the order picked.'),
    spread: reachStatsSchema.describe('Reach of all seeds together, re-estimated by `runs` Monte Carlo runs of the engine.'),
    runs: z.number().int(),
    estimatedSpread: z.number().describe('Sum of the gains: the seeds\' reach estimated on the fresh evaluation collection (not selected on).'),
    estimatedSpreadCi95: z.tuple([z.number(), z.number()]).describe('95% Wilson interval of estimatedSpread.'),
    evaluation: z.object({ rrSets: z.number().int() }).describe('The fresh RR collection of the gains (`gainSamples` sets).'),
    comparison: z
      .object({
        rrSets: z.number().int(),
        winner: z.enum(INFLUENCE_METHODS),
        candidates: z.array(z.object({
          method: z.enum(INFLUENCE_METHODS),
          estimate: z.number().describe('Reach of this pick on the comparison collection.'),
          ci95: z.tuple([z.number(), z.number()]),
          differenceToWinner: z.object({ mean: z.number(), ci95: z.tuple([z.number(), z.number()]) }).describe('Paired (same RR sets) difference to the winner.'),
        })),
      })
      .optional()
      .describe('imm with compare: its pick and the heuristics\' on a second fresh collection; the best is answered.'),
    elapsedMs: z.number(),
    selectionMs: z.number(),
    imm: z
      .object({
        epsilon: z.number(), ell: z.number(), ellAdjusted: z.number(), theta: z.number(), samplingRRSets: z.number(), lowerBound: z.number(), capped: z.boolean(),
        selectionEstimate: z.number().describe('IMM\'s estimate on its own final collection: optimistic, it selected on it.'),
      })
      .optional(),
    celf: z.object({ runs: z.number(), evaluations: z.number(), selectionEstimate: z.number().describe('CELF\'s sum of gains on its own worlds: optimistic.') }).optional(),
    warnings: z.array(z.string()).optional(),
  })
  .describe('Influencers (DESIGN §8).')
  .meta({
    id: 'InfluencersResult',
    examples: [{
      graphId: 'g_0123456789abcdef', graphVersion: 1, method: 'imm', model: 'ic', probability: 'uniform', p: 0.05, activity: 'per-arc', k: 2, seed: 1,
      pickedBy: 'imm', seeds: [{ id: 'c42', gain: 31.2, gainCi95: [30.9, 31.5] }, { id: 'c7', gain: 18.4, gainCi95: [18.1, 18.7] }],
      spread: { mean: 49.1, sd: 12.2, stderr: 0.12, ci95: [48.86, 49.34], min: 2, max: 96, quantiles: { p5: 29, p25: 41, p50: 49, p75: 57, p95: 69 }, histogram: [] },
      runs: 10000, estimatedSpread: 49.6, estimatedSpreadCi95: [49.2, 50.0], evaluation: { rrSets: 100000 }, elapsedMs: 812, selectionMs: 640,
    }],
  });

export const valueRankingSchema = z
  .looseObject({
    ...graphRefShape,
    model: z.enum(['ic', 'lt']),
    probability: z.string(),
    p: z.number(),
    activity: z.enum(ACTIVITY_READINGS).describe('The reading of activity the cascades used (`per-arc` or `gate`).'),
    by: z.enum(VALUE_RANKING_KEYS).describe('What the list is ranked by, as asked (`network`: the deprecated name of `valueWeightedReach`).'),
    seed: z.number().int(),
    rrSets: z.number().int(),
    graphValue: z.number().describe('Total value of all customers.'),
    baseline: z
      .object({ customers: z.number().int().describe('Organic adopters named in the request.'), share: z.number().describe('Share of customers adopting organically, each on its own.') })
      .optional()
      .describe('With `baseline`, `baselineShare` or `by: incremental`: the organic adopters that the incremental values are measured against.'),
    top: z.array(z.object({
      rank: z.number().int(),
      id: z.string(),
      ownValue: z.number(),
      valueWeightedReach: brief.describe(
        'The value-weighted reach of its voice with its 95% interval (Wilson on the share of RR sets): the expected value of the other customers ' +
          'it reaches, counted whether or not they would have been reached anyway (the exposure of a complaint). Until issue 19 named `network`.',
      ),
      networkValue: z.number().meta({ deprecated: true }).describe('Deprecated (kept for this release): `valueWeightedReach.mean`, its old name.'),
      networkCi95: z.tuple([z.number(), z.number()]).meta({ deprecated: true }).describe('Deprecated (kept for this release): `valueWeightedReach.ci95`, its old name.'),
      totalValue: z.number().describe('ownValue + valueWeightedReach (a number, `total.mean`).'),
      network: brief.meta({ deprecated: true }).describe('Deprecated (kept for this release): the old name of `valueWeightedReach` (the same object).'),
      total: brief.describe('ownValue + valueWeightedReach, with its 95% interval.'),
      incremental: brief
        .optional()
        .describe(
          'With a baseline: Domingos & Richardson\'s incremental value, the expected value reached with this customer speaking up minus without, ' +
            'given the organic adopters (its own value included when no one else would reach it; 0 for a baseline customer), with its 95% interval.',
        ),
    })),
    elapsedMs: z.number(),
  })
  .describe('Customers ranked by what their voice is worth: "whose unhappiness costs most?"')
  .meta({
    id: 'ValueRanking',
    examples: [{
      graphId: 'g_0123456789abcdef', graphVersion: 1, model: 'ic', probability: 'uniform', p: 0.05, activity: 'per-arc', by: 'total', seed: 1, rrSets: 200000, graphValue: 3000,
      top: [{
        rank: 1, id: 'c42', ownValue: 12, valueWeightedReach: { mean: 40.5, ci95: [39.1, 41.9] }, networkValue: 40.5, networkCi95: [39.1, 41.9], totalValue: 52.5,
        network: { mean: 40.5, ci95: [39.1, 41.9] }, total: { mean: 52.5, ci95: [51.1, 53.9] },
      }], elapsedMs: 420,
    }],
  });

export const customerValueSchema = z
  .looseObject({
    ...graphRefShape,
    id: z.string(),
    model: z.enum(['ic', 'lt']),
    probability: z.string(),
    p: z.number(),
    activity: z.enum(ACTIVITY_READINGS).describe('The reading of activity the cascades used (`per-arc` or `gate`).'),
    runs: z.number().int(),
    seed: z.number().int(),
    ownValue: z.number(),
    valueWeightedReach: meanCiSchema.describe(
      'The value-weighted reach of its voice: the expected value of the other customers it reaches (whether or not they would have been reached ' +
        'anyway), with its 95% interval. Until issue 19 named `network`.',
    ),
    network: meanCiSchema.meta({ deprecated: true }).describe('Deprecated (kept for this release): the old name of `valueWeightedReach` (the same figure).'),
    total: meanCiSchema.describe('ownValue + valueWeightedReach.'),
    networkValue: meanCiSchema.meta({ deprecated: true }).describe('Deprecated: an older name of `valueWeightedReach` (an object here, while rankings give `networkValue` as a number), kept for this release.'),
    totalValue: meanCiSchema.meta({ deprecated: true }).describe('Deprecated: the old name of `total`, kept for this release.'),
    baseline: z
      .object({ customers: z.number().int().describe('Organic adopters named in the request.'), share: z.number().describe('Share of customers adopting organically, each on its own.') })
      .optional()
      .describe('With `baseline` or `baselineShare`: the organic adopters that `incremental` is measured against.'),
    incremental: brief
      .optional()
      .describe(
        'With a baseline: Domingos & Richardson\'s incremental value, the expected value reached with this customer speaking up minus without, given ' +
          'the organic adopters (its own value included when no one else would reach it; 0 for a baseline customer), with its 95% Wilson interval — ' +
          'from value-weighted RR sets, the ranking\'s estimator (the same request gives the ranking\'s figure).',
      ),
    rrSets: z.number().int().optional().describe('With a baseline: the value-weighted RR sets behind `incremental`.'),
    reach: reachStatsSchema,
    elapsedMs: z.number(),
  })
  .describe('Own value + value-weighted reach of one customer (and, with a baseline, its incremental value).')
  .meta({
    id: 'CustomerValue',
    examples: [{
      graphId: 'g_0123456789abcdef', graphVersion: 1, id: 'c42', model: 'ic', probability: 'uniform', p: 0.05, activity: 'per-arc', runs: 10000, seed: 1, ownValue: 12,
      valueWeightedReach: { mean: 40.5, sd: 30.1, stderr: 0.3, ci95: [39.9, 41.1] },
      network: { mean: 40.5, sd: 30.1, stderr: 0.3, ci95: [39.9, 41.1] }, total: { mean: 52.5, sd: 30.1, stderr: 0.3, ci95: [51.9, 53.1] },
      networkValue: { mean: 40.5, sd: 30.1, stderr: 0.3, ci95: [39.9, 41.1] }, totalValue: { mean: 52.5, sd: 30.1, stderr: 0.3, ci95: [51.9, 53.1] },
      reach: { mean: 38.2, sd: 25.3, stderr: 0.25, ci95: [37.7, 38.7], min: 1, max: 160, quantiles: { p5: 4, p25: 19, p50: 35, p75: 54, p95: 84 }, histogram: [] },
      elapsedMs: 95,
    }],
  });
