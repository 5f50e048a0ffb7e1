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

/**
 * A binary min-heap of (key, node) pairs on preallocated typed arrays, with lazy deletion (a node may sit
 * in it more than once; the caller skips stale entries). Capacity m + 1 per Dijkstra run is enough.
 */
export class MinHeap {
  keys: Float64Array;
  nodes: Int32Array;
  size = 0;
  constructor(capacity: number) {
    this.keys = new Float64Array(Math.max(1, capacity));
    this.nodes = new Int32Array(Math.max(1, capacity));
  }
  push(key: number, node: number): void {
    const keys = this.keys;
    const nodes = this.nodes;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (keys[p] <= key) break;
      keys[i] = keys[p];
      nodes[i] = nodes[p];
      i = p;
    }
    keys[i] = key;
    nodes[i] = node;
  }
  /** Remove the minimum; read it from `topKey`/`topNode` before calling. */
  pop(): void {
    const keys = this.keys;
    const nodes = this.nodes;
    const size = --this.size;
    if (size === 0) return;
    const key = keys[size];
    const node = nodes[size];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= size) break;
      if (c + 1 < size && keys[c + 1] < keys[c]) c++;
      if (keys[c] >= key) break;
      keys[i] = keys[c];
      nodes[i] = nodes[c];
      i = c;
    }
    keys[i] = key;
    nodes[i] = node;
  }
}
