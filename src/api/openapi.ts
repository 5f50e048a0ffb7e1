import type { SwaggerOptions } from '@fastify/swagger';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from '../config.js';
import { packageVersion } from '../version.js';
import { problemSchema, validationProblemSchema } from './schemas.js';

/**
 * The OpenAPI document (`GET /openapi.json`, `/docs`) as a dashboard builds on it (issue 16):
 *
 * - named component schemas: every zod schema registered with `.meta({ id })` (Problem, Job, GraphSummary, the
 *   engine's result schemas next to the code that produces them, the request bodies) is a component and every use a
 *   `$ref`; zod's input/output twins of one schema are merged when they are the same (`finishDocument`);
 * - per-route errors: each route lists the statuses it can answer (`problems(...)`) as `application/problem+json`
 *   with the Problem schema (ValidationProblem for 400/422 with a field list);
 * - 202 declares `Location` and `Retry-After` (`accepted`), the event stream is `text/event-stream` (`eventStream`),
 *   `Prefer` is a documented header on the routes that honour it (`preferHeader`);
 * - `servers`, `license`, both security schemes (applied when RIPPLE_API_KEYS is set) and `info.version` from
 *   package.json; no `minimum: -9007199254740991` noise on integers.
 */

type Json = Record<string, unknown>;

/** Problem descriptions by status: what the status means on this API. */
const PROBLEM_TEXT: Record<number, string> = {
  400: 'The request is not valid: a field, a query parameter or the body (problem+json; `errors` lists each field when the schema found them).',
  401: 'No API key, or not a valid one (only when RIPPLE_API_KEYS is set).',
  404: 'No such graph, customer or job (the detail says which).',
  406: 'Asked for `text/csv` where this answer has none (a job that has not succeeded yet, an answer without a table).',
  409: 'Conflict: `ifVersion` is not the stored version, or the job waited for (`Prefer: wait`) was cancelled.',
  414: 'The URL (path and query string) is longer than the server reads.',
  413: 'The body is larger than the limit (RIPPLE_BODY_LIMIT for JSON, RIPPLE_UPLOAD_LIMIT for uploads).',
  415: 'Content type not accepted by this route.',
  422: 'Well-formed, but not answerable as asked: over the memory budget (the fields to lower are in `errors`), a CELF run too large, text XML cannot carry…',
  429: 'Rate limit (RIPPLE_RATE_LIMIT requests per minute) exceeded: retry after `Retry-After` seconds.',
  500: 'Internal error: nothing of it is sent; the server log has it under the request id.',
  503: 'Not available now: overloaded (load shedding), shutting down, the job queue is full, Redis or Neo4j GDS unreachable. Retry after `Retry-After` seconds when given.',
  507: 'The store\'s disk is full.',
};

const retryAfterHeader = { type: 'integer', minimum: 0, description: 'Seconds to wait before trying again (or before the first poll).' };
const RETRY_HEADERS: Record<number, Json> = { 429: { 'Retry-After': retryAfterHeader }, 503: { 'Retry-After': retryAfterHeader } };

/** What every API route can answer besides its own: bad query (strict), key, URL too long, rate limit, internal error, load shedding. */
const EVERY_ROUTE = [400, 401, 414, 429, 500, 503] as const;

function problemResponse(status: number) {
  // 400 and 422 may list fields (ValidationProblem); every other status is a plain Problem.
  const schema = status === 400 || status === 422 ? z.union([validationProblemSchema, problemSchema]) : problemSchema;
  return {
    description: PROBLEM_TEXT[status] ?? 'Problem details.',
    ...(RETRY_HEADERS[status] ? { headers: RETRY_HEADERS[status] } : {}),
    content: { 'application/problem+json': { schema } },
  };
}

/**
 * The error answers of a route: `statuses` plus those of every API route (400, 401, 414, 429, 500, 503), each as
 * `application/problem+json`. `{ open: true }`: a route open without a key and never rate limited (`/health`).
 */
export function problems(statuses: readonly number[] = [], opts: { open?: boolean } = {}) {
  const base: readonly number[] = opts.open ? [400, 414, 500] : EVERY_ROUTE;
  const all = [...new Set([...base, ...statuses])].sort((a, b) => a - b);
  return Object.fromEntries(all.map((s) => [s, problemResponse(s)])) as Record<number, ReturnType<typeof problemResponse>>;
}

