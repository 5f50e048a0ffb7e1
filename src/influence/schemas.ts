import { z } from 'zod';
import { PROBABILITY_SCHEMES, type ProbabilityScheme } from '../diffusion/schemas.js';
import { ACTIVITY_READINGS } from '../diffusion/request.js';
import { CENTRALITY_METRICS } from './centrality/types.js';
import { CONVERGENCE_MODES } from './centrality/convergence.js';

/**
 * Requests of the influence endpoints (DESIGN §5, §8): one declaration each, with ranges, defaults and
 * descriptions — the validation of CLI flags and HTTP bodies and the OpenAPI text. Objects are strict.
 */

export const INFLUENCE_METHODS = ['imm', 'celf', 'degree', 'pagerank', 'degree-discount'] as const;
export type InfluenceMethod = (typeof INFLUENCE_METHODS)[number];
export const INFLUENCE_MODELS = ['ic', 'lt'] as const;
export type InfluenceModel = (typeof INFLUENCE_MODELS)[number];
export const MAX_K = 10_000;

const model = z
  .enum(INFLUENCE_MODELS)
  .default('ic')
  .describe('Diffusion model: `ic` (independent cascade) or `lt` (linear threshold, Kempe et al. 2003). Default ic.');

const probability = z
  .enum(PROBABILITY_SCHEMES)
  .optional()
  .describe(
    'Arc probabilities: `uniform` (the request `p`), `weighted-cascade` (w(u,v) / sum of v\'s in-weights), `trivalency` ' +
      '(0.1/0.01/0.001 by arc hash), `attribute` (the tie\'s `p`, else the request `p`), `parallel` (1 − (1 − p)^w, w = the tie\'s weight: ' +
      'its number of parallel ties when imported with `parallelTies: count`). Default: `uniform` for ic, `weighted-cascade` for lt.',
  );

const p = z.number().min(0).max(1).default(0.05).describe('Arc probability for `uniform` and fallback for `attribute` (0..1, default 0.05).');

const activity = z
  .enum(ACTIVITY_READINGS)
  .default('per-arc')
  .describe(
    'How a customer\'s `activity` acts (model ic): `per-arc` (default: it multiplies every arc leaving the customer) or `gate` (the customer passes ' +
      'it on at all with probability activity — one draw per customer and cascade — then each arc with its own probability). The same reading in ' +
      'the RR sets, CELF\'s live-edge worlds and the engine\'s Monte Carlo; without any activity below 1 both readings give the same answer. `gate` ' +
      'with model lt is a 400.',
  );

const seed = z
  .number()
  .int()
  .min(0)
  .max(4_294_967_295)
  .default(1)
  .describe('Random seed (0..2^32-1, default 1): same request and seed give the same answer on any number of workers.');

export const influencersRequestSchema = z
  .strictObject({
    k: z.number().int().min(1).max(MAX_K).describe(`Number of seed customers to pick (1..${MAX_K}, and at most the number of customers).`),
    method: z
      .enum(INFLUENCE_METHODS)
      .default('imm')
      .describe(
        'How to pick: `imm` (Tang, Shi, Xiao 2015; (1 − 1/e − ε) guarantee with probability 1 − 1/n^ℓ), `celf` (lazy Monte Carlo ' +
          'greedy, small graphs only), `degree` (out-degree), `pagerank` (PageRank of the reversed graph), `degree-discount` ' +
          '(Chen, Wang, Yang 2009). Default imm.',
      ),
    model,
    probability,
    p,
    activity,
    epsilon: z.number().gt(0).lt(1).default(0.1).describe('IMM approximation slack ε, in (0, 1) (default 0.1). Sample size grows as 1/ε².'),
    ell: z.number().gt(0).max(100).default(1).describe('IMM confidence: success probability ≥ 1 − 1/n^ℓ (0 < ℓ ≤ 100, default 1).'),
    runs: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .default(10_000)
      .describe('Monte Carlo runs of the engine to re-estimate the spread of the chosen seeds (1..1000000, default 10000).'),
    celfRuns: z
      .number()
      .int()
      .min(10)
      .max(100_000)
      .default(1000)
      .describe('CELF: live-edge worlds shared by every candidate evaluation (common random numbers; 10..100000, default 1000).'),
    gainSamples: z
      .number()
      .int()
      .min(1000)
      .max(10_000_000)
      .default(100_000)
      .describe(
        'RR sets of the fresh collection (drawn after the choice, so not selected on) that estimates every method\'s gains and ' +
          'estimatedSpread with Wilson intervals; imm with compare draws a second one for the comparison (1000..10000000, default 100000).',
      ),
    compare: z
      .boolean()
      .default(true)
      .describe(
        'imm: also evaluate the degree-discount, degree and PageRank picks on a fresh RR collection and answer with the best ' +
          '(`pickedBy` and `comparison` say which won and by how much); false answers IMM\'s own pick. Default true.',
      ),
    seed,
  })
  .describe('Pick k influencers (DESIGN §5)');

export type InfluencersRequest = z.infer<typeof influencersRequestSchema>;
export type InfluencersRequestInput = z.input<typeof influencersRequestSchema>;

/** What a value ranking can be ranked by; `network` is the deprecated name of `valueWeightedReach`. */
export const VALUE_RANKING_KEYS = ['total', 'valueWeightedReach', 'incremental', 'network'] as const;

