import { Worker, type ResourceLimits, type Transferable } from 'node:worker_threads';
import { AppError, PayloadTooLargeError } from '../errors.js';

/**
 * One long-lived worker thread that runs named tasks of one worker entry, one at a time, in the order asked
 * (issue 14, "always live": decoding, encoding and compiling stored graphs and parsing large JSON bodies happen
 * here, not on the event loop). The thread starts on the first task, does not keep the process alive while idle,
 * and is started again after it died (out of memory, say: the tasks it held reject, the next one gets a fresh
 * thread). Errors keep their status, code, details and `expose` across the boundary.
 *
 * Messages to the entry: { id, task, payload }; from it: { id, ok: true, result } | { id, ok: false, error }.
 * The entry side is `serveTasks` below.
 */
export interface ErrorShape {
  name: string;
  message: string;
  statusCode?: number;
  code?: string;
  expose?: boolean;
  details?: Record<string, unknown>;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/**
 * The built worker entry `file` (a `.js` name relative to the calling module `here`): next to it when built, and
 * under dist/ when the caller runs from TypeScript sources (vitest): run `npm run build` first (`npm test` does).
 */
export function builtEntry(here: string, file: string): URL {
  if (here.endsWith('.ts')) {
    const i = here.lastIndexOf('/src/');
    return new URL(file, `${here.slice(0, i)}/dist${here.slice(i)}`);
  }
  return new URL(file, here);
}

export class OffThread {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly url: URL,
    private readonly opts: { name: string; resourceLimits?: ResourceLimits; rebuild?: (e: ErrorShape) => Error | undefined } = { name: 'worker' },
  ) {}

  /** Tasks sent and not yet answered. */
  get busy(): number {
    return this.pending.size;
  }

  private spawn(): Worker {
    const worker = new Worker(this.url, { ...(this.opts.resourceLimits ? { resourceLimits: this.opts.resourceLimits } : {}) });
    worker.unref();
    worker.on('message', (m: { id: number; ok: boolean; result?: unknown; error?: ErrorShape }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) worker.unref();
      if (m.ok) p.resolve(m.result);
      else p.reject(this.rebuild(m.error!));
    });
    const died = (err: Error) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      const held = [...this.pending.values()];
      this.pending.clear();
      for (const p of held) p.reject(err);
    };
    worker.on('error', (err: Error & { code?: string }) => {
      died(err.code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? new PayloadTooLargeError(`${this.opts.name}: the work needs more memory than its thread may use (${this.opts.resourceLimits?.maxOldGenerationSizeMb ?? '?'} MB)`)
        : new AppError(`${this.opts.name} thread failed: ${err.message}`, { cause: err }));
    });
    worker.on('exit', (code) => died(new AppError(`${this.opts.name} thread exited with code ${code}`)));
    return worker;
  }

  private rebuild(e: ErrorShape): Error {
    const own = this.opts.rebuild?.(e);
    if (own) return own;
    if (e.statusCode !== undefined) {
      const err = new AppError(e.message, { statusCode: e.statusCode, code: e.code, details: e.details, expose: e.expose });
      err.name = e.name;
      return err;
    }
    const err = new Error(`${this.opts.name}: ${e.message}`);
    err.name = e.name;
    return err;
  }

  /** Run `task` with `payload` (structured-cloned; `transfer` moves buffers instead of copying them). */
  run<T>(task: string, payload: unknown, transfer: Transferable[] = []): Promise<T> {
    if (this.closed) return Promise.reject(new AppError(`${this.opts.name} thread is closed`, { statusCode: 503, code: 'closed' }));
    const worker = (this.worker ??= this.spawn());
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.ref();
      worker.postMessage({ id, task, payload }, transfer);
    });
  }

  /** Stop the thread; tasks in flight reject. Later tasks are refused. */
  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = undefined;
    const held = [...this.pending.values()];
    this.pending.clear();
    for (const p of held) p.reject(new AppError(`${this.opts.name} thread closed`, { statusCode: 503, code: 'closed' }));
    await w?.terminate();
  }
}

/** A task's answer and the buffers to move (not copy) back with it. */
export interface TaskAnswer {
  result: unknown;
  transfer?: Transferable[];
}

/** The worker side: answer each { id, task, payload } with the named handler's answer, or its error. */
export function serveTasks(port: import('node:worker_threads').MessagePort, handlers: ReadonlyMap<string, (payload: never) => TaskAnswer | Promise<TaskAnswer>>): void {
  port.on('message', async (msg: { id: number; task: string; payload: unknown }) => {
    try {
      const handler = handlers.get(msg.task);
      if (!handler) throw new Error(`unknown task ${JSON.stringify(msg.task)}`);
      const { result, transfer } = await handler(msg.payload as never);
      port.postMessage({ id: msg.id, ok: true, result }, transfer ?? []);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      const app = err instanceof AppError ? err : undefined;
      port.postMessage({
        id: msg.id, ok: false,
        error: { name: err.name, message: err.message, ...(app ? { statusCode: app.statusCode, code: app.code, expose: app.expose, details: app.details } : {}) } satisfies ErrorShape,
      });
    }
  });
}
