import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkerPool, workerUrl } from '../src/workers/pool.js';
import { GraphBuilder } from '../src/graph/builder.js';
import { compile, type CompiledGraph } from '../src/graph/compile.js';
import { betweenness, centrality, closeness, computeCentrality, harmonic } from '../src/influence/centrality/index.js';
import { SHARED_PAGERANK_MIN_ARCS } from '../src/influence/centrality/compute.js';
import { pagerankBuffer, pagerankShared } from '../src/influence/centrality/pagerank.js';
import { helpSweeps } from '../src/influence/centrality/pagerank-sweeps.js';
import { barabasiAlbertData } from '../bench/generators.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const built = existsSync(fileURLToPath(workerUrl()));
if (!built) console.log('centrality-pool: skipped: dist/src/workers/worker.js not built (run `npm run build`)');

function karate(): CompiledGraph {
  const f = JSON.parse(readFileSync(path.join(here, 'fixtures', 'centrality', 'karate.json'), 'utf8')) as { edges: [string, string][] };
  const b = new GraphBuilder({ name: 'karate', directed: false, source: 'fixture', format: 'edgelist' });
  for (const [u, v] of f.edges) b.addTie(u, v);
  return compile(b.finish().data);
}

function directed30(): CompiledGraph {
  const f = JSON.parse(readFileSync(path.join(here, 'fixtures', 'centrality', 'directed30.json'), 'utf8')) as { nodes: string[]; edges: [string, string, number][] };
  const b = new GraphBuilder({ name: 'd30', directed: true, source: 'fixture', format: 'edgelist' });
  for (const id of f.nodes) b.addCustomer(id, {});
  for (const [u, v, w] of f.edges) b.addTie(u, v, { weight: w });
  return compile(b.finish().data);
}

describe.skipIf(!built)('centrality on the worker pool', () => {
  const pool = new WorkerPool({ workers: 2 });
  afterAll(() => pool.close());

  it('split-by-source kernels on 2 workers equal the single-thread result', async () => {
    for (const g of [karate(), directed30()]) {
      for (const weighted of [false, true]) {
        const seen: number[] = [];
        const b = await computeCentrality(g, 'betweenness', { pool, weighted, cache: false, onProgress: (d) => seen.push(d) });
        const ref = betweenness(g, { weighted }).scores;
        for (let i = 0; i < g.n; i++) expect(b.scores[i]).toBeCloseTo(ref[i], 12);
        expect(seen.at(-1)).toBe(g.n);
        const c = await computeCentrality(g, 'closeness', { pool, weighted, cache: false });
        expect(Array.from(c.scores)).toEqual(Array.from(closeness(g, { weighted }).scores));
        const h = await computeCentrality(g, 'harmonic', { pool, weighted, cache: false });
        expect(Array.from(h.scores)).toEqual(Array.from(harmonic(g, { weighted }).scores));
      }
    }
  });

  it('sampled betweenness on the pool uses the same sample and scaling', async () => {
    const g = karate();
    const r = await computeCentrality(g, 'betweenness', { pool, k: 9, seed: 5, cache: false });
    const ref = betweenness(g, { k: 9, seed: 5 });
    expect(r.sample?.k).toBe(9);
    expect(Array.from(r.sample!.sources)).toEqual(Array.from(ref.sample!.sources));
    for (let i = 0; i < g.n; i++) expect(r.scores[i]).toBeCloseTo(ref.scores[i], 12);
    // the standard errors come from the workers' sums of squares, the same as on one thread
    for (let i = 0; i < g.n; i++) expect(r.stderr![i]).toBeCloseTo(ref.stderr![i], 12);
  });

  it('whole metrics run in a worker; results are cached per compiled graph', async () => {
    const g = karate();
    const p1 = computeCentrality(g, 'pagerank', { pool });
    const p2 = computeCentrality(g, 'pagerank', { pool });
    expect(p2).toBe(p1);
    expect(Array.from((await p1).scores)).toEqual(Array.from(centrality(g, 'pagerank').scores));
    const l = await computeCentrality(g, 'louvain', { pool, seed: 3 });
    expect(Array.from(l.scores)).toEqual(Array.from(centrality(g, 'louvain', { seed: 3 }).scores));
  });

  it('PageRank on a large graph shares its sweeps between the workers: the single-thread answer, bit for bit', async () => {
    // 3 chunks each (pagerank-sweeps.ts: about 32k arcs + rows per chunk); shared from 0 arcs up here
    const undirected = compile(barabasiAlbertData(8_000, 5, 3));
    const directed = compile({ ...barabasiAlbertData(15_000, 5, 4), directed: true });
    for (const g of [undirected, directed]) {
      for (const options of [{}, { convergence: 'networkx' as const }, { maxIterations: 5, tolerance: 1e-9 }]) {
        const r = await computeCentrality(g, 'pagerank', { pool, cache: false, sharedPagerankMinArcs: 0, ...options });
        const ref = centrality(g, 'pagerank', options);
        expect(Array.from(r.scores)).toEqual(Array.from(ref.scores));
        expect({ ...r, scores: null }).toEqual({ ...ref, scores: null });
      }
    }
    expect(SHARED_PAGERANK_MIN_ARCS).toBeGreaterThan(undirected.m); // by default a graph this small runs in one worker
    // a lead whose helper never comes runs every chunk; a helper whose lead has finished leaves at once
    const buffer = pagerankBuffer(undirected);
    expect(Array.from(pagerankShared(undirected, {}, buffer).scores)).toEqual(Array.from(centrality(undirected, 'pagerank').scores));
    helpSweeps(undirected, buffer, () => false);
  });

  it('an aborted request rejects as cancelled', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(computeCentrality(karate(), 'betweenness', { pool, signal: ac.signal, cache: false })).rejects.toThrow(/cancel/);
  });
});
