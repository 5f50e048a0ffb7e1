/**
 * The one top-k of the engine: indices of the k largest scores, largest first, ties to the lower index (the order
 * of every ranking: centrality, amplifiers, baselines, customer value). `keep` leaves indices out (zero counts,
 * the seeds). A small k keeps a sorted list of the best k (O(n·k) at worst, no allocation over n); a large one
 * sorts the candidates (O(n log n)). Both give the same order.
 */
export function topK(scores: ArrayLike<number>, k: number, keep?: (i: number) => boolean): Int32Array {
  const n = scores.length;
  if (k <= 0 || n === 0) return new Int32Array(0);
  if (k * 16 >= n) {
    const idx: number[] = [];
    for (let i = 0; i < n; i++) if (!keep || keep(i)) idx.push(i);
    idx.sort((a, b) => scores[b] - scores[a] || a - b);
    return Int32Array.from(idx.length > k ? idx.slice(0, k) : idx);
  }
  if (k > 64) return heapTopK(scores, k, keep);
  const best: number[] = [];
  for (let v = 0; v < n; v++) {
    if (keep && !keep(v)) continue;
    const s = scores[v];
    if (best.length === k && s <= scores[best[k - 1]]) continue;
    let i = best.length === k ? k - 1 : best.length;
    if (best.length < k) best.push(v);
    while (i > 0 && scores[best[i - 1]] < s) {
      best[i] = best[i - 1];
      i--;
    }
    best[i] = v;
  }
  return Int32Array.from(best);
}

/**
 * The k best by a binary heap of the best so far (its root the worst of them): O(n log k), then the k sorted. For a
 * k too large for the sorted-list scan (whose shifting is O(k) per insertion) and too small to sort everything.
 */
function heapTopK(scores: ArrayLike<number>, k: number, keep?: (i: number) => boolean): Int32Array {
  const before = (a: number, b: number) => scores[b] - scores[a] || a - b;
  const heap = new Int32Array(k);
  let size = 0;
  // heap[0] is the worst kept: a parent comes AFTER its children in the ranking.
  const up = (i: number) => {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (before(heap[p], heap[i]) >= 0) return;
      const t = heap[p];
      heap[p] = heap[i];
      heap[i] = t;
      i = p;
    }
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      if (l >= size) return;
      const c = l + 1 < size && before(heap[l + 1], heap[l]) > 0 ? l + 1 : l;
      if (before(heap[c], heap[i]) <= 0) return;
      const t = heap[i];
      heap[i] = heap[c];
      heap[c] = t;
      i = c;
    }
  };
  const n = scores.length;
  for (let v = 0; v < n; v++) {
    if (keep && !keep(v)) continue;
    if (size < k) {
      heap[size++] = v;
      up(size - 1);
    } else if (before(v, heap[0]) < 0) {
      heap[0] = v;
      down(0);
    }
  }
  return heap.slice(0, size).sort(before);
}

/**
 * A yield to the event loop once `ms` of work has run since the last one: long main-thread loops (a ranking of a
 * million customers, an answer built from it) call it between slices, so that the process keeps answering other
 * requests meanwhile (issue 14, "always live"). Engine code stays free of timers otherwise.
 */
export function sliceYielder(ms = 2): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < ms) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    last = performance.now();
  };
}

/** Below this many customers (or for k this small) a ranking takes a few ms: one piece. */
const ASYNC_MIN_N = 32_768;
const ASYNC_MIN_K = 64;
const CHUNK = 2048;

/**
 * topK in slices that yield to the event loop: the same indices in the same order (largest score first, ties to the
 * lower index — a total order, so every correct sort agrees). Chunks of the candidates are sorted one at a time, then
 * merged through a heap of the chunks' heads until k are out.
 */
