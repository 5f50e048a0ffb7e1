import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { buildPlan, simulationRequestSchema, type SimulationRequest } from '../../diffusion/index.js';
import { MODEL_DEFINITIONS, simulationResultShape } from '../../diffusion/models/registry.js';
import type { RouteContext } from '../app.js';
import { asyncQuery, budgetDeps, checkSimulationMemory, runOrSubmit, simulationWork } from '../budget.js';
import { accepted, json, preferHeader, problems } from '../openapi.js';
import { graphParams, graphRefShape } from '../schemas.js';
import { acceptedSchema } from '../job-schemas.js';

/** `POST /graphs/:id/simulations`: one Monte Carlo simulation (DESIGN §3, §4, §8), synchronous or a job. */

const RESULT_EXAMPLE = {
  graphId: 'g_0123456789abcdef', graphVersion: 1, model: 'ic', runs: 1000, seed: 7, elapsedMs: 41, probability: 'uniform', seeds: ['c1'], stoppedBy: 'runs',
  reach: {
    mean: 12.3, sd: 4.1, stderr: 0.13, ci95: [12.04, 12.56], min: 1, max: 40,
    quantiles: { p5: 6, p25: 9, p50: 12, p75: 15, p95: 20 }, histogram: [{ from: 1, to: 5, count: 300 }],
  },
  steps: [{ step: 0, newMean: 1, cumulativeMean: 1 }],
  amplifiers: [{ id: 'c7', frequency: 0.83 }],
  arcsExamined: 61.5,
};

export const simulationResultSchema = z
  .looseObject({ ...graphRefShape, ...simulationResultShape })
  .describe('A simulation result (DESIGN §8).')
  .meta({ id: 'SimulationResult', examples: [RESULT_EXAMPLE] });

const BODY_EXAMPLE = { model: 'ic', seeds: ['c1'], runs: 1000, seed: 7, probability: 'uniform', p: 0.05 };

/** Named once, at load (a schema's id is registered once per process, not per app). */
const simulationBodySchema = simulationRequestSchema.meta({ id: 'SimulationRequest', examples: [BODY_EXAMPLE] });

const simulationRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, ctx) => {
  app.post('/graphs/:id/simulations', {
    schema: {
      operationId: 'simulate',
      tags: ['simulations'],
      summary: `Run a Monte Carlo cascade simulation (${MODEL_DEFINITIONS.map((d) => d.name).join(', ')})`,
      description:
        'Same request and seed give the same result (but `elapsedMs`) on any number of workers. Work above the budget ' +
        '(runs × arcs > RIPPLE_SYNC_BUDGET) or `?async=true` answers 202 with a job. Unknown seeds: 404; LT in-weights above 1: 400.',
      params: graphParams,
      querystring: z.object({ async: asyncQuery }),
      headers: preferHeader,
      body: simulationBodySchema,
      response: {
        200: json(simulationResultSchema, 'The simulation result (same request and seed: same numbers).', { csv: 'The result as a tidy CSV table (`Accept: text/csv` or `?format=csv`).' }),
        202: accepted(acceptedSchema),
        ...problems([404, 406, 409, 413, 415, 422]),
      },
    },
  }, async (req, reply) => {
    const entry = await ctx.cache.get(req.params.id);
    const { summary, graph } = entry;
    const body = req.body as SimulationRequest;
    checkSimulationMemory(graph, body, ctx.config.memory, ctx.config.workers); // 422 before any work: what to lower
    return runOrSubmit(budgetDeps(ctx), req, reply, req.query.async, {
      kind: 'simulation',
      graphId: summary.id,
      graphVersion: summary.version,
      work: simulationWork(graph, body),
      validate: () => buildPlan(graph, body), // unknown seeds (404), LT in-sums (400)
      graph: entry,
      op: { name: 'simulation', params: body },
    }) as Promise<never>;
  });
};

export default simulationRoutes;
