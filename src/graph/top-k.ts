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
