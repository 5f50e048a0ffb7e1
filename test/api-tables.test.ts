import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { answerCsv } from '../src/api/tables.js';
import { buildTestApp } from './helper.js';

/** `Accept: text/csv` / `?format=csv` on centrality, value, customer value and influencer answers (and their jobs). */

/** Parse our CSV (no quoted commas in these fixtures): header + rows as objects of strings. */
function csv(text: string): Record<string, string>[] {
  const [head, ...lines] = text.trimEnd().split('\n');
  const cols = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
}

async function star(app: FastifyInstance): Promise<string> {
  const ties = [...[1, 2, 3, 4, 5].map((i) => ({ source: 'hub', target: `a${i}` })), { source: 'a1', target: 'x' }];
  const customers = [{ id: 'hub', value: 50 }, ...[1, 2, 3, 4, 5].map((i) => ({ id: `a${i}`, value: i })), { id: 'x', value: 7 }];
  const res = await app.inject({ method: 'POST', url: '/graphs', payload: { name: 'star', ties, customers } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

describe('CSV answers a DataFrame reads', () => {
  it('centrality: Accept text/csv and ?format=csv give the JSON ranking as rows; JSON stays the default', async () => {
    const { app } = await buildTestApp();
    const id = await star(app);
    const json = await app.inject(`/graphs/${id}/centrality/pagerank?top=all`);
    expect(json.headers['content-type']).toMatch(/application\/json/);
    const top = json.json().top as { id: string; score: number; rank: number }[];
    const viaAccept = await app.inject({ url: `/graphs/${id}/centrality/pagerank?top=all`, headers: { accept: 'text/csv' } });
    expect(viaAccept.statusCode).toBe(200);
    expect(viaAccept.headers['content-type']).toBe('text/csv; charset=utf-8');
    const rows = csv(viaAccept.body);
    expect(Object.keys(rows[0])).toEqual(['rank', 'id', 'score', 'metric']);
    expect(rows.map((r) => [Number(r.rank), r.id, Number(r.score)])).toEqual(top.map((t) => [t.rank, t.id, t.score]));
    const viaQuery = await app.inject(`/graphs/${id}/centrality/pagerank?format=csv&top=all`);
    expect(viaQuery.body).toBe(viaAccept.body);
    // q-values: JSON preferred -> JSON.
    const pref = await app.inject({ url: `/graphs/${id}/centrality/pagerank`, headers: { accept: 'application/json, text/csv;q=0.5' } });
    expect(pref.headers['content-type']).toMatch(/application\/json/);
    // Errors stay problem+json.
    const bad = await app.inject(`/graphs/${id}/centrality/nope?format=csv`);
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
  });

  it('value ranking, one customer\'s value and influencers', async () => {
    const { app } = await buildTestApp();
    const id = await star(app);
    const ranking = await app.inject(`/graphs/${id}/value?top=3&p=0.5&seed=2`);
    const v = csv((await app.inject(`/graphs/${id}/value?top=3&p=0.5&seed=2&format=csv`)).body);
    expect(v).toHaveLength(3);
    const first = ranking.json().top[0];
    expect(v[0]).toEqual({
      rank: '1', id: first.id, own_value: String(first.ownValue), network_value: String(first.networkValue),
      network_ci95_low: String(first.networkCi95[0]), network_ci95_high: String(first.networkCi95[1]), total_value: String(first.totalValue),
      // issue 19: the value-weighted reach under its own name, last (network_* are its deprecated names)
      value_weighted_reach: String(first.valueWeightedReach.mean),
      value_weighted_reach_ci95_low: String(first.valueWeightedReach.ci95[0]), value_weighted_reach_ci95_high: String(first.valueWeightedReach.ci95[1]),
    });
    const one = csv((await app.inject({ url: `/graphs/${id}/customers/hub/value?p=0.5&runs=500`, headers: { accept: 'text/csv' } })).body);
    expect(one.map((r) => r.figure)).toEqual(['own_value', 'network_value', 'total_value', 'reach', 'value_weighted_reach']);
    expect(one[4]).toEqual({ ...one[1], figure: 'value_weighted_reach' });
    expect(one[0]).toMatchObject({ id: 'hub', mean: '50' });
    const inf = await app.inject({ method: 'POST', url: `/graphs/${id}/influencers?format=csv`, payload: { k: 2, method: 'degree', p: 1 } });
    expect(inf.statusCode, inf.body).toBe(200);
    const seeds = csv(inf.body);
    expect(seeds.map((s) => s.id)).toEqual(['hub', 'a1']);
    expect(seeds[1]).toMatchObject({ order: '2', method: 'degree', model: 'ic' });
    expect(Number(seeds[1].cumulative_gain)).toBeCloseTo(Number(seeds[0].gain) + Number(seeds[1].gain), 12);
  });

  it('a finished job answers its result as CSV; the import route keeps its own format parameter', async () => {
    const { app } = await buildTestApp();
    const id = await star(app);
    const accepted = await app.inject(`/graphs/${id}/centrality/degree?async=true&top=all`);
    expect(accepted.statusCode, accepted.body).toBe(202);
    const jobId = accepted.json().job.id as string;
    let job = accepted.json().job;
    for (let i = 0; i < 200 && job.state !== 'succeeded'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      job = (await app.inject(`/jobs/${jobId}`)).json();
    }
    expect(job.state).toBe('succeeded');
    const res = await app.inject({ url: `/jobs/${jobId}`, headers: { accept: 'text/csv' } });
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv(res.body)[0]).toMatchObject({ rank: '1', id: 'hub', metric: 'degree' });
    const imp = await app.inject({ method: 'POST', url: '/graphs/import?format=csv&name=t', headers: { 'content-type': 'text/csv' }, payload: 'source,target\na,b\n' });
    expect(imp.statusCode, imp.body).toBe(201);
    expect(imp.json().report.format).toBe('csv');
  });

  it('large rankings are written in slices from the answer (not from its JSON text in one piece): the same CSV', async () => {
    const { app } = await buildTestApp();
    const n = 15_000; // above the slicing threshold (and LazyRows: made a slice at a time)
    const name = (i: number) => (i === 3 ? 'c3,"q"' : `c${i}`); // one id the CSV must quote
    const ties = Array.from({ length: n }, (_, i) => ({ source: name(i), target: name((i * 7 + 1) % n) }));
    const customers = Array.from({ length: n }, (_, i) => ({ id: name(i), value: i % 11 }));
    const created = await app.inject({ method: 'POST', url: '/graphs', payload: { name: 'wide', ties, customers } });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    for (const [route, url] of [['/graphs/:id/centrality/:metric', `/graphs/${id}/centrality/degree?top=all`], ['/graphs/:id/value', `/graphs/${id}/value?top=6000&rrSets=5000&seed=3`]]) {
      const json = await app.inject(url);
      expect(json.statusCode, json.body.slice(0, 300)).toBe(200);
      const sliced = await app.inject({ url, headers: { accept: 'text/csv' } });
      expect(sliced.statusCode).toBe(200);
      expect(sliced.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(sliced.headers['content-disposition']).toMatch(/attachment; filename="(centrality|value)\.csv"/);
      expect(sliced.body).toBe(answerCsv(route, json.json()));
      if (route.includes('centrality')) expect(sliced.body).toContain('"c3,""q"""'); // every customer is listed there
    }
  });
});
