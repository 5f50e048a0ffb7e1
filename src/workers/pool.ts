import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { AppError, CancelledError, InputError, NotFoundError, UnprocessableError } from '../errors.js';
import { toTransfer, type CompiledGraph } from '../graph/compile.js';

/**
 * Where the worker entry (src/workers/worker.ts) is. Built code resolves `./worker.js` next to this file. When
 * this module runs from TypeScript sources (vitest, tsx) `import.meta.url` ends in `.ts`; worker threads
 * cannot load `.ts` on Node 20, so the built `dist/src/workers/worker.js` is used instead: run `npm run build`
 * first (`npm test` does, through `pretest`).
 */
export function workerUrl(): URL {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const i = here.lastIndexOf('/src/');
    return new URL(`${here.slice(0, i)}/dist/src/workers/worker.js`);
  }
  return new URL('./worker.js', here);
}

interface Task {
  id: number;
  task: string;
  graph: CompiledGraph;
  payload: unknown;
  signal?: AbortSignal;
  onProgress?: (p: unknown) => void;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  onAbort?: () => void;
  slot?: Slot;
}

interface Slot {
  worker: Worker;
  control: Int32Array;
  graphs: Set<number>;
  task: Task | null;
}

interface ErrorShape {
  name: string;
  message: string;
  stack?: string;
  statusCode?: number;
  code?: string;
  details?: Record<string, unknown>;
}

function rebuildError(e: ErrorShape): Error {
  switch (e.code) {
    case 'bad-input':
      return new InputError(e.message, e.details);
    case 'not-found':
      return new NotFoundError(e.message);
    case 'unprocessable':
      return new UnprocessableError(e.message, e.details);
    case 'cancelled':
      return new CancelledError(e.message);
  }
  if (e.statusCode !== undefined) return new AppError(e.message, { statusCode: e.statusCode, code: e.code, details: e.details });
  const err = new Error(`worker: ${e.message}`);
  err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}

/**
 * What the engine needs from a pool: the WorkerPool below, or src/distributed's RemotePool (chunks run by
 * `ripple worker` processes through Redis). Engine functions split work into `run` calls and merge the
 * results themselves, so the merge is the same code whichever pool ran the pieces.
 */
export interface EnginePool {
  readonly size: number;
  /**
   * True when the tasks run in threads of this process, started in the order `run` was called, so that a payload's
   * SharedArrayBuffer is shared by the tasks that receive it (PageRank's sweeps split over workers); a RemotePool
   * copies payloads and leaves it unset.
   */
  readonly sharedMemory?: boolean;
  run<T>(task: string, graph: CompiledGraph, payload: unknown, opts?: { signal?: AbortSignal; onProgress?: (p: unknown) => void }): Promise<T>;
}

let nextGid = 1;
const graphIds = new WeakMap<CompiledGraph, number>();

/**
 * A pool of worker threads for engine work (worker_threads; no piscina: the pool needs per-worker
 * graph caches and a shared cancellation flag). Each compiled graph is posted to a worker once (its
 * SharedArrayBuffers are shared, never copied) and cached there until the graph is garbage-collected on
 * this thread. `run(task, graph, payload)` queues one task; the first idle worker takes it. Aborting a
 * task's signal removes it from the queue or, when running, sets the worker's shared flag, which the
 * handler polls between units of work; the task then rejects with CancelledError and frees the worker.
 * Idle workers do not keep the process alive; `close()` terminates them.
 */
export class WorkerPool implements EnginePool {
  readonly size: number;
  readonly sharedMemory = true;
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 1;
  private posts = 0;
  private closed = false;
  private readonly url: URL;
  private readonly registered = new WeakSet<CompiledGraph>();
  private readonly registry = new FinalizationRegistry<number>((gid) => {
    for (const s of this.slots) if (s.graphs.delete(gid)) s.worker.postMessage({ type: 'drop', gid });
  });

  constructor(opts: { workers?: number } = {}) {
    const n = opts.workers ?? availableParallelism();
    if (!Number.isInteger(n) || n < 1 || n > 1024) throw new InputError(`workers must be an integer in 1..1024, got ${n}`);
    this.size = n;
    this.url = workerUrl();
  }

