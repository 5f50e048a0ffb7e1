import { describe, expect, it } from 'vitest';
import { parseGraph, toRippleJson } from '../src/graph/parse.js';
import { buildTestApp } from './helper.js';

/** Browsing routes (issue 17 point 5): customers a page at a time, neighbourhoods, export, cursor pagination. */

/** 30 customers c00..c29 in three segments on a ring, c00 the hub; a few labels and values. */
function ringGraph() {
  const customers = Array.from({ length: 30 }, (_, i) => ({
    id: `c${String(i).padStart(2, '0')}`,
    ...(i % 5 === 0 ? { label: `Label ${i}` } : {}),
    ...(i % 3 === 0 ? { value: i * 10 } : {}),
    segment: ['gold', 'silver', 'bronze'][i % 3],
    followers: i * 7,
    ...(i === 4 ? { activity: 0.25 } : {}),
  }));
  const ties: { source: string; target: string; weight?: number; p?: number; channel?: string }[] = [];
  for (let i = 0; i < 30; i++) ties.push({ source: customers[i].id, target: customers[(i + 1) % 30].id });
  for (let i = 2; i < 29; i += 3) ties.push({ source: 'c00', target: customers[i].id, weight: 2, p: 0.3, channel: 'e,mail "x"' });
  return { name: 'ring & "hub"', directed: false, defaultValue: 3, currency: 'GBP', customers, ties };
}

async function withGraph(graph: object = ringGraph()) {
  const t = await buildTestApp();
  const res = await t.app.inject({ method: 'POST', url: '/graphs', payload: graph });
  expect(res.statusCode).toBe(201);
  return { ...t, id: (res.json() as { id: string }).id };
}

interface Page { customers: { id: string; label: string | null; value: number; valueIsDefault: boolean; degree: number; segment: string | null; followers: number }[]; total: number; nextCursor?: string }

