import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, InsufficientStorageError, isDiskFull } from '../errors.js';

/**
 * RFC 9457 problem details for every error the API answers: one error handler, no instanceof chains.
 * Anything with a numeric `statusCode` (AppError and its subclasses, Fastify's own errors) maps by it;
 * anything else is a 500 whose message is logged, never sent.
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  requestId: string;
  code: string;
  errors?: { path: string; message: string }[];
}

const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';

/** Fastify error codes whose message is phrased for a developer: replaced by a plainer one. */
const FASTIFY_DETAILS = new Map<string, string>([
  ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 'unsupported content type'],
  ['FST_ERR_CTP_EMPTY_JSON_BODY', 'the JSON body is empty'],
  ['FST_ERR_CTP_BODY_TOO_LARGE', 'the request body is larger than the limit'],
]);

const CODES_BY_STATUS = new Map<number, string>([
  [400, 'bad-input'], [401, 'unauthorized'], [404, 'not-found'], [405, 'method-not-allowed'], [409, 'conflict'],
  [413, 'payload-too-large'], [415, 'unsupported-media-type'], [422, 'unprocessable'], [429, 'too-many-requests'],
  [499, 'cancelled'], [503, 'unavailable'], [507, 'insufficient-storage'],
]);

export function problem(req: FastifyRequest, status: number, detail: string, extra: { code?: string; errors?: Problem['errors'] } = {}): Problem {
  return {
    type: 'about:blank',
    title: STATUS_CODES[status] ?? (status === 499 ? 'Client Closed Request' : 'Error'),
    status,
    detail,
    instance: req.url.split('?')[0],
    requestId: String(req.id),
    code: extra.code ?? CODES_BY_STATUS.get(status) ?? (status >= 500 ? 'internal' : 'error'),
    ...(extra.errors ? { errors: extra.errors } : {}),
  };
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.code(p.status).type(PROBLEM_TYPE).header('x-request-id', p.requestId).send(p);
}

interface ErrorLike {
  statusCode?: unknown;
  code?: unknown;
  expose?: unknown;
  message?: unknown;
  validation?: unknown;
  validationContext?: unknown;
  details?: unknown;
}

/** `/ties/3/p` in `body` -> `body.ties[3].p`. */
function fieldPath(context: string, instancePath: string): string {
  let out = context;
  for (const part of instancePath.split('/').filter((s) => s.length > 0)) out += /^\d+$/.test(part) ? `[${part}]` : `.${part}`;
  return out;
}

const CONTEXT_NAMES = new Map<string, string>([['querystring', 'query'], ['params', 'params'], ['body', 'body'], ['headers', 'headers']]);

