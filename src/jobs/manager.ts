import { jsonBytes } from '../json-size.js';
import { randomUUID } from 'node:crypto';
import { CancelledError, NotFoundError, isAppError } from '../errors.js';
import {
  QueueFullError,
  ShuttingDownError,
  isJobId,
  isTerminal,
  type JobContext,
  type JobListener,
  type JobManagerOptions,
  type JobSpec,
  type JobState,
  type JobView,
} from './types.js';

const DEFAULTS = {
  concurrency: 1,
  maxQueued: 32,
  ttlMs: 15 * 60_000,
  maxFinished: 1000,
  maxResultBytes: 256 * 1024 * 1024,
  progressIntervalMs: 100,
  progressStep: 0.01,
};

/** setTimeout's longest delay; longer TTLs are swept in several hops. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface JobRecord {
  id: string;
  kind: string;
  graphId?: string;
  state: JobState;
  progress: number;
  info?: Record<string, unknown>;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  result?: unknown;
  /** JSON bytes of `result` (counted against maxResultBytes). */
  resultBytes?: number;
  error?: { status: number; code: string; detail: string };
  run: (ctx: JobContext) => Promise<unknown>;
  controller: AbortController;
  listeners: Set<JobListener>;
  lastEmitAt: number;
  lastEmitProgress: number;
  /** Progress or info changed since the last progress event. */
  dirty: boolean;
  /** Resolves when `run` has settled (the slot is free again). */
  settled?: Promise<void>;
}

function positiveInt(name: string, v: number | undefined, fallback: number, min: number): number {
  if (v === undefined) return fallback;
  if (!Number.isSafeInteger(v) || v < min) throw new TypeError(`JobManager: ${name} must be an integer >= ${min} (got ${v})`);
  return v;
}

function nonNegative(name: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isFinite(v) || v < 0) throw new TypeError(`JobManager: ${name} must be a number >= 0 (got ${v})`);
  return v;
}

function isCancellation(e: unknown): boolean {
  return e instanceof CancelledError || (typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'AbortError');
}

/**
 * Long work as jobs: a FIFO queue in front of a bounded number of running jobs, progress with ETA,
 * cancellation through an AbortSignal, results kept for a TTL, a list per graph. Pure: no HTTP here.
 *
 * A job occupies its slot until its `run` settles, also after it was cancelled: the state turns
 * `cancelled` at once, but the next queued job starts only when the cancelled work has actually let
 * go (the worker pool rejects within one unit of work), so the concurrency bound is real.
 */
export class JobManager {
  private readonly concurrency: number;
  private readonly maxQueued: number;
  private readonly ttlMs: number;
  private readonly maxResultBytes: number;
  /** Sum of resultBytes over the finished jobs still held. */
  private heldBytes = 0;
  private readonly maxFinished: number;
  private readonly progressIntervalMs: number;
  private readonly progressStep: number;
  private readonly now: () => number;
  private readonly idGenerator: () => string;
  private readonly onInternalError?: (job: JobView, error: unknown) => void;

  /** Every known job, in creation order. A Map: ids such as `__proto__` are plain keys. */
  private readonly jobs = new Map<string, JobRecord>();
  private readonly byGraph = new Map<string, Set<string>>();
  private readonly queue: JobRecord[] = [];
  /** Jobs holding a slot: running, or cancelled while running and not yet settled. */
  private readonly active = new Set<JobRecord>();
  /** Finished jobs in the order they finished (so by finishedAt): the front expires first. */
  private finished: JobRecord[] = [];
  private finishedHead = 0;
  private sweepTimer: ReturnType<typeof setTimeout> | undefined;
  private closing: Promise<void> | undefined;

  constructor(opts: JobManagerOptions = {}) {
    this.concurrency = positiveInt('concurrency', opts.concurrency, DEFAULTS.concurrency, 1);
    this.maxQueued = positiveInt('maxQueued', opts.maxQueued, DEFAULTS.maxQueued, 0);
    this.ttlMs = nonNegative('ttlMs', opts.ttlMs, DEFAULTS.ttlMs);
    this.maxFinished = positiveInt('maxFinished', opts.maxFinished, DEFAULTS.maxFinished, 0);
    this.maxResultBytes = positiveInt('maxResultBytes', opts.maxResultBytes, DEFAULTS.maxResultBytes, 0);
    this.progressIntervalMs = nonNegative('progressIntervalMs', opts.progressIntervalMs, DEFAULTS.progressIntervalMs);
    this.progressStep = nonNegative('progressStep', opts.progressStep, DEFAULTS.progressStep);
    this.now = opts.now ?? Date.now;
    this.idGenerator = opts.idGenerator ?? randomUUID;
    this.onInternalError = opts.onInternalError;
  }