describe('GET /graphs/:id/customers', () => {
  it('searches id, label and segment, filters, sorts, and pages with a cursor through every match exactly once', async () => {
    const { app, id } = await withGraph();
    const first = (await app.inject({ url: `/graphs/${id}/customers?limit=5` })).json() as Page;
    expect(first.total).toBe(30);
    expect(first.customers.map((c) => c.id)).toEqual(['c00', 'c01', 'c02', 'c03', 'c04']);
    expect(first.customers[0]).toEqual({ id: 'c00', label: 'Label 0', segment: 'gold', value: 0, valueIsDefault: false, followers: 0, degree: 11 });
    expect(first.customers[1]).toMatchObject({ value: 3, valueIsDefault: true, degree: 2 }); // the graph's defaultValue

    // All pages of "-value" together: every customer once, in the order of the full sort.
    const seen: Page['customers'] = [];
    let cursor: string | undefined;
    do {
      const res = await app.inject({ url: `/graphs/${id}/customers?sort=-value&limit=7${cursor ? `&cursor=${cursor}` : ''}` });
      expect(res.statusCode).toBe(200);
      const page = res.json() as Page;
      seen.push(...page.customers);
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(30);
    expect(new Set(seen.map((c) => c.id)).size).toBe(30);
    for (let i = 1; i < seen.length; i++) expect(seen[i - 1].value).toBeGreaterThanOrEqual(seen[i].value);
    expect(seen[0].id).toBe('c27');

    const search = (q: string) => app.inject({ url: `/graphs/${id}/customers?${q}` }).then((r) => (r.json() as Page).customers.map((c) => c.id));
    expect(await search('search=LABEL 1')).toEqual(['c10', 'c15']); // label, case-insensitive
    expect(await search('search=c2&segment=gold')).toEqual(['c21', 'c24', 'c27']);
    expect(await search('search=bron&limit=3')).toEqual(['c02', 'c05', 'c08']); // segment text
    expect(await search('minValue=200')).toEqual(['c21', 'c24', 'c27']);
    expect(await search('sort=-degree&limit=2')).toEqual(['c00', 'c02']);
    expect(await search('sort=label&limit=3')).toEqual(['c00', 'c10', 'c15']); // text order: Label 0, Label 10, Label 15
    expect(await search('sort=-label&limit=7')).toEqual(['c05', 'c25', 'c20', 'c15', 'c10', 'c00', 'c01']); // unlabelled last
    expect(await search('search=nobody')).toEqual([]);
  });

  it('refuses bad queries and stale cursors with a 400 naming the field, and unknown graphs with a 404', async () => {
    const { app, id } = await withGraph();
    for (const [q, path] of [['sort=height', 'query.sort'], ['limit=0', 'query.limit'], ['minValue=-1', 'query.minValue'], ['cursor=bm9wZQ', 'query.cursor']]) {
      const res = await app.inject({ url: `/graphs/${id}/customers?${q}` });
      expect(res.statusCode, q).toBe(400);
      expect((res.json() as { errors: { path: string }[] }).errors.map((e) => e.path)).toContain(path);
    }
    const page = (await app.inject({ url: `/graphs/${id}/customers?limit=2&sort=value` })).json() as Page;
    const otherSort = await app.inject({ url: `/graphs/${id}/customers?sort=id&cursor=${page.nextCursor}` });
    expect(otherSort.statusCode).toBe(400);
    expect(otherSort.json().detail).toMatch(/sort=value/);
    await app.inject({ method: 'PUT', url: `/graphs/${id}`, payload: ringGraph() });
    const stale = await app.inject({ url: `/graphs/${id}/customers?sort=value&cursor=${page.nextCursor}` });
    expect(stale.statusCode).toBe(400);
    expect(stale.json().detail).toMatch(/version 1.*version 2/);
    expect((await app.inject({ url: '/graphs/g_0000000000000000/customers' })).statusCode).toBe(404);
  });

  it('treats ids as data: __proto__ and friends are found like any other', async () => {
    const { app, id } = await withGraph({ name: 'odd', ties: [{ source: '__proto__', target: 'constructor' }, { source: 'constructor', target: '../x' }] });
    const page = (await app.inject({ url: `/graphs/${id}/customers?search=o` })).json() as Page;
    expect(page.customers.map((c) => c.id).sort()).toEqual(['__proto__', 'constructor']);
    const n = (await app.inject({ url: `/graphs/${id}/customers/${encodeURIComponent('__proto__')}/neighbourhood` })).json();
    expect(n.customers.map((c: { id: string; depth: number }) => [c.id, c.depth])).toEqual([['__proto__', 0], ['constructor', 1]]);
  });
});

describe('GET /graphs/:id/customers/:customerId/neighbourhood', () => {
  it('gives the customer, its friends (best connected first, up to limit) and the ties among them', async () => {
    const { app, id } = await withGraph();
    const n = (await app.inject({ url: `/graphs/${id}/customers/c01/neighbourhood` })).json();
    expect(n.center).toBe('c01');
    expect(n.customers.map((c: { id: string; depth: number }) => [c.id, c.depth])).toEqual([['c01', 0], ['c00', 1], ['c02', 1]]);
    expect(n.ties).toEqual(expect.arrayContaining([{ source: 'c00', target: 'c01' }, { source: 'c01', target: 'c02' }, { source: 'c00', target: 'c02' }]));
    expect(n.ties).toHaveLength(3);
    expect(n.truncated).toBe(false);
    const hub = (await app.inject({ url: `/graphs/${id}/customers/c00/neighbourhood?limit=4` })).json();
    expect(hub.customers).toHaveLength(4);
    expect(hub.truncated).toBe(true);
    const two = (await app.inject({ url: `/graphs/${id}/customers/c01/neighbourhood?depth=2` })).json();
    expect(two.customers.filter((c: { depth: number }) => c.depth === 2)).toHaveLength(10); // c00's other friends and c03, c29
    expect((await app.inject({ url: `/graphs/${id}/customers/zz/neighbourhood` })).statusCode).toBe(404);
  });
});

describe('GET /graphs/:id/export', () => {
  it('writes every format so that Ripple reads it back as the same graph', async () => {
    const { app, id } = await withGraph();
    const original = (await app.inject({ url: `/graphs/${id}/export` })).json();
    expect(original).toEqual(JSON.parse(JSON.stringify(toRippleJson((await parseGraph(Buffer.from(JSON.stringify(ringGraph())), { format: 'json', name: '', source: 'x' })).data))));
    const strip = (g: { defaultValue?: number; currency?: string }) => {
      const { defaultValue: _d, currency: _c, ...rest } = g;
      return rest;
    };
    for (const format of ['json', 'gexf', 'graphml'] as const) {
      const res = await app.inject({ url: `/graphs/${id}/export?format=${format}` });
      expect(res.statusCode, format).toBe(200);
      expect(res.headers['content-type']).toContain(format === 'json' ? 'application/json' : `application/${format}+xml`);
      expect(res.headers['content-disposition']).toMatch(new RegExp(`attachment; filename="ring_hub\\.${format}"`));
      const back = await parseGraph(res.rawPayload, { format, name: '', source: `export.${format}` });
      const json = JSON.parse(JSON.stringify(toRippleJson(back.data)));
      if (format === 'json') expect(json).toEqual(original);
      else expect(strip(json)).toEqual(strip(original)); // XML keeps all but the graph's defaultValue and currency
    }
    const ties = await app.inject({ url: `/graphs/${id}/export?format=csv` });
    const customers = await app.inject({ url: `/graphs/${id}/export?format=csv&table=customers` });
    expect(ties.body.split('\r\n')[0]).toBe('source,target,weight,p,channel');
    expect(ties.body).toContain('\r\nc00,c02,2,0.3,"e,mail ""x"""\r\n');
    expect(customers.body.split('\r\n')[0]).toBe('id,label,followers,value,segment,activity');
    const csv = await parseGraph(ties.rawPayload, { format: 'csv', name: original.name, source: 'ties.csv', customers: customers.rawPayload });
    expect(strip(JSON.parse(JSON.stringify(toRippleJson(csv.data))))).toEqual(strip(original));
  });

  it('refuses XML for text XML cannot carry (422) but exports it as JSON, and checks the format (400)', async () => {
    const { app, id } = await withGraph({ name: 'ctrl', ties: [{ source: 'a\u0001b', target: 'c' }] });
    const xml = await app.inject({ url: `/graphs/${id}/export?format=gexf` });
    expect(xml.statusCode).toBe(422);
    expect(xml.json().detail).toMatch(/XML cannot carry/);
    const json = await app.inject({ url: `/graphs/${id}/export?format=json` });
    expect(json.json().customers[0].id).toBe('a\u0001b');
    expect((await app.inject({ url: `/graphs/${id}/export?format=xlsx` })).statusCode).toBe(400);
  });
});

describe('cursor pagination on /graphs and /jobs', () => {
  it('pages through graphs oldest first, each once', async () => {
    const { app } = await buildTestApp();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(((await app.inject({ method: 'POST', url: '/graphs', payload: { name: `g${i}`, ties: [{ source: 'a', target: 'b' }] } })).json() as { id: string }).id);
    const all = (await app.inject({ url: '/graphs' })).json();
    expect(all.graphs.map((g: { id: string }) => g.id)).toEqual(ids);
    expect(all).not.toHaveProperty('nextCursor'); // one page: the answer reads as before pagination
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page: { graphs: { id: string }[]; nextCursor?: string } = (await app.inject({ url: `/graphs?limit=2${cursor ? `&cursor=${cursor}` : ''}` })).json();
      expect(page.graphs.length).toBeLessThanOrEqual(2);
      seen.push(...page.graphs.map((g: { id: string }) => g.id));
      cursor = page.nextCursor;
      // A graph deleted between pages does not break the walk.
      if (seen.length === 2) await app.inject({ method: 'DELETE', url: `/graphs/${seen[1]}` });
    } while (cursor);
    expect(seen).toEqual(ids);
    expect((await app.inject({ url: '/graphs?cursor=%%%' })).statusCode).toBe(400);
    expect((await app.inject({ url: '/graphs?limit=1001' })).statusCode).toBe(400);
  });

  it('pages through jobs', async () => {
    const { app } = await buildTestApp();
    const g = (await app.inject({ method: 'POST', url: '/graphs', payload: { name: 'g', ties: [{ source: 'a', target: 'b' }] } })).json() as { id: string };
    const made: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await app.inject({ method: 'POST', url: `/graphs/${g.id}/simulations?async=true`, payload: { model: 'ic', seeds: ['a'], runs: 10, seed: i } });
      expect(res.statusCode).toBe(202);
      made.push(res.json().job.id);
    }
    const p1 = (await app.inject({ url: '/jobs?limit=2' })).json();
    expect(p1.jobs.map((j: { id: string }) => j.id)).toEqual(made.slice(0, 2));
    const p2 = (await app.inject({ url: `/jobs?limit=2&cursor=${p1.nextCursor}` })).json();
    expect(p2.jobs.map((j: { id: string }) => j.id)).toEqual(made.slice(2));
    expect(p2.nextCursor).toBeUndefined();
    const byGraph = (await app.inject({ url: `/graphs/${g.id}/jobs?limit=1` })).json();
    expect(byGraph.jobs).toHaveLength(1);
    expect(byGraph.nextCursor).toEqual(expect.any(String));
  });
});

