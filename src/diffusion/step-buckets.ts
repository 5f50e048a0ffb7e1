/**
 * A bucket queue of customers keyed by a whole step (Dial 1969, "Shortest-path forest with topological ordering"):
 * Dijkstra's queue when every key is an integer no later than a known last step. Each customer sits in at most one
 * bucket (an intrusive doubly-linked list through `next`/`prev`, so moving it to an earlier step is O(1)), and a
 * bitmap of the non-empty buckets finds the next step to take in O(steps / 32) words at worst. All of it is
 * allocated once per (graph, thread) and left empty by every run that drains it.
 */
export class StepBuckets {
  private head: Int32Array = new Int32Array(0);
  private bits: Int32Array = new Int32Array(1);
  private readonly next: Int32Array;
  private readonly prev: Int32Array;

  constructor(n: number) {
    this.next = new Int32Array(n);
    this.prev = new Int32Array(n);
  }

  /** Room for steps 0 .. last (grows, never per run once grown). */
  reserve(last: number): void {
    if (last < this.head.length) return;
    const head = new Int32Array(last + 1).fill(-1);
    head.set(this.head);
    this.head = head;
    const bits = new Int32Array((last >>> 5) + 1);
    bits.set(this.bits.subarray(0, Math.min(this.bits.length, bits.length)));
    this.bits = bits;
  }

  /** Put v (in no bucket) into bucket t. */
  add(v: number, t: number): void {
    const h = this.head[t];
    this.next[v] = h;
    this.prev[v] = -1;
    if (h >= 0) this.prev[h] = v;
    this.head[t] = v;
    this.bits[t >>> 5] |= 1 << (t & 31);
  }

  /** Take v out of bucket t (where it is). */
  remove(v: number, t: number): void {
    const nx = this.next[v];
    const pv = this.prev[v];
    if (pv >= 0) this.next[pv] = nx;
    else {
      this.head[t] = nx;
      if (nx < 0) this.bits[t >>> 5] &= ~(1 << (t & 31));
    }
    if (nx >= 0) this.prev[nx] = pv;
  }

  /** Take a customer out of bucket t (the last one put in), or -1 when it is empty. */
  pop(t: number): number {
    const v = this.head[t];
    if (v < 0) return -1;
    const nx = this.next[v];
    this.head[t] = nx;
    if (nx >= 0) this.prev[nx] = -1;
    else this.bits[t >>> 5] &= ~(1 << (t & 31));
    return v;
  }

  /** The first non-empty bucket at or after step `from`, or -1. */
  nextStep(from: number): number {
    const bits = this.bits;
    let w = from >>> 5;
    if (w >= bits.length) return -1;
    let word = bits[w] & (-1 << (from & 31));
    while (word === 0) {
      if (++w >= bits.length) return -1;
      word = bits[w];
    }
    return (w << 5) + 31 - Math.clz32(word & -word);
  }
}
