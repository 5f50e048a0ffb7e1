import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../src/graph/builder.js';
import { seededRandom } from '../src/influence/centrality/rng.js';
import { compile, indexOf, type CompiledGraph } from '../src/graph/compile.js';
import {
  betweenness, betweennessPartial, centrality, closeness, closenessPartial, degreeCentrality, eigenvector, harmonic, hits,
  kcore, louvain, modularity, pagerank, rescaleBetweenness, sumPartials, topScores, weightedDegree, CENTRALITY_METRICS,
} from '../src/influence/centrality/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.join(here, 'fixtures', 'centrality');
const sharedData = path.resolve(here, '../../shared/data');

interface Fixture {
  directed: boolean;
  nodes: string[];
  edges?: [string, string, number?][];
  sampleSources: string[];
  metrics: Record<string, Record<string, number>>;
  partitions: { name: string; communities: string[][]; modularity: number; modularityWeighted?: number }[];
}

function load(name: string): Fixture {
  return JSON.parse(readFileSync(path.join(fixtures, `${name}.json`), 'utf8')) as Fixture;
}

function build(directed: boolean, nodes: string[], edges: [string, string, number?][]): CompiledGraph {
  const b = new GraphBuilder({ name: 't', directed, source: 'fixture', format: 'edgelist' });
  for (const id of nodes) b.addCustomer(id, {});
  for (const [u, v, w] of edges) b.addTie(u, v, w === undefined ? {} : { weight: w });
  return compile(b.finish().data);
}

/** Every customer's score equals networkx's to `tol` (relative to max(1, |expected|)). */
function expectClose(g: CompiledGraph, scores: Float64Array, expected: Record<string, number>, tol = 1e-6): void {
  expect(scores.length).toBe(g.n);
  expect(Object.keys(expected).length).toBe(g.n);
  let worst = 0;
  let where = '';
  for (const [id, want] of Object.entries(expected)) {
    const i = indexOf(g, id);
    expect(i, `customer ${id}`).toBeGreaterThanOrEqual(0);
    const err = Math.abs(scores[i] - want) / Math.max(1, Math.abs(want));
    if (!(err <= worst)) {
      worst = err;
      where = `${id}: got ${scores[i]}, networkx ${want}`;
    }
  }
  expect(worst, where).toBeLessThanOrEqual(tol);
}

function communitiesOf(g: CompiledGraph, parts: string[][]): Int32Array {
  const c = new Int32Array(g.n).fill(-1);
  parts.forEach((members, k) => members.forEach((id) => (c[indexOf(g, id)] = k)));
  return c;
}

interface Case {
  name: string;
  fixture: Fixture;
  graph: CompiledGraph;
  weighted: boolean;
}

