import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { InputError } from '../../errors.js';
import { INFLUENCE_METHODS, influencersRequestSchema, type InfluencersRequest } from '../../influence/schemas.js';
import { checkCelfSize } from '../../influence/celf.js';
import type { RouteContext } from '../app.js';
import { asyncQuery, budgetDeps, influencersWork, runOrSubmit } from '../budget.js';
import { accepted, json, preferHeader, problems } from '../openapi.js';
import { graphParams, graphRefShape } from '../schemas.js';
import { acceptedSchema } from '../job-schemas.js';
import { reachStatsSchema } from '../../diffusion/result-schema.js';

/** `POST /graphs/:id/influencers`: pick k seed customers (IMM, CELF, baselines), spread re-estimated by the engine. */

export const influencersResultSchema = z
  .looseObject({
    ...graphRefShape,
    method: z.enum(INFLUENCE_METHODS),
    model: z.enum(['ic', 'lt']),
    probability: z.string(),
    p: z.number(),
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
      graphId: 'g_0123456789abcdef', graphVersion: 1, method: 'imm', model: 'ic', probability: 'uniform', p: 0.05, k: 2, seed: 1,
      pickedBy: 'imm', seeds: [{ id: 'c42', gain: 31.2, gainCi95: [30.9, 31.5] }, { id: 'c7', gain: 18.4, gainCi95: [18.1, 18.7] }],
      spread: { mean: 49.1, sd: 12.2, stderr: 0.12, ci95: [48.86, 49.34], min: 2, max: 96, quantiles: { p5: 29, p25: 41, p50: 49, p75: 57, p95: 69 }, histogram: [] },
      runs: 10000, estimatedSpread: 49.6, estimatedSpreadCi95: [49.2, 50.0], evaluation: { rrSets: 100000 }, elapsedMs: 812, selectionMs: 640,
    }],
  });

/** Named once, at load (a schema's id is registered once per process, not per app). */
const influencersBodySchema = influencersRequestSchema.meta({ id: 'InfluencersRequest', examples: [{ k: 10, method: 'imm', model: 'ic', p: 0.05, epsilon: 0.1 }] });

const influencerRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, ctx) => {
  app.post('/graphs/:id/influencers', {
    schema: {
      operationId: 'findInfluencers',
      tags: ['influence'],
      summary: 'The k customers whose voice carries furthest',
      description:
        'IMM (Tang, Shi, Xiao 2015) for IC and LT, CELF greedy for small graphs, degree / PageRank / degree-discount baselines. ' +
        'Large work (RR sets + re-estimate above RIPPLE_SYNC_BUDGET) or `?async=true` answers 202 with a job.',
      params: graphParams,
      querystring: z.object({ async: asyncQuery }),
      headers: preferHeader,
      body: influencersBodySchema,
      response: {
        200: json(influencersResultSchema, 'The k seeds, in the order picked, and their spread.', { csv: 'The seeds as a CSV table (`Accept: text/csv` or `?format=csv`).' }),
        202: accepted(acceptedSchema),
        ...problems([404, 409, 413, 415, 422]),
      },
    },
  }, async (req, reply) => {
    const entry = await ctx.cache.get(req.params.id);
    const { summary, graph } = entry;
    const body = req.body as InfluencersRequest;
    if (body.k > graph.n) {
      throw new InputError(`k: must be at most the number of customers (${graph.n}), got ${body.k}`, { errors: [{ path: 'body.k', message: `must be at most ${graph.n}` }] });
    }
    // CELF's size limit answers 422 now, not from inside a job the client would have to poll.
    if (body.method === 'celf') checkCelfSize(graph, body.celfRuns);
    return runOrSubmit(budgetDeps(ctx), req, reply, req.query.async, {
      kind: 'influencers',
      graphId: summary.id,
      graphVersion: summary.version,
      work: influencersWork(graph, body),
      graph: entry,
      op: { name: 'influencers', params: body },
    }) as never;
  });
};

export default influencerRoutes;
