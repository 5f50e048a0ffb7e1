import { Rng } from '../src/diffusion/rng.js';
import { compile, type CompiledGraph } from '../src/graph/compile.js';
import type { GraphData } from '../src/graph/model.js';

/**
 * Barabási–Albert preferential attachment, deterministic for a seed: start from a clique of m + 1 customers,
 * then each new customer links to m distinct existing ones picked proportionally to degree (uniform pick from
 * the list of edge endpoints, as networkx `barabasi_albert_graph` does in spirit). Undirected, (n - m - 1)·m
 * + m(m+1)/2 ties. Customer ids are "0".."n-1".
 */
export function barabasiAlbert(n: number, m: number, seed: number): CompiledGraph {
  return compile(barabasiAlbertData(n, m, seed));
}

/** The same graph as stored data (to put in a store). */
export function barabasiAlbertData(n: number, m: number, seed: number): GraphData {
  const rng = new Rng(seed, 0, 0xba);
  const ties = (n - m - 1) * m + ((m + 1) * m) / 2;
  const src = new Int32Array(ties);
  const dst = new Int32Array(ties);
  const ends = new Int32Array(2 * ties);
  let e = 0;
  let ne = 0;
  for (let u = 0; u <= m; u++) {
    for (let v = u + 1; v <= m; v++) {
      src[e] = u;
      dst[e++] = v;
      ends[ne++] = u;
      ends[ne++] = v;
    }
  }
  const picked = new Int32Array(m);
  for (let u = m + 1; u < n; u++) {
    let k = 0;
    while (k < m) {
      const v = ends[rng.int(ne)];
      let dup = false;
      for (let j = 0; j < k; j++) if (picked[j] === v) dup = true;
      if (!dup) picked[k++] = v;
    }
    for (let j = 0; j < m; j++) {
      src[e] = u;
      dst[e++] = picked[j];
      ends[ne++] = u;
      ends[ne++] = picked[j];
    }
  }
  const ids = Array.from({ length: n }, (_, i) => String(i));
  const data: GraphData = {
    name: `ba-${n}-${m}-${seed}`, directed: false, defaultValue: 1, ids, labels: null, segments: null,
    followers: null, value: null, activity: null, src, dst, weight: null, p: null, channel: null, channels: [],
  };
  return data;
}
