import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { describe, expect, it, onTestFinished } from 'vitest';
import { buildApp } from '../src/api/app.js';
import { loadConfig } from '../src/config.js';
import { FileStore } from '../src/store/file-store.js';
import { apiRoutes, type RegisteredRoute } from './api-routes-helper.js';
import { tempDir } from './helper.js';
import { checkResponses } from './openapi-contract.js';

/**
 * Property-based abuse (fast-check, fixed seed): hostile bodies, query strings, headers and raw uploads at every
 * route the app has registered when the test runs. Load shedding is off (no 503 from under-pressure) and the
 * rate limit is off. Asserted for every answer: no 5xx (except 503 `jobs-queue-full`, which is capacity),
 * errors are problem+json whose status matches; afterwards /health answers, no file appeared outside the data
 * directory, and the protected graph's files are byte-identical (writes go to a scratch graph only).
 */

const SEED = Number(process.env.RIPPLE_FUZZ_SEED ?? 20250611);
/** Runs per route (JSON/query property) and upload runs: ~10 s on 2 busy cores. Seed and runs can be overridden to explore. */
const RUNS_PER_ROUTE = Number(process.env.RIPPLE_FUZZ_RUNS ?? 200);
const UPLOAD_RUNS = Number(process.env.RIPPLE_FUZZ_UPLOAD_RUNS ?? 600);

const LONG_ID = 'x'.repeat(10_240);
const TRICKY_IDS = ['__proto__', 'constructor', 'prototype', '../../etc/passwd', 'ünï©ødé 😀', 'a/b', 'toString', LONG_ID];

const HOSTILE_STRINGS = [
  '', ' ', '__proto__', 'constructor', 'prototype', 'hasOwnProperty', '../../etc/passwd', '..\\..\\boot.ini', '%2e%2e%2f',
  '\u0000', '\uFFFF', '\uD800', '😀'.repeat(50), 'NaN', 'Infinity', '-Infinity', '-0', '1e309', '0x10', "' OR 1=1 --",
  'MATCH (n) DETACH DELETE n', '<script>alert(1)</script>', '${process.exit()}', '{{7*7}}', 'g_0000000000000000', LONG_ID,
  'a'.repeat(70_000),
];

/** Strings sent into URLs as they are (malformed percent-encoding, dot segments). */
const RAW = '\u0001raw:';
const RAW_SEGMENTS = ['%E0%A4%A', '%', '%00', '..', '.', '%2e%2e', '%ZZ', '%C0%AF', '%ED%A0%80'].map((s) => RAW + s);

const hostileString = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom(...RAW_SEGMENTS) },
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
);

const hostileNumber = fc.oneof(
  fc.constantFrom(-0, 0, 1, -1, 0.5, 1e308, -1e308, 2 ** 31, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER, 4_294_967_296, 1e-320),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** JSON values, nested a little; deep nesting is added as text below. */
const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    hostileNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(hostileString, tie('v'), { maxKeys: 4 }),
  ),
})).v;