describe('Accept: text/csv', () => {
  it('answers a scenario report, a compare result and a finished job as tidy CSV; JSON otherwise', async () => {
    const { app, id } = await withGraph();
    const body = { customer: 'c00', runs: 200, seed: 3 };
    const json = (await app.inject({ method: 'POST', url: `/graphs/${id}/scenarios`, payload: body })).json();
    const csv = await app.inject({ method: 'POST', url: `/graphs/${id}/scenarios`, payload: body, headers: { accept: 'text/csv' } });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toBe('variant,section,measure,step,time,customer,mean,ci95_low,ci95_high,unit,baseline');
    expect(lines).toContain(`,figure,reach,,,,${json.reach.mean},${json.reach.ci95[0]},${json.reach.ci95[1]},customers,`);
    expect(lines).toContain(`,figure,money.atRisk,,,,${json.money.atRisk.mean},${json.money.atRisk.ci95[0]},${json.money.atRisk.ci95[1]},GBP,`);
    expect(lines.filter((l) => l.startsWith(',curve,negative.cumulative,'))).toHaveLength(json.negativeSteps.length);
    // Each opinion's time to peak (over the runs in which it spreads): praise never does without an answer, so no row.
    const neg = json.negativeTimeToPeak;
    expect(lines).toContain(`,figure,timeToPeak.negative,,,,${neg.mean},${neg.ci95[0]},${neg.ci95[1]},steps,`);
    expect(json.positiveTimeToPeak).toBeNull();
    expect(lines.some((l) => l.startsWith(',figure,timeToPeak.positive,'))).toBe(false);
    // JSON stays the default, and wins a tie.
    for (const accept of ['*/*', 'application/json, text/csv', 'text/csv;q=0.5, application/json']) {
      const r = await app.inject({ method: 'POST', url: `/graphs/${id}/scenarios`, payload: body, headers: { accept } });
      expect(r.headers['content-type'], accept).toContain('application/json');
    }
    const cmp = await app.inject({
      method: 'POST', url: `/graphs/${id}/scenarios`, headers: { accept: 'text/csv' },
      payload: { ...body, variants: [{ name: 'none', response: null }, { name: 'at 0', response: { atStep: 0, effectiveness: 1, public: false } }] },
    });
    expect(cmp.body).toMatch(/\r\nat 0,difference,negative,,,,-?[\d.]+,-?[\d.]+,-?[\d.]+,customers,none\r\n/);
    const job = await app.inject({ method: 'POST', url: `/graphs/${id}/scenarios?async=true`, payload: body });
    const jobId = job.json().job.id;
    for (let i = 0; i < 100 && (await app.inject({ url: `/jobs/${jobId}` })).json().state !== 'succeeded'; i++) await new Promise((r) => setTimeout(r, 50));
    const jobCsv = await app.inject({ url: `/jobs/${jobId}`, headers: { accept: 'text/csv' } });
    expect(jobCsv.body.split('\r\n')).toContain(`,figure,reach,,,,${json.reach.mean},${json.reach.ci95[0]},${json.reach.ci95[1]},customers,`);
    expect((await app.inject({ url: `/graphs/${id}`, headers: { accept: 'text/csv' } })).headers['content-type']).toContain('application/json');
  });
});
