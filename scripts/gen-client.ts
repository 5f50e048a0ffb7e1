/**
 * Generates TypeScript types for a Ripple API client from the live OpenAPI document, with openapi-typescript:
 *
 *   npx tsx scripts/gen-client.ts [--out ripple-api.d.ts] [--url http://127.0.0.1:3000/openapi.json]
 *   (or, after npm run build: node dist/scripts/gen-client.js ...)
 *
 * Without --url the app is built in-process on an empty temporary data directory (no server, no port) and its
 * /openapi.json is used, so the types always match the code. The output declares `paths`, `operations` and
 * `components` (openapi-typescript's layout), to use with any fetch wrapper, e.g. openapi-fetch:
 *
 *   import type { paths } from './ripple-api.js';
 *   type Graph = paths['/graphs/{id}']['get']['responses'][200]['content']['application/json'];
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import openapiTS, { COMMENT_HEADER, astToString, type OpenAPI3 } from 'openapi-typescript';
import { buildApp } from '../src/api/app.js';
import { loadConfig } from '../src/config.js';
import { isMain } from '../src/is-main.js';

/** The OpenAPI document of a freshly built app (empty temp store, no worker threads, nothing listening). */
export async function liveOpenApiDocument(): Promise<OpenAPI3> {
  const dir = await mkdtemp(join(tmpdir(), 'ripple-openapi-'));
  try {
    const config = loadConfig({ RIPPLE_DATA_DIR: dir, RIPPLE_DEMO: 'false', LOG_LEVEL: 'silent', RIPPLE_WORKERS: '1' });
    const app = await buildApp(config, { pool: null });
    try {
      const res = await app.inject('/openapi.json');
      if (res.statusCode !== 200) throw new Error(`gen-client: GET /openapi.json answered ${res.statusCode}`);
      return res.json<OpenAPI3>();
    } finally {
      await app.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** TypeScript declarations (`paths`, `operations`, `components`) for an OpenAPI 3.x document. */
export async function generateClientTypes(doc: OpenAPI3): Promise<string> {
  const ast = await openapiTS(doc, { alphabetize: true });
  return COMMENT_HEADER + astToString(ast);
}

export interface GenClientOptions {
  out: string;
  url?: string;
}

export function parseArgs(argv: readonly string[]): GenClientOptions {
  const opts: GenClientOptions = { out: 'ripple-api.d.ts' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`gen-client: ${a} needs a value`);
      return v;
    };
    if (a === '--out') opts.out = value();
    else if (a === '--url') opts.url = value();
    else if (a === '--help' || a === '-h') throw new Error('usage: gen-client [--out FILE.d.ts] [--url http://host:port/openapi.json]');
    else throw new Error(`gen-client: unknown argument ${JSON.stringify(a)}`);
  }
  return opts;
}

/** Fetch or build the document, generate, write. Returns what was written (path, operations, bytes). */
export async function main(argv: readonly string[]): Promise<{ out: string; operations: number; bytes: number }> {
  const opts = parseArgs(argv);
  let doc: OpenAPI3;
  if (opts.url) {
    const res = await fetch(opts.url);
    if (!res.ok) throw new Error(`gen-client: ${opts.url} answered ${res.status}`);
    doc = (await res.json()) as OpenAPI3;
  } else {
    doc = await liveOpenApiDocument();
  }
  const text = await generateClientTypes(doc);
  await writeFile(opts.out, text);
  let operations = 0;
  for (const item of Object.values(doc.paths ?? {})) for (const k of Object.keys(item)) if (['get', 'put', 'post', 'delete', 'patch'].includes(k)) operations++;
  return { out: opts.out, operations, bytes: Buffer.byteLength(text) };
}


if (isMain(import.meta.url)) {
  try {
    const r = await main(process.argv.slice(2));
    console.log(`gen-client: ${r.operations} operations -> ${r.out} (${r.bytes} bytes)`);
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}
