import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { buildPlan, simulate, simulationRequestSchema, type SimulationRequest } from '../../diffusion/index.js';
import type { RouteContext } from '../app.js';
import { asyncQuery, runOrSubmit, simulationWork } from '../budget.js';
import { errorResponses, graphParams, graphRefShape } from '../schemas.js';
import { acceptedSchema } from './jobs.js';

/** `POST /graphs/:id/simulations`: one Monte Carlo simulation (DESIGN §3, §4, §8), synchronous or a job. */

export const meanCiSchema = z.object({
  mean: z.number(),
  sd: z.number(),
  stderr: z.number(),
  ci95: z.tuple([z.number(), z.number()]).describe('95% confidence interval of the mean.'),
});

export const reachStatsSchema = meanCiSchema
  .extend({
    min: z.number(),
    max: z.number(),
    quantiles: z.object({ p5: z.number(), p25: z.number(), p50: z.number(), p75: z.number(), p95: z.number() }),
    histogram: z.array(z.object({ from: z.number(), to: z.number(), count: z.number() })),
  })
  .describe('Distribution of customers reached over the runs.');

const stepSchema = z.object({
  step: z.number().int(),
  newMean: z.number().describe('Mean customers newly active at this step.'),
  cumulativeMean: z.number().describe('Mean customers active by this step.'),
});

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
  .looseObject({
    ...graphRefShape,
    model: z.enum(['ic', 'lt', 'sir', 'voice']),
    runs: z.number().int(),
    seed: z.number().int(),
    elapsedMs: z.number(),
    probability: z.string(),
    seeds: z.array(z.string()).describe('Seed customers (duplicates removed).'),
    stoppedBy: z.enum(['runs', 'precision', 'maxRuns']),
    reach: reachStatsSchema,
    steps: z.array(stepSchema),
    amplifiers: z.array(z.object({ id: z.string(), frequency: z.number() })).describe('Non-seed customers most often activated.'),
    arcsExamined: z.number().describe('Mean arcs examined per run.'),
    compartments: z
      .array(z.object({ step: z.number().int(), susceptible: z.number(), infected: z.number(), recovered: z.number() }))
      .optional()
      .describe('SIR: mean S/I/R after each step.'),
    negative: reachStatsSchema.optional().describe('Voice: customers ending negative.'),
    positive: reachStatsSchema.optional().describe('Voice: customers ending positive.'),
    negativeSteps: z.array(stepSchema).optional(),
    positiveSteps: z.array(stepSchema).optional(),
  })
  .describe('A simulation result (DESIGN §8).')
  .meta({ examples: [RESULT_EXAMPLE] });

const BODY_EXAMPLE = { model: 'ic', seeds: ['c1'], runs: 1000, seed: 7, probability: 'uniform', p: 0.05 };

const simulationRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, ctx) => {
  app.post('/graphs/:id/simulations', {
    schema: {
      operationId: 'simulate',
      tags: ['simulations'],
      summary: 'Run a Monte Carlo cascade simulation (IC, LT, SIR or voice)',
      description:
        'Same request and seed give the same result (but `elapsedMs`) on any number of workers. Work above the budget ' +
        '(runs × arcs > RIPPLE_SYNC_BUDGET) or `?async=true` answers 202 with a job. Unknown seeds: 404; LT in-weights above 1: 400.',
      params: graphParams,
      querystring: z.object({ async: asyncQuery }),
      body: simulationRequestSchema.meta({ examples: [BODY_EXAMPLE] }),
      response: { 200: simulationResultSchema, 202: acceptedSchema, ...errorResponses },
    },
  }, async (req, reply) => {
    const { summary, graph } = await ctx.cache.get(req.params.id);
    const body = req.body as SimulationRequest;
    return runOrSubmit({ jobs: ctx.jobs, budget: ctx.config.syncBudget }, req, reply, req.query.async, {
      kind: 'simulation',
      graphId: summary.id,
      graphVersion: summary.version,
      work: simulationWork(graph, body),
      validate: () => buildPlan(graph, body), // unknown seeds (404), LT in-sums (400)
      run: ({ signal, progress }) =>
        simulate(graph, body, { pool: ctx.pool, signal, onProgress: (done, total) => progress(done / total, { runsDone: done, runs: total }) }),
    }) as Promise<never>;
  });
};

export default simulationRoutes;
