import { InputError } from '../../errors.js';
import { BATCHED_MAX_N, batchedKernel } from './betweenness-batched.js';
import { CHECK_EVERY, MinHeap, checkpoint } from './kernel-util.js';
import { seededRandom } from './rng.js';
import { sourceAt, sourceCount, type CentralityResult, type Graph, type Progress, type SourceSet } from './types.js';

/**
 * Betweenness centrality, exact (Brandes 2001) or from k sampled sources (Brandes & Pich 2007), with
 * networkx's `betweenness_centrality(G, k, normalized, weight, endpoints=False, seed)` definitions:
 *
 * - raw score of v = Σ over ordered pairs (s, t), s ≠ v ≠ t, of σ(s,t|v)/σ(s,t), shortest paths by hop count
 *   or, with `weighted`, by the sum of tie weights read as distances (Dijkstra; equal lengths compared exactly,
 *   as networkx does, so prefer integer weights);
 * - exact, normalised: raw / ((n-1)(n-2)) for directed and undirected graphs alike (the raw sum counts each
 *   undirected pair twice, the same as dividing unordered counts by (n-1)(n-2)/2); unnormalised undirected: raw / 2;
 *   n <= 2: everything is 0;
 * - sampled with k < n sources (networkx 3.6 `_rescale`): a sampled source v scales by 1/((k-1)(n-2)) and any
 *   other customer by 1/(k(n-2)) when normalised; unnormalised by (n-1)/((k-1)c) and (n-1)/(k·c), c = 2 for
 *   undirected graphs. With k = 1 networkx gives NaN to the source; its raw score is 0 and we return 0.
 *
 * The work is split as a kernel over a set of sources (`betweennessPartial`, which accumulates raw scores)
 * and a rescale (`rescaleBetweenness`), so sources can be spread over worker threads and the partial arrays summed.
 */
export const BETWEENNESS_DEFAULTS = {
  normalized: true,
  weighted: false,
  /** Number of sampled sources; undefined (or >= n) = exact. */
  k: undefined as number | undefined,
  /** Seed of the source sample. */
  seed: 1,
};

export interface BetweennessOptions extends Partial<typeof BETWEENNESS_DEFAULTS> {
  /** Explicit sample of sources (overrides k and seed; used to reproduce a sample). */
  sources?: Int32Array;
  signal?: AbortSignal;
  onProgress?: Progress;
}

export interface KernelOptions {
  weighted?: boolean;
  signal?: AbortSignal;
  /** Polled between sources (worker tasks). */
  isCancelled?: () => boolean;
  onProgress?: Progress;
  /** Accumulate into this array (length n) instead of a new one. */
  into?: Float64Array;
  /** Also accumulate the squares of the per-source dependencies here (length n): the sampled estimate's spread. */
  squares?: Float64Array;
  /**
   * Unweighted kernel: `batched` (32 sources per multi-source BFS, betweenness-batched.ts; the default up to
   * BATCHED_MAX_N = 16,384 customers) or `single` (one direction-optimising BFS per source; the default above it).
   */
  kernel?: 'batched' | 'single';
}

/** Raw (unscaled) Brandes dependencies from the given sources, summed per customer. */
export function betweennessPartial(graph: Graph, sources: SourceSet, opts: KernelOptions = {}): Float64Array {
  const bc = opts.into ?? new Float64Array(graph.n);
  if (opts.weighted && graph.arcWeight) weightedKernel(graph, sources, bc, opts);
  else if ((opts.kernel ?? (graph.n <= BATCHED_MAX_N ? 'batched' : 'single')) === 'batched') batchedKernel(graph, sources, bc, opts);
  else unweightedKernel(graph, sources, bc, opts);
  return bc;
}

/** Sum partial arrays from several kernels (e.g. one per worker) into the first one. */
export function sumPartials(parts: Float64Array[]): Float64Array {
  const out = parts[0];
  for (let p = 1; p < parts.length; p++) {
    const part = parts[p];
    for (let i = 0; i < out.length; i++) out[i] += part[i];
  }
  return out;
}

