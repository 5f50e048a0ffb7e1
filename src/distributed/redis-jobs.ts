import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { NotFoundError } from '../errors.js';
import { isJobId, isTerminal, QueueFullError, type JobListener, type JobState, type JobView } from '../jobs/types.js';
import { waitThroughFollow, type JobService, type SubmitSpec, type Submitted } from '../jobs/service.js';
import { parseFailure } from './remote-pool.js';
import { bullConnection, connect, isConnectionError, JobsUnavailableError, names, QUEUE_JOBS, type Names } from './redis.js';
import { raceTimeout } from '../timeout.js';

/**
 * Jobs kept in Redis through BullMQ (RIPPLE_REDIS_URL set): every API instance sees every job, jobs outlive
 * the instance that made them, and `ripple worker` processes run them (src/distributed/worker.ts).
 *
 * A Ripple job is one BullMQ job on `<prefix>:jobs`, its id the id clients see. Its state is BullMQ's
 * (waiting -> queued, active -> running, completed -> succeeded, failed -> failed, or cancelled when
 * `<prefix>:cancel:<id>` is set); progress is the job's progress `{ fraction, info }`; the result JSON is in
 * `<prefix>:result:<id>` for the TTL. Identical requests in flight share one job through BullMQ's
 * deduplication, keyed by the canonical request hash. Events for SSE and `Prefer: wait` come from one
 * QueueEvents per instance, with a poll every few seconds as a safety net (events missed while Redis was away).
 *
 * While Redis is unreachable every call throws JobsUnavailableError (503 + Retry-After) at once, and
 * ready() is false; the connections reconnect on their own.
 */

export interface RedisJobsOptions {
  url: string;
  prefix: string;
  ttlMs: number;
  maxQueued: number;
  /** Chunks per fan-out for the jobs this instance submits (RIPPLE_CHUNKS); the worker's own setting otherwise. */
  chunks?: number;
  log?: { warn(o: object, msg: string): void };
}

interface JobData {
  kind: string;
  graphId: string;
  graphVersion: number;
  op: SubmitSpec['op'];
  key: string;
  chunks?: number;
}

interface Progress {
  fraction?: number;
  info?: Record<string, unknown>;
}

const QUEUED_STATES = ['waiting', 'prioritized', 'delayed', 'waiting-children'] as const;

export class RedisJobs implements JobService {
  readonly mode = 'redis' as const;
  private readonly conn: Redis;
  private readonly sub: Redis;
  private readonly queue: Queue;
  private readonly events: QueueEvents;
  private readonly keys: Names;
  private readonly listeners = new Map<string, Set<JobListener>>();
  private readonly poll: ReturnType<typeof setInterval>;
  private closed = false;

  constructor(private readonly o: RedisJobsOptions) {
    this.keys = names(o.prefix);
    this.conn = connect(o.url, { blocking: false, name: 'ripple-api' });
    this.queue = new Queue(QUEUE_JOBS, { connection: this.conn, prefix: o.prefix });
    this.queue.on('error', () => {});
    this.events = new QueueEvents(QUEUE_JOBS, { connection: bullConnection(o.url), prefix: o.prefix });
    this.events.on('error', () => {});
    this.events.on('active', ({ jobId }) => void this.emitFresh(jobId, 'state'));
    this.events.on('progress', ({ jobId }) => void this.emitFresh(jobId, 'progress'));
    this.events.on('completed', ({ jobId }) => void this.emitFresh(jobId, 'state'));
    this.events.on('failed', ({ jobId }) => void this.emitFresh(jobId, 'state'));
    this.sub = connect(o.url, { blocking: true, name: 'ripple-api-cancel' });
    void this.sub.subscribe(this.keys.cancelChannel).catch(() => {});
    this.sub.on('message', (_c: string, id: string) => {
      if (!id.startsWith('chunk ')) void this.emitFresh(id, 'state');
    });
    this.poll = setInterval(() => {
      for (const id of this.listeners.keys()) void this.emitFresh(id, 'state');
    }, 3000);
    this.poll.unref();
  }

