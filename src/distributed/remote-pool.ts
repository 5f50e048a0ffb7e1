import { setMaxListeners } from 'node:events';
import { deserialize } from 'node:v8';
import type { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { EnginePool } from '../workers/pool.js';
import { AppError, CancelledError, InputError, NotFoundError, UnprocessableError } from '../errors.js';
import type { CompiledGraph } from '../graph/compile.js';
import { encode, type BlobSink } from './codec.js';
import type { Names } from './redis.js';

/**
 * The engine's pool (EnginePool), with its tasks run by `ripple worker` processes anywhere: each `run` is one
 * BullMQ chunk job on the chunks queue. The engine function that calls it (simulate, growRR, centrality…)
 * splits and merges exactly as it does on local threads — same code — so the answer is the same bit for
 * bit: Monte Carlo run r always draws from stream (seed, r), RR-set batch b from its own stream, whoever runs it.
 *
 * Chunk ids are `<job id>-<n>`, n counting the engine's calls in order. A coordinator that dies is replaced
 * by another worker (BullMQ's stalled-job recovery) which replays the job: its calls get the same ids, BullMQ
 * keeps the existing chunk jobs, and chunks already done are read back instead of run again.
 */

/** What a chunk job carries. */
export interface ChunkData {
  job: string;
  graphId: string;
  graphVersion: number;
  task: string;
  /** codec.encode(payload) */
  payload: string;
}

/** A failure as it crosses Redis: problem-shaped, JSON in BullMQ's failedReason. */
export interface FailureShape {
  status: number;
  code: string;
  detail: string;
  details?: Record<string, unknown>;
}

export function failureOf(e: unknown): FailureShape {
  if (e instanceof AppError && e.expose) return { status: e.statusCode, code: e.code, detail: e.message, ...(e.details ? { details: e.details } : {}) };
  if (e instanceof CancelledError) return { status: 499, code: 'cancelled', detail: e.message };
  return { status: 500, code: 'internal', detail: 'internal error' };
}

export function parseFailure(reason: string | undefined): FailureShape {
  try {
    const f = JSON.parse(reason ?? '') as Partial<FailureShape>;
    if (typeof f.status === 'number' && typeof f.code === 'string' && typeof f.detail === 'string') return f as FailureShape;
  } catch {
    // not ours: BullMQ's own reasons ("job stalled more than allowable limit")
  }
  return { status: 500, code: 'internal', detail: reason ? `worker: ${reason}` : 'internal error' };
}

export function errorOf(f: FailureShape): Error {
  switch (f.code) {
    case 'bad-input':
      return new InputError(f.detail, f.details);
    case 'not-found':
      return new NotFoundError(f.detail);
    case 'unprocessable':
      return new UnprocessableError(f.detail, f.details);
    case 'cancelled':
      return new CancelledError(f.detail);
  }
  return new AppError(f.detail, { statusCode: f.status, code: f.code, details: f.details, expose: f.status < 500 || f.code !== 'internal' });
}

interface Waiter {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  onProgress?: (p: unknown) => void;
}

/**
 * Chunk completions of one process, from one QueueEvents on the chunks queue (events carry only ids; results
 * are read from `<prefix>:chunk:<id>`). A poll every few seconds settles chunks whose event was missed
 * (Redis restarted, the events stream was trimmed).
 */
export class ChunkWatcher {
  private readonly waiters = new Map<string, Waiter>();
  private readonly poll: ReturnType<typeof setInterval>;

  constructor(private readonly events: QueueEvents, private readonly chunks: Queue, private readonly conn: Redis, private readonly keys: Names) {
    events.on('completed', ({ jobId }) => void this.settle(jobId, 'completed'));
    events.on('failed', ({ jobId, failedReason }) => void this.settle(jobId, 'failed', failedReason));
    events.on('progress', ({ jobId, data }) => this.waiters.get(jobId)?.onProgress?.(data));
    this.poll = setInterval(() => void this.check(), 3000);
    this.poll.unref();
  }

  /** Register before the chunk is added (its completion may come before add() returns). */
  watch(id: string, w: Waiter): void {
    this.waiters.set(id, w);
  }

  forget(id: string): void {
    this.waiters.delete(id);
  }

  /** Settle a chunk that may already be finished (a replayed job). */
  async check(ids: Iterable<string> = [...this.waiters.keys()]): Promise<void> {
    for (const id of ids) {
      if (!this.waiters.has(id)) continue;
      try {
        const state = await this.chunks.getJobState(id);
        if (state === 'completed') await this.settle(id, 'completed');
        else if (state === 'failed') {
          const job = await this.chunks.getJob(id);
          await this.settle(id, 'failed', job?.failedReason);
        }
      } catch {
        // Redis away: the next poll tries again
      }
    }
  }

  private async settle(id: string, how: 'completed' | 'failed', reason?: string): Promise<void> {
    const w = this.waiters.get(id);
    if (!w) return;
    if (how === 'failed') {
      this.waiters.delete(id);
      w.reject(errorOf(parseFailure(reason)));
      return;
    }
    try {
      const bytes = await this.conn.getBuffer(this.keys.chunk(id));
      if (!this.waiters.has(id)) return;
      this.waiters.delete(id);
      if (!bytes) w.reject(new AppError(`chunk ${id} finished but its result is gone from Redis`));
      else w.resolve(deserialize(bytes));
    } catch {
      // Redis away: the poll settles it later
    }
  }

  close(): void {
    clearInterval(this.poll);
    for (const w of this.waiters.values()) w.reject(new CancelledError('worker closing'));
    this.waiters.clear();
  }
}

export interface RemotePoolOptions {
  jobId: string;
  graphId: string;
  graphVersion: number;
  chunks: Queue;
  watcher: ChunkWatcher;
  conn: Redis;
  keys: Names;
  /** About this many chunks per fan-out (RIPPLE_CHUNKS): `size` is chunks / 4, as engine functions cut size × 4 pieces. */
  chunkCount: number;
  /** Lifetime of chunk results and payload blobs, ms. */
  keepMs: number;
}

export class RemotePool implements EnginePool {
  readonly size: number;
  /** Set before a hand-over: an abort then only stops waiting, the chunks go on for the next coordinator. */
  keepChunks = false;
  private seq = 0;
  private readonly ids: string[] = [];
  private readonly stored = new Set<string>();
  private readonly blobs: BlobSink;

  constructor(private readonly o: RemotePoolOptions) {
    this.size = Math.max(2, Math.ceil(o.chunkCount / 4));
    this.blobs = {
      put: async (hash, bytes) => {
        if (this.stored.has(hash)) return;
        this.stored.add(hash);
        await o.conn.set(o.keys.blob(hash), bytes(), 'PX', o.keepMs);
      },
    };
  }

  /** Chunks made so far (for tests and the log). */
  get chunksMade(): number {
    return this.seq;
  }

  async run<T>(task: string, graph: CompiledGraph, payload: unknown, opts: { signal?: AbortSignal; onProgress?: (p: unknown) => void } = {}): Promise<T> {
    void graph; // the workers load the same (graph id, version) themselves
    const { o } = this;
    const id = `${o.jobId}-${++this.seq}`;
    this.ids.push(id);
    if (opts.signal?.aborted) throw new CancelledError();
    const text = await encode(payload, this.blobs);
    const done = new Promise<T>((resolve, reject) => {
      o.watcher.watch(id, { resolve: resolve as (v: unknown) => void, reject, onProgress: opts.onProgress });
    });
    const onAbort = () => {
      o.watcher.forget(id);
      if (this.keepChunks) return rejectAbort(new CancelledError('handed over'));
      // A waiting chunk is removed; a running one is told to stop (every worker listens on the cancel channel).
      void o.chunks.remove(id).catch(() => 0);
      void o.conn.publish(o.keys.cancelChannel, `chunk ${id}`).catch(() => 0);
      rejectAbort(new CancelledError());
    };
    let rejectAbort: (e: unknown) => void = () => {};
    const aborted = new Promise<never>((_, reject) => {
      rejectAbort = reject;
    });
    if (opts.signal) {
      setMaxListeners(0, opts.signal); // one listener per chunk in flight, each removed when its chunk settles
      opts.signal.addEventListener('abort', onAbort, { once: true });
    }
    try {
      const data: ChunkData = { job: o.jobId, graphId: o.graphId, graphVersion: o.graphVersion, task, payload: text };
      // An existing id (a replayed job) is kept as it is by BullMQ: done chunks are read back below.
      await o.chunks.add(task, data, { jobId: id, attempts: 1, removeOnComplete: { age: Math.ceil(o.keepMs / 1000) }, removeOnFail: { age: Math.ceil(o.keepMs / 1000) } });
      void o.watcher.check([id]);
      return await Promise.race([done, aborted]);
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
      o.watcher.forget(id);
    }
  }

  /** Drop this job's chunk jobs and results (after the merge, or when it failed). */
  async cleanup(): Promise<void> {
    const { o } = this;
    const ids = this.ids.splice(0);
    for (let i = 0; i < ids.length; i += 100) {
      const part = ids.slice(i, i + 100);
      await Promise.all(part.map((id) => o.chunks.remove(id).catch(() => 0)));
      await o.conn.del(...part.map((id) => o.keys.chunk(id))).catch(() => 0);
    }
  }
}
