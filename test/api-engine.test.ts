import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import { simulate } from '../src/diffusion/index.js';
import { computeCentrality, topScores } from '../src/influence/centrality/index.js';
import { findInfluencers } from '../src/influence/influencers.js';
import { customerValue, rankValues } from '../src/influence/value.js';
import { buildTestApp } from './helper.js';
import { deref } from './openapi-contract.js';

/** Engine and influence over HTTP: every route, exact numbers against the library called directly. */

function expectProblem(res: LightMyRequestResponse, status: number, path?: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const p = res.json() as { detail: string; errors?: { path: string; message: string }[] };
  if (path) expect(p.errors?.map((e) => e.path), p.detail).toContain(path);
  return p;
}

/** A directed graph: a path a->b->c->d, a star from h to s1..s5, an isolated pair x->y; values and one explicit p. */
function testGraph() {
  const ties = [
    { source: 'a', target: 'b', p: 0.9 }, { source: 'b', target: 'c' }, { source: 'c', target: 'd' },
    ...[1, 2, 3, 4, 5].map((i) => ({ source: 'h', target: `s${i}` })),
    { source: 'x', target: 'y' }, { source: 'a', target: 'h' },
  ];
  return {
    name: 'engine', directed: true,
    customers: [
      { id: 'a', value: 10 }, { id: 'b', value: 2 }, { id: 'c' }, { id: 'd' }, { id: 'h', value: 5 },
      ...[1, 2, 3, 4, 5].map((i) => ({ id: `s${i}`, value: i })), { id: 'x' }, { id: 'y' },
    ],
    ties,
  };
}

async function withGraph(env: Record<string, string> = {}) {
  const t = await buildTestApp({ RIPPLE_WORKERS: '2', ...env });
  const res = await t.app.inject({ method: 'POST', url: '/graphs', payload: testGraph() });
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json().id as string;
  const { graph } = await t.app.ripple.cache.get(id);
  return { ...t, id, graph };
}

/** Drop timings and the graph stamp (graphId, graphVersion: checked here, absent from library results). */
const noElapsed = (o: Record<string, unknown>) => {
  const { elapsedMs: _e, selectionMs: _s, graphId, graphVersion, ...rest } = o;
  if (graphId !== undefined) {
    expect(graphId).toMatch(/^g_[0-9a-f]{16}$/);
    expect(graphVersion).toBe(1);
  }
  return rest;
};

async function post(app: FastifyInstance, url: string, payload: unknown) {
  return app.inject({ method: 'POST', url, payload: payload as Record<string, unknown> });
}

