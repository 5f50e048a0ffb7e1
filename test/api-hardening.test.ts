import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import type { LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/api/app.js';
import { loadConfig } from '../src/config.js';
import { FileStore } from '../src/store/file-store.js';
import { buildTestApp, smallGraph, tempDir } from './helper.js';
import type { EmbeddedJobs } from '../src/jobs/service.js';

/** RFC 9457 problem+json with Ripple's members; the request id matches the header. */
function expectProblem(res: LightMyRequestResponse, status: number, detail?: RegExp) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const p = res.json();
  expect(p).toMatchObject({ type: 'about:blank', status, title: expect.any(String), detail: expect.any(String), instance: expect.any(String), code: expect.any(String) });
  expect(p.requestId).toBe(res.headers['x-request-id']);
  if (detail) expect(p.detail).toMatch(detail);
  return p as { detail: string; code: string; requestId: string; errors?: { path: string; message: string }[] };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('problem+json for every error status', () => {
  it('400 lists field paths', async () => {
    const { app } = await buildTestApp();
    const body = { name: 'x', ties: [{ source: 'a', target: 'b', p: 2 }, { source: '', target: 'b' }] };
    const p = expectProblem(await app.inject({ method: 'POST', url: '/graphs', payload: body }), 400);
    expect(p.code).toBe('validation');
    expect(p.errors?.map((e) => e.path).sort()).toEqual(['body.ties[0].p', 'body.ties[1].source']);
    // Query strings too.
    const q = expectProblem(await app.inject({ method: 'POST', url: '/graphs/import?format=docx', payload: '1 2', headers: { 'content-type': 'text/plain' } }), 400);
    expect(q.errors?.[0].path).toBe('query.format');
  });

  it('404 for an unknown graph and an unknown route, 405 with Allow for a known path', async () => {
    const { app } = await buildTestApp();
    expectProblem(await app.inject('/graphs/g_nope'), 404, /g_nope/);
    expectProblem(await app.inject('/nothing/here'), 404, /no route/);
    const res = await app.inject({ method: 'PATCH', url: '/graphs' });
    expectProblem(res, 405);
    expect(res.headers.allow).toMatch(/GET/);
    expect(res.headers.allow).toMatch(/POST/);
  });

  it('409 when ifVersion is stale', async () => {
    const { app } = await buildTestApp();
    const g = (await app.inject({ method: 'POST', url: '/graphs', payload: smallGraph() })).json();
    expect((await app.inject({ method: 'PUT', url: `/graphs/${g.id}?ifVersion=1`, payload: smallGraph('v2') })).statusCode).toBe(200);
    expectProblem(await app.inject({ method: 'PUT', url: `/graphs/${g.id}?ifVersion=1`, payload: smallGraph('v3') }), 409);
  });

  it('413 past RIPPLE_BODY_LIMIT (JSON) and RIPPLE_UPLOAD_LIMIT (raw upload, declared or streamed)', async () => {
    const { app } = await buildTestApp({ RIPPLE_BODY_LIMIT: '2kb', RIPPLE_UPLOAD_LIMIT: '4kb' });
    const big = { name: 'big', ties: Array.from({ length: 200 }, (_, i) => ({ source: `a${i}`, target: `b${i}` })) };
    expectProblem(await app.inject({ method: 'POST', url: '/graphs', payload: big }), 413, /larger than the limit/);
    const edges = '1 2\n'.repeat(2000);
    expectProblem(await app.inject({ method: 'POST', url: '/graphs/import?format=edgelist&name=e', payload: edges, headers: { 'content-type': 'text/plain' } }), 413, /4096 bytes/);
    const stream = new PassThrough();
    const pending = app.inject({ method: 'POST', url: '/graphs/import?format=edgelist&name=e', payload: stream, headers: { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' } });
    for (let i = 0; i < 10; i++) stream.write('3 4\n'.repeat(300));
    stream.end();
    expectProblem(await pending, 413, /4096 bytes/);
    expect((await app.inject('/graphs')).json()).toEqual({ graphs: [] });
  });

  it('415 for an unsupported content type', async () => {
    const { app } = await buildTestApp();
    expectProblem(await app.inject({ method: 'POST', url: '/graphs', payload: '<x/>', headers: { 'content-type': 'application/x-foo' } }), 415, /application\/x-foo/);
    expectProblem(await app.inject({ method: 'POST', url: '/graphs/import?format=edgelist', payload: 'x', headers: { 'content-type': 'image/png' } }), 415);
  });

  it('422 for a well-formed but unusable request (CELF on a graph above its size limit)', async () => {
    const { app } = await buildTestApp();
    const ties = Array.from({ length: 5001 }, (_, i) => ({ source: `c${i}`, target: `c${i + 1}` }));
    const g = (await app.inject({ method: 'POST', url: '/graphs', payload: { name: 'long path', directed: true, ties } })).json();
    const res = await app.inject({ method: 'POST', url: `/graphs/${g.id}/influencers`, payload: { k: 1, method: 'celf', p: 0.1 } });
    expectProblem(res, 422, /use method "imm"/);
  });

  it('400 (DESIGN §3) for LT in-weights above 1 under the attribute scheme', async () => {
    const { app } = await buildTestApp();
    const graph = { name: 'lt', directed: true, ties: [{ source: 'a', target: 'c', p: 0.8 }, { source: 'b', target: 'c', p: 0.8 }] };
    const g = (await app.inject({ method: 'POST', url: '/graphs', payload: graph })).json();
    const res = await app.inject({ method: 'POST', url: `/graphs/${g.id}/simulations`, payload: { model: 'lt', probability: 'attribute', seeds: ['a'], runs: 10, seed: 1 } });
    expectProblem(res, 400, /in-weights of customer "c" sum to 1\.6/);
  });

  it('429 per API key with Retry-After; /health is not counted; another key has its own budget', async () => {
    const { app } = await buildTestApp({ RIPPLE_RATE_LIMIT: '3', RIPPLE_API_KEYS: 'alpha,beta' });
    const as = (key: string) => ({ authorization: `Bearer ${key}` });
    for (let i = 0; i < 3; i++) expect((await app.inject({ url: '/graphs', headers: as('alpha') })).statusCode).toBe(200);
    const res = await app.inject({ url: '/graphs', headers: as('alpha') });
    const p = expectProblem(res, 429, /3 requests per minute/);
    expect(p.code).toBe('rate-limited');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect((await app.inject({ url: '/graphs', headers: as('beta') })).statusCode).toBe(200);
    for (let i = 0; i < 5; i++) expect((await app.inject('/health')).statusCode).toBe(200);
  });

  it('429 per client IP without API keys', async () => {
    const { app } = await buildTestApp({ RIPPLE_RATE_LIMIT: '2' });
    const from = (ip: string) => ({ url: '/graphs', remoteAddress: ip });
    expect((await app.inject(from('10.0.0.1'))).statusCode).toBe(200);
    expect((await app.inject(from('10.0.0.1'))).statusCode).toBe(200);
    expectProblem(await app.inject(from('10.0.0.1')), 429);
    expect((await app.inject(from('10.0.0.2'))).statusCode).toBe(200);
    // Without configured keys an x-api-key/Bearer header is unchecked: a fresh value must not open a fresh bucket.
    for (const h of [{ 'x-api-key': 'made-up-1' }, { authorization: 'Bearer made-up-2' }]) {
      expectProblem(await app.inject({ ...from('10.0.0.1'), headers: h }), 429);
    }
  });

  it('503 with Retry-After past the in-flight cap; /health still answers; the slot frees when the request ends', async () => {
    const { app } = await buildTestApp({ RIPPLE_MAX_IN_FLIGHT: '1', RIPPLE_RETRY_AFTER: '7' });
    const stream = new PassThrough();
    const slow = app.inject({ method: 'POST', url: '/graphs/import?format=edgelist&name=slow', payload: stream, headers: { 'content-type': 'text/plain' } });
    stream.write('1 2\n');
    await sleep(20);
    const shed = await app.inject('/graphs');
    const p = expectProblem(shed, 503, /overloaded/);
    expect(p.code).toBe('overloaded');
    expect(shed.headers['retry-after']).toBe('7');
    expect((await app.inject('/health')).statusCode).toBe(200);
    stream.end('2 3\n');
    expect((await slow).statusCode).toBe(201);
    await sleep(5);
    expect((await app.inject('/graphs')).json().graphs).toHaveLength(1);
  });

  it('503 from under-pressure (heap over RIPPLE_MAX_HEAP) while /health stays fast', async () => {
    const { app } = await buildTestApp({ RIPPLE_MAX_HEAP: '1' });
    // under-pressure samples every 250 ms; on a loaded machine the first sample may come late: wait for it (≤ 5 s).
    let res = await app.inject('/graphs');
    for (const t0 = Date.now(); res.statusCode !== 503 && Date.now() - t0 < 5000; res = await app.inject('/graphs')) await sleep(50);
    expectProblem(res, 503, /heapUsedBytes/);
    expect(res.headers['retry-after']).toBe('5');
    const t0 = performance.now();
    expect((await app.inject('/health')).json()).toEqual({ status: 'ok' });
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it('RIPPLE_UNDER_PRESSURE=false turns shedding off', async () => {
    const { app } = await buildTestApp({ RIPPLE_MAX_HEAP: '1', RIPPLE_MAX_IN_FLIGHT: '1', RIPPLE_UNDER_PRESSURE: 'false' });
    await sleep(300);
    expect((await app.inject('/graphs')).statusCode).toBe(200);
  });
});

describe('limits answer a clear 400 with the field path', () => {
  it('runs, maxSteps, k, top, seeds and id length are bounded', async () => {
    const { app } = await buildTestApp();
    const g = (await app.inject({ method: 'POST', url: '/graphs', payload: smallGraph() })).json<{ id: string }>();
    const sim = (body: object) => app.inject({ method: 'POST', url: `/graphs/${g.id}/simulations`, payload: { model: 'ic', seeds: ['a'], runs: 10, seed: 1, ...body } });
    const paths = (res: LightMyRequestResponse) => expectProblem(res, 400).errors?.map((e) => e.path);
    expect(paths(await sim({ runs: 10_000_001 }))).toContain('body.runs');
    expect(paths(await sim({ runs: 0 }))).toContain('body.runs');
    expect(paths(await sim({ maxSteps: 1_000_001 }))).toContain('body.maxSteps');
    expect(paths(await sim({ seeds: [] }))).toContain('body.seeds');
    expect(paths(await sim({ seeds: ['x'.repeat(16_385)] }))).toContain('body.seeds[0]');
    expect(paths(await sim({ seed: -1 }))).toContain('body.seed');
    const k = await app.inject({ method: 'POST', url: `/graphs/${g.id}/influencers`, payload: { k: 10_001 } });
    expect(paths(k)).toContain('body.k');
    const top = await app.inject(`/graphs/${g.id}/centrality/pagerank?top=-1`);
    expect(paths(top)).toContain('query.top');
    // A customer id longer than the limit, in the path.
    expectProblem(await app.inject(`/graphs/${g.id}/customers/${'x'.repeat(16_385)}`), 400);
  });
});

describe('security headers and CORS', () => {
  it('sends helmet headers, and /docs is served under a CSP that allows its own scripts', async () => {
    const { app } = await buildTestApp();
    const res = await app.inject('/graphs');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['strict-transport-security']).toBeDefined();
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toMatch(/script-src 'self'/);
    expect(csp).not.toMatch(/upgrade-insecure-requests/);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();

    const docs = await app.inject('/docs/');
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toMatch(/text\/html/);
    // Every script of the page comes from the same origin (CSP script-src 'self'), none inline.
    const scripts = [...docs.body.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, inline] of scripts) {
      expect(attrs).toMatch(/src="\.?\/?[^":]*"/);
      expect(inline.trim()).toBe('');
    }
    const init = await app.inject('/docs/static/swagger-initializer.js');
    expect(init.statusCode).toBe(200);
  });

  it('CORS off without RIPPLE_CORS_ORIGINS; with it, listed origins only, preflight answered, 404s unchanged', async () => {
    const { app } = await buildTestApp({ RIPPLE_CORS_ORIGINS: 'https://dash.example.com, https://ops.example.com' });
    const ok = await app.inject({ url: '/graphs', headers: { origin: 'https://dash.example.com' } });
    expect(ok.headers['access-control-allow-origin']).toBe('https://dash.example.com');
    expect(String(ok.headers['access-control-expose-headers'])).toMatch(/x-request-id/);
    const other = await app.inject({ url: '/graphs', headers: { origin: 'https://evil.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const pre = await app.inject({
      method: 'OPTIONS',
      url: '/graphs',
      headers: { origin: 'https://ops.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
    });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('https://ops.example.com');
    expect(String(pre.headers['access-control-allow-methods'])).toMatch(/POST/);
    expect(String(pre.headers['access-control-allow-headers'])).toMatch(/authorization/);
    expectProblem(await app.inject('/nothing/here'), 404);
    expectProblem(await app.inject({ method: 'PATCH', url: '/graphs' }), 405);
  });

  it('RIPPLE_CORS_ORIGINS=* allows any origin', async () => {
    const { app } = await buildTestApp({ RIPPLE_CORS_ORIGINS: '*' });
    expect((await app.inject({ url: '/health', headers: { origin: 'https://x.example' } })).headers['access-control-allow-origin']).toBe('*');
  });
});

describe('request ids', () => {
  it('the id in the body and header of an error is the reqId of its log lines; a valid one is also logged', async () => {
    const dir = await tempDir();
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const l of chunk.toString('utf8').split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
        cb();
      },
    });
    const config = loadConfig({ RIPPLE_DATA_DIR: dir, RIPPLE_DEMO: 'false', LOG_LEVEL: 'info', RIPPLE_WORKERS: '1' });
    const store = await FileStore.open(dir);
    const app = await buildApp(config, { store, logger: pino({ level: 'info' }, sink), pool: null });
    try {
      const res = await app.inject('/graphs/g_missing');
      const p = expectProblem(res, 404);
      await sleep(10);
      const mine = lines.filter((l) => l.reqId === p.requestId);
      expect(mine.length).toBeGreaterThan(0);
      expect(mine.some((l) => l.msg === 'request rejected' || l.msg === 'request completed')).toBe(true);
      const ok = await app.inject('/health');
      expect(ok.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      await sleep(10);
      expect(lines.some((l) => l.reqId === ok.headers['x-request-id'])).toBe(true);
    } finally {
      await app.close();
      await store.close();
    }
  });
});

describe('graceful shutdown', () => {
  it('close() lets an in-flight request on a real socket finish, then refuses new connections', async () => {
    const { app } = await buildTestApp();
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const answer = new Promise<{ status: number; body: string; connection?: string }>((resolve, reject) => {
      const req = request({ port, host: '127.0.0.1', path: '/graphs/import?format=edgelist&name=drain', method: 'POST', headers: { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection }));
      });
      req.on('error', reject);
      req.write('1 2\n2 3\n');
      // The body ends only after close() has begun.
      setTimeout(() => req.end('3 4\n'), 150);
    });
    // Close only once the server has the request (on a loaded machine 50 ms may not suffice to accept it: a
    // connection still in the listen backlog when the listener closes is reset, which is not what this tests).
    for (const t0 = Date.now(); (app.receiving?.() ?? 0) + (app.inFlight?.() ?? 0) === 0 && Date.now() - t0 < 5000;) await sleep(5);
    const closed = app.close();
    const res = await answer;
    await closed;
    expect(res.status, res.body).toBe(201);
    expect(res.connection).toBe('close'); // so close() need not wait for the keep-alive timeout
    expect(JSON.parse(res.body)).toMatchObject({ name: 'drain', customers: 4, ties: 3 });
    await expect(
      new Promise((resolve, reject) => {
        const r = request({ port, host: '127.0.0.1', path: '/health' }, resolve);
        r.on('error', reject);
        r.end();
      }),
    ).rejects.toThrow(/ECONNREFUSED|ECONNRESET/); // refused: no listener, or a connection the closing listener had queued
  });

  it('close() cancels running and queued jobs', async () => {
    const { app } = await buildTestApp();
    const { manager: jobs } = app.ripple.jobs as EmbeddedJobs; // the in-process JobManager (RIPPLE_REDIS_URL unset)
    let aborted = 0;
    const spec = {
      kind: 'test',
      run: ({ signal }: { signal: AbortSignal }) =>
        new Promise<never>((_, reject) => {
          signal.addEventListener('abort', () => {
            aborted++;
            reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
          });
        }),
    };
    const running = jobs.submit(spec);
    const queued = jobs.submit(spec);
    await sleep(10);
    expect(jobs.get(running.id).state).toBe('running');
    await app.close();
    expect(jobs.get(running.id).state).toBe('cancelled');
    expect(jobs.get(queued.id).state).toBe('cancelled');
    expect(aborted).toBe(1); // the queued one never started
  });
});