function cases(): Case[] {
  const out: Case[] = [];
  const karate = load('karate');
  out.push({ name: 'karate', fixture: karate, graph: build(false, karate.nodes, karate.edges!), weighted: false });
  const d30 = load('directed30');
  out.push({ name: 'directed30', fixture: d30, graph: build(true, d30.nodes, d30.edges!), weighted: true });
  const lesmisFile = path.join(sharedData, 'lesmis', 'lesmis.weighted.edgelist');
  if (existsSync(lesmisFile)) {
    const lesmis = load('lesmis');
    const edges = readFileSync(lesmisFile, 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#'))
      .map((l) => { const [u, v, w] = l.trim().split(/\s+/); return [u, v, Number(w)] as [string, string, number]; });
    out.push({ name: 'lesmis', fixture: lesmis, graph: build(false, lesmis.nodes, edges), weighted: true });
  } else {
    console.log(`centrality: skipping the lesmis comparisons: ${lesmisFile} not found`);
  }
  return out;
}

for (const c of cases()) {
  const { graph: g, fixture: f } = c;
  const nx = f.metrics;
  describe(`centrality vs networkx 3.6: ${c.name}`, () => {
    it('degree, in/out-degree and weighted degree', () => {
      expectClose(g, degreeCentrality(g).scores, nx['degree']);
      if (f.directed) {
        expectClose(g, centrality(g, 'in-degree').scores, nx['in-degree']);
        expectClose(g, centrality(g, 'out-degree').scores, nx['out-degree']);
      }
      expectClose(g, weightedDegree(g).scores, nx['weighted-degree']);
    });

    it('pagerank (same power iteration as networkx; convergence "networkx" stops where it does)', () => {
      const r = pagerank(g, { convergence: 'networkx' });
      expect(r.converged).toBe(true);
      expect(r.convergence).toBe('networkx');
      expectClose(g, r.scores, nx['pagerank'], 1e-9);
      expect(r.scores.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
      if (c.weighted) expectClose(g, pagerank(g, { weighted: true, convergence: 'networkx' }).scores, nx['pagerank-weighted'], 1e-9);
      // the default runs on to the fixed point: further iterations more, within networkx's own error of its answer
      const fixed = pagerank(g);
      expect(fixed.convergence).toBe('fixed-point');
      expect(fixed.iterations).toBeGreaterThan(r.iterations!);
      expect(fixed.residual).toBeLessThanOrEqual(1e-14);
      expectClose(g, fixed.scores, nx['pagerank'], 1e-4);
    });

    it('betweenness: exact, raw, weighted, sampled with given sources', () => {
      expectClose(g, betweenness(g).scores, nx['betweenness']);
      expectClose(g, betweenness(g, { normalized: false }).scores, nx['betweenness-raw']);
      if (c.weighted) expectClose(g, betweenness(g, { weighted: true }).scores, nx['betweenness-weighted']);
      const sources = Int32Array.from(f.sampleSources.map((id) => indexOf(g, id)));
      const s = betweenness(g, { sources });
      expect(s.sample?.k).toBe(sources.length);
      expectClose(g, s.scores, nx['betweenness-sampled']);
      expectClose(g, betweenness(g, { sources, normalized: false }).scores, nx['betweenness-sampled-raw']);
    });

    it('closeness (Wasserman–Faust and plain) and harmonic, hop and weighted distances', () => {
      expectClose(g, closeness(g).scores, nx['closeness']);
      expectClose(g, closeness(g, { wfImproved: false }).scores, nx['closeness-no-wf']);
      expectClose(g, harmonic(g).scores, nx['harmonic']);
      if (c.weighted) {
        expectClose(g, closeness(g, { weighted: true }).scores, nx['closeness-weighted']);
        expectClose(g, harmonic(g, { weighted: true }).scores, nx['harmonic-weighted']);
      }
    });

    it('eigenvector (same iteration as networkx), HITS hubs and authorities', () => {
      const e = eigenvector(g, { convergence: 'networkx' });
      expect(e.converged).toBe(true);
      expectClose(g, e.scores, nx['eigenvector'], 1e-9);
      if (c.weighted) expectClose(g, eigenvector(g, { weighted: true, convergence: 'networkx' }).scores, nx['eigenvector-weighted'], 1e-9);
      // networkx's hits is ARPACK (converged): the fixed point agrees with it
      const h = hits(g);
      expect(h.converged).toBe(true);
      expectClose(g, h.hubs, nx['hub']);
      expectClose(g, h.authorities, nx['authority']);
      if (c.weighted) {
        const hw = hits(g, { weighted: true });
        expectClose(g, hw.hubs, nx['hub-weighted']);
        expectClose(g, hw.authorities, nx['authority-weighted']);
      }
    });

    it('k-core numbers', () => {
      expectClose(g, kcore(g).scores, nx['kcore'], 0);
    });

    it('modularity equals networkx on the same partitions; louvain is seeded and good', () => {
      for (const p of f.partitions) {
        const comm = communitiesOf(g, p.communities);
        expect(modularity(g, comm)).toBeCloseTo(p.modularity, 10);
        if (p.modularityWeighted !== undefined) expect(modularity(g, comm, { weighted: true })).toBeCloseTo(p.modularityWeighted, 10);
      }
      const a = louvain(g, { seed: 7, weighted: c.weighted });
      const b = louvain(g, { seed: 7, weighted: c.weighted });
      expect(Array.from(a.scores)).toEqual(Array.from(b.scores));
      expect(a.communities).toBe(new Set(a.scores).size);
      expect(a.modularity).toBeCloseTo(modularity(g, Int32Array.from(a.scores), { weighted: c.weighted }), 12);
      // Louvain should get within a few percent of networkx's own Louvain partition.
      const nxLouvain = f.partitions.find((p) => p.name === 'louvain-nx-seed1')!;
      const ref = c.weighted && nxLouvain.modularityWeighted !== undefined ? modularity(g, communitiesOf(g, nxLouvain.communities), { weighted: true }) : nxLouvain.modularity;
      expect(a.modularity!).toBeGreaterThan(ref - 0.03);
    });
  });
}

describe('centrality: kernels split over sources add up', () => {
  const karate = load('karate');
  const g = build(false, karate.nodes, karate.edges!);
  const d30 = load('directed30');
  const d = build(true, d30.nodes, d30.edges!);

  it('betweenness partials over ranges and lists sum to the exact answer', () => {
    for (const graph of [g, d]) {
      for (const weighted of [false, true]) {
        const whole = betweenness(graph, { weighted }).scores;
        const cut = Math.floor(graph.n / 3);
        const parts = [
          betweennessPartial(graph, { from: 0, to: cut }, { weighted }),
          betweennessPartial(graph, { from: cut, to: graph.n }, { weighted }),
        ];
        const summed = rescaleBetweenness(sumPartials(parts), graph, true);
        for (let i = 0; i < graph.n; i++) expect(summed[i]).toBeCloseTo(whole[i], 12);
      }
    }
  });

  it('batched betweenness (32 searches per multi-source BFS) equals the one-source kernel', () => {
    // seeded random graphs: sparse and dense, directed and not, a long path (deep levels), isolated customers
    const rand = seededRandom(5);
    const random = (directed: boolean, n: number, ties: number): CompiledGraph => {
      const edges: [string, string][] = [];
      for (let j = 0; j < ties; j++) edges.push([`c${Math.floor(rand() * n)}`, `c${Math.floor(rand() * n)}`]);
      for (let j = 0; j < 40; j++) edges.push([`p${j}`, `p${j + 1}`]);
      return build(directed, [...Array.from({ length: n }, (_, i) => `c${i}`), 'alone'], edges);
    };
    const graphs = [g, d, random(false, 150, 400), random(true, 150, 900), random(false, 100, 2000)];
    for (const graph of graphs) {
      const all = { from: 0, to: graph.n };
      const one = betweennessPartial(graph, all, { kernel: 'single' });
      const batched = betweennessPartial(graph, all, { kernel: 'batched' });
      expect(Array.from(betweennessPartial(graph, all)), 'batched is the default').toEqual(Array.from(batched));
      for (let i = 0; i < graph.n; i++) expect(batched[i]).toBeCloseTo(one[i], 9);
      // an explicit list with a repeated source (two searches from one customer in one batch) and its squares
      const list = Int32Array.from([3, 7, 3, graph.n - 1, 0, 11]);
      const [sqOne, sqBatched] = [new Float64Array(graph.n), new Float64Array(graph.n)];
      const a = betweennessPartial(graph, list, { kernel: 'single', squares: sqOne });
      const b = betweennessPartial(graph, list, { kernel: 'batched', squares: sqBatched });
      for (let i = 0; i < graph.n; i++) {
        expect(b[i]).toBeCloseTo(a[i], 9);
        expect(sqBatched[i]).toBeCloseTo(sqOne[i], 6);
      }
    }
  });

  it('pagerank: conjugate gradients (the undirected default) reach the power iteration\'s fixed point in fewer sweeps', () => {
    const rand = seededRandom(9);
    const edges: [string, string, number][] = [];
    for (let j = 0; j < 1600; j++) edges.push([`c${Math.floor(rand() * 400)}`, `c${Math.floor(rand() * 400)}`, 1 + Math.floor(rand() * 5)]);
    const graph = build(false, [...Array.from({ length: 400 }, (_, i) => `c${i}`), 'alone'], edges);
    for (const weighted of [false, true]) {
      const cg = pagerank(graph, { weighted });
      const pw = pagerank(graph, { weighted, solver: 'power' });
      expect(cg).toMatchObject({ converged: true, convergence: 'fixed-point', tolerance: 1e-14 });
      expect(pw.converged).toBe(true);
      expect(cg.residual).toBeLessThanOrEqual(1e-14);
      expect(cg.iterations).toBeLessThan(pw.iterations!);
      let worstRel = 0;
      for (let i = 0; i < graph.n; i++) worstRel = Math.max(worstRel, Math.abs(cg.scores[i] - pw.scores[i]) / pw.scores[i]);
      expect(worstRel).toBeLessThan(1e-10);
      expect(cg.scores.reduce((a, x) => a + x, 0)).toBeCloseTo(1, 13);
    }
    // an iteration cap counts the CG sweeps; directed graphs and the networkx setting keep the power iteration
    expect(pagerank(graph, { maxIterations: 4 })).toMatchObject({ iterations: 4, converged: false });
    expect(Array.from(pagerank(d).scores)).toEqual(Array.from(pagerank(d, { solver: 'power' }).scores));
    expect(Array.from(pagerank(g, { convergence: 'networkx' }).scores)).toEqual(Array.from(pagerank(g, { convergence: 'networkx', solver: 'power' }).scores));
  });

  it('bit-parallel BFS closeness/harmonic equals the Dijkstra path with unit lengths', () => {
    for (const graph of [g, d]) {
      for (const measure of ['closeness', 'harmonic'] as const) {
        const a = closenessPartial(graph, { from: 0, to: graph.n }, { measure });
        const b = closenessPartial(graph, { from: 0, to: graph.n }, { measure, forceDijkstra: true });
        const list = closenessPartial(graph, Int32Array.from([5, 1, 3]), { measure });
        for (let i = 0; i < graph.n; i++) expect(a[i]).toBeCloseTo(b[i], 12);
        for (const i of [5, 1, 3]) expect(list[i]).toBe(a[i]);
        expect(list[0]).toBe(0);
      }
    }
  });

  it('sampled betweenness reports k and seed, is reproducible, and k >= n is exact', () => {
    const r1 = betweenness(g, { k: 10, seed: 42 });
    const r2 = betweenness(g, { k: 10, seed: 42 });
    expect(r1.sample).toMatchObject({ k: 10, seed: 42 });
    expect(new Set(r1.sample!.sources).size).toBe(10);
    expect(Array.from(r1.scores)).toEqual(Array.from(r2.scores));
    expect(Array.from(betweenness(g, { k: 10, seed: 43 }).sample!.sources)).not.toEqual(Array.from(r1.sample!.sources));
    const exact = betweenness(g);
    expect(Array.from(betweenness(g, { k: g.n }).scores)).toEqual(Array.from(exact.scores));
    // k >= n: the exact computation, reported as the full sample (k = n, the seed) with a standard error of 0
    expect(betweenness(g, { k: g.n }).sample).toMatchObject({ k: g.n, seed: 1 });
    expect(betweenness(g, { k: g.n }).stderr!.every((x) => x === 0)).toBe(true);
    expect(exact.sample).toBeUndefined();
    // k = 1: networkx gives NaN to the source; we give its true raw score, 0.
    const one = betweenness(g, { k: 1, seed: 3 });
    expect(one.scores.every((x) => Number.isFinite(x))).toBe(true);
    expect(one.scores[one.sample!.sources[0]]).toBe(0);
  });

  it('cancels through an AbortSignal', () => {
    const ac = new AbortController();
    ac.abort();
    expect(() => betweenness(g, { signal: ac.signal })).toThrow(/cancelled/);
    expect(() => closeness(g, { signal: ac.signal })).toThrow(/cancelled/);
  });
});

describe('centrality: edge cases are answers (as networkx, never NaN)', () => {
  const one = build(false, ['solo'], []);
  const two = build(true, ['a', 'b'], [['a', 'b']]);
  const isolated = build(false, ['a', 'b', 'c'], []);
  const split = build(false, ['a', 'b', 'c', 'd'], [['a', 'b'], ['c', 'd']]);

  it('a graph of one customer', () => {
    expect(Array.from(degreeCentrality(one).scores)).toEqual([1]); // networkx: 1
    expect(Array.from(pagerank(one).scores)).toEqual([1]);
    expect(Array.from(betweenness(one).scores)).toEqual([0]);
    expect(Array.from(closeness(one).scores)).toEqual([0]);
    expect(Array.from(harmonic(one).scores)).toEqual([0]);
    expect(eigenvector(one).scores[0]).toBeCloseTo(1, 12);
    expect(Array.from(kcore(one).scores)).toEqual([0]);
    expect(louvain(one).communities).toBe(1);
  });

  it('customers without ties: uniform PageRank, zero distances, no NaN anywhere', () => {
    expect(Array.from(pagerank(isolated).scores)).toEqual([1 / 3, 1 / 3, 1 / 3]);
    for (const metric of CENTRALITY_METRICS) {
      const r = centrality(isolated, metric);
      expect(r.scores.length).toBe(3);
      expect(r.scores.every((x) => Number.isFinite(x)), metric).toBe(true);
    }
    expect(Array.from(closeness(isolated).scores)).toEqual([0, 0, 0]);
  });

  it('two customers and a split graph', () => {
    expect(Array.from(betweenness(two).scores)).toEqual([0, 0]);
    // directed a -> b: closeness uses incoming distances (networkx): b is reached by a
    expect(Array.from(closeness(two).scores)).toEqual([0, 1]);
    // two components of two: Wasserman–Faust (1/1)·(1/3)
    for (const x of closeness(split).scores) expect(x).toBeCloseTo(1 / 3, 15);
    expect(Array.from(harmonic(split).scores)).toEqual([1, 1, 1, 1]);
    for (const metric of CENTRALITY_METRICS) {
      for (const graph of [two, split]) expect(centrality(graph, metric).scores.every((x) => Number.isFinite(x)), metric).toBe(true);
    }
  });

  it('unknown metric names are a clear 400', () => {
    expect(() => centrality(two, '__proto__')).toThrow(/unknown metric/);
  });

  it('topScores ranks by score, ties by index', () => {
    const t = topScores(Float64Array.from([0.1, 0.5, 0.5, 0.2]), 3);
    expect(t).toEqual([{ index: 1, score: 0.5, rank: 1 }, { index: 2, score: 0.5, rank: 2 }, { index: 3, score: 0.2, rank: 3 }]);
  });
});