  /**
   * Queue a job; it starts at once when a slot is free (its `run` is called on the next microtask).
   * Throws QueueFullError (503, `retryAfterSeconds`) when `maxQueued` jobs already wait, and
   * ShuttingDownError (503) after close().
   */
  submit<T>(spec: JobSpec<T>): JobView {
    if (this.closing) throw new ShuttingDownError();
    if (typeof spec.kind !== 'string' || spec.kind.length === 0) throw new TypeError('JobManager.submit: kind must be a non-empty string');
    if (typeof spec.run !== 'function') throw new TypeError('JobManager.submit: run must be a function');
    this.sweep();
    const slotFree = this.active.size < this.concurrency && this.queue.length === 0;
    if (!slotFree && this.queue.length >= this.maxQueued) {
      throw new QueueFullError(`too many jobs waiting (${this.queue.length} queued, ${this.active.size} running): try again later`, this.retryAfterSeconds());
    }
    const id = this.idGenerator();
    if (!isJobId(id)) throw new TypeError(`JobManager: idGenerator returned a malformed id ${JSON.stringify(id)}`);
    if (this.jobs.has(id)) throw new TypeError(`JobManager: idGenerator returned a duplicate id ${id}`);
    const t = this.now();
    const rec: JobRecord = {
      id, kind: spec.kind, graphId: spec.graphId, state: 'queued', progress: 0, createdAt: t, startedAt: null, finishedAt: null,
      run: spec.run as (ctx: JobContext) => Promise<unknown>, controller: new AbortController(), listeners: new Set(),
      lastEmitAt: t, lastEmitProgress: 0, dirty: false,
    };
    this.jobs.set(id, rec);
    if (spec.graphId !== undefined) {
      let ids = this.byGraph.get(spec.graphId);
      if (!ids) this.byGraph.set(spec.graphId, (ids = new Set()));
      ids.add(id);
    }
    this.queue.push(rec);
    this.pump();
    return this.view(rec, true);
  }

  /** The job's current view, result included. NotFoundError (404) for malformed, unknown or expired ids. */
  get(id: string): JobView {
    this.sweep();
    return this.view(this.lookup(id), true);
  }

  /** Jobs in creation order, optionally of one graph and/or in one state. Results are left out (fetch them with get). */
  list(filter: { graphId?: string; state?: JobState } = {}): JobView[] {
    this.sweep();
    let records: Iterable<JobRecord>;
    if (filter.graphId !== undefined) {
      const ids = this.byGraph.get(filter.graphId);
      records = ids ? [...ids].map((id) => this.jobs.get(id)).filter((r): r is JobRecord => r !== undefined) : [];
    } else {
      records = this.jobs.values();
    }
    const out: JobView[] = [];
    for (const r of records) if (filter.state === undefined || r.state === filter.state) out.push(this.view(r, false));
    return out;
  }

  /**
   * Cancel: a queued job is taken off the queue and never starts; a running job's signal is aborted
   * (with a CancelledError as reason) and its state turns `cancelled` at once; its slot is freed when its
   * `run` settles. A finished job is left as it is. Returns the view after the change.
   */
  cancel(id: string): JobView {
    this.sweep();
    const rec = this.lookup(id);
    this.cancelRecord(rec, 'cancelled by request');
    return this.view(rec, true);
  }

  /** Cancel every queued or running job of a graph (e.g. when the graph is deleted). Returns their views. */
  cancelGraph(graphId: string): JobView[] {
    const ids = this.byGraph.get(graphId);
    if (!ids) return [];
    const out: JobView[] = [];
    for (const id of [...ids]) {
      const rec = this.jobs.get(id);
      if (rec && !isTerminal(rec.state)) {
        this.cancelRecord(rec, `graph ${graphId} went away`);
        out.push(this.view(rec, false));
      }
    }
    return out;
  }

  /**
   * Listen to a job's events: `progress` (throttled) and `state` (running, then the terminal state, whose
   * view carries the result or error). After the terminal event the listeners are dropped. Subscribing to
   * a finished job is allowed and yields nothing: read `get(id)` first. Returns an idempotent unsubscribe.
   */
  subscribe(id: string, listener: JobListener): () => void {
    this.sweep();
    const rec = this.lookup(id);
    if (isTerminal(rec.state)) return () => {};
    rec.listeners.add(listener);
    return () => {
      rec.listeners.delete(listener);
    };
  }

