import { readFile, rm, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Validator } from '@seriousme/openapi-schema-validator';
import ts from 'typescript';
import { describe, expect, it, onTestFinished } from 'vitest';
import { generateClientTypes, main as genClient } from '../scripts/gen-client.js';
import { apiRoutes } from './api-routes-helper.js';
import { buildTestApp, tempDir } from './helper.js';
import { contractOf } from './openapi-contract.js';

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

/** `v` with every `$ref` to a component replaced by the component (one level deep is enough for examples). */
function resolveRefs(doc: Json, v: unknown, depth = 0): unknown {
  if (Array.isArray(v)) return v.map((x) => resolveRefs(doc, x, depth));
  if (v === null || typeof v !== 'object') return v;
  const ref = (v as { $ref?: unknown }).$ref;
  if (typeof ref === 'string' && ref.startsWith('#/components/schemas/') && depth < 3) {
    return resolveRefs(doc, (doc.components as { schemas: Record<string, unknown> }).schemas[ref.slice(21)], depth + 1);
  }
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolveRefs(doc, x, depth)]));
}

const SCHEMA_KEYS = ['type', 'properties', '$ref', 'anyOf', 'oneOf', 'allOf', 'enum', 'const', 'items'];

/**
 * Every example in the document with the schema it claims to follow: `examples` of a schema (anywhere: components,
 * nested properties, inline bodies), `example`/`examples` of a media type or a parameter.
 */
