import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { buildPlan, resolveParsedSimulation, simulationRequestSchema, type SimulationRequest } from '../../diffusion/index.js';
import { MODEL_DEFINITIONS } from '../../diffusion/models/registry.js';
import { simulationResultSchema } from '../../diffusion/models/result-schemas.js';
import type { RouteContext } from '../app.js';
import { asyncQuery, budgetDeps, checkSimulationMemory, runOrSubmit, simulationWork } from '../budget.js';
import { accepted, json, preferHeader, problems } from '../openapi.js';
import { graphParams } from '../schemas.js';
import { acceptedSchema } from '../job-schemas.js';

/** `POST /graphs/:id/simulations`: one Monte Carlo simulation (DESIGN §3, §4, §8), synchronous or a job. */

// The answer's schema (one per model) lives with the models: src/diffusion/models/result-schemas.ts.
export { simulationResultSchema } from '../../diffusion/models/result-schemas.js';

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
    const body = req.body as SimulationRequest; // parsed by the body schema: defaults applied
    checkSimulationMemory(graph, body, ctx.config.memory, ctx.config.workers); // 422 before any work: what to lower
    const resolved = resolveParsedSimulation(graph, body); // unknown seeds: 404, once
    return runOrSubmit(budgetDeps(ctx), req, reply, req.query.async, {
      kind: 'simulation',
      graphId: summary.id,
      graphVersion: summary.version,
      work: simulationWork(graph, body),
      validate: () => buildPlan(graph, resolved), // LT in-sums (400) before a job
      graph: entry,
      op: { name: 'simulation', params: body },
      prepared: resolved,
    }) as Promise<never>;
  });
};

export default simulationRoutes;
