import type { CompiledGraph } from './compile.js';

/** Summary statistics of a list of integer degrees. All 0 for an empty graph (never NaN). */
export interface DegreeStats {
  min: number;
  max: number;
  mean: number;
  /** Middle value; the mean of the two middle values for an even count (as numpy.median). */
  median: number;
}

export interface GraphInfo {
  customers: number;
  /** Ties as stored: arcs for a directed graph, arcs / 2 for an undirected one. */
  ties: number;
  /** Arcs of the compute form (an undirected tie is two). */
  arcs: number;
  directed: boolean;
  degree: { in: DegreeStats; out: DegreeStats; total: DegreeStats };
  /** Customers with no tie at all. */
  isolated: number;
  /** Weakly connected components (direction ignored); isolated customers are components of size 1. */
  components: { count: number; largest: number };
  /**
   * As networkx `density`: m / (n (n - 1)) for directed graphs, 2 ties / (n (n - 1)) for undirected ones
   * (the same number, counted in arcs); 0 when n < 2.
   */
  density: number;
}

/**
 * Graph information for `GET /graphs/:id/info` and `ripple info`: counts, degree distribution summaries,
 * weakly connected components and density. O(n + m) on the CSR form, no per-customer objects.
 *
 * Degrees: for a directed graph in/out count arcs and total = in + out (networkx `degree`); for an
 * undirected graph in = out = total = number of neighbours.
 */
export function graphInfo(g: CompiledGraph): GraphInfo {
  const { n, m } = g;
  const inDeg = new Int32Array(n);
  const outDeg = new Int32Array(n);
  const totalDeg = new Int32Array(n);
  let isolated = 0;
  for (let v = 0; v < n; v++) {
    const o = g.outOffsets[v + 1] - g.outOffsets[v];
    const i = g.inOffsets[v + 1] - g.inOffsets[v];
    outDeg[v] = o;
    inDeg[v] = i;
    totalDeg[v] = g.directed ? o + i : o;
    if (o + i === 0) isolated++;
  }
  const components = weakComponents(g);
  return {
    customers: n,
    ties: g.directed ? m : m / 2,
    arcs: m,
    directed: g.directed,
    degree: { in: degreeStats(inDeg), out: degreeStats(outDeg), total: degreeStats(totalDeg) },
    isolated,
    components,
    density: n < 2 ? 0 : m / (n * (n - 1)),
  };
}

/** min/max/mean/median of non-negative integers, O(n + max) by counting (no sort). */
export function degreeStats(deg: Int32Array): DegreeStats {
  const n = deg.length;
  if (n === 0) return { min: 0, max: 0, mean: 0, median: 0 };
  let min = deg[0];
  let max = deg[0];
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const d = deg[i];
    if (d < min) min = d;
    if (d > max) max = d;
    sum += d;
  }
  const counts = new Int32Array(max - min + 1);
  for (let i = 0; i < n; i++) counts[deg[i] - min]++;
  // k-th smallest (0-based) by walking the counts.
  const kth = (k: number): number => {
    let seen = 0;
    for (let d = 0; d < counts.length; d++) {
      seen += counts[d];
      if (seen > k) return d + min;
    }
    return max;
  };
  const median = n % 2 === 1 ? kth((n - 1) / 2) : (kth(n / 2 - 1) + kth(n / 2)) / 2;
  return { min, max, mean: sum / n, median };
}

/** Weakly connected components by iterative BFS over out- and in-arcs with a typed-array queue. */
export function weakComponents(g: CompiledGraph): { count: number; largest: number } {
  const { n } = g;
  const seen = new Uint8Array(n);
  const queue = new Int32Array(n);
  let count = 0;
  let largest = 0;
  for (let s = 0; s < n; s++) {
    if (seen[s]) continue;
    count++;
    let head = 0;
    let tail = 0;
    queue[tail++] = s;
    seen[s] = 1;
    while (head < tail) {
      const u = queue[head++];
      for (let a = g.outOffsets[u]; a < g.outOffsets[u + 1]; a++) {
        const v = g.outTargets[a];
        if (!seen[v]) {
          seen[v] = 1;
          queue[tail++] = v;
        }
      }
      if (g.directed) {
        for (let q = g.inOffsets[u]; q < g.inOffsets[u + 1]; q++) {
          const v = g.inSources[q];
          if (!seen[v]) {
            seen[v] = 1;
            queue[tail++] = v;
          }
        }
      }
    }
    if (tail > largest) largest = tail;
  }
  return { count, largest };
}

/** In-, out- and total degree of one customer (same conventions as graphInfo). */
export function degreeOf(g: CompiledGraph, v: number): { in: number; out: number; total: number } {
  const o = g.outOffsets[v + 1] - g.outOffsets[v];
  const i = g.inOffsets[v + 1] - g.inOffsets[v];
  return { in: i, out: o, total: g.directed ? o + i : o };
}
