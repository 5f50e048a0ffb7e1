/**
 * Writes the OpenAPI document of a freshly built app (empty temporary store, nothing listening) to a file, for
 * linters and generators that read files: `npm run openapi:write` (dist/openapi.json), then
 * `npm run openapi:lint` (Redocly, rules in redocly.yaml).
 *
 *   node dist/scripts/write-openapi.js [OUT]     (default: dist/openapi.json)
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isMain } from '../src/is-main.js';
import { liveOpenApiDocument } from './gen-client.js';

export async function writeOpenApi(out: string): Promise<number> {
  const doc = await liveOpenApiDocument();
  const text = JSON.stringify(doc, null, 2) + '\n';
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, text);
  return Object.keys(doc.paths ?? {}).length;
}

if (isMain(import.meta.url)) {
  const out = process.argv[2] ?? 'dist/openapi.json';
  writeOpenApi(out).then(
    (paths) => console.log(`write-openapi: ${paths} paths -> ${out}`),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
}
