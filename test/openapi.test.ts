import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { generateClientTypes, main as genClient } from '../scripts/gen-client.js';
import { apiRoutes } from './api-routes-helper.js';
import { buildTestApp, tempDir } from './helper.js';

type Json = Record<string, unknown>;
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

async function liveDocument(): Promise<Json> {
  const { app } = await buildTestApp();
  const res = await app.inject('/openapi.json');
  expect(res.statusCode).toBe(200);
  return res.json<Json>();
}

function operations(doc: Json): { key: string; op: Json }[] {
  const out: { key: string; op: Json }[] = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Json>)) {
    for (const m of METHODS) if (item[m]) out.push({ key: `${m.toUpperCase()} ${path}`, op: item[m] as Json });
  }
  return out;
}

/** Does this JSON value carry an OpenAPI/JSON-Schema example anywhere (`examples` or `example`)? */
function hasExample(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(hasExample);
  if (v === null || typeof v !== 'object') return false;
  for (const [k, x] of Object.entries(v)) {
    if ((k === 'example' && x !== undefined) || (k === 'examples' && (Array.isArray(x) ? x.length > 0 : typeof x === 'object' && x !== null))) return true;
    if (hasExample(x)) return true;
  }
  return false;
}

describe('/openapi.json', () => {
  it('is valid OpenAPI 3.1 (@seriousme/openapi-schema-validator)', async () => {
    const doc = await liveDocument();
    expect(doc.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('is still valid with API keys on (security scheme)', async () => {
    const { app } = await buildTestApp({ RIPPLE_API_KEYS: 'k1' });
    const doc = (await app.inject('/openapi.json')).json<Json>();
    const result = await new Validator().validate(doc);
    expect(result.valid, JSON.stringify(result.errors)).toBe(true);
    expect(doc.security).toEqual([{ apiKey: [] }, { apiKeyHeader: [] }]);
    const schemes = (doc.components as { securitySchemes: Record<string, { type: string; scheme?: string; in?: string; name?: string }> }).securitySchemes;
    expect(schemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(schemes.apiKeyHeader).toMatchObject({ type: 'apiKey', in: 'header', name: 'x-api-key' });
    const paths = doc.paths as Record<string, Record<string, { security?: unknown[] }>>;
    expect(paths['/health'].get.security).toEqual([]);
  });

  it('documents every registered route: operationId, declared tags, summary, schemas and an example', async () => {
    const { app } = await buildTestApp();
    const doc = (await app.inject('/openapi.json')).json<Json>();
    const ops = operations(doc);
    const documented = new Set(ops.map((o) => o.key));
    // Every route the app registered (minus /openapi.json, /docs and the CORS catch-all) is in the document.
    const routes = apiRoutes(app).map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`);
    expect(routes.length).toBeGreaterThanOrEqual(10);
    expect(routes.filter((r) => !documented.has(r))).toEqual([]);
    for (const known of ['GET /health', 'GET /ready', 'POST /graphs', 'GET /graphs', 'GET /graphs/{id}', 'PUT /graphs/{id}', 'DELETE /graphs/{id}', 'POST /graphs/import', 'PUT /graphs/{id}/import', 'GET /graphs/{id}/customers/{customerId}']) {
      expect(routes, known).toContain(known);
    }

    const declaredTags = new Set((doc.tags as { name: string }[]).map((t) => t.name));
    const ids = new Set<string>();
    const problems: string[] = [];
    for (const { key, op } of ops) {
      const id = op.operationId;
      if (typeof id !== 'string' || !/^[a-z][A-Za-z0-9]+$/.test(id)) problems.push(`${key}: operationId ${String(id)}`);
      else if (ids.has(id)) problems.push(`${key}: duplicate operationId ${id}`);
      else ids.add(id);
      const tags = op.tags as string[] | undefined;
      if (!tags?.length) problems.push(`${key}: no tags`);
      for (const t of tags ?? []) if (!declaredTags.has(t)) problems.push(`${key}: tag ${t} is not declared in the document's tags`);
      if (typeof op.summary !== 'string' || op.summary.length < 5) problems.push(`${key}: no summary`);
      const responses = op.responses as Record<string, Json> | undefined;
      const success = Object.entries(responses ?? {}).filter(([code]) => /^2\d\d$/.test(code));
      if (success.length === 0) problems.push(`${key}: no 2xx response`);
      for (const [code, r] of success) {
        if (code === '204') continue;
        const content = r.content as Record<string, { schema?: Json }> | undefined;
        if (!content || Object.values(content).some((c) => !c.schema)) problems.push(`${key}: ${code} has no schema`);
        else if (!hasExample(content)) problems.push(`${key}: ${code} has no example`);
      }
      if (!responses?.['4XX']) problems.push(`${key}: 4xx problem response not documented`);
      const body = op.requestBody as Json | undefined;
      // Every POST/PUT takes a body (JSON or a raw upload); GET/DELETE take none.
      if ((key.startsWith('POST ') || key.startsWith('PUT ')) && !body) problems.push(`${key}: no request body schema`);
      if (body && !hasExample(body)) problems.push(`${key}: request body has no example`);
    }
    expect(problems).toEqual([]);
  });

  it('serves an interactive reference at /docs', async () => {
    const { app } = await buildTestApp();
    const res = await app.inject('/docs/');
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/swagger-ui/i);
    const json = await app.inject('/docs/json');
    expect(json.statusCode).toBe(200);
    expect(json.json<Json>().openapi).toBe('3.1.0');
  });
});

describe('generated TypeScript client (scripts/gen-client.ts, openapi-typescript)', () => {
  it('emits types from the live document that a tiny client compiles against, and that catch mistakes', async () => {
    const dir = await tempDir('ripple-client-');
    const typesFile = join(dir, 'ripple-api.d.ts');
    const r = await genClient(['--out', typesFile]);
    expect(r.operations).toBeGreaterThanOrEqual(10);
    const types = await readFile(typesFile, 'utf8');
    expect(types).toMatch(/export interface paths/);
    expect(types).toMatch(/createGraph: \{/);

    const client = `
import type { paths, operations } from './ripple-api.js';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
export type GraphSummary = Json<paths['/graphs/{id}']['get']['responses'][200]>;
export type NewGraph = NonNullable<operations['createGraph']['requestBody']>['content']['application/json'];
export type Created = Json<operations['createGraph']['responses'][201]>;
export type Problem = Json<operations['getGraph']['responses']['4XX']>;

export type Send = (method: string, url: string, body?: unknown) => Promise<{ status: number; json: unknown }>;

export async function createGraph(send: Send, body: NewGraph): Promise<Created> {
  const res = await send('POST', '/graphs', body);
  if (res.status !== 201) throw new Error((res.json as Problem).detail);
  return res.json as Created;
}

export async function getGraph(send: Send, id: paths['/graphs/{id}']['get']['parameters']['path']['id']): Promise<GraphSummary> {
  const res = await send('GET', '/graphs/' + encodeURIComponent(id));
  if (res.status !== 200) throw new Error((res.json as Problem).detail + ' ' + (res.json as Problem).requestId);
  return res.json as GraphSummary;
}

export function describeGraph(g: GraphSummary): string {
  const version: number = g.version;
  const directed: boolean = g.directed;
  return g.name + ' v' + version + (directed ? ' (directed)' : '') + ': ' + g.customers + ' customers';
}

export const body: NewGraph = { name: 'x', directed: true, ties: [{ source: 'a', target: 'b', p: 0.5 }] };

// The types are not 'any': these must be rejected.
// @ts-expect-error ties is required
export const noTies: NewGraph = { name: 'x' };
// @ts-expect-error version is a number
export const badVersion: GraphSummary['version'] = 'one';
// @ts-expect-error no such operation
export type Nope = operations['noSuchOperation'];
`;
    const clientFile = join(dir, 'client.ts');
    await writeFile(clientFile, client);
    const program = ts.createProgram([clientFile], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2022.d.ts'],
      types: [],
      skipLibCheck: false,
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(diagnostics).toEqual([]);
  }, 60_000);

  it('the same client fails to compile against wrong usage (the check can fail)', async () => {
    const { app } = await buildTestApp();
    const doc = (await app.inject('/openapi.json')).json();
    const dir = await tempDir('ripple-client-');
    await writeFile(join(dir, 'ripple-api.d.ts'), await generateClientTypes(doc));
    await writeFile(join(dir, 'bad.ts'), `import type { operations } from './ripple-api.js';
type G = operations['getGraph']['responses'][200]['content']['application/json'];
export const g: G = { id: 'x', name: 'n', directed: 'yes', version: 1, customers: 1, ties: 0, createdAt: '', updatedAt: '' };
`);
    const program = ts.createProgram([join(dir, 'bad.ts')], { strict: true, noEmit: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, types: [], lib: ['lib.es2022.d.ts'] });
    const messages = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(messages.join('\n')).toMatch(/'string' is not assignable to type 'boolean'/);
  }, 60_000);
});
