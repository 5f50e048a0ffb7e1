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
    histogram: z.array(z.object({ from: z.number(), to: z.number(), count: z.number() })),
  })
  .describe('Distribution of customers reached over the runs.');

export const stepSchema = z.object({
  step: z.number().int(),
  newMean: z.number().describe('Mean customers newly active at this step.'),
  cumulativeMean: z.number().describe('Mean customers active by this step.'),
  newCi95: z.tuple([z.number(), z.number()]).optional().describe('95% confidence interval of newMean (main curve `steps`).'),
});

/** The fields of every simulation result (DESIGN §8), in their JSON order; `model` is added by the registry. */
export const commonResultShape = {
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
};