/**
 * Unweighted Brandes with a direction-optimising BFS (Beamer, Asanović, Patterson 2012): a level is expanded
 * top-down (scan the frontier's out-arcs) or bottom-up (scan the in-arcs of the customers not reached yet,
 * summing σ over those in the frontier), whichever touches fewer arcs. Both record the arcs of the
 * shortest-path DAG level by level, so the dependency pass reads only DAG arcs, without tests.
 */
function unweightedKernel(graph: Graph, sources: SourceSet, bc: Float64Array, opts: KernelOptions): void {
  const { n, m, outOffsets, outTargets, inOffsets, inSources } = graph;
  const sq = opts.squares ?? null;
  const dist = new Int32Array(n).fill(-1);
  const sigma = new Float64Array(n);
  const coef = new Float64Array(n);
  const acc = new Float64Array(n);
  const order = new Int32Array(n);
  const levelStart = new Int32Array(n + 2);
  const unvisited = new Int32Array(n);
  // DAG arcs (pv -> pw), grouped by the level of pw: pairStart[L] .. pairStart[L+1].
  const pv = new Int32Array(Math.max(1, m));
  const pw = new Int32Array(Math.max(1, m));
  const pairStart = new Int32Array(n + 2);
  const total = sourceCount(sources, n);
  for (let k = 0; k < total; k++) {
    if (k % CHECK_EVERY === 0) checkpoint(opts, opts.onProgress, k, total, 'betweenness');
    const s = sourceAt(sources, k);
    dist[s] = 0;
    sigma[s] = 1;
    order[0] = s;
    let tail = 1;
    let np = 0;
    let level = 0;
    levelStart[0] = 0;
    levelStart[1] = 1;
    let nu = 0; // unvisited list is built lazily at the first bottom-up level
    let listBuilt = false;
    let frontierOut = outOffsets[s + 1] - outOffsets[s];
    let unvisitedIn = m - (inOffsets[s + 1] - inOffsets[s]);
    while (levelStart[level + 1] > levelStart[level]) {
      const lo = levelStart[level];
      const hi = levelStart[level + 1];
      const next = level + 1;
      pairStart[next] = np;
      if (frontierOut <= unvisitedIn) {
        for (let i = lo; i < hi; i++) {
          const v = order[i];
          const sv = sigma[v];
          const end = outOffsets[v + 1];
          for (let a = outOffsets[v]; a < end; a++) {
            const w = outTargets[a];
            const dw = dist[w];
            if (dw < 0) {
              dist[w] = next;
              sigma[w] = sv;
              order[tail++] = w;
            } else if (dw !== next) continue;
            else sigma[w] += sv;
            pv[np] = v;
            pw[np++] = w;
          }
        }
      } else {
        if (!listBuilt) {
          for (let w = 0; w < n; w++) if (dist[w] < 0) unvisited[nu++] = w;
          listBuilt = true;
        }
        let keep = 0;
        for (let j = 0; j < nu; j++) {
          const w = unvisited[j];
          if (dist[w] >= 0) continue; // reached by an earlier top-down level
          let sw = 0;
          const end = inOffsets[w + 1];
          for (let q = inOffsets[w]; q < end; q++) {
            const u = inSources[q];
            if (dist[u] === level) {
              sw += sigma[u];
              pv[np] = u;
              pw[np++] = w;
            }
          }
          if (sw > 0) order[tail++] = w;
          else unvisited[keep++] = w;
          sigma[w] = sw;
        }
        nu = keep;
        for (let i = hi; i < tail; i++) dist[order[i]] = next;
      }
      levelStart[next + 1] = tail;
      frontierOut = 0;
      for (let i = hi; i < tail; i++) {
        const w = order[i];
        frontierOut += outOffsets[w + 1] - outOffsets[w];
        unvisitedIn -= inOffsets[w + 1] - inOffsets[w];
      }
      level = next;
    }
    pairStart[level + 1] = np;
    // Dependencies level by level from the deepest: coef[w] = (1 + δ(w)) / σ(w), δ(v) = σ(v)·Σ_{w succ} coef[w].
    for (let L = level; L >= 1; L--) {
      for (let i = levelStart[L]; i < levelStart[L + 1]; i++) {
        const w = order[i];
        const sw = sigma[w];
        const a = acc[w];
        const d = sw * a;
        bc[w] += d;
        if (sq) sq[w] += d * d;
        coef[w] = 1 / sw + a;
      }
      const end = pairStart[L + 1];
      for (let j = pairStart[L]; j < end; j++) acc[pv[j]] += coef[pw[j]];
    }
    for (let i = 0; i < tail; i++) {
      const v = order[i];
      dist[v] = -1;
      acc[v] = 0;
    }
  }
  if (total > 0) opts.onProgress?.(total, total);
}

