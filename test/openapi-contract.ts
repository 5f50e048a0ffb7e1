import { createHash } from 'node:crypto';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

/**
 * The OpenAPI document as a contract in tests (issue 16): an Ajv (JSON Schema 2020-12, OpenAPI 3.1's dialect)
 * over the document's components, to validate examples and answers against the schemas the document declares,
 * and `checkResponses(app)`, which validates every answer an app sends (status declared, content type declared,
 * body valid, 202 headers present) and collects what does not match.
 */

type Json = Record<string, unknown>;
const DOC_ID = 'https://ripple.invalid/openapi.json';

/** `#/components/...` refs made absolute (to the document registered in Ajv under DOC_ID). */
function absolute(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(absolute);
  if (node === null || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? DOC_ID + v : absolute(v);
  return out;
}

export interface Contract {
  doc: Json;
  /** A validator for a schema of the document (inline, with `#/components/...` refs), compiled once. */
  validator(schema: unknown): ValidateFunction;
  /** The problems of one answer (empty: it matches the document). */
  check(answer: { method: string; route: string; status: number; contentType: string | undefined; body: string; headers: Record<string, unknown> }): string[];
}

const contracts = new Map<string, Contract>();

/** The contract of a document (cached by its content: every app of a test file shares one Ajv). */
export function contractOf(doc: Json): Contract {
  const key = createHash('sha256').update(JSON.stringify(doc)).digest('hex');
  const hit = contracts.get(key);
  if (hit) return hit;
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats.default(ajv);
  ajv.addFormat('binary', true);
  ajv.addSchema({ $id: DOC_ID, components: absolute((doc.components as Json | undefined) ?? {}) });
  const compiled = new Map<string, ValidateFunction>();
  const validator = (schema: unknown): ValidateFunction => {
    const text = JSON.stringify(schema);
    let v = compiled.get(text);
    if (!v) compiled.set(text, (v = ajv.compile(absolute(schema) as Json)));
    return v;
  };
  const paths = doc.paths as Record<string, Record<string, Json>>;
  const check: Contract['check'] = ({ method, route, status, contentType, body, headers }) => {
    const path = route.replace(/:(\w+)/g, '{$1}');
    const m = method.toLowerCase();
    const op = paths[path]?.[m];
    const where = `${method} ${path} -> ${status}`;
    if (!op) return []; // not an API operation (the page, /docs, /openapi.json, preflights)
    const responses = op.responses as Record<string, Json>;
    const response = responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
    if (!response) return [`${where}: status not declared (declared: ${Object.keys(responses).join(', ')})`];
    const out: string[] = [];
    // The headers a 202 declares are promised (Location, Retry-After); others (Retry-After of a 503) are "when given".
    if (status === 202) for (const name of Object.keys((response.headers ?? {}) as Json)) if (headers[name.toLowerCase()] === undefined) out.push(`${where}: header ${name} missing`);
    const content = response.content as Record<string, { schema?: unknown }> | undefined;
    if (!content || body.length === 0) {
      if (content && status !== 204 && method !== 'HEAD') out.push(`${where}: empty body, declared ${Object.keys(content).join(', ')}`);
      return out;
    }
    const media = (contentType ?? '').split(';')[0].trim().toLowerCase();
    const declared = content[media];
    if (!declared) return [...out, `${where}: content type ${media || '(none)'} not declared (declared: ${Object.keys(content).join(', ')})`];
    if (!/json$/.test(media) || declared.schema === undefined) return out;
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      return [...out, `${where}: ${media} body is not JSON`];
    }
    const v = validator(declared.schema);
    if (!v(value)) out.push(`${where}: body does not match its schema: ${JSON.stringify(v.errors?.slice(0, 5))} body: ${body.slice(0, 300)}`);
    return out;
  };
  const contract = { doc, validator, check };
  contracts.set(key, contract);
  return contract;
}

/**
 * Validate every answer of `app` against its own /openapi.json (call before `app.ready()`). The hook only records
 * the answers (as they are sent: after the CSV writers); `violations()` checks them, after the test, so that the
 * schema compilation never stalls the event loop while a test runs (the load shedder would see it).
 */
export function checkResponses(app: FastifyInstance): { violations: () => string[] } {
  type Answer = Parameters<Contract['check']>[0];
  // The body is kept as sent (a Buffer stays a Buffer) and decoded only in violations(): a UTF-8 decode of a 21 MB
  // answer here, in onSend, is ~tens of ms on the event loop the tests' /health probes share.
  const answers: (Omit<Answer, 'body'> & { body: string | Buffer })[] = [];
  app.addHook('onSend', async (req, reply, payload) => {
    const route = req.routeOptions.url;
    if (route === undefined || route === '/openapi.json' || route.startsWith('/docs')) return payload;
    if (typeof payload !== 'string' && payload !== null && payload !== undefined && !Buffer.isBuffer(payload)) return payload; // streams (exports)
    const ct = reply.getHeader('content-type');
    answers.push({
      method: req.method, route, status: reply.statusCode, contentType: typeof ct === 'string' ? ct : undefined,
      body: payload === null || payload === undefined ? '' : payload, headers: { ...reply.getHeaders() },
    });
    return payload;
  });
  return {
    violations: () => {
      if (answers.length === 0) return [];
      const contract = contractOf(app.swagger() as unknown as Json);
      return answers.flatMap((a) => contract.check({ ...a, body: String(a.body) }));
    },
  };
}

/** `node` with `$ref`s to components inlined (a few levels deep: enough to read a body's fields and examples). */
export function deref(doc: Json, node: unknown, depth = 0): unknown {
  if (Array.isArray(node)) return node.map((x) => deref(doc, x, depth));
  if (node === null || typeof node !== 'object') return node;
  const ref = (node as { $ref?: unknown }).$ref;
  if (typeof ref === 'string' && ref.startsWith('#/components/schemas/')) {
    if (depth >= 4) return node;
    const { $ref: _r, ...rest } = node as Json;
    return { ...(deref(doc, (doc.components as { schemas: Json }).schemas[ref.slice(21)], depth + 1) as Json), ...rest };
  }
  return Object.fromEntries(Object.entries(node).map(([k, x]) => [k, deref(doc, x, depth)]));
}
