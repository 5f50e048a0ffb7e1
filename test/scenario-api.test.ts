import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import { buildTestApp } from './helper.js';
import { deref } from './openapi-contract.js';
import { compile } from '../src/graph/compile.js';
import { GraphBuilder } from '../src/graph/builder.js';
import { runScenarioRequest } from '../src/scenarios/index.js';
import {
  COMPARE_EXAMPLE, compareResultSchema, REPORT_EXAMPLE, RISKIEST_EXAMPLE, riskiestResultSchema, scenarioReportSchema,
} from '../src/api/routes/scenarios.js';

const GRAPH = {
  name: 'scenario graph',
  directed: false,
  currency: 'GBP',
  customers: [
    { id: 'a', value: 50, followers: 100, activity: 0.9 },
    { id: 'b', value: 10 },
    { id: 'c', value: 5 },
    { id: 'd' },
    { id: 'e', value: 20 },
  ],
  ties: [
    { source: 'a', target: 'b' }, { source: 'b', target: 'c' }, { source: 'c', target: 'd' }, { source: 'd', target: 'a' },
    { source: 'b', target: 'd' }, { source: 'd', target: 'e' },
  ],
};

function expectProblem(res: LightMyRequestResponse, status: number, detail?: RegExp) {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const p = res.json();
  if (detail) expect(p.detail).toMatch(detail);
  return p as { detail: string; errors?: { path: string; message: string }[] };
}

async function setup() {
  const t = await buildTestApp();
  const created = await t.app.inject({ method: 'POST', url: '/graphs', payload: GRAPH });
  expect(created.statusCode).toBe(201);
  return { ...t, id: created.json().id as string };
}

