/**
 * The engine's one binary min-heap: (key, node) entries — and, when asked for, the customer each entry came
 * `from` — on preallocated typed arrays, with lazy deletion (a node may sit in it more than once; callers skip
 * stale entries). Dijkstra in closeness and betweenness uses key + node (capacity m + 1 per run); the
 * continuous-time cascade (CTIC) uses it as its event queue of (time, customer, sender),
 * capacity m + n + 1 (each arc pushes at most once per run, plus the seeds). Read the minimum at index 0
 * (`keys[0]`, `nodes[0]`, `from[0]`) before `pop()`, or let `popTo` copy it out.
 */
export class MinHeap {
  readonly keys: Float64Array;
  readonly nodes: Int32Array;
  /** The sender of each entry, or null for a heap made without it. */
  readonly from: Int32Array | null;
  size = 0;

  constructor(capacity: number, withFrom = false) {
    const cap = Math.max(1, capacity);
    this.keys = new Float64Array(cap);
    this.nodes = new Int32Array(cap);
    this.from = withFrom ? new Int32Array(cap) : null;
  }

  clear(): void {
    this.size = 0;
  }

  push(key: number, node: number, sender = -1): void {
    const keys = this.keys;
    const nodes = this.nodes;
    const from = this.from;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (keys[p] <= key) break;
      keys[i] = keys[p];
      nodes[i] = nodes[p];
      if (from !== null) from[i] = from[p];
      i = p;
    }
    keys[i] = key;
    nodes[i] = node;
    if (from !== null) from[i] = sender;
  }

  /**
   * Remove the minimum (read it at index 0 first). Bottom-up (Wegener 1993, "Bottom-up heapsort"): the hole at the
   * root moves down the path of smaller children to a leaf, one comparison per level, then the last entry climbs
   * back up from there past the entries not below it (usually few: the last entry is large). The path of smaller
   * children (the left one on ties) is non-decreasing, so the entry lands where the textbook sift-down (stop at
   * the first child >= it) puts it: the same heap, entry for entry, hence the same pops for every caller.
   */
  pop(): void {
    const keys = this.keys;
    const nodes = this.nodes;
    const from = this.from;
    const size = --this.size;
    if (size === 0) return;
    const key = keys[size];
    const node = nodes[size];
    const sender = from !== null ? from[size] : 0;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= size) break;
      if (c + 1 < size && keys[c + 1] < keys[c]) c++;
      keys[i] = keys[c];
      nodes[i] = nodes[c];
      if (from !== null) from[i] = from[c];
      i = c;
    }
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (keys[p] < key) break;
      keys[i] = keys[p];
      nodes[i] = nodes[p];
      if (from !== null) from[i] = from[p];
      i = p;
    }
    keys[i] = key;
    nodes[i] = node;
    if (from !== null) from[i] = sender;
  }

  /** Copy the minimum into `top` (key, node, sender: -1 without `from`) and remove it. */
  popTo(top: { t: number; v: number; from: number }): void {
    top.t = this.keys[0];
    top.v = this.nodes[0];
    top.from = this.from !== null ? this.from[0] : -1;
    this.pop();
  }
}
