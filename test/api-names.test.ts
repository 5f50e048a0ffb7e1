import { describe, expect, it } from 'vitest';
import { buildTestApp } from './helper.js';

/**
 * Names a reader can trust (issue 17, point 6): one name per thing across routes, and each old name kept for this
 * release as a deprecated alias with the same content, marked `deprecated: true` in the OpenAPI document.
 */

const GRAPH = {
  name: 'names',
  directed: false,
  customers: [{ id: 'a', value: 50, label: 'Ann' }, { id: 'b', value: 10 }, { id: 'c', value: 5 }, { id: 'd' }, { id: 'e', value: 20 }],
  ties: [
    { source: 'a', target: 'b' }, { source: 'b', target: 'c' }, { source: 'c', target: 'd' }, { source: 'd', target: 'a' },
    { source: 'b', target: 'd' }, { source: 'd', target: 'e' },
  ],
};

async function setup() {
  const t = await buildTestApp();
  const created = await t.app.inject({ method: 'POST', url: '/graphs', payload: GRAPH });
  expect(created.statusCode).toBe(201);
  return { ...t, id: created.json().id as string };
}

const noTime = (x: Record<string, unknown>) => ({ ...x, elapsedMs: 0 });

describe('renamed fields keep their old names as deprecated aliases', () => {
  it('scenarios: maxSteps (horizon deprecated), customers (seeds deprecated)', async () => {
    const { app, id } = await setup();
    const post = (payload: object) => app.inject({ method: 'POST', url: `/graphs/${id}/scenarios`, payload });
    const base = { customer: 'a', p: 0.3, runs: 300, seed: 4 };
    const byNew = await post({ ...base, maxSteps: 2 });
    const byOld = await post({ ...base, horizon: 2 });
    expect(byNew.statusCode).toBe(200);
    expect(noTime(byNew.json())).toEqual(noTime(byOld.json()));
    const r = byNew.json();
    expect(r.assumptions).toMatchObject({ maxSteps: 2, horizon: 2 });
    expect(r.lastStep.step).toBe(2);
    expect(Math.max(...r.steps.map((s: { step: number }) => s.step))).toBeLessThanOrEqual(2);
    expect(r.seeds).toEqual(r.customers);
    // Both names with different values: a 400 naming the old one.
    const both = await post({ ...base, maxSteps: 2, horizon: 3 });
    expect(both.statusCode).toBe(400);
    expect(both.json().detail).toMatch(/^horizon: `horizon` is the deprecated name of `maxSteps`/);
    expect(both.json().errors[0].path).toBe('horizon');
    expect((await post({ ...base, maxSteps: 2, horizon: 2 })).statusCode).toBe(200);
    // In compare variants too.
    const cmp = await post({ ...base, variants: [{ name: 'short', maxSteps: 1 }, { name: 'old name', horizon: 1 }] });
    expect(cmp.statusCode).toBe(200);
    expect(cmp.json().differences[0].reach.mean).toBe(0);
  });

  it('simulations: amplifiers (top deprecated)', async () => {
    const { app, id } = await setup();
    const post = (payload: object) => app.inject({ method: 'POST', url: `/graphs/${id}/simulations`, payload });
    const base = { model: 'ic', seeds: ['a'], p: 0.5, runs: 400, seed: 2 };
    const byNew = await post({ ...base, amplifiers: 2 });
    const byOld = await post({ ...base, top: 2 });
    expect(byNew.statusCode).toBe(200);
    expect(byNew.json().amplifiers).toHaveLength(2);
    expect(noTime(byNew.json())).toEqual(noTime(byOld.json()));
    expect((await post(base)).json().amplifiers).toHaveLength(4); // default 10, four non-seed customers
    expect((await post({ ...base, amplifiers: 2, top: 3 })).json().amplifiers).toHaveLength(2); // the new name wins
  });

  it('riskiest: top (ranked deprecated), network with its interval beside networkValue', async () => {
    const { app, id } = await setup();
    const res = await app.inject({ method: 'POST', url: `/graphs/${id}/scenarios/riskiest`, payload: { top: 3, runs: 200, rrSets: 2000 } });
    expect(res.statusCode).toBe(200);
    const r = res.json();
    expect(r.top).toHaveLength(3);
    expect(r.ranked).toEqual(r.top);
    for (const e of r.top) {
      expect(e.valueWeightedReach).toEqual(e.network); // issue 19: the new name, the old ones kept
      expect(e.network.mean).toBe(e.networkValue);
      expect(e.network.ci95[0]).toBeLessThanOrEqual(e.networkValue);
      expect(e.network.ci95[1]).toBeGreaterThanOrEqual(e.networkValue);
    }
    const given = (await app.inject({ method: 'POST', url: `/graphs/${id}/scenarios/riskiest`, payload: { candidates: ['a'], runs: 100 } })).json();
    expect(given.top[0]).toMatchObject({ id: 'a', valueWeightedReach: null, networkValue: null, network: null });
  });

  it('value: network and total are objects with intervals everywhere; networkValue stays a number in rankings', async () => {
    const { app, id } = await setup();
    const ranking = (await app.inject({ url: `/graphs/${id}/value?top=5&rrSets=5000` })).json();
    for (const e of ranking.top) {
      expect(typeof e.networkValue).toBe('number');
      expect(e.network).toEqual({ mean: e.networkValue, ci95: e.networkCi95 });
      expect(e.valueWeightedReach).toEqual(e.network);
      expect(e.total.mean).toBeCloseTo(e.totalValue, 9);
      expect(e.total.ci95[0]).toBeCloseTo(e.ownValue + e.networkCi95[0], 9);
    }
    const one = (await app.inject({ url: `/graphs/${id}/customers/a/value?runs=500` })).json();
    expect(one.network).toEqual(one.networkValue);
    expect(one.valueWeightedReach).toEqual(one.network);
    // by=network is the deprecated name of by=valueWeightedReach: the same list, `by` echoed as asked
    const byOld = (await app.inject({ url: `/graphs/${id}/value?top=5&rrSets=5000&by=network` })).json();
    const byNew = (await app.inject({ url: `/graphs/${id}/value?top=5&rrSets=5000&by=valueWeightedReach` })).json();
    expect([byOld.by, byNew.by]).toEqual(['network', 'valueWeightedReach']);
    expect(byOld.top).toEqual(byNew.top);
    expect(one.total).toEqual(one.totalValue);
    expect(one.total.mean).toBeCloseTo(one.ownValue + one.network.mean, 9);
  });

  it('centrality: graphVersion (version deprecated)', async () => {
    const { app, id } = await setup();
    const r = (await app.inject({ url: `/graphs/${id}/centrality/degree?top=2` })).json();
    expect(r.version).toBe(r.graphVersion);
  });

  it('the OpenAPI document marks every old name deprecated, and not the new ones', async () => {
    const { app } = await setup();
    const doc = (await app.inject({ url: '/openapi.json' })).json();
    const text = JSON.stringify(doc);
    // Resolve a property of the JSON body or answer of an operation, through $refs, anyOf/oneOf and arrays.
    const deref = (s: unknown): Record<string, unknown> => {
      let o = s as Record<string, unknown>;
      while (o && typeof o.$ref === 'string') {
        const path = (o.$ref as string).replace(/^#\//, '').split('/');
        o = path.reduce<Record<string, unknown>>((x, k) => x[k] as Record<string, unknown>, doc);
      }
      return o;
    };
    const props = (s: unknown, out: Map<string, Record<string, unknown>[]> = new Map()): Map<string, Record<string, unknown>[]> => {
      const o = deref(s);
      if (!o || typeof o !== 'object') return out;
      for (const alt of [...((o.anyOf ?? []) as unknown[]), ...((o.oneOf ?? []) as unknown[]), ...((o.allOf ?? []) as unknown[])]) props(alt, out);
      if (o.items) props(o.items, out);
      for (const [k, v] of Object.entries((o.properties ?? {}) as Record<string, unknown>)) {
        const list = out.get(k) ?? [];
        list.push(deref(v));
        out.set(k, list);
      }
      return out;
    };
    const op = (path: string, method: string) => doc.paths[path][method];
    const body = (path: string) => props(op(path, 'post').requestBody.content['application/json'].schema);
    const answer = (path: string, method = 'post') => props(op(path, method).responses['200'].content['application/json'].schema);
    const deprecated = (m: Map<string, Record<string, unknown>[]>, key: string) => (m.get(key) ?? []).map((s) => s.deprecated === true);

    const scenarioBody = body('/graphs/{id}/scenarios');
    expect(deprecated(scenarioBody, 'horizon')).toContain(true);
    expect(deprecated(scenarioBody, 'maxSteps')).not.toContain(true);
    expect(deprecated(body('/graphs/{id}/simulations'), 'top')).toContain(true);
    expect(deprecated(body('/graphs/{id}/simulations'), 'amplifiers')).not.toContain(true);
    const report = answer('/graphs/{id}/scenarios');
    expect(deprecated(report, 'seeds')).toContain(true);
    expect(deprecated(report, 'customers')).not.toContain(true);
    expect(deprecated(answer('/graphs/{id}/scenarios/riskiest'), 'ranked')).toEqual([true]);
    expect(deprecated(answer('/graphs/{id}/scenarios/riskiest'), 'top')).toEqual([false]);
    const value = answer('/graphs/{id}/customers/{customerId}/value', 'get');
    expect(deprecated(value, 'networkValue')).toEqual([true]);
    expect(deprecated(value, 'totalValue')).toEqual([true]);
    expect(deprecated(value, 'network')).toEqual([true]);
    expect(deprecated(value, 'valueWeightedReach')).toEqual([false]);
    const ranking = props(answer('/graphs/{id}/value', 'get').get('top')![0]); // the rows
    for (const old of ['network', 'networkValue', 'networkCi95']) expect(deprecated(ranking, old), old).toEqual([true]);
    expect(deprecated(ranking, 'valueWeightedReach')).toEqual([false]);
    const riskiest = props(answer('/graphs/{id}/scenarios/riskiest').get('top')![0]);
    for (const old of ['network', 'networkValue']) expect(deprecated(riskiest, old), old).toEqual([true]);
    expect(deprecated(riskiest, 'valueWeightedReach')).toEqual([false]);
    expect(deprecated(answer('/graphs/{id}/centrality/{metric}', 'get'), 'version')).toEqual([true]);
    expect(text).toContain('Deprecated');
  });
});