/** Text-level sabotage of a JSON document: numbers JSON cannot hold, prototype keys, deep nesting, truncation. */
const textMutation = fc.constantFrom<(s: string) => string>(
  (s) => s,
  (s) => s,
  (s) => s.replace(/(:\s*)-?\d+(\.\d+)?/, '$1NaN'),
  (s) => s.replace(/(:\s*)-?\d+(\.\d+)?/, '$1Infinity'),
  (s) => s.replace(/(:\s*)-?\d+(\.\d+)?/, '$1-0'),
  (s) => s.replace(/(:\s*)-?\d+(\.\d+)?/, '$11e309'),
  (s) => s.replace(/^\{/, '{"__proto__":{"polluted":true},'),
  (s) => s.replace(/^\{/, '{"constructor":{"prototype":{"polluted":true}},'),
  (s) => '['.repeat(5000) + s + ']'.repeat(5000),
  (s) => '{"a":'.repeat(3000) + s + '}'.repeat(3000),
  (s) => s.slice(0, Math.floor(s.length / 2)),
  (s) => s + s,
  () => '',
  () => 'null',
  () => '"just a string"',
  () => '\uFEFF{}',
);

const CONTENT_TYPES = [
  'application/json', 'application/json', 'application/json; charset=utf-8', 'application/json; charset=utf-16', 'text/plain',
  'application/octet-stream', 'application/gzip', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded',
  'application/xml', 'text/csv', 'garbage', 'application/json, text/plain', '',
];
const CONTENT_ENCODINGS = [undefined, undefined, undefined, 'gzip', 'br', 'deflate', 'identity', 'x-garbage'];

/** The first example found in a request body of the OpenAPI document (to mutate from a valid-looking start). */
function firstExample(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  if (Array.isArray(o.examples) && o.examples.length > 0) return o.examples[0];
  if (o.example !== undefined) return o.example;
  for (const x of Object.values(o)) {
    const e = firstExample(x);
    if (e !== undefined) return e;
  }
  return undefined;
}

/** Paths of every member of a JSON value (to pick one to overwrite or delete). */
function memberPaths(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (v === null || typeof v !== 'object') return out;
  for (const [k, x] of Object.entries(v)) {
    const p = [...prefix, Array.isArray(v) ? Number(k) : k];
    out.push(p);
    memberPaths(x, p, out);
  }
  return out;
}

/** Percent-encoding that never throws: lone surrogates go out as their (replacement) UTF-8 bytes. */
function enc(s: string): string {
  if (s.startsWith(RAW)) return s.slice(RAW.length);
  try {
    return encodeURIComponent(s);
  } catch {
    return [...Buffer.from(s, 'utf8')].map((b) => '%' + b.toString(16).padStart(2, '0')).join('');
  }
}

function mutate(example: unknown, edits: [number, unknown, boolean][]): unknown {
  let doc: unknown = structuredClone(example ?? {});
  for (const [pick, value, remove] of edits) {
    const paths = memberPaths(doc);
    if (paths.length === 0) {
      doc = value;
      continue;
    }
    const path = paths[pick % paths.length];
    let parent = doc as Record<string | number, unknown>;
    for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
    const last = path[path.length - 1];
    if (remove && !Array.isArray(parent)) Reflect.deleteProperty(parent, last);
    else Object.defineProperty(parent, last, { value, enumerable: true, writable: true, configurable: true });
  }
  return doc;
}

async function hashTree(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  async function walk(dir: string) {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, e.name);
      if (e.isDirectory()) await walk(full);
      else out.set(full.slice(root.length), createHash('sha256').update(await readFile(full)).digest('hex'));
    }
  }
  await walk(root);
  return out;
}

interface Fixture {
  app: FastifyInstance;
  dir: string;
  dataDir: string;
  protectedId: string;
  /** Replaced by PUTs. */
  scratchId: string;
  /** Deleted by DELETE /graphs/:id (so that the scratch graph stays for the PUTs). */
  doomedId: string;
}

async function fixture(): Promise<Fixture> {
  const dir = await tempDir('ripple-fuzz-');
  const dataDir = join(dir, 'data');
  await mkdir(dataDir);
  const config = loadConfig({
    RIPPLE_DATA_DIR: dataDir, RIPPLE_DEMO: 'false', LOG_LEVEL: 'silent', RIPPLE_UNDER_PRESSURE: 'false', RIPPLE_WORKERS: '1',
    RIPPLE_BODY_LIMIT: '256kb', RIPPLE_UPLOAD_LIMIT: '64kb',
  });
  const store = await FileStore.open(dataDir);
  const app = await buildApp(config, { store });
  const contract = checkResponses(app); // every answer against /openapi.json (test/openapi-contract.ts)
  onTestFinished(async () => {
    const violations = contract.violations();
    await app.close();
    await store.close();
    expect(violations, 'answers that do not match /openapi.json').toEqual([]);
  });
  await app.ready();
  const graph = (name: string) => ({
    name,
    directed: true,
    customers: TRICKY_IDS.map((id, i) => ({ id, value: i + 1, followers: i * 3, activity: 0.9 })),
    ties: TRICKY_IDS.flatMap((id, i) => [{ source: id, target: TRICKY_IDS[(i + 1) % TRICKY_IDS.length], p: 0.4, weight: 1 + i }]),
  });
  const create = async (name: string) => {
    const res = await app.inject({ method: 'POST', url: '/graphs', payload: graph(name) });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: string }>().id;
  };
  const protectedId = await create('protected');
  const scratchId = await create('scratch');
  const doomedId = await create('doomed');
  return { app, dir, dataDir, protectedId, scratchId, doomedId };
}

