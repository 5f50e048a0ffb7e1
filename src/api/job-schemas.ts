import { z } from 'zod';
import { simulationResultSchema } from '../diffusion/models/result-schemas.js';
import { centralityResultSchema, customerValueSchema, influencersResultSchema, valueRankingSchema } from '../influence/result-schemas.js';
import { JOB_STATES } from '../jobs/index.js';
import { compareResultSchema, riskiestResultSchema, scenarioReportSchema } from '../scenarios/report-schema.js';

/**
 * Response schemas of jobs: the job view (`GET /jobs/:id`) and the 202 body every engine route answers with
 * (`acceptedSchema`). Here, not in a route file, so that routes do not import each other.
 */

export const JOB_EXAMPLE = {
  id: '6f1c2a4e-7d0b-4b1e-9a55-2f6f0c8b9d31', kind: 'simulation', graphId: 'g_0123456789abcdef', state: 'running',
  progress: 0.42, etaMs: 1800, createdAt: '2025-01-01T12:00:00.000Z', startedAt: '2025-01-01T12:00:00.010Z', finishedAt: null,
  info: { runsDone: 42000, runs: 100000 },
};

const jobShape = {
  id: z.string(),
  graphId: z.string().optional(),
  state: z.enum(JOB_STATES as [string, ...string[]]).describe('queued -> running -> succeeded | failed | cancelled'),
  progress: z.number().min(0).max(1).describe('0..1, never decreasing; 1 when succeeded.'),
  etaMs: z.number().nullable().describe('Milliseconds left (estimated from the running time and the progress); null until there is progress.'),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  queuePosition: z.number().int().optional().describe('1-based place in the queue while queued.'),
  info: z.record(z.string(), z.unknown()).optional().describe('Details of the last progress report, e.g. `{ runsDone, runs }`.'),
  error: z.object({ status: z.number().int(), code: z.string(), detail: z.string() }).optional().describe('Why it failed or was cancelled.'),
};

/** What each kind of job answers when it has succeeded: the same body as the synchronous answer of its route. */
const JOB_KINDS = [
  ['simulation', 'SimulationJob', simulationResultSchema, 'POST /graphs/{id}/simulations'],
  ['centrality', 'CentralityJob', centralityResultSchema, 'GET /graphs/{id}/centrality/{metric}'],
  ['influencers', 'InfluencersJob', influencersResultSchema, 'POST /graphs/{id}/influencers'],
  ['value', 'ValueJob', valueRankingSchema, 'GET /graphs/{id}/value'],
  ['customer-value', 'CustomerValueJob', customerValueSchema, 'GET /graphs/{id}/customers/{customerId}/value'],
  ['scenario', 'ScenarioJob', z.union([scenarioReportSchema, compareResultSchema]), 'POST /graphs/{id}/scenarios'],
  ['scenario-riskiest', 'RiskiestJob', riskiestResultSchema, 'POST /graphs/{id}/scenarios/riskiest'],
] as const;

const jobVariants = JOB_KINDS.map(([kind, id, result, route]) =>
  z
    .object({
      ...jobShape,
      kind: z.literal(kind).describe('What the job computes; it types `result`.'),
      result: result.optional().describe(`The result once succeeded: what ${route} answers (left out of job lists).`),
    })
    .describe(`A job of ${route}.`)
    .meta({ id }),
);
type JobVariant = (typeof jobVariants)[number];

/** A job: its `result` typed by `kind` (a discriminated union), for GET /jobs/{jobId}, its events and the 202s. */
export const jobViewSchema = z
  .discriminatedUnion('kind', jobVariants as unknown as [JobVariant, ...JobVariant[]])
  .describe('A job: long work with progress, ETA and cancellation; `result` is typed by `kind`.')
  .meta({ id: 'Job', examples: [JOB_EXAMPLE] });

export const acceptedSchema = z
  .object({
    job: jobViewSchema,
    work: z.number().describe('Estimated work of the request, in arcs examined.'),
    budget: z.number().describe('Work answered synchronously (RIPPLE_SYNC_BUDGET); more becomes a job.'),
  })
  .describe('The work was queued as a job: follow `Location` (`GET /jobs/:id`) or its events (`GET /jobs/:id/events`).')
  .meta({ id: 'Accepted', examples: [{ job: { ...JOB_EXAMPLE, state: 'queued', progress: 0, etaMs: null, startedAt: null, queuePosition: 1 }, work: 176468000, budget: 100000000 }] });

