import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { problem, sendProblem } from './problem.js';

/** Paths open without a key: liveness, readiness and the API description. */
const OPEN = [/^\/health$/, /^\/ready$/, /^\/openapi\.json$/, /^\/docs(\/.*)?$/];

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * RIPPLE_API_KEYS set: every other request needs `Authorization: Bearer <key>` or `x-api-key: <key>`.
 * Keys are compared as SHA-256 digests in constant time.
 */
export function apiKeyHook(keys: readonly string[]) {
  const accepted = keys.map(digest);
  return async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const path = req.url.split('?')[0];
    if (OPEN.some((re) => re.test(path))) return undefined;
    const auth = req.headers.authorization;
    const header = req.headers['x-api-key'];
    const given = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : typeof header === 'string' ? header : undefined;
    if (given !== undefined) {
      const d = digest(given);
      let ok = false;
      for (const k of accepted) ok = timingSafeEqual(d, k) || ok;
      if (ok) return undefined;
    }
    reply.header('www-authenticate', 'Bearer');
    return sendProblem(reply, problem(req, 401, given === undefined ? 'an API key is required (Authorization: Bearer <key>)' : 'the API key is not valid'));
  };
}