  /**
   * Resolves once connected, or after `ms` (then callers answer 503). A connection being made (start-up, or
   * a reconnect in progress) is given that long; one that is down answers at once.
   */
  async connected(ms = 1000): Promise<boolean> {
    if (this.conn.status === 'ready') return true;
    if (this.closed || !['wait', 'connecting', 'connect'].includes(this.conn.status)) return false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onReady: () => void = () => {};
    await new Promise<void>((resolve) => {
      onReady = resolve;
      timer = setTimeout(resolve, ms);
      this.conn.once('ready', onReady);
    });
    clearTimeout(timer);
    this.conn.off('ready', onReady);
    return (this.conn.status as string) === 'ready'; // it may have changed while waiting
  }

  /** Throw the 503 now when Redis is away (the connection fails fast, but BullMQ would wait for it). */
  private async up(): Promise<void> {
    if (this.closed) throw new JobsUnavailableError('the server is shutting down');
    if (!(await this.connected())) throw new JobsUnavailableError();
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    await this.up();
    try {
      return await withTimeout(fn(), 5000);
    } catch (e) {
      if (isConnectionError(e) || e instanceof TimeoutError) throw new JobsUnavailableError(undefined, e);
      throw e;
    }
  }

  async submit(spec: SubmitSpec): Promise<Submitted> {
    return this.guard(async () => {
      const running = await this.queue.getDeduplicationJobId(spec.key);
      if (running) {
        const job = await this.queue.getJob(running);
        if (job) {
          const v = await this.view(job, false);
          if (v && !isTerminal(v.state)) return { job: v, joined: true };
        }
      }
      const counts = await this.queue.getJobCounts(...QUEUED_STATES, 'active');
      const queued = QUEUED_STATES.reduce((s, k) => s + (counts[k] ?? 0), 0);
      if (queued >= this.o.maxQueued) {
        throw new QueueFullError(`too many jobs waiting (${queued} queued, ${counts.active ?? 0} running): try again later`, 5);
      }
      const id = randomUUID();
      const data: JobData = { kind: spec.kind, graphId: spec.graphId, graphVersion: spec.graphVersion, op: spec.op, key: spec.key, chunks: this.o.chunks };
      const age = Math.ceil(this.o.ttlMs / 1000);
      const job = await this.queue.add(spec.kind, data, {
        jobId: id, deduplication: { id: spec.key }, attempts: 1, removeOnComplete: { age }, removeOnFail: { age },
      });
      const joined = job.id !== id;
      const fresh = joined ? await this.queue.getJob(job.id!) : job;
      const v = fresh ? await this.view(fresh, false) : null;
      if (!v) throw new NotFoundError(`no job ${job.id}`);
      return { job: v, joined };
    });
  }

  async get(id: string): Promise<JobView> {
    if (!isJobId(id)) throw new NotFoundError('no such job (malformed job id)');
    return this.guard(async () => {
      const job = await this.queue.getJob(id);
      const v = job ? await this.view(job, true) : null;
      if (!v) throw new NotFoundError(`no job ${id} (unknown, or finished more than its keeping time ago)`);
      return v;
    });
  }

  async list(filter: { graphId?: string; state?: JobState } = {}): Promise<JobView[]> {
    return this.guard(async () => {
      const jobs = await this.queue.getJobs(['active', ...QUEUED_STATES, 'completed', 'failed'], 0, 999, true);
      const views: JobView[] = [];
      for (const j of jobs) {
        if (filter.graphId !== undefined && (j.data as JobData).graphId !== filter.graphId) continue;
        const v = await this.view(j, false);
        if (v && (filter.state === undefined || v.state === filter.state)) views.push(v);
      }
      return views.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    });
  }

  async cancel(id: string): Promise<JobView> {
    const v = await this.get(id);
    if (isTerminal(v.state)) return v;
    await this.guard(async () => {
      const job = await this.queue.getJob(id);
      await this.conn.set(this.keys.cancel(id), '1', 'PX', this.o.ttlMs);
      // Identical requests after this start afresh instead of joining a cancelled job.
      if (job) await this.queue.removeDeduplicationKey((job.data as JobData).key);
      await this.conn.publish(this.keys.cancelChannel, id);
    });
    return this.get(id);
  }

  async cancelGraph(graphId: string): Promise<void> {
    for (const v of await this.list({ graphId })) if (!isTerminal(v.state)) await this.cancel(v.id);
  }

