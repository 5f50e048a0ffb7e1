import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/api/app.js';
import { loadConfig } from '../src/config.js';
import { FileStore } from '../src/store/file-store.js';
import type { GraphStore } from '../src/store/types.js';
import { buildTestApp, smallGraph, tempDir } from './helper.js';

/** Every error is RFC 9457 problem+json with the same members. */
function expectProblem(res: LightMyRequestResponse, status: number, detail?: RegExp) {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const p = res.json();
  expect(p).toMatchObject({ type: 'about:blank', status, instance: expect.any(String), requestId: expect.any(String), title: expect.any(String) });
  expect(typeof p.detail).toBe('string');
  expect(p.requestId).toBe(res.headers['x-request-id']);
  if (detail) expect(p.detail).toMatch(detail);
  return p as { detail: string; code: string; errors?: { path: string; message: string }[] };
}

const EDGES = '# a comment\n1 2\n2 3\n3 1\n3 3\n1 2\n4\t5\n';
const CSV = 'source,target,weight,p,channel\na,b,2,0.5,email\nb,c,1,,\n';
const GEXF = `<?xml version="1.0" encoding="UTF-8"?>
<gexf xmlns="http://gexf.net/1.3" version="1.3">
  <graph defaultedgetype="directed">
    <nodes><node id="a" label="A"/><node id="b" label="B"/><node id="c" label="C"/></nodes>
    <edges><edge id="0" source="a" target="b"/><edge id="1" source="b" target="c"/></edges>
  </graph>
</gexf>`;
const GRAPHML = `<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <graph id="G" edgedefault="undirected">
    <node id="a"/><node id="b"/><node id="c"/><node id="d"/>
    <edge source="a" target="b"/><edge source="b" target="c"/><edge source="c" target="a"/>
  </graph>
</graphml>`;

describe('health', () => {
  it('GET /health and /ready answer', async () => {
    const { app } = await buildTestApp();
    expect((await app.inject('/health')).json()).toEqual({ status: 'ok' });
    expect((await app.inject('/ready')).json()).toEqual({ status: 'ready', store: 'file' });
  });
});

describe('graph CRUD (JSON)', () => {
  it('creates, lists, gets, replaces and deletes', async () => {
    const { app } = await buildTestApp();
    expect((await app.inject('/graphs')).json()).toEqual({ graphs: [] });

    const created = await app.inject({ method: 'POST', url: '/graphs', payload: smallGraph('first') });
    expect(created.statusCode).toBe(201);
    const g = created.json();
    expect(g).toMatchObject({ name: 'first', directed: false, version: 1, customers: 4, ties: 2 });
    expect(g.report).toEqual({ format: 'json', customers: 4, ties: 2, records: expect.any(Number), selfLoopsDropped: 0, duplicatesMerged: 0 });
    expect(created.headers.location).toBe(`/graphs/${g.id}`);
    expect(Object.keys(g).sort()).toEqual(['createdAt', 'customers', 'directed', 'id', 'name', 'report', 'ties', 'updatedAt', 'version']);

    const list = (await app.inject('/graphs')).json();
    expect(list.graphs).toHaveLength(1);
    const { report: _report, ...summary } = g;
    expect(list.graphs[0]).toEqual(summary);
    expect((await app.inject(`/graphs/${g.id}`)).json()).toMatchObject({ id: g.id, name: 'first', customers: 4, ties: 2 });

    const bigger = { ...smallGraph('second'), directed: true, ties: [...smallGraph().ties, { source: 'c', target: 'd' }] };
    const replaced = await app.inject({ method: 'PUT', url: `/graphs/${g.id}`, payload: bigger });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json()).toMatchObject({ id: g.id, name: 'second', directed: true, version: 2, ties: 3 });
    expectProblem(await app.inject({ method: 'PUT', url: `/graphs/${g.id}?ifVersion=1`, payload: bigger }), 409);
    expect((await app.inject({ method: 'PUT', url: `/graphs/${g.id}?ifVersion=2`, payload: bigger })).json().version).toBe(3);

    // The compiled cache follows the new version.
    expect((await app.inject(`/graphs/${g.id}/info`)).json()).toMatchObject({ version: 3, ties: 3, directed: true });

    const del = await app.inject({ method: 'DELETE', url: `/graphs/${g.id}` });
    expect(del.statusCode).toBe(204);
    expect(del.body).toBe('');
    expectProblem(await app.inject(`/graphs/${g.id}`), 404);
    expectProblem(await app.inject({ method: 'DELETE', url: `/graphs/${g.id}` }), 404);
    expectProblem(await app.inject(`/graphs/${g.id}/info`), 404);
    expect((await app.inject('/graphs')).json()).toEqual({ graphs: [] });
  });

  it('validation errors list field paths', async () => {
    const { app } = await buildTestApp();
    const res = await app.inject({ method: 'POST', url: '/graphs', payload: { name: 'x', ties: [{ source: 'a', target: 'b' }, { source: 'a', target: 'c', p: 1.5 }] } });
    const p = expectProblem(res, 400, /body\.ties\[1\]\.p/);
    expect(p.errors).toEqual([{ path: 'body.ties[1].p', message: expect.stringMatching(/<=\s*1/) }]);
    const missing = expectProblem(await app.inject({ method: 'POST', url: '/graphs', payload: { ties: [] } }), 400);
    expect(missing.errors?.map((e) => e.path)).toEqual(['body.name']);
    expectProblem(await app.inject({ method: 'POST', url: '/graphs', headers: { 'content-type': 'application/json' }, payload: '{"name": ' }), 400);
    expectProblem(await app.inject({ method: 'PUT', url: '/graphs/g_0000000000000000?ifVersion=zero', payload: smallGraph() }), 400);
  });

  it('a tie to an unlisted customer is a 400 naming it, and nothing is stored', async () => {
    const { app } = await buildTestApp();
    const res = await app.inject({ method: 'POST', url: '/graphs', payload: { name: 'x', customers: [{ id: 'a' }], ties: [{ source: 'a', target: 'zz' }] } });
    expectProblem(res, 400, /zz/);
    expect((await app.inject('/graphs')).json()).toEqual({ graphs: [] });
  });
});

