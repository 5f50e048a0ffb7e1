import type { FastifyInstance } from 'fastify';
import { isPagePath } from '../src/api/page.js';

export interface RegisteredRoute {
  method: string;
  /** Fastify pattern, e.g. `/graphs/:id/customers/:customerId`. */
  url: string;
}

/**
 * Every route an app has registered, read from `printRoutes()` (Fastify keeps no public route list), so tests
 * cover the routes present when they run rather than a hard-coded list. HEAD (automatic) and the CORS
 * catch-all are left out.
 */
export function registeredRoutes(app: FastifyInstance): RegisteredRoute[] {
  const out: RegisteredRoute[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^((?:│ {3}| {4})*)(?:├── |└── )(.*?)(?: \(([^)]*)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1].length / 4;
    stack.length = depth;
    stack.push(m[2]);
    const url = stack.join('');
    if (!m[3]) continue;
    for (const method of m[3].split(',').map((s) => s.trim())) {
      if (method === 'HEAD' || url.endsWith('*')) continue;
      out.push({ method, url });
    }
  }
  return out;
}

/** Routes that are part of the API (not the docs UI or the document itself). */
export function apiRoutes(app: FastifyInstance): RegisteredRoute[] {
  return registeredRoutes(app).filter((r) => !r.url.startsWith('/docs') && r.url !== '/openapi.json' && r.method !== 'OPTIONS' && !isPagePath(r.url));
}
