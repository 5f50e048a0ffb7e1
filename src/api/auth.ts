import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isPagePath } from './page.js';
import { problem, sendProblem } from './problem.js';

/**
 * Paths open without a key: liveness, readiness, the API description and the page's static files (the page
 * asks for a key itself and sends it with every API call).
 */
const OPEN = [/^\/health$/, /^\/ready$/, /^\/openapi\.json$/, /^\/docs(\/.*)?$/];

const digest = (s: string) => createHash('sha256').update(s).digest();

/** The credentials a request presents: `Authorization: Bearer <key>` (scheme in any case, RFC 9110 §11.1) or `x-api-key`. */
export function presentedKey(req: FastifyRequest): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    const m = /^bearer[ \t]+(.*)$/i.exec(auth.trim());
    if (m) return m[1].trim();
  }
  const header = req.headers['x-api-key'];
  return typeof header === 'string' ? header : undefined;
}

/** A CORS preflight: the browser asks before the real request and never sends credentials with it (Fetch standard). */
export function isPreflight(req: FastifyRequest): boolean {
  return req.method === 'OPTIONS' && req.headers.origin !== undefined && req.headers['access-control-request-method'] !== undefined;
}

/**
 * Failed authentications per client IP in fixed one-minute windows. Past `limit` failures the IP is answered
 * 429 — before its key is even checked, so guessing stops — until the window ends. At most `maxClients`
 * IPs are tracked (expired windows are dropped first, then the oldest): the map cannot grow without bound.
 */
export class AuthFailures {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  constructor(
    readonly limit: number,
    private readonly windowMs = 60_000,
    private readonly maxClients = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until the IP may try again, or 0 when it may try now. */
  blockedFor(ip: string): number {
    if (this.limit <= 0) return 0;
    const w = this.windows.get(ip);
    const t = this.now();
    if (!w || w.resetAt <= t) return 0;
    return w.count >= this.limit ? Math.max(1, Math.ceil((w.resetAt - t) / 1000)) : 0;
  }

  fail(ip: string): void {
    if (this.limit <= 0) return;
    const t = this.now();
    const w = this.windows.get(ip);
    if (w && w.resetAt > t) {
      w.count++;
      return;
    }
    this.windows.delete(ip);
    if (this.windows.size >= this.maxClients) {
      for (const [k, v] of this.windows) if (v.resetAt <= t) this.windows.delete(k);
      for (const k of this.windows.keys()) {
        if (this.windows.size < this.maxClients) break;
        this.windows.delete(k);
      }
    }
    this.windows.set(ip, { count: 1, resetAt: t + this.windowMs });
  }
}

/**
 * RIPPLE_API_KEYS set: every other request needs `Authorization: Bearer <key>` or `x-api-key: <key>`.
 * Keys are compared as SHA-256 digests in constant time. CORS preflights pass (browsers send them without
 * credentials; the real request is checked). Failures are counted per IP (RIPPLE_AUTH_FAIL_LIMIT per minute,
 * then 429 with Retry-After). Registered after CORS, so every 401/429 carries the CORS headers a browser needs
 * to read it.
 */
export function apiKeyHook(keys: readonly string[], failures: AuthFailures) {
  const accepted = keys.map(digest);
  return async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const path = req.url.split('?')[0];
    if (OPEN.some((re) => re.test(path)) || isPagePath(path) || isPreflight(req)) return undefined;
    const wait = failures.blockedFor(req.ip);
    if (wait > 0) {
      reply.header('retry-after', String(wait));
      return sendProblem(reply, problem(req, 429, `too many failed authentications from this address; retry in ${wait} s (RIPPLE_AUTH_FAIL_LIMIT)`, { code: 'auth-rate-limited' }));
    }
    const given = presentedKey(req);
    if (given !== undefined) {
      const d = digest(given);
      let ok = false;
      for (const k of accepted) ok = timingSafeEqual(d, k) || ok;
      if (ok) return undefined;
    }
    failures.fail(req.ip);
    reply.header('www-authenticate', 'Bearer');
    return sendProblem(reply, problem(req, 401, given === undefined ? 'an API key is required (Authorization: Bearer <key>)' : 'the API key is not valid'));
  };
}
