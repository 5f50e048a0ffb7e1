import { z } from 'zod';

/**
 * Output schemas of the Monte Carlo engine (zod; the API's response schemas and OpenAPI text). A model's
 * own result fields are declared in its folder (`resultShape`) and joined here by the registry.
 */

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
    histogram: z
      .array(z.object({ from: z.number(), to: z.number(), count: z.number() }))
      .describe('Runs per reach bin, inclusive integer bounds `from`..`to`, binned as the request\'s `histogram` says (default: `bins` equal-width bins over [min, max]).'),
    histogramOutside: z
      .object({ below: z.number().int(), above: z.number().int() })
      .optional()
      .describe('With `histogram: {edges}` or `{width, start}`: runs whose reach falls below the first bin or at/above the last edge (bins + outside = runs).'),
  })
  .describe('Distribution of customers reached over the runs.');

export const stepSchema = z.object({
  step: z.number().int(),
  newMean: z.number().describe('Mean customers newly active at this step.'),
  cumulativeMean: z.number().describe('Mean customers active by this step.'),
  newCi95: z.tuple([z.number(), z.number()]).optional().describe('95% confidence interval of newMean (main curve `steps`, and voice\'s opinion curves).'),
  cumulativeCi95: z.tuple([z.number(), z.number()]).optional().describe('95% confidence interval of cumulativeMean (voice\'s opinion curves `negativeSteps`, `positiveSteps`).'),
});

export const exceedanceSchema = z.object({
  atLeast: z.number().int(),
  probability: z.number().describe('Share of runs that reached at least `atLeast` customers.'),
  ci95: z.tuple([z.number(), z.number()]).describe('95% Wilson score interval.'),
});

export const traceSchema = z.object({
  run: z.number().int().describe('The run traced (0: stream (seed, 0)).'),
  reach: z.number().int(),
  events: z
    .array(z.object({ from: z.string().nullable().describe('Who caused it (null: a seed, a spontaneous change, a recovery).'), to: z.string(), time: z.number(), state: z.string() }))
    .describe('In the order they happened: `to` entered `state` at `time` (a step; a time in units for ctic).'),
  truncated: z.boolean().describe('True when the run had more than 100000 events (the first ones are kept).'),
});

export const samplesSchema = z
  .object({ reach: z.array(z.number().int()).describe('Customers reached by run r at index r (their mean is `reach.mean`).') })
  .catchall(z.array(z.number().nullable()))
  .describe('Per-run values in run order: `reach`, and each per-run output of the model under its name (voice: negative, positive, their values and peak steps; ctic: withinHorizon, timeToReach; hk: consensusStep, meanOpinion), null where a run has none (ctic\'s timeToReach of a run that never reaches the target).');

/** The fields of every simulation result (DESIGN §8), in their JSON order; `model` is added by the registry. */
export const commonResultShape = {
  runs: z.number().int(),
  seed: z.number().int(),
  elapsedMs: z.number(),
  probability: z.string().optional().describe('The arc probability scheme (models that use arc probabilities).'),
  seeds: z.array(z.string()).describe('Seed customers (duplicates removed).'),
  stoppedBy: z.enum(['runs', 'precision', 'maxRuns']),
  reach: reachStatsSchema,
  steps: z.array(stepSchema),
  amplifiers: z.array(z.object({ id: z.string(), frequency: z.number() })).describe('Non-seed customers most often activated.'),
  arcsExamined: z.number().describe('Mean arcs examined per run.'),
  exceedance: z.array(exceedanceSchema).optional().describe('With `exceedance` in the request: P(reach >= N) for each N asked, with a 95% Wilson CI.'),
  trace: traceSchema.optional().describe('With `trace: true`: one traced run (run 0 of this request).'),
  samples: samplesSchema.optional().describe('With `samples: true`: every run\'s values, in run order.'),
};

/** Which graph version a result was computed on: stamped on every answer and job result by the API and the workers. */
export const graphRefShape = {
  graphId: z.string().describe('The graph the result was computed on.'),
  graphVersion: z.number().int().describe('The graph version the result was computed on (a later replace does not change it).'),
};

/**
 * The answer type of a result schema (one source of truth: the schema): its output with exactly the declared fields.
 * A loose schema's open index signature is left out, so that a field written that the schema does not declare is a
 * compile error, and so is a required one left out.
 */
export type AnswerOf<S extends { shape: z.ZodRawShape }> = z.output<z.ZodObject<S['shape']>>;

/** The same as an engine function returns it: without the graph reference that the API and the workers stamp. */
export type EngineAnswer<S extends { shape: z.ZodRawShape }> = Omit<AnswerOf<S>, keyof typeof graphRefShape>;
