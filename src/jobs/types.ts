import { AppError } from '../errors.js';

/** The life of a job: queued -> running -> one of the three terminal states (or queued -> cancelled). */
export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export const JOB_STATES: readonly JobState[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];

export function isTerminal(state: JobState): boolean {
  return state === 'succeeded' || state === 'failed' || state === 'cancelled';
}

/** What a caller sees of a job (the JSON body of `GET /jobs/:id`). */
export interface JobView {
  id: string;
  kind: string;
  graphId?: string;
  state: JobState;
  /** 0..1, never decreasing; 1 when succeeded. */
  progress: number;
  /** Milliseconds left, from the running time and the progress; null until there is progress (0 when succeeded). */
  etaMs: number | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** 1-based place in the queue while queued (1 = starts next). */
  queuePosition?: number;
  /** The last `info` passed with a progress report (e.g. `{ runsDone: 340, runs: 1000 }`). */
  info?: Record<string, unknown>;
  /** The value `run` resolved with, only when succeeded (left out of `list()`). */
  result?: unknown;
  /** Why it failed or was cancelled: problem-shaped, never internals. */
  error?: { status: number; code: string; detail: string };
}

export interface JobEvent {
  type: 'progress' | 'state';
  job: JobView;
}

export type JobListener = (event: JobEvent) => void;

export interface JobContext {
  /** Aborted when the job is cancelled (DELETE /jobs/:id, close()); pass it on to the worker pool. */
  signal: AbortSignal;
  /** Report progress as a fraction 0..1 (clamped, kept monotonic; NaN ignored) with optional details. */
  progress(fraction: number, info?: object): void;
}

export interface JobSpec<T> {
  kind: string;
  graphId?: string;
  run: (ctx: JobContext) => Promise<T>;
}

export interface JobManagerOptions {
  /** Jobs running at once (default 1: each job already fans out over the worker pool). */
  concurrency?: number;
  /** Jobs waiting beyond the running ones (default 32); one more is refused with 503. */
  maxQueued?: number;
  /** How long a finished job (and its result) is kept, in ms (default 15 minutes). */
  ttlMs?: number;
  /** At most this many finished jobs are kept; the oldest go first (default 1000). Bounds memory. */
  maxFinished?: number;
  /**
   * Bytes of results (their JSON size) that finished jobs may hold together (default 256 MB): past it the oldest
   * finished jobs are forgotten first; a single result larger than this fails its job (413) rather than be held.
   */
  maxResultBytes?: number;
  /** Progress events go out at most this often (default 100 ms)… */
  progressIntervalMs?: number;
  /** …unless progress moved by at least this much since the last event (default 0.01). */
  progressStep?: number;
  /** Clock in ms since the epoch (default Date.now); timestamps, ETA, throttling and TTL use it. */
  now?: () => number;
  /** Job ids (default crypto.randomUUID); must match JOB_ID_PATTERN and be unique. */
  idGenerator?: () => string;
  /** Called with the real error when a run fails with something that is not an exposable AppError (for the log). */
  onInternalError?: (job: JobView, error: unknown) => void;
}

/** The job queue is full: 503 with a hint for `Retry-After`. Server capacity, not the caller's rate, hence not 429. */
export class QueueFullError extends AppError {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super(message, { statusCode: 503, code: 'jobs-queue-full', expose: true, details: { retryAfterSeconds } });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The manager is closing (graceful shutdown): no new jobs. */
export class ShuttingDownError extends AppError {
  readonly retryAfterSeconds: number;
  constructor() {
    super('the server is shutting down: no new jobs', { statusCode: 503, code: 'shutting-down', expose: true, details: { retryAfterSeconds: 5 } });
    this.retryAfterSeconds = 5;
  }
}

/** What job ids look like (the default is a UUID). Lookups of anything else are 404 without touching the table. */
export const JOB_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function isJobId(id: unknown): id is string {
  return typeof id === 'string' && JOB_ID_PATTERN.test(id);
}
