import { CancelledError } from '../../errors.js';
import type { Progress } from './types.js';

/** How often (in sources) the all-sources kernels look at the abort signal and report progress. */
export const CHECK_EVERY = 64;

/** How a kernel learns it should stop: an AbortSignal (main thread) or a polled flag (worker task context). */
export interface Cancellation {
  signal?: AbortSignal;
  isCancelled?: () => boolean;
}

export function checkpoint(cancel: Cancellation, onProgress: Progress | undefined, done: number, total: number, what: string): void {
  if (cancel.signal?.aborted || cancel.isCancelled?.()) throw new CancelledError(`${what}: cancelled after ${done} of ${total} sources`);
  onProgress?.(done, total);
}

/** Dijkstra's heap is the engine's one min-heap (src/graph/min-heap.ts). */
export { MinHeap } from '../../graph/min-heap.js';