export async function topKAsync(scores: ArrayLike<number>, k: number, keep?: (i: number) => boolean): Promise<Int32Array> {
  const n = scores.length;
  if (k <= 0 || n === 0) return new Int32Array(0);
  if (n < ASYNC_MIN_N || k <= ASYNC_MIN_K) return topK(scores, k, keep);
  const tick = sliceYielder();
  const idx = new Int32Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) if (!keep || keep(i)) idx[count++] = i;
  const before = (a: number, b: number) => scores[b] - scores[a] || a - b;
  const runs = Math.ceil(count / CHUNK);
  for (let r = 0; r < runs; r++) {
    idx.subarray(r * CHUNK, Math.min(count, (r + 1) * CHUNK)).sort(before);
    await tick();
  }
  const out = new Int32Array(Math.min(k, count));
  if (runs === 1) {
    out.set(idx.subarray(0, out.length));
    return out;
  }
  // Heap of runs, keyed by each run's current head.
  const pos = new Int32Array(runs);
  const end = new Int32Array(runs);
  for (let r = 0; r < runs; r++) {
    pos[r] = r * CHUNK;
    end[r] = Math.min(count, (r + 1) * CHUNK);
  }
  const heap = Int32Array.from({ length: runs }, (_, r) => r);
  let size = runs;
  const less = (x: number, y: number) => before(idx[pos[heap[x]]], idx[pos[heap[y]]]) < 0;
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      if (l >= size) return;
      const c = l + 1 < size && less(l + 1, l) ? l + 1 : l;
      if (!less(c, i)) return;
      const t = heap[i];
      heap[i] = heap[c];
      heap[c] = t;
      i = c;
    }
  };
  for (let i = (size >> 1) - 1; i >= 0; i--) down(i);
  for (let o = 0; o < out.length; o++) {
    const r = heap[0];
    out[o] = idx[pos[r]++];
    if (pos[r] >= end[r]) heap[0] = heap[--size];
    down(0);
    if ((o & 1023) === 1023) await tick();
  }
  return out;
}

/** `Array.from({ length: count }, (_, i) => item(i))`, built in slices that yield to the event loop. */
export async function mapInSlices<T>(count: number, item: (i: number) => T): Promise<T[]> {
  const tick = sliceYielder();
  const out: T[] = [];
  for (let i = 0; i < count; i++) {
    out.push(item(i));
    if ((i & 255) === 255) await tick();
  }
  return out;
}

/**
 * A long ranking's rows made on demand from the score arrays (issue 14, "always live"): the API's serializer
 * (src/api/serialize.ts) encodes it slice by slice, so only a slice of row objects is alive at a time instead of
 * 100 000 rows of several objects each, all young while the answer is written (their scavenges were the longest
 * /health stalls left). Everything else reads it as the array it stands for: `toJSON()` (JSON.stringify, the Redis
 * worker's result), `slice`, `at`. Rows are made afresh on each read (equal, not identical).
 */
export class LazyRows<T> {
  constructor(
    readonly length: number,
    private readonly item: (i: number) => T,
  ) {}

  at(i: number): T | undefined {
    return i >= 0 && i < this.length ? this.item(i) : undefined;
  }

  /** Rows from..to-1 (clamped), as an array. */
  slice(from = 0, to = this.length): T[] {
    const end = Math.min(to, this.length);
    const out: T[] = [];
    for (let i = Math.max(0, from); i < end; i++) out.push(this.item(i));
    return out;
  }

  toJSON(): T[] {
    return this.slice();
  }
}

/** Rankings of at least this many rows are answered as LazyRows (below, the rows are few and cheap). */
export const LAZY_ROWS_MIN = 4096;

/** The rows of a ranking for an answer: LazyRows from LAZY_ROWS_MIN rows on, else built in slices (mapInSlices). */
export async function answerRows<T>(count: number, item: (i: number) => T): Promise<T[] | LazyRows<T>> {
  return count >= LAZY_ROWS_MIN ? new LazyRows(count, item) : mapInSlices(count, item);
}