/** A JSON answer with its description (what the 200 is), optionally also as CSV (`Accept: text/csv`). */
export function json<S extends z.ZodType>(schema: S, description: string, opts: { csv?: string } = {}) {
  return {
    description,
    content: {
      'application/json': { schema },
      ...(opts.csv ? { 'text/csv': { schema: z.string().describe(opts.csv) } } : {}),
    },
  };
}

/** The 202 of an engine route: the job, where to follow it and when to look. */
export function accepted<S extends z.ZodType>(schema: S) {
  return {
    description: 'Queued as a job (work above RIPPLE_SYNC_BUDGET, `?async=true` or `Prefer: respond-async`): poll `Location` after `Retry-After` seconds, or follow `/jobs/{jobId}/events`.',
    headers: {
      Location: { type: 'string', description: 'The job: `/jobs/{jobId}`.' },
      'Retry-After': { type: 'integer', minimum: 0, description: 'Seconds until a first poll is worth making (from the queue and the estimated work).' },
    },
    content: { 'application/json': { schema } },
  };
}

/** `Prefer` (RFC 7240) on the engine routes: `respond-async` forces a job, `wait=N` waits up to N s for it. */
export const preferHeader = z.looseObject({
  prefer: z
    .string()
    .max(256)
    .optional()
    .describe(
      'RFC 7240 preferences: `respond-async` answers 202 with a job whatever the work (like `?async=true`); `wait=N` waits up to N seconds ' +
      '(at most RIPPLE_MAX_WAIT) for that job and answers 200 with its result when it is done by then (`Preference-Applied: wait=N`, ' +
      '`Content-Location: /jobs/{jobId}`), else 202.',
    )
    .meta({ examples: ['respond-async', 'respond-async, wait=10'] }),
});

/** Swagger options of the app: document head, the per-route transform and the whole-document finish. */
export function swaggerOptions(config: Readonly<Config>): SwaggerOptions {
  const keys = config.apiKeys.length > 0;
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Ripple',
        description:
          'How far does one customer\'s voice travel, and what is it worth? Customer social graphs, cascade simulation, influence and brand impact. ' +
          'Errors are RFC 9457 problem details (`application/problem+json`); long work answers 202 with a job (`GET /jobs/{jobId}`). ' +
          'What changed in this release: README, "API changelog".',
        version: packageVersion(),
        license: { name: 'MIT', identifier: 'MIT' },
        contact: { name: 'Ripple maintainers' },
      },
      servers: [{ url: '/', description: 'The server that serves this document.' }],
      tags: [
        { name: 'health', description: 'Liveness and readiness' },
        { name: 'graphs', description: 'Customer graphs: import, list, replace, delete' },
        { name: 'customers', description: 'One customer of a graph' },
        { name: 'simulations', description: 'Monte Carlo cascades: IC, LT, SIR, voice and the catalogue models (DESIGN §3, §4, §9)' },
        { name: 'influence', description: 'Centrality, influencers (IMM, CELF, baselines), customer value (DESIGN §5)' },
        { name: 'jobs', description: 'Long work: progress, server-sent events, cancellation' },
        { name: 'scenarios', description: 'Brand scenarios: what if this customer complains? Reach, impressions, money; compare; riskiest (DESIGN §6)' },
      ],
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'One of the keys of RIPPLE_API_KEYS: `Authorization: Bearer <key>` (scheme in any case). Only checked when RIPPLE_API_KEYS is set.' },
          apiKeyHeader: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'The same key as an `x-api-key` header.' },
        },
      },
      // Either scheme when keys are configured; without keys both are optional (`{}`: no key needed). /health, /ready,
      // /openapi.json and /docs are open either way (their operations say security: []).
      security: keys ? [{ apiKey: [] }, { apiKeyHeader: [] }] : [{}, { apiKey: [] }, { apiKeyHeader: [] }],
    },
    transform: transformRoute,
    transformObject: (doc) => finishDocument(jsonSchemaTransformObject(doc) as Json),
  };
}

type TransformArg = Parameters<typeof jsonSchemaTransform>[0];

/** jsonSchemaTransform, keeping the `headers` of content-typed responses (it keeps only description and content). */
function transformRoute(arg: TransformArg): ReturnType<typeof jsonSchemaTransform> {
  const out = jsonSchemaTransform(arg);
  const given = (arg.schema as { response?: Record<string, unknown> } | undefined)?.response;
  const response = (out.schema as { response?: Record<string, Json> } | undefined)?.response;
  if (given && response) {
    for (const [status, r] of Object.entries(given)) {
      const headers = (r as { headers?: unknown } | null)?.headers;
      if (headers && response[status]) response[status].headers = headers;
    }
  }
  return out;
}

