import { DirectedGraph, UndirectedGraph } from 'graphology';
import * as louvainModule from 'graphology-communities-louvain';
import type { DetailedLouvainOutput, LouvainOptions } from 'graphology-communities-louvain';
import { seededRandom } from './rng.js';
import type { CentralityResult, Graph } from './types.js';

/**
 * Louvain communities (Blondel, Guillaume, Lambiotte, Lefebvre 2008) through graphology-communities-louvain,
 * with a seeded rng so that the same seed gives the same partition. `scores[i]` is the community index of
 * customer i (0 .. communities-1, numbered by first appearance); `modularity` is recomputed by `modularity()`
 * below with networkx's definition (`networkx.community.modularity`), so it can be checked against networkx on
 * the same partition. The graphology graph is keyed by customer index ("0", "1", ...), never by customer id.
 */
export const LOUVAIN_DEFAULTS = { seed: 1, resolution: 1, weighted: false };

// graphology-communities-louvain is CommonJS with `export default` typings: under NodeNext the import is
// the module.exports object wrapped once more than the typings say. Resolve it once, with the type we use.
interface LouvainDetailed {
  detailed(graph: DirectedGraph | UndirectedGraph, options?: LouvainOptions): DetailedLouvainOutput;
}
const louvainImpl = unwrap<LouvainDetailed>(louvainModule);

function unwrap<T>(mod: unknown): T {
  let m = mod as { default?: unknown };
  while (m && typeof m === 'object' && 'default' in m && m.default) m = m.default as { default?: unknown };
  return m as T;
}

export function louvain(graph: Graph, options: Partial<typeof LOUVAIN_DEFAULTS> = {}): CentralityResult {
  const { seed, resolution, weighted } = { ...LOUVAIN_DEFAULTS, ...options };
  const { n, outOffsets, outTargets, directed } = graph;
  const w = weighted ? graph.arcWeight : null;
  const scores = new Float64Array(n);
  if (n === 0) return { metric: 'louvain', scores, modularity: 0, communities: 0 };
  if (graph.m === 0) {
    for (let i = 0; i < n; i++) scores[i] = i;
    return { metric: 'louvain', scores, modularity: 0, communities: n };
  }
  const g = directed ? new DirectedGraph({ allowSelfLoops: false }) : new UndirectedGraph({ allowSelfLoops: false });
  for (let i = 0; i < n; i++) g.addNode(String(i));
  for (let u = 0; u < n; u++) {
    for (let a = outOffsets[u]; a < outOffsets[u + 1]; a++) {
      const v = outTargets[a];
      if (!directed && v < u) continue;
      g.addEdge(String(u), String(v), w ? { weight: w[a] } : {});
    }
  }
  const out = louvainImpl.detailed(g, { rng: seededRandom(seed), resolution, getEdgeWeight: w ? 'weight' : null });
  // Renumber communities by first appearance so the labels do not depend on graphology internals.
  const relabel = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const c = out.communities[String(i)];
    let r = relabel.get(c);
    if (r === undefined) {
      r = relabel.size;
      relabel.set(c, r);
    }
    scores[i] = r;
  }
  const community = Int32Array.from(scores);
  return { metric: 'louvain', scores, modularity: modularity(graph, community, { weighted, resolution }), communities: relabel.size };
}

/**
 * Modularity of a partition as `networkx.community.modularity(G, communities, weight, resolution)`:
 * undirected Q = Σ_c [L_c/W − γ(d_c/2W)²], directed Q = Σ_c [L_c/W − γ·out_c·in_c/W²], with W the total tie
 * weight, L_c the weight inside c and d_c, out_c, in_c the (weighted) degree sums of c. 0 for a graph without ties.
 */
export function modularity(graph: Graph, community: Int32Array, options: { weighted?: boolean; resolution?: number } = {}): number {
  const { n, outOffsets, outTargets, directed } = graph;
  const w = options.weighted ? graph.arcWeight : null;
  const gamma = options.resolution ?? 1;
  let k = 0;
  for (let i = 0; i < n; i++) if (community[i] + 1 > k) k = community[i] + 1;
  const inside = new Float64Array(k);
  const outSum = new Float64Array(k);
  const inSum = new Float64Array(k);
  let total = 0;
  for (let u = 0; u < n; u++) {
    const cu = community[u];
    for (let a = outOffsets[u]; a < outOffsets[u + 1]; a++) {
      const v = outTargets[a];
      const wt = w ? w[a] : 1;
      total += wt;
      outSum[cu] += wt;
      inSum[community[v]] += wt;
      if (community[v] === cu) inside[cu] += wt;
    }
  }
  if (total === 0) return 0;
  // An undirected tie is two arcs: W = total/2, L_c = inside/2, d_c = outSum (= inSum).
  const W = directed ? total : total / 2;
  let q = 0;
  for (let c = 0; c < k; c++) {
    const L = directed ? inside[c] : inside[c] / 2;
    q += L / W - (directed ? (gamma * outSum[c] * inSum[c]) / (W * W) : (gamma * outSum[c] * outSum[c]) / (4 * W * W));
  }
  return q;
}