describe('raw import', () => {
  const upload = (url: string, payload: string | Buffer | Readable, type = 'application/octet-stream', method: 'POST' | 'PUT' = 'POST') => ({
    method, url, payload, headers: { 'content-type': type },
  });

  it('imports every format', async () => {
    const { app } = await buildTestApp();
    const cases: [string, string, string, object][] = [
      ['/graphs/import?format=edgelist&name=edges', EDGES, 'text/plain', { customers: 5, ties: 4, directed: false, report: { selfLoopsDropped: 1, duplicatesMerged: 1 } }],
      ['/graphs/import?name=ties.csv&directed=true', CSV, 'text/csv', { name: 'ties.csv', customers: 3, ties: 2, directed: true, report: { format: 'csv' } }],
      ['/graphs/import?format=json&name=j', JSON.stringify(smallGraph()), 'application/json', { name: 'j', customers: 4, ties: 2 }],
      ['/graphs/import?format=gexf&name=gexf', GEXF, 'application/gexf+xml', { customers: 3, ties: 2, directed: true, report: { format: 'gexf' } }],
      ['/graphs/import?format=graphml&name=gml', GRAPHML, 'application/xml', { customers: 4, ties: 3, directed: false, report: { format: 'graphml' } }],
    ];
    for (const [url, body, type, expected] of cases) {
      const res = await app.inject(upload(url, body, type));
      expect(res.statusCode, `${url}: ${res.body}`).toBe(201);
      expect(res.json()).toMatchObject(expected);
    }
    expect((await app.inject('/graphs')).json().graphs).toHaveLength(cases.length);
  });

  it('the format comes from the content type when not given', async () => {
    const { app } = await buildTestApp();
    const res = await app.inject(upload('/graphs/import?name=plain', CSV, 'text/csv'));
    expect(res.json()).toMatchObject({ report: { format: 'csv' } });
    expectProblem(await app.inject(upload('/graphs/import?name=plain', EDGES)), 400, /format is required/);
    // Without ?name= a JSON upload keeps the name it carries; an edge list is called "upload".
    expect((await app.inject(upload('/graphs/import', JSON.stringify(smallGraph('carried')), 'application/json'))).json()).toMatchObject({ name: 'carried' });
    expect((await app.inject(upload('/graphs/import?format=edgelist', EDGES))).json()).toMatchObject({ name: 'upload' });
  });

  it('gzip uploads are detected by their magic bytes', async () => {
    const { app } = await buildTestApp();
    const res = await app.inject(upload('/graphs/import?format=edgelist&name=gz', gzipSync(EDGES)));
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ customers: 5, ties: 4 });
  });

  it('streams a body without content-length', async () => {
    const { app } = await buildTestApp();
    const lines = Array.from({ length: 2000 }, (_, i) => `${i} ${i + 1}\n`);
    const res = await app.inject(upload('/graphs/import?format=edgelist&name=stream', Readable.from(lines.map((l) => Buffer.from(l)))));
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ customers: 2001, ties: 2000 });
  });

  it('413 past RIPPLE_UPLOAD_LIMIT: by content-length, while streaming, and when gzip expands', async () => {
    const { app } = await buildTestApp({ RIPPLE_UPLOAD_LIMIT: '1kb' });
    const big = Array.from({ length: 400 }, (_, i) => `${i} ${i + 1}\n`).join('');
    expect(big.length).toBeGreaterThan(1024);
    expectProblem(await app.inject(upload('/graphs/import?format=edgelist&name=big', big)), 413, /limit/);
    const streamed = Readable.from(Array.from({ length: 400 }, (_, i) => Buffer.from(`${i} ${i + 1}\n`)));
    const res = await app.inject(upload('/graphs/import?format=edgelist&name=big', streamed));
    expectProblem(res, 413, /limit of 1024 bytes/);
    expect(res.headers.connection).toBe('close');
    // 30 kB of edges compress far below 1 kB but expand past 4 x the limit.
    const bomb = gzipSync(Buffer.from('1 2\n'.repeat(8000)));
    expect(bomb.length).toBeLessThan(1024);
    expectProblem(await app.inject(upload('/graphs/import?format=edgelist&name=bomb', bomb)), 413);
    expect((await app.inject('/graphs')).json()).toEqual({ graphs: [] });
  });

  it('413 past RIPPLE_BODY_LIMIT for JSON bodies', async () => {
    const { app } = await buildTestApp({ RIPPLE_BODY_LIMIT: '200' });
    expectProblem(await app.inject({ method: 'POST', url: '/graphs', payload: smallGraph('x'.repeat(300)) }), 413);
  });

  it('415 for content types that are not graphs', async () => {
    const { app } = await buildTestApp();
    expectProblem(await app.inject(upload('/graphs/import?format=edgelist&name=x', EDGES, 'image/png')), 415, /image\/png/);
    expectProblem(await app.inject(upload('/graphs/import?format=edgelist&name=x', 'a=b', 'application/x-www-form-urlencoded')), 415);
    expectProblem(await app.inject({ method: 'POST', url: '/graphs', headers: { 'content-type': 'text/csv' }, payload: CSV }), 415);
  });

  it('a failed import leaves the store unchanged (create and replace)', async () => {
    const { app } = await buildTestApp();
    expectProblem(await app.inject(upload('/graphs/import?format=edgelist&name=bad', '1 2\n2 x y z\n')), 400, /bad.*:2/);
    expectProblem(await app.inject(upload('/graphs/import?format=csv&name=bad', 'source,target,p\na,b,7\n')), 400, /p must be in \[0, 1\]/);
    expectProblem(await app.inject(upload('/graphs/import?format=edgelist&name=gz', gzipSync(EDGES).subarray(0, 20))), 400, /gzip/);
    expect((await app.inject('/graphs')).json()).toEqual({ graphs: [] });

    const g = (await app.inject(upload('/graphs/import?format=edgelist&name=ok', EDGES))).json();
    expectProblem(await app.inject(upload(`/graphs/${g.id}/import?format=edgelist`, '1 2\n3 4 notaweight\n', undefined, 'PUT')), 400);
    const after = (await app.inject(`/graphs/${g.id}`)).json();
    expect(after).toMatchObject({ version: 1, customers: 5, ties: 4, name: 'ok' });
    const info = (await app.inject(`/graphs/${g.id}/info`)).json();
    expect(info).toMatchObject({ customers: 5, ties: 4 });
  });

  it('PUT /graphs/:id/import replaces atomically with a new version and keeps the name', async () => {
    const { app } = await buildTestApp();
    const g = (await app.inject(upload('/graphs/import?format=edgelist&name=keep', EDGES))).json();
    await app.inject(`/graphs/${g.id}/info`); // warm the compiled cache
    const res = await app.inject(upload(`/graphs/${g.id}/import?format=csv`, CSV, 'text/csv', 'PUT'));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: g.id, name: 'keep', version: 2, customers: 3, ties: 2, report: { format: 'csv' } });
    expect((await app.inject(`/graphs/${g.id}/info`)).json()).toMatchObject({ version: 2, customers: 3 });
    expectProblem(await app.inject(upload(`/graphs/${g.id}/import?format=csv&ifVersion=1`, CSV, 'text/csv', 'PUT')), 409);
    expectProblem(await app.inject(upload('/graphs/g_ffffffffffffffff/import?format=csv', CSV, 'text/csv', 'PUT')), 404);
  });
});