/** Graph-changing routes: they may only ever see the scratch graph's id (or ids of nothing). */
const writes = (r: RegisteredRoute) => (r.method === 'DELETE' && r.url === '/graphs/:id') || r.method === 'PUT';

function check(res: LightMyRequestResponse, what: string) {
  const tag = `${what} -> ${res.statusCode} ${res.body.slice(0, 300)}`;
  if (res.statusCode >= 500) {
    // Capacity, not a crash: the job queue is full (the fuzzer may start many jobs).
    expect(res.statusCode === 503 && res.json<{ code: string }>().code === 'jobs-queue-full', tag).toBe(true);
  }
  if (res.statusCode >= 400) {
    expect(res.headers['content-type'], tag).toMatch(/^application\/problem\+json/);
    const p = res.json<{ status: number; requestId: string; detail: string }>();
    expect(p.status, tag).toBe(res.statusCode);
    expect(typeof p.detail, tag).toBe('string');
    expect(p.requestId, tag).toBe(res.headers['x-request-id']);
  }
}

function describeRequest(o: InjectOptions): string {
  const body = typeof o.payload === 'string' ? o.payload.slice(0, 200) : o.payload ? `<${(o.payload as Buffer).length} bytes>` : '';
  return `${o.method} ${String(o.url).slice(0, 200)} ${JSON.stringify(o.headers ?? {})} ${body}`;
}

