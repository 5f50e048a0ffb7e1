/**
 * The lazy max-heap of greedy seed selection (CELF's marginal gains, IMM's maximum coverage): entries
 * (key, customer, tag) on preallocated typed arrays, the largest key on top, ties to the lower customer index.
 * "Lazy": a caller whose keys only decrease updates the top in place (`setTop`) and re-checks, instead of
 * removing and pushing; `tag` records when a key was computed (CELF's round), 0 where unused.
 */
export class GainHeap {
  readonly key: Float64Array;
  readonly node: Int32Array;
  readonly tag: Int32Array;
  size = 0;
  constructor(capacity: number) {
    this.key = new Float64Array(capacity);
    this.node = new Int32Array(capacity);
    this.tag = new Int32Array(capacity);
  }
  /** Append without ordering; call heapify() once all are in (O(n)). */
  add(key: number, node: number, tag = 0): void {
    const i = this.size++;
    this.key[i] = key;
    this.node[i] = node;
    this.tag[i] = tag;
  }
  heapify(): void {
    for (let i = (this.size >> 1) - 1; i >= 0; i--) this.down(i);
  }
  /** Give the top a new key (and tag) and restore the order. */
  setTop(key: number, tag = this.tag[0]): void {
    this.key[0] = key;
    this.tag[0] = tag;
    this.down(0);
  }
  /** Remove the top (read it from key[0], node[0], tag[0] before). */
  pop(): void {
    const n = --this.size;
    this.key[0] = this.key[n];
    this.node[0] = this.node[n];
    this.tag[0] = this.tag[n];
    this.down(0);
  }
  private better(i: number, j: number): boolean {
    const key = this.key;
    return key[i] > key[j] || (key[i] === key[j] && this.node[i] < this.node[j]);
  }
  private down(i: number): void {
    const hn = this.size;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= hn) return;
      let b = l;
      if (l + 1 < hn && this.better(l + 1, l)) b = l + 1;
      if (!this.better(b, i)) return;
      this.swap(b, i);
      i = b;
    }
  }
  private swap(i: number, j: number): void {
    const { key, node, tag } = this;
    const tk = key[i]; key[i] = key[j]; key[j] = tk;
    const tn = node[i]; node[i] = node[j]; node[j] = tn;
    const tt = tag[i]; tag[i] = tag[j]; tag[j] = tt;
  }
}