describe('customers and info', () => {
  it('returns attributes and degree; unknown customers are 404', async () => {
    const { app } = await buildTestApp();
    const g = (await app.inject({ method: 'POST', url: '/graphs', payload: smallGraph() })).json();
    const a = await app.inject(`/graphs/${g.id}/customers/a`);
    expect(a.json()).toEqual({ graphId: g.id, id: 'a', label: 'Alice', followers: 10, value: 5, segment: 'loyal', activity: 0.5, degree: { in: 1, out: 1, total: 1 } });
    expect((await app.inject(`/graphs/${g.id}/customers/b`)).json()).toEqual({ graphId: g.id, id: 'b', degree: { in: 2, out: 2, total: 2 } });
    expectProblem(await app.inject(`/graphs/${g.id}/customers/nobody`), 404, /nobody/);
    expectProblem(await app.inject('/graphs/g_ffffffffffffffff/customers/a'), 404);
  });

  it('info gives degrees, components and density', async () => {
    const { app } = await buildTestApp();
    const g = (await app.inject({ method: 'POST', url: '/graphs', payload: smallGraph('s') })).json();
    expect((await app.inject(`/graphs/${g.id}/info`)).json()).toEqual({
      id: g.id, name: 's', version: 1, customers: 4, ties: 2, arcs: 4, directed: false, isolated: 1,
      components: { count: 2, largest: 3 }, density: 4 / 12,
      degree: {
        in: { min: 0, max: 2, mean: 1, median: 1 },
        out: { min: 0, max: 2, mean: 1, median: 1 },
        total: { min: 0, max: 2, mean: 1, median: 1 },
      },
    });
  });
});

