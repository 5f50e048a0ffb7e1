import { Redis, type RedisOptions } from 'ioredis';
import { AppError } from '../errors.js';

/**
 * Redis connections and names shared by the API (src/distributed/redis-jobs.ts) and the workers
 * (src/distributed/worker.ts). Two BullMQ queues carry the work:
 *
 * - `<prefix>:jobs` (QUEUE_JOBS): one BullMQ job per Ripple job (the id a client sees). Its data names an
 *   operation and its parameters (src/jobs/ops.ts) and the graph (id, version). A worker process takes it
 *   and coordinates it: it runs the same engine function as one process would, on a RemotePool.
 * - `<prefix>:chunks` (QUEUE_CHUNKS): pieces of that work (runs [from, to), RR-set batches, centrality
 *   sources), run by any worker on its threads. Chunk job ids are `<job id>-<n>` in the order the engine
 *   asks for them, so a coordinator that is taken over replays into the chunks already done.
 *
 * Plain keys beside them: `<prefix>:result:<job>` (a finished job's result JSON, kept for the TTL),
 * `<prefix>:chunk:<chunk id>` (a chunk's encoded result until its job is merged), `<prefix>:blob:<sha256>`
 * (large payload arrays, codec.ts), `<prefix>:cancel:<job>` (set when cancelled), and the pub/sub channel
 * `<prefix>:cancel` that tells every process at once.
 */

export const QUEUE_JOBS = 'jobs';
export const QUEUE_CHUNKS = 'chunks';

export interface Names {
  prefix: string;
  result(jobId: string): string;
  chunk(chunkId: string): string;
  blob(hash: string): string;
  cancel(jobId: string): string;
  cancelChannel: string;
}

export function names(prefix: string): Names {
  return {
    prefix,
    result: (id) => `${prefix}:result:${id}`,
    chunk: (id) => `${prefix}:chunk:${id}`,
    blob: (h) => `${prefix}:blob:${h}`,
    cancel: (id) => `${prefix}:cancel:${id}`,
    cancelChannel: `${prefix}:cancel`,
  };
}

/** Redis cannot be reached: 503 with a Retry-After (the job routes; /ready says the same). */
export class JobsUnavailableError extends AppError {
  readonly retryAfterSeconds: number;
  constructor(detail = 'the job store (Redis) is unreachable: try again shortly', cause?: unknown) {
    super(detail, { statusCode: 503, code: 'jobs-unavailable', expose: true, details: { retryAfterSeconds: 5 }, cause });
    this.retryAfterSeconds = 5;
  }
}

/**
 * A connection from a redis:// URL. `blocking` ones (BullMQ workers, queue events, subscribers) retry
 * commands forever, as BullMQ requires; the others fail fast while Redis is away (no offline queue), so an
 * API request answers 503 at once instead of hanging. Both reconnect on their own, backing off to 2 s.
 */
export function connect(url: string, opts: { blocking: boolean; name?: string } = { blocking: false }): Redis {
  const base: RedisOptions = {
    connectionName: opts.name,
    lazyConnect: false,
    retryStrategy: (times) => Math.min(2000, 100 * times),
    ...(opts.blocking
      ? { maxRetriesPerRequest: null, enableOfflineQueue: true }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 }),
  };
  const r = new Redis(url, base);
  // ioredis emits 'error' on every failed reconnect: without a listener Node would crash the process.
  r.on('error', () => {});
  return r;
}

/**
 * Connection options for a connection that BullMQ makes, owns and closes itself (its Workers and QueueEvents
 * block on Redis, so they need one each): same back-off as connect().
 */
export function bullConnection(url: string): RedisOptions {
  return { url, maxRetriesPerRequest: null, retryStrategy: (times: number) => Math.min(2000, 100 * times) } as RedisOptions;
}

/** Is this error Redis being away (not a bad command)? */
export function isConnectionError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const m = e.message;
  return /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EHOSTUNREACH|Connection is closed|enableOfflineQueue|Stream isn't writeable|MaxRetriesPerRequest|connect ETIMEDOUT|Socket closed/i.test(m);
}
