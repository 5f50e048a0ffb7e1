import { z } from 'zod';
import { JOB_STATES } from '../jobs/index.js';

/**
 * Response schemas of jobs: the job view (`GET /jobs/:id`) and the 202 body every engine route answers with
 * (`acceptedSchema`). Here, not in a route file, so that routes do not import each other.
 */

export const JOB_EXAMPLE = {
  id: '6f1c2a4e-7d0b-4b1e-9a55-2f6f0c8b9d31', kind: 'simulation', graphId: 'g_0123456789abcdef', state: 'running',
  progress: 0.42, etaMs: 1800, createdAt: '2025-01-01T12:00:00.000Z', startedAt: '2025-01-01T12:00:00.010Z', finishedAt: null,
  info: { runsDone: 42000, runs: 100000 },
};

export const jobViewSchema = z
  .object({
    id: z.string(),
    kind: z.string().describe('`simulation`, `centrality`, `influencers`, `value`, `customer-value`, `scenario`…'),
    graphId: z.string().optional(),
    state: z.enum(JOB_STATES as [string, ...string[]]).describe('queued -> running -> succeeded | failed | cancelled'),
    progress: z.number().min(0).max(1).describe('0..1, never decreasing; 1 when succeeded.'),
    etaMs: z.number().nullable().describe('Milliseconds left (estimated from the running time and the progress); null until there is progress.'),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    queuePosition: z.number().int().optional().describe('1-based place in the queue while queued.'),
    info: z.record(z.string(), z.unknown()).optional().describe('Details of the last progress report, e.g. `{ runsDone, runs }`.'),
    result: z.unknown().optional().describe('The result (same body as the synchronous answer), only when succeeded.'),
    error: z.object({ status: z.number().int(), code: z.string(), detail: z.string() }).optional().describe('Why it failed or was cancelled.'),
  })
  .describe('A job: long work with progress, ETA and cancellation.')
  .meta({ id: 'Job', examples: [JOB_EXAMPLE] });

export const acceptedSchema = z
  .object({
    job: jobViewSchema,
    work: z.number().describe('Estimated work of the request, in arcs examined.'),
    budget: z.number().describe('Work answered synchronously (RIPPLE_SYNC_BUDGET); more becomes a job.'),
  })
  .describe('The work was queued as a job: follow `Location` (`GET /jobs/:id`) or its events (`GET /jobs/:id/events`).')
  .meta({ id: 'Accepted', examples: [{ job: { ...JOB_EXAMPLE, state: 'queued', progress: 0, etaMs: null, startedAt: null, queuePosition: 1 }, work: 176468000, budget: 100000000 }] });