describe('POST /graphs/:id/simulations', () => {
  it('answers the same JSON as simulate() called directly (every model), on the worker pool', async () => {
    const { app, id, graph } = await withGraph();
    const requests = [
      { model: 'ic', seeds: ['a'], runs: 2000, seed: 7, p: 0.3 },
      { model: 'ic', seeds: ['a', 'h'], runs: 500, seed: 3, probability: 'attribute', p: 0.5 },
      { model: 'lt', seeds: ['a'], runs: 500, seed: 5 },
      { model: 'sir', seeds: ['h'], runs: 300, seed: 9, beta: 0.5, gamma: 0.5 },
      { model: 'voice', seeds: ['a'], runs: 400, seed: 11, p: 0.4, response: { atStep: 1, effectiveness: 0.5, public: true } },
    ];
    for (const r of requests) {
      const res = await post(app, `/graphs/${id}/simulations`, r);
      expect(res.statusCode, res.body).toBe(200);
      const direct = await simulate(graph, r as never);
      expect(noElapsed(res.json())).toEqual(noElapsed(JSON.parse(JSON.stringify(direct))));
    }
    expect(app.ripple.pool!.started).toBeGreaterThan(0); // the route ran on the workers; simulate() above in-thread
  });

  it('IC on the path a->b->c->d matches 1 + p1 + p1·p + p1·p² (p1 = the tie p 0.9 with attribute)', async () => {
    const { app, id } = await withGraph();
    // From b: path b->c->d with p = 0.5 -> 1 + 0.5 + 0.25 = 1.75.
    const res = await post(app, `/graphs/${id}/simulations`, { model: 'ic', seeds: ['b'], runs: 20000, seed: 1, p: 0.5 });
    const { reach } = res.json();
    expect(Math.abs(reach.mean - 1.75)).toBeLessThan(4 * reach.stderr);
    expect(reach.min).toBe(1);
    expect(reach.max).toBe(3);
  });

  it('errors: 404 graph and seed, 400 with field paths, 400 for LT in-sums above 1 (DESIGN §3)', async () => {
    const { app, id } = await withGraph();
    expectProblem(await post(app, '/graphs/g_nope/simulations', { model: 'ic', seeds: ['a'] }), 404);
    const p = expectProblem(await post(app, `/graphs/${id}/simulations`, { model: 'ic', seeds: ['nobody'] }), 404);
    expect(p.detail).toMatch(/nobody/);
    expectProblem(await post(app, `/graphs/${id}/simulations`, { model: 'ic', seeds: ['a'], p: 1.5 }), 400, 'body.p');
    expectProblem(await post(app, `/graphs/${id}/simulations`, { model: 'ic', seeds: [] }), 400, 'body.seeds');
    expectProblem(await post(app, `/graphs/${id}/simulations`, { model: 'zz', seeds: ['a'] }), 400);
    expectProblem(await post(app, `/graphs/${id}/simulations`, { model: 'ic', seeds: ['a'], runs: 0 }), 400, 'body.runs');
    // c has in-arcs from b only; with a uniform b = 0.6 every in-sum is 0.6 except... make it > 1: two in-arcs into one node.
    const g2 = await post(app, '/graphs', { name: 'lt', directed: true, ties: [{ source: 'u', target: 'w', p: 0.7 }, { source: 'v', target: 'w', p: 0.6 }] });
    expectProblem(await post(app, `/graphs/${g2.json().id}/simulations`, { model: 'lt', seeds: ['u'], probability: 'attribute' }), 400);
    // The same rejections when the work would be a job.
    expectProblem(await post(app, `/graphs/${id}/simulations?async=true`, { model: 'ic', seeds: ['nobody'] }), 404);
    expectProblem(await post(app, `/graphs/${g2.json().id}/simulations?async=true`, { model: 'lt', seeds: ['u'], probability: 'attribute' }), 400);
    expectProblem(await post(app, `/graphs/${id}/simulations?async=maybe`, { model: 'ic', seeds: ['a'] }), 400, 'query.async');
  });
});