  async follow(id: string, listener: JobListener): Promise<{ first: JobView; off: () => void }> {
    let set = this.listeners.get(id);
    if (!set) this.listeners.set(id, (set = new Set()));
    set.add(listener);
    const off = () => {
      const s = this.listeners.get(id);
      s?.delete(listener);
      if (s && s.size === 0) this.listeners.delete(id);
    };
    try {
      const first = await this.get(id);
      if (isTerminal(first.state)) off();
      return { first, off };
    } catch (e) {
      off();
      throw e;
    }
  }

  waitFor(id: string, ms: number): Promise<JobView> {
    return waitThroughFollow(this, id, ms);
  }

  async ready(): Promise<boolean> {
    if (!(await this.connected())) return false;
    try {
      return (await withTimeout(this.conn.ping(), 1000)) === 'PONG';
    } catch {
      return false;
    }
  }

  /** Disconnect. Jobs are not cancelled: they live in Redis, for the workers and the other API instances. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.poll);
    this.listeners.clear();
    await Promise.allSettled([this.events.close(), this.queue.close()]);
    await Promise.allSettled([this.sub.quit(), this.conn.quit()]);
  }

  // ---- internals ----

  private readonly lastSent = new Map<string, string>();

  /** Send the job's current view to its local listeners (state events only when the state moved). */
  private async emitFresh(id: string, type: 'progress' | 'state'): Promise<void> {
    const set = this.listeners.get(id);
    if (!set || set.size === 0) return;
    let v: JobView;
    try {
      const job = await this.queue.getJob(id);
      const found = job ? await this.view(job, true) : null;
      if (!found) return;
      v = found;
    } catch {
      return; // Redis away: the poll tries again
    }
    // State events only when the state moved (events and the poll may both report it).
    if ((type === 'state' || isTerminal(v.state)) && this.lastSent.get(id) === v.state) return;
    this.lastSent.set(id, v.state);
    for (const l of [...set]) {
      try {
        l({ type: isTerminal(v.state) ? 'state' : type, job: v });
      } catch {
        // a closed SSE socket must not stop the others
      }
    }
    if (isTerminal(v.state)) {
      this.listeners.delete(id);
      this.lastSent.delete(id);
    }
  }

  private async view(job: Job, withResult: boolean): Promise<JobView | null> {
    const id = job.id!;
    const data = job.data as JobData;
    const [state, cancelled] = await Promise.all([job.getState(), this.conn.exists(this.keys.cancel(id))]);
    if (state === 'unknown') return null;
    let s: JobState;
    let error: JobView['error'];
    if (state === 'completed') s = 'succeeded';
    else if (cancelled === 1) {
      s = 'cancelled';
      error = { status: 499, code: 'cancelled', detail: 'cancelled by request' };
    } else if (state === 'failed') {
      const f = parseFailure(job.failedReason);
      s = f.code === 'cancelled' ? 'cancelled' : 'failed';
      error = { status: f.status, code: f.code, detail: f.detail };
    } else if (state === 'active') s = 'running';
    else s = 'queued';
    const p = (typeof job.progress === 'object' && job.progress !== null ? job.progress : {}) as Progress;
    const progress = s === 'succeeded' ? 1 : Math.min(1, Math.max(0, Number(p.fraction ?? 0) || 0));
    const startedAt = job.processedOn ?? null;
    const finishedAt = s === 'cancelled' ? (job.finishedOn ?? Date.now()) : (job.finishedOn ?? null);
    let etaMs: number | null = null;
    if (s === 'succeeded') etaMs = 0;
    else if (s === 'running' && startedAt !== null && progress > 0) etaMs = Math.round((Math.max(0, Date.now() - startedAt) * (1 - progress)) / progress);
    const v: JobView = {
      id, kind: data.kind ?? job.name, graphId: data.graphId, state: s, progress, etaMs,
      createdAt: new Date(job.timestamp).toISOString(),
      startedAt: startedAt === null ? null : new Date(startedAt).toISOString(),
      finishedAt: s === 'running' || s === 'queued' || finishedAt === null ? null : new Date(finishedAt).toISOString(),
    };
    if (p.info) v.info = { ...p.info };
    if (error) v.error = error;
    if (withResult && s === 'succeeded') {
      const text = await this.conn.get(this.keys.result(id));
      if (text === null) return null; // kept for the TTL only
      v.result = JSON.parse(text) as unknown;
    }
    return v;
  }
}

class TimeoutError extends Error {}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return raceTimeout(p, ms, () => {
    throw new TimeoutError(`redis: no answer within ${ms} ms`);
  });
}
