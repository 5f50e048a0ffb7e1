import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { influencersRequestSchema, schemeOf, type InfluencersRequest } from '../../influence/schemas.js';
import { rrSpecAsync } from '../../influence/rr.js';
import { sliceYielder } from '../../graph/top-k.js';
import { checkInfluencersRequest } from '../../services/influencers.js';
import type { RouteContext } from '../app.js';
import { asyncQuery, budgetDeps, checkInfluencersMemory, influencersWork, measuredInfluencersWork, runOrSubmit } from '../budget.js';
import { accepted, json, preferHeader, problems } from '../openapi.js';
import { graphParams } from '../schemas.js';
import { acceptedSchema } from '../job-schemas.js';
import { influencersResultSchema } from '../../influence/result-schemas.js';

/** `POST /graphs/:id/influencers`: pick k seed customers (IMM, CELF, baselines), spread re-estimated by the engine. */

// The answer's schema lives with the engine: src/influence/result-schemas.ts.
export { influencersResultSchema } from '../../influence/result-schemas.js';

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
        'Large work (RR sets + re-estimate, measured by a pilot of the request\'s own RR sets and runs, above RIPPLE_SYNC_BUDGET) or `?async=true` answers 202 with a job; with `?async=false`, 422 naming what to lower.',
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
    checkInfluencersRequest(graph, body, { label: 'k', path: 'body.k' }); // 400 / CELF's 422 before any work or job
    // The RR spec (O(customers + arcs)) built in slices first: the pilot and the run then find it made.
    if (graph.n >= 2) await rrSpecAsync(graph, { model: body.model, probability: schemeOf(body), p: body.p, activity: body.activity }, sliceYielder());
    // RR sets over RIPPLE_MAX_REQUEST_MEMORY: 422 before any is sampled; the pilot behind it also measures the work.
    const pilot = checkInfluencersMemory(graph, body, ctx.config.memory);
    return runOrSubmit(budgetDeps(ctx), req, reply, req.query.async, {
      kind: 'influencers',
      graphId: summary.id,
      graphVersion: summary.version,
      work: influencersWork(graph, body),
      measure: () => measuredInfluencersWork(graph, body, pilot), // RR sets and the spread re-estimate, measured
      measureAlways: true, // the static estimate (mean degree per RR set) can be far too low
      graph: entry,
      op: { name: 'influencers', params: body },
    }) as never;
  });
};

export default influencerRoutes;