  /** Counts for readiness and metrics. */
  stats(): { queued: number; running: number; finished: number; concurrency: number; maxQueued: number } {
    this.sweep();
    return { queued: this.queue.length, running: this.active.size, finished: this.finished.length - this.finishedHead, concurrency: this.concurrency, maxQueued: this.maxQueued };
  }

  /**
   * Graceful shutdown: refuse new jobs, cancel every queued and running one, and wait until every running
   * `run` has settled. Idempotent (returns the same promise).
   */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    for (const rec of [...this.queue]) this.cancelRecord(rec, 'the server is shutting down');
    for (const rec of [...this.active]) this.cancelRecord(rec, 'the server is shutting down');
    const pending = [...this.active].map((r) => r.settled);
    this.closing = Promise.all(pending).then(() => {
      if (this.sweepTimer) clearTimeout(this.sweepTimer);
      this.sweepTimer = undefined;
    });
    return this.closing;
  }

  // ---- internals ----

  private lookup(id: string): JobRecord {
    if (!isJobId(id)) throw new NotFoundError('no such job (malformed job id)');
    const rec = this.jobs.get(id);
    if (!rec) throw new NotFoundError(`no job ${id} (unknown, or finished more than its keeping time ago)`);
    return rec;
  }

  private retryAfterSeconds(): number {
    let best = Infinity;
    const t = this.now();
    for (const r of this.active) {
      const eta = this.eta(r, t);
      if (eta !== null && eta < best) best = eta;
    }
    return Number.isFinite(best) ? Math.min(3600, Math.max(1, Math.ceil(best / 1000))) : 5;
  }

  private pump(): void {
    while (this.active.size < this.concurrency && this.queue.length > 0) this.start(this.queue.shift()!);
  }

  private start(rec: JobRecord): void {
    rec.state = 'running';
    rec.startedAt = this.now();
    rec.lastEmitAt = rec.startedAt;
    this.active.add(rec);
    const signal = rec.controller.signal;
    const ctx: JobContext = { signal, progress: (fraction, info) => this.onProgress(rec, fraction, info) };
    // The run is called on a microtask: no re-entrancy into submit(), and a synchronous throw is a rejection.
    rec.settled = Promise.resolve()
      .then(() => {
        if (signal.aborted) throw new CancelledError();
        return rec.run(ctx);
      })
      .then(
        // A result's JSON size (held results are bounded in bytes) is counted in slices: a large one does not stall.
        async (value) => this.onSettled(rec, true, value, await jsonBytes(value)),
        (error: unknown) => this.onSettled(rec, false, error),
      );
    this.emit(rec, 'state');
  }

  private onSettled(rec: JobRecord, ok: boolean, value: unknown, bytes = 0): void {
    this.active.delete(rec);
    if (rec.state === 'running') {
      if (rec.controller.signal.aborted || (!ok && isCancellation(value))) {
        this.finish(rec, 'cancelled', { status: 499, code: 'cancelled', detail: 'cancelled' });
      } else if (ok) {
        if (bytes > this.maxResultBytes) {
          this.finish(rec, 'failed', {
            status: 413, code: 'result-too-large',
            detail: `the result is ${bytes} bytes, more than the ${this.maxResultBytes} bytes jobs may hold (RIPPLE_JOB_RESULTS_BYTES); ask for less (fewer steps, runs or customers)`,
          });
        } else {
          rec.result = value;
          rec.resultBytes = bytes;
          this.heldBytes += bytes;
          rec.progress = 1;
          this.finish(rec, 'succeeded');
        }
      } else {
        const exposed = isAppError(value) && value.expose;
        const error = exposed
          ? { status: value.statusCode, code: value.code, detail: value.message }
          : { status: isAppError(value) ? value.statusCode : 500, code: 'internal', detail: 'internal error' };
        this.finish(rec, 'failed', error);
        if (!exposed) this.reportInternal(rec, value);
      }
    }
    this.pump(); // after close() the queue is empty: nothing starts
  }

  private reportInternal(rec: JobRecord, error: unknown): void {
    try {
      this.onInternalError?.(this.view(rec, false), error);
    } catch {
      // a logging hook must not break the manager
    }
  }

  private cancelRecord(rec: JobRecord, why: string): void {
    if (isTerminal(rec.state)) return;
    if (rec.state === 'queued') {
      const i = this.queue.indexOf(rec);
      if (i >= 0) this.queue.splice(i, 1);
    }
    rec.controller.abort(new CancelledError(why));
    this.finish(rec, 'cancelled', { status: 499, code: 'cancelled', detail: why });
  }

  private onProgress(rec: JobRecord, fraction: number, info: object | undefined): void {
    if (rec.state !== 'running' || typeof fraction !== 'number' || Number.isNaN(fraction)) return;
    const f = Math.min(1, Math.max(0, fraction));
    if (f > rec.progress) {
      rec.progress = f;
      rec.dirty = true;
    }
    if (info !== undefined && info !== null && typeof info === 'object') {
      rec.info = { ...(info as Record<string, unknown>) };
      rec.dirty = true;
    }
    if (!rec.dirty || rec.listeners.size === 0) return;
    const t = this.now();
    if (t - rec.lastEmitAt >= this.progressIntervalMs || rec.progress - rec.lastEmitProgress >= this.progressStep) {
      rec.lastEmitAt = t;
      rec.lastEmitProgress = rec.progress;
      rec.dirty = false;
      this.emit(rec, 'progress');
    }
  }

  private finish(rec: JobRecord, state: 'succeeded' | 'failed' | 'cancelled', error?: JobRecord['error']): void {
    rec.state = state;
    rec.finishedAt = this.now();
    if (error) rec.error = error;
    this.emit(rec, 'state');
    rec.listeners.clear();
    this.finished.push(rec);
    this.sweep();
    this.scheduleSweep();
  }

  private emit(rec: JobRecord, type: 'progress' | 'state'): void {
    if (rec.listeners.size === 0) return;
    const job = this.view(rec, type === 'state');
    for (const listener of [...rec.listeners]) {
      try {
        listener({ type, job });
      } catch {
        // one broken listener (a closed SSE socket) must not stop the others or the job
      }
    }
  }

  private eta(rec: JobRecord, t: number): number | null {
    if (rec.state === 'succeeded') return 0;
    if (rec.state !== 'running' || rec.startedAt === null || rec.progress <= 0) return null;
    if (rec.progress >= 1) return 0;
    const elapsed = Math.max(0, t - rec.startedAt);
    return Math.round((elapsed * (1 - rec.progress)) / rec.progress);
  }

  private view(rec: JobRecord, withResult: boolean): JobView {
    const v: JobView = {
      id: rec.id,
      kind: rec.kind,
      ...(rec.graphId !== undefined ? { graphId: rec.graphId } : {}),
      state: rec.state,
      progress: rec.progress,
      etaMs: this.eta(rec, this.now()),
      createdAt: new Date(rec.createdAt).toISOString(),
      startedAt: rec.startedAt === null ? null : new Date(rec.startedAt).toISOString(),
      finishedAt: rec.finishedAt === null ? null : new Date(rec.finishedAt).toISOString(),
    };
    if (rec.state === 'queued') v.queuePosition = this.queue.indexOf(rec) + 1;
    if (rec.info) v.info = { ...rec.info };
    if (withResult && rec.state === 'succeeded') v.result = rec.result;
    if (rec.error) v.error = { ...rec.error };
    return v;
  }

  /** Drop finished jobs older than the TTL, and the oldest beyond maxFinished. */
  private sweep(): void {
    const t = this.now();
    while (this.finishedHead < this.finished.length) {
      const rec = this.finished[this.finishedHead];
      const count = this.finished.length - this.finishedHead;
      if (count <= this.maxFinished && t - (rec.finishedAt ?? t) < this.ttlMs && this.heldBytes <= this.maxResultBytes) break;
      this.forget(rec);
      this.finishedHead++;
    }
    if (this.finishedHead > 64 && this.finishedHead * 2 > this.finished.length) {
      this.finished = this.finished.slice(this.finishedHead);
      this.finishedHead = 0;
    }
  }

  private forget(rec: JobRecord): void {
    this.jobs.delete(rec.id);
    rec.result = undefined;
    this.heldBytes -= rec.resultBytes ?? 0;
    rec.resultBytes = 0;
    if (rec.graphId !== undefined) {
      const ids = this.byGraph.get(rec.graphId);
      ids?.delete(rec.id);
      if (ids && ids.size === 0) this.byGraph.delete(rec.graphId);
    }
  }

  /** An unref'd timer for the oldest finished job's expiry, so results do not outlive the TTL in memory. */
  private scheduleSweep(): void {
    if (this.sweepTimer || this.closing || this.finishedHead >= this.finished.length) return;
    const oldest = this.finished[this.finishedHead];
    const due = (oldest.finishedAt ?? 0) + this.ttlMs - this.now();
    const delay = Math.min(MAX_TIMER_MS, Math.max(1, Math.ceil(due)));
    this.sweepTimer = setTimeout(() => {
      this.sweepTimer = undefined;
      this.sweep();
      this.scheduleSweep();
    }, delay);
    this.sweepTimer.unref();
  }
}