describe('hostile ids and names', () => {
  it('__proto__, constructor, slashes and unicode work as customer ids', async () => {
    const { app } = await buildTestApp();
    const ids = ['__proto__', 'constructor', 'toString', '../../etc/passwd', 'a/b', 'üñï©ødé ✓', 'x'.repeat(5000)];
    const body = { name: '../../etc/passwd', customers: ids.map((id, i) => ({ id, followers: i })), ties: ids.slice(1).map((id, i) => ({ source: ids[i], target: id })) };
    const res = await app.inject({ method: 'POST', url: '/graphs', payload: body });
    expect(res.statusCode, res.body).toBe(201);
    const g = res.json();
    expect(g).toMatchObject({ name: '../../etc/passwd', customers: ids.length, ties: ids.length - 1 });
    for (const [i, id] of ids.entries()) {
      const c = await app.inject(`/graphs/${g.id}/customers/${encodeURIComponent(id)}`);
      expect(c.statusCode, id.slice(0, 20)).toBe(200);
      expect(c.json()).toMatchObject({ id, followers: i });
    }
    expect((await app.inject('/graphs')).json().graphs[0].name).toBe('../../etc/passwd');
  });

  it('hostile graph ids are 404 problems, never paths', async () => {
    const { app } = await buildTestApp();
    for (const id of ['__proto__', 'constructor', '..%2F..%2Fetc%2Fpasswd', '..', '%2e%2e', 'g_0123']) {
      const res = await app.inject(`/graphs/${id}`);
      // `/graphs/..` (also percent-encoded) is `/` once the URL is normalised: the scenario explorer page, not a file outside it.
      if (id === '..' || id === '%2e%2e') expect([res.statusCode, res.headers['content-type']]).toEqual([200, 'text/html; charset=utf-8']);
      else expectProblem(res, 404);
      expectProblem(await app.inject({ method: 'DELETE', url: `/graphs/${id}` }), id === '..' || id === '%2e%2e' ? 405 : 404);
    }
  });

  it('a JSON body with a __proto__ key is refused', async () => {
    const { app } = await buildTestApp();
    const res = await app.inject({ method: 'POST', url: '/graphs', headers: { 'content-type': 'application/json' }, payload: '{"name":"x","ties":[],"__proto__":{"polluted":true}}' });
    expectProblem(res, 400);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });
});

