import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFoundError } from '../../errors.js';
import { JOB_STATES, isJobId, isTerminal, type JobEvent, type JobView } from '../../jobs/index.js';
import type { RouteContext } from '../app.js';
import { nextCursorSchema, pageQueryShape, paginate } from '../pagination.js';
import { errorResponses, graphParams } from '../schemas.js';

/**
 * Long work as jobs (issue 6 part 2): `GET /jobs/:id`, `GET /jobs/:id/events` (server-sent events),
 * `DELETE /jobs/:id` (cancel: the AbortSignal reaches the worker pool and frees it), `GET /jobs` and
 * `GET /graphs/:id/jobs`. Jobs are made by the engine routes through src/api/budget.ts.
 */

const JOB_EXAMPLE = {
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
  .meta({ examples: [JOB_EXAMPLE] });

export const acceptedSchema = z
  .object({
    job: jobViewSchema,
    work: z.number().describe('Estimated work of the request, in arcs examined.'),
    budget: z.number().describe('Work answered synchronously (RIPPLE_SYNC_BUDGET); more becomes a job.'),
  })
  .describe('The work was queued as a job: follow `Location` (`GET /jobs/:id`) or its events (`GET /jobs/:id/events`).')
  .meta({ examples: [{ job: { ...JOB_EXAMPLE, state: 'queued', progress: 0, etaMs: null, startedAt: null, queuePosition: 1 }, work: 176468000, budget: 100000000 }] });

const jobParams = z.object({ jobId: z.string().min(1).max(64).describe('Job id, from a 202 answer.') });
const jobList = z.object({ jobs: z.array(jobViewSchema), nextCursor: nextCursorSchema }).describe('Jobs, oldest first, a page at a time (results left out: GET /jobs/:id has them).');
const stateQuery = z.object({ state: z.enum(JOB_STATES as [string, ...string[]]).optional().describe('Only jobs in this state.'), ...pageQueryShape });
const page = (list: JobView[], q: { limit?: number; cursor?: string }) => {
  const { page: jobs, nextCursor } = paginate(list, q);
  return nextCursor === undefined ? { jobs } : { jobs, nextCursor };
};

/** Heartbeat comment on idle event streams (proxies close silent connections). */
const HEARTBEAT_MS = 15_000;

function sse(raw: ServerResponse, event: string, data: unknown): void {
  raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

const jobRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, ctx) => {
  const { jobs } = ctx;
  const lookup = (id: string): Promise<JobView> => {
    if (!isJobId(id)) throw new NotFoundError(`no job ${JSON.stringify(String(id).slice(0, 64))}`);
    return jobs.get(id);
  };
  /** Open event streams, ended when the app closes (they would otherwise hold the server open). */
  const streams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of [...streams]) end();
  });

  app.get('/jobs/:jobId', {
    schema: {
      operationId: 'getJob',
      tags: ['jobs'],
      summary: 'A job: state, progress 0..1, ETA, and the result when done',
      description: 'Finished jobs are kept for a while (15 minutes by default), then this answers 404.',
      params: jobParams,
      response: { 200: jobViewSchema, ...errorResponses },
    },
  }, async (req) => lookup(req.params.jobId));

  app.delete('/jobs/:jobId', {
    schema: {
      operationId: 'cancelJob',
      tags: ['jobs'],
      summary: 'Cancel a job',
      description: 'A queued job never starts; a running one is stopped in its workers, which are freed for other work. A finished job is unchanged.',
      params: jobParams,
      response: { 200: jobViewSchema, ...errorResponses },
    },
  }, async (req) => {
    await lookup(req.params.jobId);
    return jobs.cancel(req.params.jobId);
  });

  app.get('/jobs', {
    schema: {
      operationId: 'listJobs',
      tags: ['jobs'],
      summary: 'All known jobs',
      querystring: stateQuery,
      response: { 200: jobList, ...errorResponses },
    },
  }, async (req) => page(await jobs.list({ state: req.query.state as JobView['state'] | undefined }), req.query));

  app.get('/graphs/:id/jobs', {
    schema: {
      operationId: 'listGraphJobs',
      tags: ['jobs'],
      summary: 'Jobs of one graph',
      params: graphParams,
      querystring: stateQuery,
      response: { 200: jobList, ...errorResponses },
    },
  }, async (req) => {
    await ctx.store.get(req.params.id); // 404 for an unknown graph
    return page(await jobs.list({ graphId: req.params.id, state: req.query.state as JobView['state'] | undefined }), req.query);
  });

  app.get('/jobs/:jobId/events', {
    schema: {
      operationId: 'getJobEvents',
      tags: ['jobs'],
      summary: 'Server-sent events of a job: progress, state, then done or error',
      description:
        'A `text/event-stream`. The first event is `state` with the job as it is; then `progress` events (throttled) and `state` ' +
        'events; the stream ends with `done` (the job with its result) or `error` (the job with its `error`, also when cancelled). ' +
        'Each `data:` is a job as in GET /jobs/:id. A finished job answers its final event at once.',
      params: jobParams,
      response: {
        200: z.string().describe('text/event-stream').meta({ examples: ['event: progress\ndata: {"id":"…","state":"running","progress":0.5,…}\n\n'] }),
        ...errorResponses,
      },
    },
  }, async (req, reply) => {
    // Follow before answering: the first event is the job as it is, and nothing after it is missed.
    const pending: JobEvent[] = [];
    let deliver: (e: JobEvent) => void = (e) => void pending.push(e);
    if (!isJobId(req.params.jobId)) await lookup(req.params.jobId);
    const followed = await jobs.follow(req.params.jobId, (e) => deliver(e));
    const first = followed.first;
    const id = first.id;
    const raw = reply.raw;
    reply.hijack();
    const headers: Record<string, string | number | string[]> = {};
    for (const [k, v] of Object.entries(reply.getHeaders())) if (v !== undefined) headers[k] = v;
    raw.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-request-id': String(req.id),
    });
    let ended = false;
    const off: () => void = followed.off;
    const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    const end = () => {
      if (ended) return;
      ended = true;
      clearInterval(heartbeat);
      off();
      streams.delete(end);
      raw.end();
    };
    const finish = (job: JobView) => {
      if (job.state !== 'succeeded' || job.result !== undefined) {
        sse(raw, job.state === 'succeeded' ? 'done' : 'error', job);
        return end();
      }
      ended = true; // no more events while the result is fetched
      void safeGet(id).then((full) => {
        ended = false;
        sse(raw, 'done', full ?? job);
        end();
      });
    };
    streams.add(end);
    raw.on('close', end);
    sse(raw, 'state', first);
    if (isTerminal(first.state)) return finish(first);
    deliver = (e) => {
      if (ended) return;
      sse(raw, e.type, e.job);
      if (e.type === 'state' && isTerminal(e.job.state)) finish(e.job);
    };
    for (const e of pending.splice(0)) deliver(e);
  });

  async function safeGet(id: string): Promise<JobView | undefined> {
    try {
      return await jobs.get(id);
    } catch {
      return undefined;
    }
  }
};

export default jobRoutes;