/** The organic adopters of the incremental reading (Domingos & Richardson 2001): a ranking's and one customer's. */
const incrementalFields = {
  baseline: z
    .array(z.string().min(1).max(16_384))
    .max(100_000)
    .optional()
    .describe(
      'Incremental value: customers who adopt (are reached) anyway, the organic adopters (ids; in a query repeat the parameter: ' +
        '`baseline=a&baseline=b`). Their own incremental value is 0, and a customer whose voice only reaches what they reach anyway adds nothing.',
    ),
  baselineShare: z
    .number()
    .min(0)
    .lt(1)
    .optional()
    .describe(
      'Incremental value: instead of (or besides) a list, each customer adopts organically on its own with this probability (0 <= share < 1), ' +
        'independently, the baseline of Domingos & Richardson\'s "no marketing" world.',
    ),
};

const rrSetsField = z
  .number()
  .int()
  .min(1000)
  .max(50_000_000)
  .default(200_000)
  .describe('Value-weighted RR sets sampled (1000..50000000, default 200000): the standard error of a value-weighted reach is about totalValue·√(f/rrSets).');

export const valueRankingRequestSchema = z
  .strictObject({
    model,
    probability,
    p,
    top: z.number().int().min(1).max(100_000).default(10).describe('How many customers to list, most valuable first (1..100000, default 10).'),
    activity,
    by: z
      .enum(VALUE_RANKING_KEYS)
      .default('total')
      .describe(
        'Rank by `total` (own value + value-weighted reach, default), by `valueWeightedReach` alone (the value-weighted reach of its voice: the ' +
          'expected value of the other customers it reaches, whether or not they would have been reached anyway), or by `incremental` value ' +
          '(Domingos & Richardson 2001: the expected value reached with this customer speaking up minus without, given the `baseline` of organic ' +
          'adopters). `network` is the deprecated name of `valueWeightedReach` (kept for this release; echoed as given).',
      ),
    ...incrementalFields,
    rrSets: rrSetsField,
    seed,
  })
  .describe('Rank all customers by what their voice is worth (Domingos & Richardson 2001)');

export type ValueRankingRequest = z.infer<typeof valueRankingRequestSchema>;
export type ValueRankingRequestInput = z.input<typeof valueRankingRequestSchema>;

export const customerValueRequestSchema = z
  .strictObject({
    model,
    probability,
    p,
    activity,
    runs: z.number().int().min(1).max(1_000_000).default(10_000).describe('Monte Carlo runs from this customer (1..1000000, default 10000).'),
    ...incrementalFields,
    rrSets: rrSetsField.describe(
      'With `baseline` or `baselineShare`: value-weighted RR sets behind the incremental value (1000..50000000, default 200000) — the ranking\'s ' +
        'estimator, so the same model, scheme, p, activity, baseline, rrSets and seed give this customer exactly the ranking\'s figure.',
    ),
    seed,
  })
  .describe('Own value + value-weighted reach of one customer, and with a baseline its incremental value (Domingos & Richardson 2001)');

export type CustomerValueRequest = z.infer<typeof customerValueRequestSchema>;
export type CustomerValueRequestInput = z.input<typeof customerValueRequestSchema>;

/** The probability scheme a request means: explicit, else the model's default. */
export function schemeOf(req: { model: InfluenceModel; probability?: ProbabilityScheme }): ProbabilityScheme {
  return req.probability ?? (req.model === 'lt' ? 'weighted-cascade' : 'uniform');
}

/**
 * A centrality request (DESIGN §5, §8: `GET /graphs/:id/centrality/:metric`, `ripple centrality`): the metric, how
 * many of the top customers to list, and the options the metrics read (unset = each metric's documented default).
 */
export const centralityRequestSchema = z
  .strictObject({
    metric: z.enum(CENTRALITY_METRICS).describe(`One of ${CENTRALITY_METRICS.join(', ')}.`),
    top: z
      .union([z.number().int().min(1).max(10_000_000), z.literal('all')])
      .default(10)
      .describe('How many customers to list, highest score first (ties by input order), or `all` (default 10).'),
    weighted: z.boolean().optional().describe('Use tie weights (pagerank, eigenvector, hits, betweenness and closeness as distances, louvain).'),
    normalized: z.boolean().optional().describe('Normalise as networkx does (degree, betweenness; default true).'),
    k: z.number().int().min(1).max(100_000_000).optional().describe('Betweenness: sample this many sources (approximation; the sample is reported).'),
    seed: z.number().int().min(0).max(4_294_967_295).optional().describe('Seed of the betweenness sample and of louvain (default 1).'),
    alpha: z.number().gt(0).lt(1).optional().describe('PageRank damping factor (default 0.85); Katz attenuation (default 0.1, networkx\'s; it must be below 1/λmax, else 422).'),
    convergence: z
      .enum(CONVERGENCE_MODES)
      .optional()
      .describe(
        'When pagerank, eigenvector, katz, hub and authority stop: `fixed-point` (default: relative L1 change of the scores ≤ tolerance, ' +
          'default 1e-14, up to 10000 iterations; matches a direct solve to 1e-8) or `networkx` (networkx\'s early stop, reproduced exactly: ' +
          'L1 change < n·tolerance, tolerance 1e-6, 100 iterations, 1000 for katz; HITS as networkx\'s power iteration, 1e-8 unscaled).',
      ),
    tolerance: z.number().gt(0).max(1).optional().describe('Stop threshold of the power iterations, in the `convergence` rule\'s terms (see there).'),
    maxIterations: z.number().int().min(1).max(1_000_000).optional().describe('Iteration cap of the power iterations (default 10000; networkx: 100, katz 1000). Hitting it answers `converged: false`.'),
  })
  .describe('A centrality metric for every customer (networkx definitions)');

export type CentralityRequest = z.infer<typeof centralityRequestSchema>;