describe('POST /graphs/:id/scenarios', () => {
  it('answers a single scenario: the same JSON as the library call, currency from the graph', async () => {
    const { app, id } = await setup();
    const body = { customer: 'a', p: 0.4, runs: 500, seed: 3, response: { atStep: 1, effectiveness: 0.5, public: true } };
    const res = await app.inject({ method: 'POST', url: `/graphs/${id}/scenarios`, payload: body });
    expect(res.statusCode).toBe(200);
    const r = res.json();
    expect(r.money.currency).toBe('GBP');
    expect(r.assumptions).toMatchObject({ customers: ['a'], p: 0.4, runs: 500, seed: 3, impact: { churnIfNegative: 0.05, upliftIfPositive: 0.02, currency: 'GBP' } });
    // the same numbers as calling the library on the same graph
    const b = new GraphBuilder({ name: 'x', directed: false, source: 't', format: 'json' });
    for (const c of GRAPH.customers) b.addCustomer(c.id, c);
    for (const t of GRAPH.ties) b.addTie(t.source, t.target, {});
    const direct = (await runScenarioRequest(compile(b.finish().data), body, { currency: 'GBP' })) as unknown as Record<string, unknown>;
    expect(r).toMatchObject({ graphId: expect.stringMatching(/^g_/), graphVersion: 1 });
    expect({ ...r, elapsedMs: 0 }).toEqual(JSON.parse(JSON.stringify({ ...direct, elapsedMs: 0, graphId: r.graphId, graphVersion: 1 })));
  });

  it('compare mode: variants with paired differences', async () => {
    const { app, id } = await setup();
    const res = await app.inject({
      method: 'POST', url: `/graphs/${id}/scenarios`,
      payload: { customer: 'a', p: 0.4, runs: 400, variants: [{ name: 'no answer', response: null }, { name: 'same', response: null }, { name: 'praise', experience: 'positive' }] },
    });
    expect(res.statusCode).toBe(200);
    const c = res.json();
    expect(c.variants.map((v: { name: string }) => v.name)).toEqual(['no answer', 'same', 'praise']);
    expect(c.differences).toHaveLength(2);
    expect(c.differences[0]).toMatchObject({ from: 'no answer', to: 'same', negative: { mean: 0, ci95: [0, 0] }, money: { net: { mean: 0, ci95: [0, 0] } } });
    expect(c.differences[1].negative.mean).toBeLessThan(0);
    expect(c.differences[1].negative.relative.mean).toBe(-1);
  });

  it('riskiest: candidates ranked by money at risk', async () => {
    const { app, id } = await setup();
    const res = await app.inject({ method: 'POST', url: `/graphs/${id}/scenarios/riskiest`, payload: { top: 3, runs: 300, rrSets: 2000 } });
    expect(res.statusCode).toBe(200);
    const r = res.json();
    expect(r.candidates).toBe('value');
    expect(r.top).toHaveLength(3);
    const risks = r.top.map((e: { money: { atRisk: { mean: number } } }) => e.money.atRisk.mean);
    expect([...risks].sort((x, y) => y - x)).toEqual(risks);
    const given = await app.inject({ method: 'POST', url: `/graphs/${id}/scenarios/riskiest`, payload: { candidates: ['e', 'a'], runs: 200 } });
    expect(given.json().top.map((e: { id: string }) => e.id).sort()).toEqual(['a', 'e']);
  });

  it('unknown customer or graph: 404; bad bodies: 400 with field paths', async () => {
    const { app, id } = await setup();
    expectProblem(await app.inject({ method: 'POST', url: `/graphs/${id}/scenarios`, payload: { customer: 'zz' } }), 404, /customer "zz" is not in the graph/);
    expectProblem(await app.inject({ method: 'POST', url: `/graphs/${id}/scenarios`, payload: { customer: 'a', variants: [{ name: 'x', customer: 'nope' }] } }), 404, /"nope"/);
    expectProblem(await app.inject({ method: 'POST', url: `/graphs/${id}/scenarios/riskiest`, payload: { candidates: ['zz'] } }), 404);
    expectProblem(await app.inject({ method: 'POST', url: '/graphs/g_nope/scenarios', payload: { customer: 'a' } }), 404);
    // {} passes the body schema (customer and customers are both optional) and fails the one-of rule: it still lists its field.
    const empty = expectProblem(await app.inject({ method: 'POST', url: `/graphs/${id}/scenarios`, payload: {} }), 400);
    expect(empty.errors).toEqual([{ path: 'customer', message: expect.stringMatching(/exactly one/) }]);
    const bad = expectProblem(await app.inject({ method: 'POST', url: `/graphs/${id}/scenarios`, payload: { customer: 'a', p: 2, bogus: 1 } }), 400);
    expect(JSON.stringify(bad.errors)).toMatch(/p/);
    expectProblem(await app.inject({ method: 'POST', url: `/graphs/${id}/scenarios`, payload: { customer: 'a', customers: ['b'] } }), 400, /exactly one/);
    expectProblem(await app.inject({ method: 'POST', url: `/graphs/${id}/scenarios`, payload: {} }), 400, /exactly one/);
  });

  it('is documented in OpenAPI with operation ids, tags and examples', async () => {
    const { app } = await setup();
    const doc = (await app.inject('/openapi.json')).json();
    const single = doc.paths['/graphs/{id}/scenarios'].post;
    const riskiest = doc.paths['/graphs/{id}/scenarios/riskiest'].post;
    expect(single.operationId).toBe('runScenario');
    expect(riskiest.operationId).toBe('riskiestCustomers');
    expect(single.tags).toEqual(['scenarios']);
    expect(JSON.stringify(deref(doc, single.requestBody))).toMatch(/negativityBias/);
    expect(JSON.stringify(deref(doc, single.requestBody))).toMatch(/"example/);
    expect(JSON.stringify(deref(doc, single.responses['200']))).toMatch(/timeToPeak/);
    expect(doc.tags.map((t: { name: string }) => t.name)).toContain('scenarios');
  });

  it('the documented examples satisfy the response schemas', () => {
    expect(scenarioReportSchema.safeParse(REPORT_EXAMPLE).success).toBe(true);
    expect(compareResultSchema.safeParse(COMPARE_EXAMPLE).success).toBe(true);
    expect(riskiestResultSchema.safeParse(RISKIEST_EXAMPLE).success).toBe(true);
  });
});
