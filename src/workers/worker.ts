/**
 * Worker-thread entry of the WorkerPool (src/workers/pool.ts). Messages from the pool:
 *   { type: 'graph', gid, graph }  — a compiled graph's shared buffers, sent once per graph and worker;
 *   { type: 'drop', gid }          — the graph was garbage-collected on the main thread;
 *   { type: 'task', id, task, gid, payload } — run tasks.get(task) on the cached graph.
 * Replies: { type: 'progress', id, data }, { type: 'done', id, result }, { type: 'error', id, error },
 * { type: 'cancelled', id }. Cancellation: the pool writes the task id into the shared Int32Array
 * `workerData.control`; handlers poll it between units of work through ctx.isCancelled().
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CancelledError, isAppError } from '../errors.js';
import { fromTransfer, type CompiledGraph, type CompiledGraphTransfer } from '../graph/compile.js';
import { tasks } from './tasks.js';

type Incoming =
  | { type: 'graph'; gid: number; graph: CompiledGraphTransfer }
  | { type: 'drop'; gid: number }
  | { type: 'task'; id: number; task: string; gid: number; payload: unknown };

const port = parentPort;
if (!port) throw new Error('worker.ts must run in a worker thread');
const control = new Int32Array((workerData as { control: SharedArrayBuffer }).control);
const graphs = new Map<number, CompiledGraph>();

/** Plain ArrayBuffers of the result's typed arrays, at the top level and one object below (a model's outputs). */
function transferables(result: unknown): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  const visit = (o: object, depth: number) => {
    for (const v of Object.values(o)) {
      if (ArrayBuffer.isView(v)) {
        if (v.buffer instanceof ArrayBuffer && !out.includes(v.buffer)) out.push(v.buffer);
      } else if (depth > 0 && v && typeof v === 'object' && !Array.isArray(v)) {
        visit(v as object, depth - 1);
      }
    }
  };
  if (result && typeof result === 'object') visit(result, 1);
  return out;
}

async function runTask(msg: Extract<Incoming, { type: 'task' }>): Promise<void> {
  const { id } = msg;
  const isCancelled = () => Atomics.load(control, 0) === id;
  try {
    const handler = tasks.get(msg.task);
    if (!handler) throw new Error(`unknown task ${JSON.stringify(msg.task)}`);
    const graph = graphs.get(msg.gid);
    if (!graph) throw new Error(`graph ${msg.gid} was not sent to this worker`);
    const result = await handler(graph, msg.payload as never, {
      isCancelled,
      progress: (data) => port!.postMessage({ type: 'progress', id, data }),
    });
    if (isCancelled()) port!.postMessage({ type: 'cancelled', id });
    else port!.postMessage({ type: 'done', id, result }, transferables(result));
  } catch (e) {
    if (e instanceof CancelledError || isCancelled()) {
      port!.postMessage({ type: 'cancelled', id });
      return;
    }
    const err = e instanceof Error ? e : new Error(String(e));
    port!.postMessage({
      type: 'error', id,
      error: {
        name: err.name, message: err.message, stack: err.stack,
        ...(isAppError(err) ? { statusCode: err.statusCode, code: err.code, details: err.details } : {}),
      },
    });
  }
}

port.on('message', (msg: Incoming) => {
  switch (msg.type) {
    case 'graph':
      graphs.set(msg.gid, fromTransfer(msg.graph));
      break;
    case 'drop':
      graphs.delete(msg.gid);
      break;
    case 'task':
      void runTask(msg);
      break;
  }
});
