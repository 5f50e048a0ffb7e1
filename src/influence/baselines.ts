import type { CompiledGraph } from '../graph/compile.js';
import { InputError } from '../errors.js';
import { pagerank } from './centrality/pagerank.js';
import { topK } from '../graph/top-k.js';

/**
 * Baseline seed choices for influence maximisation, for comparison with IMM and CELF. Each returns the
 * k customers in order and the score that ranked them. Ties go to the lower customer index.
 */

export interface BaselineResult {
  seeds: Int32Array;
  /** The score of each seed when it was picked (degree, PageRank, discounted degree). */
  scores: Float64Array;
}

function checkK(fn: string, g: CompiledGraph, k: number): void {
  if (!Number.isInteger(k) || k < 1 || k > g.n) throw new InputError(`${fn}: k must be an integer in [1, ${g.n}] (the number of customers), got ${k}`);
}

/** The k largest scores (ties: lower index first): the engine's one top-k (src/graph/top-k.ts). */
export { topK };

/** Out-degree (the audience of what a customer says: arcs u -> v). */
export function degreeSeeds(g: CompiledGraph, k: number): BaselineResult {
  checkK('degree', g, k);
  const deg = new Float64Array(g.n);
  for (let v = 0; v < g.n; v++) deg[v] = g.outOffsets[v + 1] - g.outOffsets[v];
  const seeds = topK(deg, k);
  return { seeds, scores: Float64Array.from(seeds, (v) => deg[v]) };
}

/**
 * The graph with every arc reversed, as a CompiledGraph (shares the arrays it can). PageRank of the
 * reversed graph ranks customers whose words reach customers whose words reach far — the direction of
 * influence (an arc u -> v means u's voice reaches v). For undirected graphs it is ordinary PageRank.
 */
export function reversed(g: CompiledGraph): CompiledGraph {
  if (!g.directed) return g;
  const { n, m, outOffsets, outTargets, inArc } = g;
  // Reversed out-arc q (= original in-arc position q) ; reversed in-arc position a (= original out-arc a).
  const revInArc = new Int32Array(m);
  for (let q = 0; q < m; q++) revInArc[inArc[q]] = q;
  const revSources = new Int32Array(m);
  for (let u = 0; u < n; u++) for (let a = outOffsets[u]; a < outOffsets[u + 1]; a++) revSources[a] = outTargets[a];
  let arcWeight: Float32Array | null = null;
  if (g.arcWeight) {
    arcWeight = new Float32Array(m);
    for (let q = 0; q < m; q++) arcWeight[q] = g.arcWeight[inArc[q]];
  }
  return {
    ...g,
    outOffsets: g.inOffsets, outTargets: g.inSources,
    inOffsets: outOffsets, inSources: revSources, inArc: revInArc,
    arcWeight, arcP: null,
  };
}

/** Top k by PageRank (networkx definition, damping 0.85) of the reversed graph — see `reversed`. */
export function pagerankSeeds(g: CompiledGraph, k: number): BaselineResult {
  checkK('pagerank', g, k);
  const pr = pagerank(reversed(g)).scores;
  const seeds = topK(pr, k);
  return { seeds, scores: Float64Array.from(seeds, (v) => pr[v]) };
}

/**
 * DegreeDiscountIC (Chen, Wang, Yang, "Efficient influence maximization in social networks", KDD 2009):
 * dd_v = d_v − 2t_v − (d_v − t_v)·t_v·p, with d_v the out-degree and t_v the number of already chosen
 * seeds among v's in-neighbours (the customers whose voice reaches v). For undirected graphs this is the
 * paper's formula exactly; for directed graphs it is the natural reading (a chosen seed u discounts the
 * customers it reaches). `p` is the uniform IC probability the formula assumes. O(k·n + Σ out-degree).
 */
export function degreeDiscountSeeds(g: CompiledGraph, k: number, p: number): BaselineResult {
  checkK('degree-discount', g, k);
  if (!(p >= 0 && p <= 1)) throw new InputError(`degree-discount: p must be in [0, 1], got ${p}`);
  const { n, outOffsets, outTargets } = g;
  const d = new Float64Array(n);
  const dd = new Float64Array(n);
  const t = new Float64Array(n);
  const chosen = new Uint8Array(n);
  for (let v = 0; v < n; v++) dd[v] = d[v] = outOffsets[v + 1] - outOffsets[v];
  const seeds = new Int32Array(k);
  const scores = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let best = -1;
    for (let v = 0; v < n; v++) if (!chosen[v] && (best < 0 || dd[v] > dd[best])) best = v;
    seeds[i] = best;
    scores[i] = dd[best];
    chosen[best] = 1;
    for (let a = outOffsets[best]; a < outOffsets[best + 1]; a++) {
      const v = outTargets[a];
      if (chosen[v]) continue;
      t[v] += 1;
      dd[v] = d[v] - 2 * t[v] - (d[v] - t[v]) * t[v] * p;
    }
  }
  return { seeds, scores };
}