export function errorHandler(error: FastifyError | Error, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  // A full disk anywhere (store, upload spool) is the server's condition, said plainly: 507, not 500.
  if (!(error instanceof AppError) && isDiskFull(error)) error = new InsufficientStorageError(undefined, error);
  const e = error as ErrorLike;
  const raw = typeof e.statusCode === 'number' ? e.statusCode : 500;
  const status = raw >= 400 && raw <= 599 ? raw : 500;
  const fastifyCode = typeof e.code === 'string' ? e.code : '';

  if (Array.isArray(e.validation)) {
    const context = CONTEXT_NAMES.get(String(e.validationContext)) ?? String(e.validationContext ?? 'request');
    const errors = (e.validation as { instancePath?: string; message?: string; keyword?: string; params?: { keys?: unknown } }[]).flatMap((v) => {
      // An undeclared field or query parameter: one entry per key, named like any other field.
      if (v.keyword === 'unrecognized_keys' && Array.isArray(v.params?.keys)) {
        const base = fieldPath(context, v.instancePath ?? '');
        return v.params.keys.map((k) => ({ path: `${base}.${String(k)}`, message: 'unknown parameter' }));
      }
      return [{ path: fieldPath(context, v.instancePath ?? ''), message: v.message ?? 'invalid' }];
    });
    const detail = errors.length === 1 ? `${errors[0].path}: ${errors[0].message}` : `${errors.length} invalid fields: ${errors.map((x) => x.path).join(', ')}`;
    return sendProblem(reply, problem(req, 400, detail, { code: 'validation', errors }));
  }

  const expose = typeof e.expose === 'boolean' ? e.expose : status < 500;
  if (status >= 500 || !expose) req.log.error({ err: error }, 'request failed');
  else req.log.info({ err: { message: e.message, code: fastifyCode } }, 'request rejected');
  if (status === 413 || fastifyCode === 'FST_ERR_CTP_BODY_TOO_LARGE') reply.header('connection', 'close');
  // A 503 that knows when capacity comes back (full job queue, Redis away, shutting down) says so.
  const retryAfter = e.details && typeof e.details === 'object' ? (e.details as { retryAfterSeconds?: unknown }).retryAfterSeconds : undefined;
  if (status === 503 && typeof retryAfter === 'number' && !reply.hasHeader('retry-after')) reply.header('retry-after', String(retryAfter));

  // Exposed 5xx (a full job queue, a store that is down) keep their message; others say nothing of internals.
  const detail = expose
    ? (FASTIFY_DETAILS.get(fastifyCode) ?? String(e.message ?? 'error'))
    : status >= 500 ? 'internal error: see the server log for request ' + String(req.id) : String(STATUS_CODES[status]);
  const code = fastifyCode && !fastifyCode.startsWith('FST_') && !fastifyCode.startsWith('ERR_') ? fastifyCode : undefined;
  const p = problem(req, status, status === 415 && fastifyCode === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? unsupported(req) : detail, { code });
  const fieldErrors = e.details && typeof e.details === 'object' ? (e.details as { errors?: unknown }).errors : undefined;
  if (Array.isArray(fieldErrors)) p.errors = fieldErrors as Problem['errors'];
  return sendProblem(reply, p);
}

function unsupported(req: FastifyRequest): string {
  const type = req.headers['content-type'] ?? 'none';
  return `unsupported content type ${JSON.stringify(type)} for ${req.method} ${req.url.split('?')[0]}`;
}

/**
 * Route patterns seen by `onRoute`, to tell "no such resource" (404) from "no such method here" (405,
 * with an Allow header): Fastify answers 404 for both.
 */
export function trackRoutes(app: FastifyInstance): (path: string) => string[] {
  const routes: { re: RegExp; methods: Set<string>; statics: number }[] = [];
  app.addHook('onRoute', (opts) => {
    // A catch-all (the CORS preflight route `OPTIONS *`) says nothing about which paths exist.
    if (opts.url === '*' || opts.url === '/*') return;
    const methods = Array.isArray(opts.method) ? opts.method : [opts.method];
    const source = opts.url
      .split('/')
      .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg === '*' ? '.*' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    const re = new RegExp(`^${source}$`);
    const known = routes.find((r) => r.re.source === re.source);
    if (known) for (const m of methods) known.methods.add(m);
    else routes.push({ re, methods: new Set(methods), statics: opts.url.split('/').filter((seg) => seg !== '' && !seg.startsWith(':') && seg !== '*').length });
  });
  return (path: string) => {
    // As Fastify's router does, a static segment wins over a parameter: `/graphs/import` is that route only, not
    // also `/graphs/:id`, so its Allow header lists only its own methods.
    const matching = routes.filter((r) => r.re.test(path));
    const most = Math.max(0, ...matching.map((r) => r.statics));
    const allowed = new Set<string>();
    for (const r of matching) if (r.statics === most) for (const m of r.methods) allowed.add(m);
    return [...allowed].sort();
  };
}

export function notFoundHandler(allowedMethods: (path: string) => string[]) {
  return (req: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const path = req.url.split('?')[0];
    const allowed = allowedMethods(path);
    // A route for this method matched the pattern but had nothing there (a missing file under /docs/static/*): 404.
    if (allowed.length > 0 && !allowed.includes(req.method)) {
      reply.header('allow', allowed.join(', '));
      return sendProblem(reply, problem(req, 405, `${req.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`));
    }
    return sendProblem(reply, problem(req, 404, `no route ${req.method} ${path}`));
  };
}
