import type { CompiledGraph } from '../graph/compile.js';
import { runBatch } from '../diffusion/batch.js';
import type { SimulationPlan } from '../diffusion/plan.js';
import { rrSetsTask } from '../influence/rr.js';
import { centralityPartialTask, centralityTask, pagerankHelpTask, pagerankLeadTask } from '../influence/centrality/tasks.js';

/**
 * The task registry of the worker pool: a task name -> a handler run inside a worker thread (and, for
 * the in-thread path, in the main thread with the same code). To add a kind of work (centrality, RR
 * sets, …) add an entry here; `WorkerPool.run(name, graph, payload)` then reaches it.
 *
 * A handler gets the compiled graph (views over the shared buffers, cached per worker; `ids` is empty
 * in workers), the payload (structured-cloned; typed arrays on SharedArrayBuffers are shared, not
 * copied) and a context to poll cancellation between units of work and report progress. Its return
 * value is posted back; plain ArrayBuffers of top-level typed arrays are transferred, not copied.
 * Throwing an AppError keeps its status and code across the thread boundary; throwing CancelledError
 * (or returning after isCancelled()) ends the task as cancelled.
 */
export interface TaskContext {
  isCancelled(): boolean;
  progress(data: unknown): void;
}

export type TaskHandler = (graph: CompiledGraph, payload: never, ctx: TaskContext) => unknown;

export interface SimulateBatchPayload {
  plan: SimulationPlan;
  from: number;
  to: number;
}

function simulateBatch(graph: CompiledGraph, payload: SimulateBatchPayload, ctx: TaskContext) {
  return runBatch(graph, payload.plan, payload.from, payload.to, { isCancelled: ctx.isCancelled, progress: ctx.progress });
}

export const tasks: ReadonlyMap<string, TaskHandler> = new Map<string, TaskHandler>([
  ['simulate', simulateBatch as TaskHandler],
  ['rr-sets', rrSetsTask as TaskHandler],
  ['centrality-partial', centralityPartialTask as TaskHandler],
  ['centrality', centralityTask as TaskHandler],
  ['pagerank-lead', pagerankLeadTask as TaskHandler],
  ['pagerank-help', pagerankHelpTask as TaskHandler],
]);