describe('fuzz: hostile requests at every route', () => {
  it('never a 5xx, always problem+json, /health alive, protected graph byte-identical', async () => {
    const { app, dir, dataDir, protectedId, scratchId, doomedId } = await fixture();
    const routes = apiRoutes(app);
    expect(routes.length).toBeGreaterThanOrEqual(10);
    const doc = (await app.inject('/openapi.json')).json<{ paths: Record<string, Record<string, { requestBody?: unknown }>> }>();
    const protectedBefore = await hashTree(join(dataDir, 'graphs', protectedId));
    const summaryBefore = (await app.inject(`/graphs/${protectedId}`)).body;
    let requests = 0;
    const statuses = new Map<number, number>();

    for (const route of routes) {
      const openapiPath = route.url.replace(/:(\w+)/g, '{$1}');
      const example = firstExample(doc.paths[openapiPath]?.[route.method.toLowerCase()]?.requestBody);
      const idChoices = route.method === 'DELETE' && route.url === '/graphs/:id'
        ? [doomedId, 'g_0000000000000000']
        : writes(route) ? [scratchId, 'g_0000000000000000'] : [protectedId, scratchId];
      const param = (name: string) =>
        name === 'id'
          ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...idChoices) }, { weight: 1, arbitrary: hostileString })
          : name === 'customerId'
            ? fc.oneof(fc.constantFrom(...TRICKY_IDS), hostileString)
            : name === 'metric'
              ? fc.oneof(fc.constantFrom('degree', 'pagerank', 'betweenness', 'kcore', 'hub'), hostileString)
              : hostileString;
      const names = [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1]);
      const params = fc.tuple(...names.map(param));
      const query = fc.array(fc.tuple(fc.oneof(fc.constantFrom('top', 'k', 'format', 'name', 'directed', 'ifVersion', 'runs', 'state', 'graphId', '__proto__', 'constructor[prototype]'), hostileString), fc.oneof(hostileString, hostileNumber.map(String))), { maxLength: 4 });
      const body = fc.tuple(fc.array(fc.tuple(fc.nat(), hostileJson, fc.boolean()), { maxLength: 4 }), textMutation);
      const headers = fc.record({ type: fc.constantFrom(...CONTENT_TYPES), encoding: fc.constantFrom(...CONTENT_ENCODINGS), gzip: fc.boolean() });

      await fc.assert(
        fc.asyncProperty(params, query, body, headers, async (ps, qs, [edits, text], h) => {
          let url = route.url;
          names.forEach((n, i) => {
            url = url.replace(`:${n}`, enc(ps[i]));
          });
          if (qs.length > 0) url += '?' + qs.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
          const opts: InjectOptions = { method: route.method as InjectOptions['method'], url, headers: {} };
          if (route.method === 'POST' || route.method === 'PUT') {
            const raw = text(JSON.stringify(mutate(example, edits)) ?? 'null');
            const bytes = h.encoding === 'gzip' && h.gzip ? gzipSync(raw) : Buffer.from(raw);
            opts.payload = bytes;
            if (h.type) opts.headers!['content-type'] = h.type;
            if (h.encoding) opts.headers!['content-encoding'] = h.encoding;
          }
          const res = await app.inject(opts);
          requests++;
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          check(res, describeRequest(opts));
        }),
        { seed: SEED, numRuns: RUNS_PER_ROUTE, endOnFailure: true },
      );
    }

    // Raw uploads: random bytes, truncated gzip, huge declared lengths, hostile names and formats.
    const uploadRoutes = routes.filter((r) => r.url.endsWith('/import'));
    expect(uploadRoutes.length).toBe(2);
    const gz = gzipSync(Buffer.from('1 2\n2 3\n3 1\n'.repeat(50)));
    const uploadBody = fc.oneof(
      fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b)),
      fc.nat({ max: gz.length - 1 }).map((n) => gz.subarray(0, n)),
      fc.uint8Array({ maxLength: 256 }).map((b) => Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.from(b)])),
      fc.constantFrom(
        Buffer.from('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><gexf><graph><nodes><node id="&c;"/></nodes></graph></gexf>'),
        Buffer.from('{"name":"x","__proto__":{"polluted":1},"ties":[]}'),
        Buffer.from('source,target\n__proto__,constructor\n../../etc/passwd,' + LONG_ID + '\n'),
        Buffer.from('1 2\n'.repeat(20_000)),
        Buffer.from('\uFEFF1\t2\r\n'),
        Buffer.from(''),
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...uploadRoutes),
        uploadBody,
        fc.record({
          format: fc.option(fc.oneof(fc.constantFrom('edgelist', 'csv', 'json', 'gexf', 'graphml'), hostileString), { nil: undefined }),
          name: fc.option(hostileString, { nil: undefined }),
          directed: fc.option(fc.oneof(fc.constantFrom('true', 'false'), hostileString), { nil: undefined }),
          type: fc.constantFrom('application/octet-stream', 'text/plain', 'application/gzip', 'application/json', 'application/xml', 'text/csv', 'image/png', 'garbage/x'),
          encoding: fc.constantFrom(...CONTENT_ENCODINGS),
          declared: fc.option(fc.constantFrom('1000000000000', '99999999999999999999', '-1', 'abc', '1'), { nil: undefined }),
        }),
        async (route, payload, h) => {
          const q = new URLSearchParams();
          if (h.format !== undefined) q.set('format', h.format);
          if (h.name !== undefined) q.set('name', h.name);
          if (h.directed !== undefined) q.set('directed', h.directed);
          const url = route.url.replace(':id', scratchId) + (q.size > 0 ? `?${q}` : '');
          const headers: Record<string, string> = { 'content-type': h.type };
          if (h.encoding) headers['content-encoding'] = h.encoding;
          if (h.declared) headers['content-length'] = h.declared;
          const opts: InjectOptions = { method: route.method as InjectOptions['method'], url, payload, headers };
          let res: LightMyRequestResponse;
          try {
            res = await app.inject(opts);
          } catch (err) {
            // light-my-request itself refuses some header values (an invalid content-length) before the app sees them.
            expect(String(err), describeRequest(opts)).toMatch(/content-length|Content-Length|ERR_/i);
            return;
          }
          requests++;
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          check(res, describeRequest(opts));
        },
      ),
      { seed: SEED + 1, numRuns: UPLOAD_RUNS, endOnFailure: true },
    );

    // Alive, nothing written outside the data directory, the protected graph untouched.
    expect((await app.inject('/health')).json()).toEqual({ status: 'ok' });
    expect((await app.inject(`/graphs/${protectedId}`)).body).toBe(summaryBefore);
    expect(await hashTree(join(dataDir, 'graphs', protectedId))).toEqual(protectedBefore);
    expect((await readdir(dir)).sort()).toEqual(['data']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const summary = [...statuses.entries()].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}:${n}`).join(' ');
    console.log(`fuzz: ${requests} requests over ${routes.length} routes (seed ${SEED}); statuses ${summary}`);
  }, 120_000);
});
