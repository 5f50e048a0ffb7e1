import { parseOrThrow } from '../../validate.js';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFoundError } from '../../errors.js';
import { clip } from '../../graph/builder.js';
import { indexOf } from '../../graph/compile.js';
import { customerValueRequestSchema, schemeOf, valueRankingRequestSchema } from '../../influence/schemas.js';
import { spreadRequest } from '../../influence/influencers.js';
import { resolveBaseline } from '../../influence/value.js';
import { rrSpecAsync } from '../../influence/rr.js';
import { sliceYielder } from '../../graph/top-k.js';
import { resolveSimulation } from '../../diffusion/simulate.js';
import type { RouteContext } from '../app.js';
import {
  asyncQuery, bothMeasured, budgetDeps, customerValueWork, defined, measuredSimulationWork, measuredValueRankingWork, querySchemaFrom, runOrSubmit, valueRankingWork,
} from '../budget.js';
import { accepted, json, preferHeader, problems } from '../openapi.js';
import { customerIdSchema, graphIdSchema, graphParams } from '../schemas.js';
import { acceptedSchema } from '../job-schemas.js';
import { customerValueSchema, valueRankingSchema } from '../../influence/result-schemas.js';

/**
 * `GET /graphs/:id/value?top=` (every customer ranked by own + network value, value-weighted RR sets) and
 * `GET /graphs/:id/customers/:customerId/value` (one customer, direct Monte Carlo): Domingos & Richardson 2001.
 */

const rankingQuery = querySchemaFrom(valueRankingRequestSchema.shape).extend({ async: asyncQuery });
const customerQuery = querySchemaFrom(customerValueRequestSchema.shape).extend({ async: asyncQuery });

const valueRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, ctx) => {
  const budget = budgetDeps(ctx);

  app.get('/graphs/:id/value', {
    schema: {
      operationId: 'rankValues',
      tags: ['influence'],
      summary: 'Customers ranked by own value + value-weighted reach (or incremental value)',
      description: 'Network values from value-weighted reverse-reachable sets (Borgs et al. 2014), each with a 95% CI: the value-weighted reach of a customer\'s voice (`valueWeightedReach`; `network` / `networkValue` are its deprecated names), and with a `baseline` of organic adopters (ids, or `baselineShare`) Domingos & Richardson\'s incremental value, with minus without, from the same sets. Above the work budget (arcs examined, measured by a pilot of the RR sets; or `?async=true`): 202 with a job; with `?async=false`, 422 naming what to lower.',
      params: graphParams,
      querystring: rankingQuery,
      headers: preferHeader,
      response: {
        200: json(valueRankingSchema, 'Customers ranked by value, the `top` ones listed.', { csv: 'The ranking as a CSV table (`Accept: text/csv` or `?format=csv`).' }),
        202: accepted(acceptedSchema),
        ...problems([404, 409, 422]),
      },
    },
  }, async (req, reply) => {
    const { async: forceAsync, ...q } = req.query as Record<string, unknown>;
    const request = parseOrThrow(valueRankingRequestSchema, defined(q), 'query');
    const entry = await ctx.cache.get(req.params.id);
    const { summary, graph } = entry;
    resolveBaseline(graph, request); // an unknown baseline customer is a 404 now, not a failed job
    // The RR spec (O(customers + arcs)) built in slices first: the pilot and the run then find it made.
    if (graph.n > 0 && graph.totalValue > 0) await rrSpecAsync(graph, { model: request.model, probability: schemeOf(request), p: request.p, valueWeighted: true, activity: request.activity }, sliceYielder());
    return runOrSubmit(budget, req, reply, forceAsync as boolean | undefined, {
      kind: 'value',
      graphId: summary.id,
      graphVersion: summary.version,
      work: valueRankingWork(graph, request),
      measure: () => measuredValueRankingWork(graph, { ...request, probability: schemeOf(request) }), // a pilot of its RR sets
      measureAlways: true,
      graph: entry,
      op: { name: 'value', params: request },
    }) as never;
  });

  app.get('/graphs/:id/customers/:customerId/value', {
    schema: {
      operationId: 'getCustomerValue',
      tags: ['influence', 'customers'],
      summary: 'What one customer is worth, network included',
      description: 'Own value + the value-weighted reach of its voice, the expected value of the other customers it reaches (Monte Carlo from this customer alone; `valueWeightedReach`, with `network` / `networkValue` its deprecated names). With a `baseline` of organic adopters (ids, or `baselineShare`) also its incremental value (Domingos & Richardson: with minus without), from value-weighted RR sets — the ranking\'s estimator, so the same request gives the ranking\'s figure for this customer.',
      params: z.object({ id: graphIdSchema, customerId: customerIdSchema }),
      querystring: customerQuery,
      headers: preferHeader,
      response: {
        200: json(customerValueSchema, 'The customer\'s own value, value-weighted reach and total value (and incremental value with a baseline), with 95% CIs.', { csv: 'The figures as a CSV table (`Accept: text/csv` or `?format=csv`).' }),
        202: accepted(acceptedSchema),
        ...problems([404, 409, 422]),
      },
    },
  }, async (req, reply) => {
    const { async: forceAsync, ...q } = req.query as Record<string, unknown>;
    const request = parseOrThrow(customerValueRequestSchema, defined(q), 'query');
    const entry = await ctx.cache.get(req.params.id);
    const { summary, graph } = entry;
    const id = req.params.customerId;
    if (indexOf(graph, id) < 0) throw new NotFoundError(`customer ${JSON.stringify(clip(id))} is not in graph ${summary.id}`);
    // With a baseline (the incremental value): an unknown baseline customer is a 404 now, and the RR spec is built in slices.
    const baseline = resolveBaseline(graph, request);
    if (baseline && graph.n > 0 && graph.totalValue > 0) {
      await rrSpecAsync(graph, { model: request.model, probability: schemeOf(request), p: request.p, valueWeighted: true, activity: request.activity }, sliceYielder());
    }
    const runs = () => measuredSimulationWork(
      graph,
      resolveSimulation(graph, spreadRequest(request.model, { seeds: [id], runs: request.runs, seed: request.seed, probability: schemeOf(request), p: request.p, activity: request.activity })),
      customerValueWork(graph, { runs: request.runs }), 'query.runs',
    );
    return runOrSubmit(budget, req, reply, forceAsync as boolean | undefined, {
      kind: 'customer-value',
      graphId: summary.id,
      graphVersion: summary.version,
      work: customerValueWork(graph, request),
      measure: () => (baseline ? bothMeasured(runs(), measuredValueRankingWork(graph, { ...request, probability: schemeOf(request) })) : runs()),
      graph: entry,
      op: { name: 'customer-value', params: { customerId: id, request } },
    }) as never;
  });
};

export default valueRoutes;
