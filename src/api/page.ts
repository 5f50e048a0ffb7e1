import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../errors.js';

/**
 * The scenario explorer page (`GET /`), built by `npm run build` (Vite, web/ -> dist/web) and served from here:
 * no CDN, works offline. From dist/src/api the build is ../../web; from src/api (tests, tsx) it is ../../dist/web.
 */
/** The page's own files: open without an API key (the page asks for one), not part of the API document. */
export function isPagePath(path: string): boolean {
  return /^\/(index\.html|favicon\.svg)?$/.test(path) || /^\/assets\/[\w.-]+$/.test(path);
}

export function pageDir(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  // The sources (web/) hold an index.html too, but no assets/: only a build is served.
  for (const dir of [join(here, '..', '..', 'web'), join(here, '..', '..', 'dist', 'web')]) {
    if (existsSync(join(dir, 'index.html')) && existsSync(join(dir, 'assets'))) return dir;
  }
  return undefined;
}

async function page(app: FastifyInstance): Promise<void> {
  const root = pageDir();
  if (!root) {
    app.get('/', { schema: { hide: true } }, async () => {
      throw new AppError('the scenario explorer page is not built: run `npm run build`', { statusCode: 503, code: 'page-not-built', expose: true });
    });
    return;
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    index: ['index.html'],
    wildcard: false, // only the built files; anything else keeps the API's 404/405 answers
    decorateReply: false,
    cacheControl: false,
    setHeaders: (res, path: string) => {
      // Hashed assets never change; the page itself is revalidated.
      res.header('cache-control', /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
    schemaHide: true,
  });
}

export const pagePlugin = fp(page, { name: 'ripple-page' });
