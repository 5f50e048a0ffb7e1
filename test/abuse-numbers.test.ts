import { describe, expect, it } from 'vitest';
import { MAX_FOLLOWERS, MAX_VALUE, MAX_WEIGHT, MIN_WEIGHT } from '../src/graph/model.js';
import { startAbuseServer } from './abuse-helper.js';

/** Every number in an answer is finite (JSON has no Infinity/NaN: a serializer would write null or throw). */
function finiteNumbers(v: unknown, path = '$', out: string[] = []): string[] {
  if (typeof v === 'number' && !Number.isFinite(v)) out.push(path);
  else if (Array.isArray(v)) v.forEach((x, i) => finiteNumbers(x, `${path}[${i}]`, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) finiteNumbers(x, `${path}.${k}`, out);
  return out;
}

/** A graph at the edges of every safe range: huge and tiny values, followers and weights, p 0 and 1. */
function extremeGraph(scale = 1) {
  const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
  return {
    name: 'extremes', directed: true, defaultValue: MAX_VALUE,
    customers: ids.map((id, i) => ({ id, value: i % 2 === 0 ? MAX_VALUE : 0, followers: i % 3 === 0 ? MAX_FOLLOWERS : 0, activity: i === 5 ? 0 : 1 })),
    ties: [
      { source: 'a', target: 'b', weight: MAX_WEIGHT * scale, p: 1 }, { source: 'b', target: 'c', weight: MIN_WEIGHT * (scale > 1 ? scale : 1), p: 0 },
      { source: 'a', target: 'c', weight: 1, p: 1 }, { source: 'c', target: 'd', weight: MAX_WEIGHT * scale }, { source: 'd', target: 'e' },
      { source: 'e', target: 'a', weight: MIN_WEIGHT * (scale > 1 ? scale : 1) }, { source: 'e', target: 'f', p: 1 }, { source: 'f', target: 'a' },
    ],
  };
}

/** Abuse class: numbers. Out of range is a 400 with file, line and field; in range, nothing overflows. */
describe('abuse: numbers', () => {
  it('values, followers, weights and p outside the safe range are refused at import with file, line and field', async () => {
    const s = await startAbuseServer();
    const before = await s.snapshot();
    const upload = (name: string, body: string, format: string) =>
      fetch(`${s.url}/graphs/import?format=${format}&name=${name}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body });
    const cases: [string, string, string, RegExp, string][] = [
      ['w.txt', '1 2 1\n2 3 3.5e38\n', 'edgelist', /^w\.txt:2: weight must be a number from 1e-30 to 1e\+30/, 'weight'],
      ['w2.txt', '1 2 1e-50\n', 'edgelist', /^w2\.txt:1: weight/, 'weight'],
      ['hex.txt', '1 2 0x10\n', 'edgelist', /^hex\.txt:1: weight .* got "0x10"/, 'weight'],
      ['inf.txt', '1 2 Infinity\n', 'edgelist', /^inf\.txt:1: weight .* got "Infinity"/, 'weight'],
      ['t.csv', 'source,target,weight,p\na,b,1,0.5\nb,c,1,1.5\n', 'csv', /^t\.csv:3: p must be in \[0, 1\]/, 'p'],
    ];
    for (const [name, body, format, message, field] of cases) {
      const res = await upload(name, body, format);
      expect(res.status, name).toBe(400);
      const p = (await res.json()) as { detail: string };
      expect(p.detail, name).toMatch(message);
      expect(p.detail, name).toContain(field);
    }
    // JSON bodies: the schema names the field path.
    for (const [customer, path] of [[{ id: 'a', value: 1e200 }, 'body.customers[0].value'], [{ id: 'a', followers: 1e13 }, 'body.customers[0].followers']] as const) {
      const res = await fetch(`${s.url}/graphs`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x', customers: [customer], ties: [] }),
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { errors: { path: string }[] }).errors.map((e) => e.path)).toContain(path);
    }
    const tie = await fetch(`${s.url}/graphs`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x', ties: [{ source: 'a', target: 'b', weight: 1e-50 }] }),
    });
    expect(tie.status).toBe(400);
    await s.expectSurvived(before);
  });

  it('extremes inside the ranges reach every engine route: 200, every number finite', async () => {
    const s = await startAbuseServer({}, { graph: extremeGraph() });
    const before = await s.snapshot();
    const g = `/graphs/${s.graphId}`;
    const post = (path: string, body: unknown) =>
      fetch(`${s.url}${g}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const get = (path: string) => fetch(`${s.url}${g}${path}`);
    const calls: [string, Promise<Response>][] = [];
    for (const probability of ['uniform', 'weighted-cascade', 'trivalency', 'attribute']) {
      for (const model of ['ic', 'lt', 'sir', 'voice']) {
        if (model === 'lt' && probability !== 'weighted-cascade') continue;
        calls.push([`${model}/${probability}`, post('/simulations', { model, probability, seeds: ['a'], p: 1, runs: 50, seed: 1, maxSteps: 1000, ...(model === 'sir' ? { beta: 1, gamma: 0 } : {}) })]);
      }
    }
    calls.push(['ic p=0', post('/simulations', { model: 'ic', seeds: ['a', 'f'], p: 0, runs: 20, seed: 2 })]);
    for (const metric of ['degree', 'in-degree', 'out-degree', 'weighted-degree', 'pagerank', 'betweenness', 'closeness', 'harmonic', 'eigenvector', 'hub', 'authority', 'kcore', 'louvain']) {
      calls.push([metric, get(`/centrality/${metric}?top=all`)]);
      if (['pagerank', 'betweenness', 'closeness', 'harmonic', 'eigenvector', 'hub', 'authority', 'louvain'].includes(metric)) {
        calls.push([`${metric} weighted`, get(`/centrality/${metric}?top=all&weighted=true`)]);
      }
    }
    for (const method of ['imm', 'celf', 'degree', 'pagerank', 'degree-discount']) {
      calls.push([`influencers ${method}`, post('/influencers', { k: 2, method, p: 1, runs: 50, seed: 1 })]);
    }
    calls.push(['influencers lt', post('/influencers', { k: 2, method: 'imm', model: 'lt', runs: 50, seed: 1 })]);
    calls.push(['value', get('/value?top=10')]);
    calls.push(['customer value', get('/customers/a/value')]);
    const impact = { churnIfNegative: 1, upliftIfPositive: 10 };
    calls.push(['scenario', post('/scenarios', { customer: 'a', p: 1, negativityBias: 100, runs: 50, seed: 1, impact, response: { atStep: 1, effectiveness: 1, public: true } })]);
    calls.push(['compare', post('/scenarios', { customer: 'a', p: 1, runs: 50, seed: 1, impact, variants: [{ name: 'none', response: null }, { name: 'at 0', response: { atStep: 0, effectiveness: 1, public: true } }] })]);
    calls.push(['riskiest', post('/scenarios/riskiest', { top: 3, p: 1, runs: 50, seed: 1, impact })]);
    for (const [name, pending] of calls) {
      const res = await pending;
      const body = (await res.json()) as unknown;
      expect(res.status, `${name}: ${JSON.stringify(body).slice(0, 300)}`).toBe(200);
      expect(finiteNumbers(body), name).toEqual([]);
    }
    await s.expectSurvived(before);
  });

  it('weighted cascade gives the same answer for any common scale of the weights', async () => {
    const s = await startAbuseServer();
    const before = await s.snapshot();
    const answers: unknown[] = [];
    for (const scale of [1, 2 ** -90, 2 ** 90, 1e-25, 1e25]) {
      const ties = [['a', 'c', 3], ['b', 'c', 1], ['c', 'd', 2], ['b', 'd', 5], ['a', 'd', 0.5], ['d', 'e', 7]].map(([source, target, w]) => ({ source, target, weight: (w as number) * scale }));
      const created = await fetch(`${s.url}/graphs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: `s${scale}`, directed: true, ties }) });
      expect(created.status).toBe(201);
      const id = ((await created.json()) as { id: string }).id;
      const out: unknown[] = [];
      for (const model of ['ic', 'lt']) {
        const res = await fetch(`${s.url}/graphs/${id}/simulations`, {
          method: 'POST', headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model, probability: 'weighted-cascade', seeds: ['a', 'b'], runs: 2000, seed: 5 }),
        });
        expect(res.status).toBe(200);
        const { elapsedMs: _e, graphId: _g, ...rest } = (await res.json()) as Record<string, unknown>;
        out.push(rest);
      }
      answers.push(out);
      await fetch(`${s.url}/graphs/${id}`, { method: 'DELETE' });
    }
    for (const a of answers.slice(1)) expect(a).toEqual(answers[0]);
    await s.expectSurvived(before);
  });
});