function weightedKernel(graph: Graph, sources: SourceSet, bc: Float64Array, opts: KernelOptions): void {
  const { n, m, outOffsets, outTargets } = graph;
  const sq = opts.squares ?? null;
  const weight = graph.arcWeight!;
  const dist = new Float64Array(n).fill(Infinity);
  const settled = new Uint8Array(n);
  const sigma = new Float64Array(n);
  const coef = new Float64Array(n);
  const order = new Int32Array(n);
  const heap = new MinHeap(m + 1);
  const total = sourceCount(sources, n);
  for (let k = 0; k < total; k++) {
    if (k % CHECK_EVERY === 0) checkpoint(opts, opts.onProgress, k, total, 'betweenness');
    const s = sourceAt(sources, k);
    dist[s] = 0;
    sigma[s] = 1;
    heap.push(0, s);
    let count = 0;
    while (heap.size > 0) {
      const v = heap.nodes[0];
      heap.pop();
      if (settled[v]) continue;
      settled[v] = 1;
      order[count++] = v;
      const dv = dist[v];
      const sv = sigma[v];
      const end = outOffsets[v + 1];
      for (let a = outOffsets[v]; a < end; a++) {
        const w = outTargets[a];
        const nd = dv + weight[a];
        const dw = dist[w];
        if (nd < dw) {
          dist[w] = nd;
          sigma[w] = sv;
          heap.push(nd, w);
        } else if (nd === dw && !settled[w]) {
          sigma[w] += sv;
        }
      }
    }
    for (let i = count - 1; i > 0; i--) {
      const v = order[i];
      const dv = dist[v];
      let acc = 0;
      const end = outOffsets[v + 1];
      for (let a = outOffsets[v]; a < end; a++) {
        const w = outTargets[a];
        if (dist[w] === dv + weight[a]) acc += coef[w];
      }
      const sv = sigma[v];
      const d = sv * acc;
      bc[v] += d;
      if (sq) sq[v] += d * d;
      coef[v] = 1 / sv + acc;
    }
    for (let i = 0; i < count; i++) {
      const v = order[i];
      dist[v] = Infinity;
      settled[v] = 0;
    }
  }
  if (total > 0) opts.onProgress?.(total, total);
}

/** networkx's rescale (endpoints=False), in place. `sampled` = the sources used when fewer than n. */
export function rescaleBetweenness(raw: Float64Array, graph: Pick<Graph, 'n' | 'directed'>, normalized: boolean, sampled?: Int32Array): Float64Array {
  const n = graph.n;
  const N = n - 1;
  if (N < 2) return raw.fill(0);
  const c = graph.directed ? 1 : 2;
  if (!sampled || sampled.length >= n) {
    const scale = normalized ? 1 / (N * (N - 1)) : 1 / c;
    if (scale !== 1) for (let i = 0; i < n; i++) raw[i] *= scale;
    return raw;
  }
  const k = sampled.length;
  const other = normalized ? 1 / (k * (N - 1)) : N / (k * c);
  const source = k > 1 ? (normalized ? 1 / ((k - 1) * (N - 1)) : N / ((k - 1) * c)) : 0;
  const isSource = new Uint8Array(n);
  for (let j = 0; j < k; j++) isSource[sampled[j]] = 1;
  for (let i = 0; i < n; i++) raw[i] *= isSource[i] ? source : other;
  return raw;
}