  private spawn(): Slot {
    const controlBuf = new SharedArrayBuffer(4);
    const worker = new Worker(this.url, { workerData: { control: controlBuf } });
    worker.unref();
    const slot: Slot = { worker, control: new Int32Array(controlBuf), graphs: new Set(), task: null };
    worker.on('message', (msg: { type: string; id: number; data?: unknown; result?: unknown; error?: ErrorShape }) => {
      const t = slot.task;
      if (!t || t.id !== msg.id) return;
      if (msg.type === 'progress') {
        t.onProgress?.(msg.data);
        return;
      }
      this.finish(slot);
      if (msg.type === 'done') t.resolve(msg.result);
      else if (msg.type === 'cancelled') t.reject(new CancelledError());
      else t.reject(rebuildError(msg.error!));
    });
    const died = (err: Error) => {
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      const t = slot.task;
      slot.task = null;
      if (t) {
        this.unwatch(t);
        t.reject(err);
      }
      if (!this.closed) this.dispatch();
    };
    worker.on('error', (err) => died(new AppError(`worker failed: ${err.message}`, { cause: err })));
    worker.on('exit', (code) => {
      if (this.slots.includes(slot)) died(new AppError(`worker exited with code ${code}`));
    });
    this.slots.push(slot);
    return slot;
  }

  private finish(slot: Slot): void {
    const t = slot.task;
    slot.task = null;
    slot.worker.unref();
    if (t) this.unwatch(t);
    queueMicrotask(() => this.dispatch());
  }

  private graphId(graph: CompiledGraph): number {
    let gid = graphIds.get(graph);
    if (gid === undefined) {
      gid = nextGid++;
      graphIds.set(graph, gid);
    }
    if (!this.registered.has(graph)) {
      this.registered.add(graph);
      this.registry.register(graph, gid);
    }
    return gid;
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => s.task === null);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      const t = this.queue.shift()!;
      const gid = this.graphId(t.graph);
      if (!slot.graphs.has(gid)) {
        slot.worker.postMessage({ type: 'graph', gid, graph: toTransfer(t.graph) });
        this.posts++;
        slot.graphs.add(gid);
      }
      slot.task = t;
      t.slot = slot;
      slot.worker.ref();
      slot.worker.postMessage({ type: 'task', id: t.id, task: t.task, gid, payload: t.payload });
    }
  }

  /** How many times a compiled graph was posted to a worker (once per graph and worker; for tests and metrics). */
  get graphPosts(): number {
    return this.posts;
  }

  /** Workers started so far (they start on demand, up to `size`). */
  get started(): number {
    return this.slots.length;
  }

  /** Run one task on a worker; resolves with the handler's return value. */
  run<T>(task: string, graph: CompiledGraph, payload: unknown, opts: { signal?: AbortSignal; onProgress?: (p: unknown) => void } = {}): Promise<T> {
    if (this.closed) return Promise.reject(new AppError('worker pool is closed'));
    if (opts.signal?.aborted) return Promise.reject(new CancelledError());
    return new Promise<T>((resolve, reject) => {
      const t: Task = {
        id: this.nextId++, task, graph, payload, signal: opts.signal, onProgress: opts.onProgress,
        resolve: resolve as (v: unknown) => void, reject,
      };
      if (opts.signal) {
        t.onAbort = () => {
          const qi = this.queue.indexOf(t);
          if (qi >= 0) {
            this.queue.splice(qi, 1);
            reject(new CancelledError());
          } else if (t.slot && t.slot.task === t) {
            Atomics.store(t.slot.control, 0, t.id);
          }
        };
        this.watch(opts.signal, t);
      }
      this.queue.push(t);
      this.dispatch();
    });
  }

  /**
   * One 'abort' listener per signal, however many tasks (batches) share it: a request split into
   * dozens of batches would otherwise stack a listener per batch on the caller's signal.
   */
  private readonly watched = new WeakMap<AbortSignal, Set<Task>>();

  private watch(signal: AbortSignal, t: Task): void {
    let set = this.watched.get(signal);
    if (!set) {
      const tasks = new Set<Task>();
      set = tasks;
      this.watched.set(signal, tasks);
      signal.addEventListener('abort', () => {
        for (const x of [...tasks]) x.onAbort?.();
        tasks.clear();
      }, { once: true });
    }
    set.add(t);
  }

  private unwatch(t: Task): void {
    if (t.signal) this.watched.get(t.signal)?.delete(t);
  }

  /** Reject queued tasks, stop running ones and terminate the workers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.queue.splice(0)) t.reject(new CancelledError('worker pool closed'));
    const slots = this.slots.splice(0);
    for (const s of slots) {
      const t = s.task;
      s.task = null;
      if (t) t.reject(new CancelledError('worker pool closed'));
    }
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}
