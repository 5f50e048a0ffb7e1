/**
 * Jobs: long work with progress, ETA, cancellation, a TTL on results and a list per graph.
 *
 * Usage note for the HTTP layer (routes live in src/api; nothing here imports fastify):
 *
 * - Make ONE manager per app in buildApp, from config, and close it in an onClose hook:
 *     const jobs = new JobManager({ concurrency: 1, maxQueued: 32, ttlMs: 15 * 60_000,
 *       onInternalError: (job, err) => app.log.error({ err, jobId: job.id }, 'job failed') });
 *     app.addHook('onClose', () => jobs.close());   // cancels queued+running, waits for runs to settle
 *   Pass it to the routes (a decorator or a factory argument), never a module singleton.
 *
 * - Work above the budget -> 202:
 *     const job = jobs.submit({ kind: 'simulation', graphId: id,
 *       run: ({ signal, progress }) => simulate(graph, req, { signal, onProgress: (done) => progress(done / runs, { runsDone: done, runs }) }) });
 *     reply.code(202).header('location', `/jobs/${job.id}`).send(job);
 *   `signal` must reach the worker pool (`pool.run(task, graph, payload, { signal })`): that is how
 *   DELETE frees the workers. `run` may resolve with any JSON-able result; it becomes `result`.
 *   submit() throws QueueFullError / ShuttingDownError: AppError 503 with `retryAfterSeconds` (also in
 *   `details`) -> set the `Retry-After` header from it. 503, not 429: a full queue is server capacity,
 *   shared by all callers; 429 stays for per-key rate limits. Note: the problem handler currently replaces
 *   the detail of every >= 500 error by "internal error"; these two are `expose: true` and could keep theirs.
 *
 * - `GET /jobs/:id` -> jobs.get(id) (result included when succeeded; NotFoundError 404 for malformed,
 *   unknown or expired ids — JOB_ID_PATTERN can also go into the params schema).
 *   `GET /jobs?graphId=&state=` or `GET /graphs/:id/jobs` -> { jobs: jobs.list({ graphId, state }) } (no results in lists).
 *   `DELETE /jobs/:id` -> jobs.cancel(id): 200 with the view (state `cancelled`; a finished job is unchanged).
 *   `DELETE /graphs/:id` can call jobs.cancelGraph(id).
 *
 * - `GET /jobs/:id/events` (SSE): read `const first = jobs.get(id)` and write it as the first event; if
 *   it is terminal, end the stream. Otherwise `const off = jobs.subscribe(id, (e) => write(e.type, e.job))`;
 *   end the stream on the terminal `state` event (states succeeded/failed/cancelled; listeners are dropped
 *   by the manager after it), and call `off()` on `req.raw.on('close')`. get+subscribe in the same tick
 *   miss nothing. Progress events are throttled (default: 100 ms or 1 % progress).
 *
 * - A failed job's `error` is problem-shaped `{ status, code, detail }`: the AppError's statusCode, code
 *   and message when it may be exposed, else `{ 500, 'internal', 'internal error' }` (details go to
 *   onInternalError only).
 */
export { JobManager } from './manager.js';
export {
  JOB_ID_PATTERN,
  JOB_STATES,
  QueueFullError,
  ShuttingDownError,
  isJobId,
  isTerminal,
  type JobContext,
  type JobEvent,
  type JobListener,
  type JobManagerOptions,
  type JobSpec,
  type JobState,
  type JobView,
} from './types.js';
