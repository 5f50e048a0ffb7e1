import { describe, expect, it } from 'vitest';
import { MinHeap } from '../src/graph/min-heap.js';
import { Rng } from '../src/diffusion/rng.js';

/** The textbook binary heap with sift-down (the engine's pop before the bottom-up one), as the reference. */
class Textbook {
  keys: number[] = [];
  nodes: number[] = [];
  push(k: number, v: number): void {
    let i = this.keys.length;
    this.keys.push(k);
    this.nodes.push(v);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.keys[p] <= k) break;
      this.keys[i] = this.keys[p];
      this.nodes[i] = this.nodes[p];
      i = p;
    }
    this.keys[i] = k;
    this.nodes[i] = v;
  }
  pop(): [number, number] {
    const out: [number, number] = [this.keys[0], this.nodes[0]];
    const k = this.keys.pop()!;
    const v = this.nodes.pop()!;
    const size = this.keys.length;
    if (size === 0) return out;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= size) break;
      if (c + 1 < size && this.keys[c + 1] < this.keys[c]) c++;
      if (this.keys[c] >= k) break;
      this.keys[i] = this.keys[c];
      this.nodes[i] = this.nodes[c];
      i = c;
    }
    this.keys[i] = k;
    this.nodes[i] = v;
    return out;
  }
}

describe('MinHeap (src/graph/min-heap.ts)', () => {
  it('pops exactly what the textbook sift-down heap pops, ties included, with senders carried', () => {
    const rng = new Rng(5, 1);
    for (const range of [4, 50, 1e9]) {
      const h = new MinHeap(5000, true);
      const ref = new Textbook();
      const got: number[] = [];
      const want: number[] = [];
      for (let op = 0; op < 20_000; op++) {
        if (h.size === 0 || (h.size < 4000 && rng.float() < 0.55)) {
          // Integer keys in a small range: many equal keys, where a different arrangement would pop another node.
          const k = Math.floor(rng.float() * range);
          const v = op;
          h.push(k, v, v + 1);
          ref.push(k, v);
        } else {
          const top = { t: 0, v: 0, from: 0 };
          h.popTo(top);
          const [k, v] = ref.pop();
          got.push(top.t, top.v, top.from - top.v);
          want.push(k, v, 1);
        }
      }
      expect(h.size).toBe(ref.keys.length);
      expect(got).toEqual(want);
    }
  });
});