function examplesIn(doc: Json): { where: string; schema: unknown; value: unknown }[] {
  const out: { where: string; schema: unknown; value: unknown }[] = [];
  const walk = (node: unknown, where: string) => {
    if (Array.isArray(node)) return node.forEach((x, i) => walk(x, `${where}[${i}]`));
    if (node === null || typeof node !== 'object') return;
    const o = node as Json;
    const isSchema = SCHEMA_KEYS.some((k) => k in o);
    if (isSchema && Array.isArray(o.examples)) {
      const { examples, ...schema } = o;
      (examples as unknown[]).forEach((value, i) => out.push({ where: `${where}.examples[${i}]`, schema, value }));
    }
    if (!isSchema && o.schema !== undefined) {
      // A media type or a parameter: `example`, or `examples` as a map of { value }.
      if ('example' in o) out.push({ where: `${where}.example`, schema: o.schema, value: o.example });
      if (o.examples && typeof o.examples === 'object' && !Array.isArray(o.examples)) {
        for (const [name, ex] of Object.entries(o.examples as Record<string, { value?: unknown }>)) out.push({ where: `${where}.examples.${name}`, schema: o.schema, value: ex.value });
      }
    }
    for (const [k, v] of Object.entries(o)) if (k !== 'examples' && k !== 'example') walk(v, `${where}.${k}`);
  };
  walk(doc.paths, 'paths');
  walk(doc.components, 'components');
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

  it('is still valid with API keys on: both schemes, applied; open routes say security: []', async () => {
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
    expect(paths['/ready'].get.security).toEqual([]);
  });

  it('documents the security schemes without keys too (Authorize in /docs), as optional', async () => {
    const doc = await liveDocument();
    const schemes = (doc.components as { securitySchemes: Record<string, unknown> }).securitySchemes;
    expect(Object.keys(schemes).sort()).toEqual(['apiKey', 'apiKeyHeader']);
    expect(doc.security).toEqual([{}, { apiKey: [] }, { apiKeyHeader: [] }]); // optional: `{}` needs no key
  });

  it('says its version (the package\'s), license and server', async () => {
    const doc = await liveDocument();
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string; license: string };
    const info = doc.info as { version: string; license: { identifier: string } };
    expect(info.version).toBe(pkg.version);
    expect(info.license.identifier).toBe(pkg.license);
    expect((doc.servers as { url: string }[]).length).toBeGreaterThan(0);
  });

  it('documents every registered route: operationId, tags, summary, what each answer is, its errors as problem+json', async () => {
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
    const resolve = (v: unknown) => resolveRefs(doc, v);
    for (const { key, op } of ops) {
      const id = op.operationId;
      if (typeof id !== 'string' || !/^[a-z][A-Za-z0-9]+$/.test(id)) problems.push(`${key}: operationId ${String(id)}`);
      else if (ids.has(id)) problems.push(`${key}: duplicate operationId ${id}`);
      else ids.add(id);
      const tags = op.tags as string[] | undefined;
      if (!tags?.length) problems.push(`${key}: no tags`);
      for (const t of tags ?? []) if (!declaredTags.has(t)) problems.push(`${key}: tag ${t} is not declared in the document's tags`);
      if (typeof op.summary !== 'string' || op.summary.length < 5) problems.push(`${key}: no summary`);
      const responses = (op.responses ?? {}) as Record<string, Json>;
      const success = Object.entries(responses).filter(([code]) => /^2\d\d$/.test(code));
      if (success.length === 0) problems.push(`${key}: no 2xx response`);
      for (const [code, r] of Object.entries(responses)) {
        if (typeof r.description !== 'string' || r.description.length < 8 || r.description === 'Default Response') problems.push(`${key}: ${code} does not say what it is`);
        if (!/^[1-5]\d\d$/.test(code)) problems.push(`${key}: ${code}: a range or default, not a status`);
      }
      for (const [code, r] of success) {
        if (code === '204') continue;
        const content = r.content as Record<string, { schema?: Json }> | undefined;
        if (!content || Object.values(content).some((c) => !c.schema)) problems.push(`${key}: ${code} has no schema`);
        else if (!hasExample(resolve(content))) problems.push(`${key}: ${code} has no example`);
      }
      const errors = Object.entries(responses).filter(([code]) => Number(code) >= 400);
      if (!errors.some(([code]) => Number(code) < 500)) problems.push(`${key}: no 4xx answer documented`);
      for (const [code, r] of errors) {
        const content = r.content as Record<string, { schema?: Json }> | undefined;
        if (!content || Object.keys(content).join() !== 'application/problem+json') problems.push(`${key}: ${code} is not application/problem+json only`);
        const refs = JSON.stringify(content?.['application/problem+json']?.schema ?? {});
        if (!/#\/components\/schemas\/Problem"/.test(refs)) problems.push(`${key}: ${code} does not use the Problem schema`);
      }
      const body = op.requestBody as Json | undefined;
      // Every POST/PUT takes a body (JSON or a raw upload); GET/DELETE take none.
      if ((key.startsWith('POST ') || key.startsWith('PUT ')) && !body) problems.push(`${key}: no request body schema`);
      if (body && !hasExample(resolve(body))) problems.push(`${key}: request body has no example`);
      if (responses['202']) {
        const headers = Object.keys((responses['202'].headers ?? {}) as Json);
        if (!headers.includes('Location') || !headers.includes('Retry-After')) problems.push(`${key}: 202 without Location and Retry-After`);
        const params = (op.parameters ?? []) as { in: string; name: string }[];
        if (!params.some((p) => p.in === 'header' && p.name.toLowerCase() === 'prefer')) problems.push(`${key}: answers 202 but does not document Prefer`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('declares the event stream as text/event-stream with its events', async () => {
    const doc = await liveDocument();
    const op = (doc.paths as Record<string, Record<string, Json>>)['/jobs/{jobId}/events'].get;
    const ok = (op.responses as Record<string, { description: string; content: Record<string, unknown> }>)['200'];
    expect(Object.keys(ok.content)).toEqual(['text/event-stream']);
    for (const event of ['state', 'progress', 'done', 'error']) expect(ok.description).toContain(`\`${event}\``);
  });

  it('names its schemas: components referenced everywhere, no input/output twins, no integer-range noise', async () => {
    const doc = await liveDocument();
    const schemas = (doc.components as { schemas: Record<string, unknown> }).schemas;
    const names = Object.keys(schemas);
    for (const name of ['Problem', 'ValidationProblem', 'Job', 'Accepted', 'GraphSummary', 'Customer', 'SimulationResult', 'ScenarioReport', 'CompareReport',
      'CentralityResult', 'InfluencersResult', 'ValueRanking', 'CustomerValue', 'SimulationRequest', 'ScenarioRequest', 'InfluencersRequest', 'RippleGraph', 'GraphPatch']) {
      expect(names, name).toContain(name);
    }
    expect(names.filter((n) => n.endsWith('Input'))).toEqual([]);
    // Every $ref resolves, and every component is used.
    const text = JSON.stringify(doc);
    const refs = new Set([...text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]));
    expect([...refs].filter((r) => !(r in schemas))).toEqual([]);
    expect(names.filter((n) => !refs.has(n))).toEqual([]);
    expect(text).not.toMatch(/9007199254740991/);
  });

  it('every example validates against its own schema (components, bodies, parameters, answers)', async () => {
    const doc = await liveDocument();
    const contract = contractOf(doc);
    const found = examplesIn(doc);
    expect(found.length).toBeGreaterThanOrEqual(30);
    const failures: string[] = [];
    for (const { where, schema, value } of found) {
      const v = contract.validator(schema);
      if (!v(value)) failures.push(`${where}: ${JSON.stringify(v.errors?.slice(0, 3))} ${JSON.stringify((schema as { required?: unknown }).required)}`);
    }
    expect(failures).toEqual([]);
  });

  it('the example check can fail: a wrong example is caught', async () => {
    const doc = await liveDocument();
    const contract = contractOf(doc);
    const v = contract.validator({ $ref: '#/components/schemas/GraphSummary' });
    expect(v({ id: 'g', name: 'n', directed: 'yes', version: 1, customers: 1, ties: 0, createdAt: '', updatedAt: '' })).toBe(false);
    const problem = contract.check({ method: 'GET', route: '/graphs/:id', status: 418, contentType: 'application/json', body: '{}', headers: {} });
    expect(problem.join()).toMatch(/status not declared/);
    const wrongType = contract.check({ method: 'GET', route: '/graphs/:id', status: 404, contentType: 'application/json', body: '{}', headers: {} });
    expect(wrongType.join()).toMatch(/content type application\/json not declared/);
  });

  it('passes Redocly lint (redocly.yaml: recommended-strict and more) with no errors and no warnings', async () => {
    const doc = await liveDocument();
    const dir = await tempDir('ripple-lint-');
    const file = join(dir, 'openapi.json');
    await writeFile(file, JSON.stringify(doc));
    const cli = fileURLToPath(new URL('../node_modules/@redocly/cli/bin/cli.js', import.meta.url));
    const config = fileURLToPath(new URL('../redocly.yaml', import.meta.url));
    const r = spawnSync(process.execPath, [cli, 'lint', file, '--config', config, '--format', 'json'], { encoding: 'utf8', env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } });
    const json = r.stdout.slice(r.stdout.indexOf('{'));
    const report = JSON.parse(json) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; severity: string; message: string }[] };
    expect(report.problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
    // No warning is kept (redocly.yaml would justify any it keeps).
    expect(report.problems.filter((p) => p.severity === 'warn').map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
    expect(r.status).toBe(0);
  }, 120_000);

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

describe('a dashboard on the generated client (examples/dashboard: openapi-typescript + openapi-fetch)', () => {
  const dir = fileURLToPath(new URL('../examples/dashboard/', import.meta.url));
  const compile = (files: string[]) => {
    const parsed = ts.getParsedCommandLineOfConfigFile(join(dir, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
    if (!parsed) throw new Error('examples/dashboard/tsconfig.json does not parse');
    const program = ts.createProgram(files, parsed.options);
    return ts.getPreEmitDiagnostics(program).map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  };

  it('type-checks (tsc, strict) against types generated from the live document, with no casts', async () => {
    await writeFile(join(dir, 'ripple-api.d.ts'), await generateClientTypes((await liveDocument()) as never));
    const source = await readFile(join(dir, 'dashboard.ts'), 'utf8');
    const code = source.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ''); // comments out
    expect(code).not.toMatch(/\bas (unknown|any|never)\b|\bas [A-Z]\w*|: any\b|'job' in /);
    expect(compile([join(dir, 'dashboard.ts')])).toEqual([]);
    // The types carry the contract: without the kind check, a job's result is not a scenario report.
    const loose = join(dir, 'loose.tmp.ts');
    await writeFile(loose, source.replace("if (job.kind !== 'scenario') throw new Error(`job ${job.id} is a ${job.kind} job`);", ''));
    onTestFinished(() => rm(loose, { force: true }));
    expect(compile([loose]).join('\n')).toMatch(/is not assignable to type/);
  }, 120_000);

  it('runs against a live server: lists the graphs, follows a scenario job to its report, shows a Problem', async () => {
    const { app } = await buildTestApp({ RIPPLE_WORKERS: '1' });
    const created = await app.inject({ method: 'POST', url: '/graphs', payload: { name: 'dash', directed: false, customers: [{ id: 'a', value: 100 }, { id: 'b', value: 50 }, { id: 'c' }], ties: [{ source: 'a', target: 'b' }, { source: 'b', target: 'c' }] } });
    expect(created.statusCode).toBe(201);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    // Imported by URL: its types (./ripple-api.d.ts) are generated by the test above, not checked in.
    type Dashboard = {
      dashboard: (url: string) => Promise<string[]>;
      ripple: (url: string) => unknown;
      whatIfComplains: (client: unknown, graphId: string, customer: string) => Promise<unknown>;
      RippleProblem: new (...args: never[]) => Error & { status: number };
    };
    const { dashboard, ripple, whatIfComplains, RippleProblem } = (await import(new URL('../examples/dashboard/dashboard.ts', import.meta.url).href)) as Dashboard;
    const lines = await dashboard(url);
    expect(lines[0]).toMatch(/^dash \(v1\): 3 customers, 2 ties$/);
    expect(lines[1]).toMatch(/if a complains: \d+ EUR at risk/);
    const err = await whatIfComplains(ripple(url), created.json().id, 'nobody').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RippleProblem);
    expect((err as { status: number }).status).toBe(404);
  }, 120_000);
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
import type { components, paths, operations } from './ripple-api.js';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;

export type GraphSummary = Json<paths['/graphs/{id}']['get']['responses'][200]>;
export type NewGraph = NonNullable<operations['createGraph']['requestBody']>['content']['application/json'];
export type Created = Json<operations['createGraph']['responses'][201]>;
export type Problem = components['schemas']['Problem'];

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