const SCHEMA_REF = '#/components/schemas/';
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Every `$ref` target name under `node`. */
function refsIn(node: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(node)) for (const x of node) refsIn(x, out);
  else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith(SCHEMA_REF)) out.add(v.slice(SCHEMA_REF.length));
      else refsIn(v, out);
    }
  }
  return out;
}

/** A deep copy with `$ref`s renamed, zod's ±2^53 integer bounds (no bound at all) dropped and one-type tuples as arrays. */
function rewrite(node: unknown, rename: Map<string, string>): unknown {
  if (Array.isArray(node)) return node.map((x) => rewrite(x, rename));
  if (node === null || typeof node !== 'object') return node;
  const out: Json = {};
  const o = node as Json;
  const isInteger = o.type === 'integer' || (Array.isArray(o.type) && o.type.includes('integer'));
  // A tuple of one type ([number, number]: a 95% interval) as the array it is: `items` + a fixed length. Exactly the
  // same values, and readable by tools that do not follow 2020-12's prefixItems in every position.
  const prefix = o.prefixItems;
  const homogeneous = Array.isArray(prefix) && prefix.length > 0 && o.items === false && prefix.every((p) => JSON.stringify(p) === JSON.stringify(prefix[0]));
  for (const [k, v] of Object.entries(o)) {
    if (isInteger && ((k === 'minimum' && v === -MAX_SAFE) || (k === 'maximum' && v === MAX_SAFE))) continue;
    if (homogeneous && k === 'prefixItems') continue;
    if (homogeneous && k === 'items') {
      out.items = rewrite((prefix as unknown[])[0], rename);
      continue;
    }
    if (k === '$ref' && typeof v === 'string' && v.startsWith(SCHEMA_REF)) {
      const name = v.slice(SCHEMA_REF.length);
      out[k] = SCHEMA_REF + (rename.get(name) ?? name);
    } else out[k] = rewrite(v, rename);
  }
  return out;
}

/**
 * The whole document, finished: zod's registry gives each named schema twice (`X` as answered, `XInput` as
 * accepted). Twins that are the same become one `X`; an input-only schema (a request body) is named `X`
 * too; unreferenced components go. Integer bounds of ±2^53 (zod's default for `.int()`) are dropped.
 */
export function finishDocument(doc: Json): Json {
  const components = (doc.components ?? {}) as Json;
  let schemas = { ...((components.schemas ?? {}) as Record<string, unknown>) };
  const used = (root: unknown) => {
    const seen = new Set<string>();
    const todo = [...refsIn(root, new Set())];
    while (todo.length > 0) {
      const n = todo.pop() as string;
      if (seen.has(n)) continue;
      seen.add(n);
      for (const m of refsIn(schemas[n], new Set())) if (!seen.has(m)) todo.push(m);
    }
    return seen;
  };
  const { components: _c, ...rest } = doc;
  const reachable = () => used({ rest, others: { ...components, schemas: undefined } });

  // 1. Drop what nothing references, then merge twins until nothing changes (merging one can make another equal).
  for (let round = 0; round < 10; round++) {
    const live = reachable();
    schemas = Object.fromEntries(Object.entries(schemas).filter(([n]) => live.has(n)));
    const rename = new Map<string, string>();
    for (const name of Object.keys(schemas)) {
      if (!name.endsWith('Input')) continue;
      const base = name.slice(0, -'Input'.length);
      if (!(base in schemas)) rename.set(name, base);
      else if (JSON.stringify(rewrite(schemas[name], new Map([[name, base]]))) === JSON.stringify(rewrite(schemas[base], new Map()))) rename.set(name, base);
    }
    if (rename.size === 0) break;
    const next: Record<string, unknown> = {};
    for (const [n, s] of Object.entries(schemas)) {
      const target = rename.get(n);
      if (target !== undefined && target in schemas && target !== n) continue; // merged into its twin
      next[target ?? n] = s;
    }
    schemas = Object.fromEntries(Object.entries(next).map(([n, s]) => [n, rewrite(s, rename)]));
    for (const [k, v] of Object.entries(rest)) (rest as Json)[k] = rewrite(v, rename);
  }
  const sorted = Object.fromEntries(Object.keys(schemas).sort().map((n) => [n, rewrite(schemas[n], new Map())]));
  return { ...(rewrite(rest, new Map()) as Json), components: { ...components, schemas: sorted } };
}