describe('problem details', () => {
  it('unknown routes are 404 and wrong methods 405 with Allow', async () => {
    const { app } = await buildTestApp();
    expectProblem(await app.inject('/nowhere'), 404, /no route GET \/nowhere/);
    const res = await app.inject({ method: 'POST', url: '/graphs/g_0123456789abcdef' });
    expectProblem(res, 405);
    expect(res.headers.allow).toBe('DELETE, GET, HEAD, PATCH, PUT');
    expectProblem(await app.inject({ method: 'DELETE', url: '/graphs' }), 405);
    expectProblem(await app.inject({ method: 'GET', url: '/graphs/import' }), 404); // GET /graphs/:id with id "import"
    expectProblem(await app.inject('/graphs/g_1/customers/%E0%A4%A'), 400); // bad percent-encoding
  });

  it('5xx never leaks internals', async () => {
    const dir = await tempDir();
    const file = await FileStore.open(dir);
    const broken: GraphStore = Object.assign(Object.create(file) as GraphStore, {
      list: async () => {
        throw new Error('EACCES: /secret/path/graphs.db at line 42');
      },
    });
    const app = await buildApp(loadConfig({ RIPPLE_DATA_DIR: dir, LOG_LEVEL: 'silent' }), { store: broken });
    try {
      const res = await app.inject('/graphs');
      const p = expectProblem(res, 500);
      expect(res.body).not.toMatch(/secret|EACCES|line 42/);
      expect(p.detail).toMatch(/see the server log/);
    } finally {
      await app.close();
      await file.close();
    }
  });

  it('API keys: required when configured, health and docs stay open', async () => {
    const { app } = await buildTestApp({ RIPPLE_API_KEYS: 'k1,k2' });
    const denied = await app.inject('/graphs');
    expectProblem(denied, 401);
    expect(denied.headers['www-authenticate']).toBe('Bearer');
    expectProblem(await app.inject({ url: '/graphs', headers: { authorization: 'Bearer nope' } }), 401, /not valid/);
    expect((await app.inject({ url: '/graphs', headers: { authorization: 'Bearer k2' } })).statusCode).toBe(200);
    expect((await app.inject({ url: '/graphs', headers: { 'x-api-key': 'k1' } })).statusCode).toBe(200);
    expect((await app.inject('/health')).statusCode).toBe(200);
    expect((await app.inject('/openapi.json')).statusCode).toBe(200);
  });
});

describe('OpenAPI', () => {
  it('/openapi.json lists every route with an operationId, tags and summary', async () => {
    const { app } = await buildTestApp();
    const res = await app.inject('/openapi.json');
    expect(res.statusCode).toBe(200);
    const doc = JSON.parse(res.body);
    expect(doc.openapi).toMatch(/^3\./);
    // Every route of the DESIGN §8 contract (more may exist; none may go missing).
    const expected = [
      'GET /health', 'GET /ready', 'GET /graphs', 'POST /graphs', 'POST /graphs/import', 'GET /graphs/{id}', 'PUT /graphs/{id}',
      'DELETE /graphs/{id}', 'PUT /graphs/{id}/import', 'GET /graphs/{id}/customers/{customerId}', 'GET /graphs/{id}/info',
      'GET /graphs/{id}/centrality/{metric}', 'POST /graphs/{id}/simulations', 'POST /graphs/{id}/scenarios',
      'POST /graphs/{id}/scenarios/riskiest', 'POST /graphs/{id}/influencers', 'GET /graphs/{id}/value',
      'GET /graphs/{id}/customers/{customerId}/value', 'GET /jobs/{jobId}', 'GET /jobs/{jobId}/events', 'DELETE /jobs/{jobId}',
    ];
    const seen: string[] = [];
    const ids = new Set<string>();
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, { operationId?: string; tags?: string[]; summary?: string }>>)) {
      for (const [method, op] of Object.entries(ops)) {
        seen.push(`${method.toUpperCase()} ${path}`);
        // camelCase, digits allowed after the first letter (importGraphFromNeo4j): the Python client snake_cases it.
        expect(op.operationId, `${method} ${path}`).toMatch(/^[a-z][a-zA-Z0-9]*$/);
        expect(ids.has(op.operationId!)).toBe(false);
        ids.add(op.operationId!);
        expect(op.tags?.length).toBeGreaterThan(0);
        expect(op.summary).toBeTruthy();
      }
    }
    expect(seen).toEqual(expect.arrayContaining(expected));
    expect((await app.inject('/docs')).statusCode).toBe(200);
  });
});
