import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFoundError } from '../../errors.js';
import { JOB_STATES, isJobId, isTerminal, type JobEvent, type JobView } from '../../jobs/index.js';
import type { RouteContext } from '../app.js';
import { JOB_EXAMPLE, jobViewSchema } from '../job-schemas.js';
import { nextCursorSchema, pageQueryShape, paginate } from '../pagination.js';
import { json, problems } from '../openapi.js';
import { graphParams } from '../schemas.js';

/**
 * Long work as jobs (issue 6 part 2): `GET /jobs/:id`, `GET /jobs/:id/events` (server-sent events),
 * `DELETE /jobs/:id` (cancel: the AbortSignal reaches the worker pool and frees it), `GET /jobs` and
 * `GET /graphs/:id/jobs`. Jobs are made by the engine routes through src/api/budget.ts.
 */

/** One server-sent event of GET /jobs/{jobId}/events (the stream is a sequence of these, a blank line apart). */
const jobEventSchema = z
  .object({
    event: z.enum(['state', 'progress', 'done', 'error']).describe('`state` first and on every change of state, `progress` (throttled), then `done` or `error` last.'),
    data: z.string().describe('The job as JSON, as GET /jobs/{jobId} answers it.').meta({ contentMediaType: 'application/json', contentSchema: { $ref: '#/components/schemas/Job' } }),
  })
  .describe('One server-sent event.')
  .meta({ id: 'JobEvent', examples: [{ event: 'progress', data: JSON.stringify(JOB_EXAMPLE) }] });

const jobParams = z.object({ jobId: z.string().min(1).max(64).describe('Job id, from a 202 answer.') });
const jobList = z
  .object({ jobs: z.array(jobViewSchema), nextCursor: nextCursorSchema })
  .describe('Jobs, oldest first, a page at a time (results left out: GET /jobs/{jobId} has them).')
  .meta({ id: 'JobList', examples: [{ jobs: [JOB_EXAMPLE] }] });
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
      response: { 200: json(jobViewSchema, 'The job; `result` (typed by `kind`) once it has succeeded, `error` once it failed or was cancelled.', { csv: 'A finished simulation or scenario job\'s result as CSV (`Accept: text/csv`).' }), ...problems([404, 406]) },
    },
  }, async (req) => lookup(req.params.jobId));

  app.delete('/jobs/:jobId', {
    schema: {
      operationId: 'cancelJob',
      tags: ['jobs'],
      summary: 'Cancel a job',
      description: 'A queued job never starts; a running one is stopped in its workers, which are freed for other work. A finished job is unchanged.',
      params: jobParams,
      response: { 200: json(jobViewSchema, 'The job after the cancel (`cancelled`, or as it was when it had already finished).'), ...problems([404]) },
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
      description: 'Queued, running and recently finished jobs (kept for RIPPLE_JOB_TTL), oldest first; without their results. Filter by `state`.',
      querystring: stateQuery,
      response: { 200: json(jobList, 'A page of jobs; `nextCursor` when there are more.'), ...problems() },
    },
  }, async (req) => page(await jobs.list({ state: req.query.state as JobView['state'] | undefined }), req.query));

  app.get('/graphs/:id/jobs', {
    schema: {
      operationId: 'listGraphJobs',
      tags: ['jobs'],
      summary: 'Jobs of one graph',
      description: 'Like GET /jobs, for one graph\'s jobs only; 404 for an unknown graph.',
      params: graphParams,
      querystring: stateQuery,
      response: { 200: json(jobList, 'A page of the graph\'s jobs; `nextCursor` when there are more.'), ...problems([404]) },
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
        200: {
          description:
            'A `text/event-stream` (server-sent events). Events: `state` (first, with the job as it is, and on every change of state), ' +
            '`progress` (throttled), then the last one: `done` (the job with its `result`) or `error` (the job with its `error`, also when cancelled). ' +
            'Every `data:` line is one Job as JSON (GET /jobs/{jobId}). A `: keep-alive` comment comes every 15 s on an idle stream.',
          content: { 'text/event-stream': { schema: jobEventSchema } },
        },
        ...problems([404]),
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
