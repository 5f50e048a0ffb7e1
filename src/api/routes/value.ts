import { parseOrThrow } from '../../validate.js';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFoundError } from '../../errors.js';
import { clip } from '../../graph/builder.js';
import { indexOf } from '../../graph/compile.js';
import { customerValueRequestSchema, valueRankingRequestSchema } from '../../influence/schemas.js';
import type { RouteContext } from '../app.js';
import { asyncQuery, budgetDeps, customerValueWork, defined, querySchemaFrom, runOrSubmit, valueRankingWork } from '../budget.js';
import { customerIdSchema, errorResponses, graphIdSchema, graphParams, graphRefShape } from '../schemas.js';
import { acceptedSchema } from '../job-schemas.js';
import { meanCiSchema, reachStatsSchema } from '../../diffusion/result-schema.js';

/** A mean with its 95% interval. */
const brief = z.object({ mean: z.number(), ci95: z.tuple([z.number(), z.number()]).describe('95% confidence interval.') });

/**
 * `GET /graphs/:id/value?top=` (every customer ranked by own + network value, value-weighted RR sets) and
 * `GET /graphs/:id/customers/:customerId/value` (one customer, direct Monte Carlo): Domingos & Richardson 2001.
 */

const rankingSchema = z
  .looseObject({
    ...graphRefShape,
    model: z.enum(['ic', 'lt']),
    probability: z.string(),
    p: z.number(),
    by: z.enum(['total', 'network']),
    seed: z.number().int(),
    rrSets: z.number().int(),
    graphValue: z.number().describe('Total value of all customers.'),
    top: z.array(z.object({
      rank: z.number().int(),
      id: z.string(),
      ownValue: z.number(),
      networkValue: z.number().describe('Expected value of the other customers its voice reaches (a number, `network.mean`).'),
      networkCi95: z.tuple([z.number(), z.number()]).describe('95% interval of networkValue (`network.ci95`).'),
      totalValue: z.number().describe('ownValue + networkValue (a number, `total.mean`).'),
      network: brief.describe('The network value with its 95% interval (Wilson on the share of RR sets), as in every answer that estimates it.'),
      total: brief.describe('ownValue + network, with its 95% interval.'),
    })),
    elapsedMs: z.number(),
  })
  .describe('Customers ranked by what their voice is worth: "whose unhappiness costs most?"')
  .meta({
    examples: [{
      graphId: 'g_0123456789abcdef', graphVersion: 1, model: 'ic', probability: 'uniform', p: 0.05, by: 'total', seed: 1, rrSets: 200000, graphValue: 3000,
      top: [{
        rank: 1, id: 'c42', ownValue: 12, networkValue: 40.5, networkCi95: [39.1, 41.9], totalValue: 52.5,
        network: { mean: 40.5, ci95: [39.1, 41.9] }, total: { mean: 52.5, ci95: [51.1, 53.9] },
      }], elapsedMs: 420,
    }],
  });

const customerValueSchema = z
  .looseObject({
    ...graphRefShape,
    id: z.string(),
    model: z.enum(['ic', 'lt']),
    probability: z.string(),
    p: z.number(),
    runs: z.number().int(),
    seed: z.number().int(),
    ownValue: z.number(),
    network: meanCiSchema.describe('Expected value of the other customers reached, with its 95% interval.'),
    total: meanCiSchema.describe('ownValue + network.'),
    networkValue: meanCiSchema.meta({ deprecated: true }).describe('Deprecated: the old name of `network` (an object here, while rankings give `networkValue` as a number), kept for this release.'),
    totalValue: meanCiSchema.meta({ deprecated: true }).describe('Deprecated: the old name of `total`, kept for this release.'),
    reach: reachStatsSchema,
    elapsedMs: z.number(),
  })
  .describe('Own value + network value of one customer.')
  .meta({
    examples: [{
      id: 'c42', model: 'ic', probability: 'uniform', p: 0.05, runs: 10000, seed: 1, ownValue: 12,
      network: { mean: 40.5, sd: 30.1, stderr: 0.3, ci95: [39.9, 41.1] }, total: { mean: 52.5, sd: 30.1, stderr: 0.3, ci95: [51.9, 53.1] },
      networkValue: { mean: 40.5, sd: 30.1, stderr: 0.3, ci95: [39.9, 41.1] }, totalValue: { mean: 52.5, sd: 30.1, stderr: 0.3, ci95: [51.9, 53.1] },
      reach: { mean: 38.2, sd: 25.3, stderr: 0.25, ci95: [37.7, 38.7], min: 1, max: 160, quantiles: { p5: 4, p25: 19, p50: 35, p75: 54, p95: 84 }, histogram: [] },
      elapsedMs: 95,
    }],
  });

const rankingQuery = querySchemaFrom(valueRankingRequestSchema.shape).extend({ async: asyncQuery });
const customerQuery = querySchemaFrom(customerValueRequestSchema.shape).extend({ async: asyncQuery });

const valueRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, ctx) => {
  const budget = budgetDeps(ctx);

  app.get('/graphs/:id/value', {
    schema: {
      operationId: 'rankValues',
      tags: ['influence'],
      summary: 'Customers ranked by own + network value',
      description: 'Network values from value-weighted reverse-reachable sets (Borgs et al. 2014), each with a 95% CI. Above the work budget (or `?async=true`): 202 with a job.',
      params: graphParams,
      querystring: rankingQuery,
      response: { 200: rankingSchema, 202: acceptedSchema, ...errorResponses },
    },
  }, async (req, reply) => {
    const { async: forceAsync, ...q } = req.query as Record<string, unknown>;
    const request = parseOrThrow(valueRankingRequestSchema, defined(q), 'query');
    const entry = await ctx.cache.get(req.params.id);
    const { summary, graph } = entry;
    return runOrSubmit(budget, req, reply, forceAsync as boolean | undefined, {
      kind: 'value',
      graphId: summary.id,
      graphVersion: summary.version,
      work: valueRankingWork(graph, request),
      graph: entry,
      op: { name: 'value', params: request },
    }) as never;
  });

  app.get('/graphs/:id/customers/:customerId/value', {
    schema: {
      operationId: 'getCustomerValue',
      tags: ['influence', 'customers'],
      summary: 'What one customer is worth, network included',
      description: 'Own value + the expected value of the other customers its voice reaches (Monte Carlo from this customer alone).',
      params: z.object({ id: graphIdSchema, customerId: customerIdSchema }),
      querystring: customerQuery,
      response: { 200: customerValueSchema, 202: acceptedSchema, ...errorResponses },
    },
  }, async (req, reply) => {
    const { async: forceAsync, ...q } = req.query as Record<string, unknown>;
    const request = parseOrThrow(customerValueRequestSchema, defined(q), 'query');
    const entry = await ctx.cache.get(req.params.id);
    const { summary, graph } = entry;
    const id = req.params.customerId;
    if (indexOf(graph, id) < 0) throw new NotFoundError(`customer ${JSON.stringify(clip(id))} is not in graph ${summary.id}`);
    return runOrSubmit(budget, req, reply, forceAsync as boolean | undefined, {
      kind: 'customer-value',
      graphId: summary.id,
      graphVersion: summary.version,
      work: customerValueWork(graph, request),
      graph: entry,
      op: { name: 'customer-value', params: { customerId: id, request } },
    }) as never;
  });
};

export default valueRoutes;