describe('GET /graphs/:id/centrality/:metric', () => {
  it('lists the top customers as computeCentrality does, caches per version, shows scores on the customer', async () => {
    const { app, id, graph } = await withGraph();
    const res = await app.inject(`/graphs/${id}/centrality/pagerank?top=3`);
    expect(res.statusCode, res.body).toBe(200);
    const direct = await computeCentrality(graph, 'pagerank', { cache: false });
    const expected = topScores(direct.scores, 3).map((t) => ({ id: graph.ids[t.index], score: t.score, rank: t.rank }));
    const body = res.json();
    expect(body).toMatchObject({ graphId: id, version: 1, metric: 'pagerank', customers: 12, top: expected, cached: false, converged: true });
    expect(app.ripple.centrality.computed).toBe(1);

    const again = (await app.inject(`/graphs/${id}/centrality/pagerank?top=3`)).json();
    expect(again.cached).toBe(true);
    expect(again.top).toEqual(expected);
    expect(app.ripple.centrality.computed).toBe(1);

    // Another option is another entry; `all` lists everyone.
    const all = (await app.inject(`/graphs/${id}/centrality/pagerank?top=all&alpha=0.5`)).json();
    expect(all.top).toHaveLength(12);
    expect(all.options).toEqual({ alpha: 0.5 });
    expect(app.ripple.centrality.computed).toBe(2);

    const bt = (await app.inject(`/graphs/${id}/centrality/betweenness?top=2`)).json();
    const dbt = await computeCentrality(graph, 'betweenness', { cache: false });
    expect(bt.top[0]).toEqual({ id: graph.ids[topScores(dbt.scores, 1)[0].index], score: topScores(dbt.scores, 1)[0].score, rank: 1 });

    const h = graph.ids.indexOf('h');
    const customer = (await app.inject(`/graphs/${id}/customers/h`)).json();
    expect(customer.centrality).toEqual([
      { metric: 'pagerank', score: direct.scores[h], rank: expect.any(Number) },
      { metric: 'pagerank', score: expect.any(Number), rank: expect.any(Number), options: { alpha: 0.5 } },
      { metric: 'betweenness', score: dbt.scores[h], rank: expect.any(Number) },
    ]);
    // h is the highest-betweenness customer (it relays a's voice to the star).
    expect(customer.centrality[2].rank).toBe(bt.top.findIndex((t: { id: string }) => t.id === 'h') + 1);

    // A new version is a new cache key: nothing shown until computed again.
    await app.inject({ method: 'PUT', url: `/graphs/${id}`, payload: testGraph() });
    expect((await app.inject(`/graphs/${id}/customers/h`)).json().centrality).toBeUndefined();
    expect((await app.inject(`/graphs/${id}/centrality/pagerank?top=3`)).json()).toMatchObject({ version: 2, cached: false });
  });

  it('power iterations: fixed point by default, networkx\'s early stop on request, tolerance and maxIterations honoured', async () => {
    const { app, id, graph } = await withGraph();
    const fixed = (await app.inject(`/graphs/${id}/centrality/pagerank?top=all`)).json();
    expect(fixed).toMatchObject({ converged: true, convergence: 'fixed-point', tolerance: 1e-14 });
    expect(fixed.residual).toBeLessThanOrEqual(1e-14);
    const nx = (await app.inject(`/graphs/${id}/centrality/pagerank?top=all&convergence=networkx`)).json();
    expect(nx).toMatchObject({ converged: true, convergence: 'networkx', tolerance: 1e-6, options: { convergence: 'networkx' } });
    expect(nx.iterations).toBeLessThan(fixed.iterations);
    expect(nx.top).toEqual(topScores((await computeCentrality(graph, 'pagerank', { convergence: 'networkx', cache: false })).scores, 12)
      .map((t) => ({ id: graph.ids[t.index], score: t.score, rank: t.rank })));
    const capped = (await app.inject(`/graphs/${id}/centrality/eigenvector?maxIterations=2&tolerance=1e-3`)).json();
    expect(capped).toMatchObject({ iterations: 2, converged: false, tolerance: 1e-3, options: { maxIterations: 2, tolerance: 1e-3 } });
    const katz = await app.inject(`/graphs/${id}/centrality/katz?alpha=0.05&top=2`);
    expect(katz.statusCode, katz.body).toBe(200);
    expect(katz.json()).toMatchObject({ metric: 'katz', converged: true, convergence: 'fixed-point' });
    // alpha above 1/λmax diverges: a 422 that says so, not a vector of infinities
    const k4 = (await post(app, '/graphs', { name: 'k4', directed: false, ties: [['a', 'b'], ['a', 'c'], ['a', 'd'], ['b', 'c'], ['b', 'd'], ['c', 'd']].map(([source, target]) => ({ source, target })) })).json();
    const diverging = await app.inject(`/graphs/${k4.id}/centrality/katz?alpha=0.5`); // λmax = 3
    expectProblem(diverging, 422);
    expect(diverging.json().detail).toMatch(/diverges for alpha 0\.5: the largest eigenvalue of the graph is about 3\.000.*1\/λmax ≈ 0\.333/);
    expectProblem(await app.inject(`/graphs/${id}/centrality/pagerank?convergence=scipy`), 400, 'query.convergence');
    expectProblem(await app.inject(`/graphs/${id}/centrality/pagerank?tolerance=0`), 400, 'query.tolerance');
    expectProblem(await app.inject(`/graphs/${id}/centrality/pagerank?maxIterations=0`), 400, 'query.maxIterations');
  });

  it('errors: unknown metric, bad top, unknown graph', async () => {
    const { app, id } = await withGraph();
    expectProblem(await app.inject(`/graphs/${id}/centrality/fame`), 400, 'params.metric');
    expectProblem(await app.inject(`/graphs/${id}/centrality/degree?top=0`), 400, 'query.top');
    expectProblem(await app.inject(`/graphs/${id}/centrality/degree?top=ten`), 400, 'query.top');
    expectProblem(await app.inject(`/graphs/${id}/centrality/pagerank?alpha=1.5`), 400, 'query.alpha');
    expectProblem(await app.inject('/graphs/g_nope/centrality/degree'), 404);
  });
});

