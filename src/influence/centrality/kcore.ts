import type { CentralityResult, Graph } from './types.js';

/**
 * Core number of every customer (networkx `core_number`): the largest k such that the customer belongs to
 * a subgraph where everyone has degree >= k. Batagelj & Zaversnik (2003), O(n + m) with bin sort.
 * For a directed graph networkx counts degree as in + out and treats every arc as a tie (a reciprocated pair
 * counts twice); we do the same by walking out- and in-arcs. An undirected graph's arcs come in pairs, so
 * its out-arcs alone are the neighbours.
 */
export const KCORE_DEFAULTS = {};

export function kcore(graph: Graph, _options: Partial<typeof KCORE_DEFAULTS> = {}): CentralityResult {
  const { n, directed, outOffsets, outTargets, inOffsets, inSources } = graph;
  const deg = new Int32Array(n);
  let maxDeg = 0;
  for (let v = 0; v < n; v++) {
    const d = outOffsets[v + 1] - outOffsets[v] + (directed ? inOffsets[v + 1] - inOffsets[v] : 0);
    deg[v] = d;
    if (d > maxDeg) maxDeg = d;
  }
  const bin = new Int32Array(maxDeg + 1);
  for (let v = 0; v < n; v++) bin[deg[v]]++;
  let start = 0;
  for (let d = 0; d <= maxDeg; d++) {
    const c = bin[d];
    bin[d] = start;
    start += c;
  }
  const pos = new Int32Array(n);
  const vert = new Int32Array(n);
  for (let v = 0; v < n; v++) {
    pos[v] = bin[deg[v]];
    vert[pos[v]] = v;
    bin[deg[v]]++;
  }
  for (let d = maxDeg; d > 0; d--) bin[d] = bin[d - 1];
  bin[0] = 0;
  const lower = (u: number, dv: number) => {
    const du = deg[u];
    if (du > dv) {
      const pu = pos[u];
      const pw = bin[du];
      const w = vert[pw];
      if (u !== w) {
        pos[u] = pw;
        vert[pu] = w;
        pos[w] = pu;
        vert[pw] = u;
      }
      bin[du]++;
      deg[u] = du - 1;
    }
  };
  for (let i = 0; i < n; i++) {
    const v = vert[i];
    const dv = deg[v];
    for (let a = outOffsets[v]; a < outOffsets[v + 1]; a++) lower(outTargets[a], dv);
    if (directed) for (let q = inOffsets[v]; q < inOffsets[v + 1]; q++) lower(inSources[q], dv);
  }
  const scores = new Float64Array(n);
  for (let v = 0; v < n; v++) scores[v] = deg[v];
  return { metric: 'kcore', scores };
}
