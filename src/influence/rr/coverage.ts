import { GainHeap } from '../gain-heap.js';
import type { RRCollection } from './collection.js';

/** What a collection of RR sets says about customers and seed sets: member counts, coverage, greedy max coverage. */

/**
 * Per customer, the number of RR sets that contain it (all positions, or only non-root positions with
 * `excludeRoot`: then scale·count/θ estimates the expected value reached among customers other than v).
 */
export function memberCounts(coll: RRCollection, n: number, excludeRoot = false): Int32Array {
  const counts = new Int32Array(n);
  const { members, offsets, count } = coll;
  for (let i = 0; i < count; i++) {
    for (let x = offsets[i] + (excludeRoot ? 1 : 0); x < offsets[i + 1]; x++) counts[members[x]]++;
  }
  return counts;
}

/** Share of RR sets that contain at least one of `seeds`. */
export function coverage(coll: RRCollection, n: number, seeds: ArrayLike<number>): number {
  if (coll.count === 0) return 0;
  const inS = new Uint8Array(n);
  for (let i = 0; i < seeds.length; i++) inS[seeds[i]] = 1;
  const { members, offsets, count } = coll;
  let hit = 0;
  for (let i = 0; i < count; i++) {
    for (let x = offsets[i]; x < offsets[i + 1]; x++) {
      if (inS[members[x]]) {
        hit++;
        break;
      }
    }
  }
  return hit / count;
}

/**
 * Greedy maximum coverage over an RR collection (the node selection of IMM, Tang et al. 2015): k times,
 * take the customer in the most not-yet-covered sets. Lazy max-heap on typed arrays keyed by the count
 * when pushed (counts only decrease, so a popped entry whose count is still current is the maximum);
 * ties go to the lower customer index. Customers beyond those covering anything are taken in index order
 * with gain 0. O(Σ|R| + n log n).
 */
export function maxCoverage(coll: RRCollection, n: number, k: number): { seeds: Int32Array; covered: Int32Array; total: number } {
  const { members, offsets, count } = coll;
  const size = offsets[count];
  // Inverted index: customer -> RR sets containing it.
  const deg = new Int32Array(n);
  for (let x = 0; x < size; x++) deg[members[x]]++;
  const start = new Int32Array(n + 1);
  for (let v = 0; v < n; v++) start[v + 1] = start[v] + deg[v];
  const setsOf = new Int32Array(size);
  const pos = start.slice(0, n);
  for (let i = 0; i < count; i++) for (let x = offsets[i]; x < offsets[i + 1]; x++) setsOf[pos[members[x]]++] = i;

  const heap = new GainHeap(n);
  for (let v = 0; v < n; v++) if (deg[v] > 0) heap.add(deg[v], v);
  heap.heapify();

  const seeds = new Int32Array(k);
  const covered = new Int32Array(k);
  const chosen = new Uint8Array(n);
  const done = new Uint8Array(count);
  let total = 0;
  let picked = 0;
  while (picked < k && heap.size > 0) {
    const v = heap.node[0];
    const key = heap.key[0];
    if (key !== deg[v]) {
      heap.setTop(deg[v]);
      continue;
    }
    if (key === 0) break;
    heap.pop();
    seeds[picked] = v;
    covered[picked] = key;
    chosen[v] = 1;
    picked++;
    total += key;
    for (let y = start[v]; y < start[v + 1]; y++) {
      const r = setsOf[y];
      if (done[r]) continue;
      done[r] = 1;
      for (let x = offsets[r]; x < offsets[r + 1]; x++) deg[members[x]]--;
    }
  }
  for (let v = 0; picked < k && v < n; v++) {
    if (!chosen[v]) {
      chosen[v] = 1;
      seeds[picked++] = v;
    }
  }
  return { seeds, covered, total };
}