describe('POST /graphs/:id/influencers', () => {
  it('answers as findInfluencers() does (degree and IMM), with the engine spread', async () => {
    const { app, id, graph } = await withGraph();
    for (const r of [{ k: 2, method: 'degree', runs: 2000 }, { k: 2, method: 'imm', p: 0.5, epsilon: 0.3, runs: 2000 }]) {
      const res = await post(app, `/graphs/${id}/influencers`, r);
      expect(res.statusCode, res.body).toBe(200);
      const direct = await findInfluencers(graph, r);
      expect(noElapsed(res.json())).toEqual(noElapsed(JSON.parse(JSON.stringify(direct))));
    }
    const degree = (await post(app, `/graphs/${id}/influencers`, { k: 1, method: 'degree' })).json();
    expect(degree.seeds.map((s: { id: string }) => s.id)).toEqual(['h']); // out-degree 5
  });

  it('errors: k above n, bad method, unknown field', async () => {
    const { app, id } = await withGraph();
    expectProblem(await post(app, `/graphs/${id}/influencers`, { k: 14 }), 400, 'body.k');
    expectProblem(await post(app, `/graphs/${id}/influencers`, { k: 2, method: 'fame' }), 400, 'body.method');
    expectProblem(await post(app, `/graphs/${id}/influencers`, { k: 2, kk: 1 }), 400);
  });
});

describe('value routes', () => {
  it('GET /graphs/:id/value ranks as rankValues() does; one customer as customerValue()', async () => {
    const { app, id, graph } = await withGraph();
    const res = await app.inject(`/graphs/${id}/value?top=3&rrSets=5000&p=0.5&seed=4`);
    expect(res.statusCode, res.body).toBe(200);
    const direct = await rankValues(graph, { top: 3, rrSets: 5000, p: 0.5, seed: 4 });
    expect(noElapsed(res.json())).toEqual(noElapsed(JSON.parse(JSON.stringify(direct))));
    expect(res.json().top[0].id).toBe('a'); // own 10 + reaches b and h's star

    const one = await app.inject(`/graphs/${id}/customers/h/value?runs=4000&p=0.5&seed=2`);
    expect(one.statusCode, one.body).toBe(200);
    const d1 = await customerValue(graph, 'h', { runs: 4000, p: 0.5, seed: 2 });
    expect(noElapsed(one.json())).toEqual(noElapsed(JSON.parse(JSON.stringify(d1))));
    // h reaches each star leaf with p = 0.5: network value = 0.5·(1+2+3+4+5) = 7.5.
    const nv = one.json().networkValue;
    expect(Math.abs(nv.mean - 7.5)).toBeLessThan(4 * nv.stderr);
    expect(one.json().ownValue).toBe(5);
  });

  it('errors: unknown customer 404, bad query 400 with paths', async () => {
    const { app, id } = await withGraph();
    expectProblem(await app.inject(`/graphs/${id}/customers/zz/value`), 404);
    expectProblem(await app.inject(`/graphs/${id}/value?top=0`), 400, 'query.top');
    expectProblem(await app.inject(`/graphs/${id}/value?top=abc`), 400, 'query.top');
    expectProblem(await app.inject(`/graphs/${id}/value?model=sir`), 400, 'query.model');
    expectProblem(await app.inject(`/graphs/${id}/customers/a/value?runs=-1`), 400, 'query.runs');
    expectProblem(await app.inject('/graphs/g_nope/value'), 404);
  });
});

describe('OpenAPI', () => {
  it('documents every engine route with an operationId, tags, summary and examples', async () => {
    const { app } = await buildTestApp({ RIPPLE_WORKERS: '1' });
    const doc = (await app.inject('/openapi.json')).json();
    const ops = new Map<string, { tags?: string[]; summary?: string }>();
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, { operationId: string; tags?: string[]; summary?: string }>>)) {
      for (const [method, op] of Object.entries(item)) ops.set(op.operationId, { ...op, summary: `${method} ${path} ${op.summary}` });
    }
    for (const id of ['simulate', 'getCentrality', 'findInfluencers', 'rankValues', 'getCustomerValue', 'getJob', 'cancelJob', 'getJobEvents', 'listGraphJobs', 'listJobs']) {
      expect(ops.get(id), id).toBeDefined();
      expect(ops.get(id)!.tags!.length).toBeGreaterThan(0);
      expect(ops.get(id)!.summary).toBeTruthy();
    }
    const sim = doc.paths['/graphs/{id}/simulations'].post;
    expect(JSON.stringify(deref(doc, sim.requestBody))).toMatch(/"examples?"/);
    expect(Object.keys(sim.responses)).toEqual(expect.arrayContaining(['200', '202']));
  });
});