/**
 * Standard error of each sampled betweenness score (call before rescaling `raw`): the score of v is scale_v·Σ δ_s(v)
 * over the k_v sampled sources other than v (k_v = k, or k − 1 when v is a source), i.e. scale_v·k_v times the mean
 * dependency; its standard error is scale_v·√k_v·sd(δ)·√((P − k_v)/(P − 1)), sd the sample standard deviation of the
 * k_v dependencies, P = n − 1 the sources v could have drawn (sampling without replacement, finite population).
 */
export function betweennessStderr(raw: Float64Array, squares: Float64Array, graph: Pick<Graph, 'n' | 'directed'>, normalized: boolean, sampled: Int32Array): Float64Array {
  const n = graph.n;
  const out = new Float64Array(n);
  const N = n - 1;
  if (N < 2) return out;
  const c = graph.directed ? 1 : 2;
  const k = sampled.length;
  const isSource = new Uint8Array(n);
  for (let j = 0; j < k; j++) isSource[sampled[j]] = 1;
  for (let v = 0; v < n; v++) {
    const kv = k - isSource[v];
    if (kv < 2) continue;
    const scale = normalized ? 1 / (kv * (N - 1)) : N / (kv * c);
    const mean = raw[v] / kv;
    const variance = Math.max(0, (squares[v] - kv * mean * mean) / (kv - 1));
    const fpc = Math.sqrt(Math.max(0, (N - kv) / (N - 1)));
    out[v] = scale * Math.sqrt(kv) * Math.sqrt(variance) * fpc;
  }
  return out;
}

/** k distinct sources chosen by a seeded partial Fisher–Yates shuffle. */
export function sampleSources(n: number, k: number, seed: number): Int32Array {
  const rng = seededRandom(seed);
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rng() * (n - i));
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  return perm.slice(0, k);
}

/** Resolve the sample (if any) for the options: explicit sources, else k < n chosen by seed, else null (exact). */
export function resolveSample(n: number, opts: BetweennessOptions): Int32Array | null {
  if (opts.sources) {
    for (const s of opts.sources) if (!(s >= 0 && s < n)) throw new InputError(`betweenness: source index ${s} is not a customer`);
    return opts.sources.length >= n ? null : opts.sources;
  }
  const k = opts.k;
  if (k === undefined) return null;
  if (!Number.isInteger(k) || k < 1) throw new InputError(`betweenness: k must be an integer >= 1, got ${k}`);
  if (k >= n) return null;
  return sampleSources(n, k, opts.seed ?? BETWEENNESS_DEFAULTS.seed);
}

/** Single-thread betweenness (exact, or sampled when `k` < n or `sources` is given). */
export function betweenness(graph: Graph, options: BetweennessOptions = {}): CentralityResult {
  const o = { ...BETWEENNESS_DEFAULTS, ...options };
  const sample = resolveSample(graph.n, o);
  const squares = sample ? new Float64Array(graph.n) : undefined;
  const raw = betweennessPartial(graph, sample ?? { from: 0, to: graph.n }, { ...o, squares });
  const stderr = sample ? betweennessStderr(raw, squares!, graph, o.normalized, sample) : undefined;
  const scores = rescaleBetweenness(raw, graph, o.normalized, sample ?? undefined);
  const result: CentralityResult = { metric: 'betweenness', scores };
  if (sample) {
    result.sample = { k: sample.length, seed: o.seed, sources: sample };
    result.stderr = stderr;
  } else reportFullSample(result, graph.n, o);
  return result;
}

/**
 * A sample asked for (`k`) that covers every customer (k >= n) is the exact computation: it still reports the sample,
 * k = n sources (all of them, in index order) and the seed, with a standard error of 0 for every customer (the
 * finite-population correction at k = n), so an answer's fields do not depend on whether k reached n.
 */
export function reportFullSample(result: CentralityResult, n: number, opts: Pick<BetweennessOptions, 'k' | 'seed' | 'sources'>): void {
  const asked = opts.sources ? opts.sources.length : opts.k;
  if (asked === undefined || asked < n) return;
  const all = new Int32Array(n);
  for (let i = 0; i < n; i++) all[i] = i;
  result.sample = { k: n, seed: opts.seed ?? BETWEENNESS_DEFAULTS.seed, sources: all };
  result.stderr = new Float64Array(n);
}
