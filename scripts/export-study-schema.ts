/**
 * Writes schemas/study.schema.json (JSON Schema of study files, from the zod schema via z.toJSONSchema) for
 * editors (e.g. `# yaml-language-server: $schema=../schemas/study.schema.json`).
 *   npx tsx scripts/export-study-schema.ts [--check]     (--check: exit 1 if the file is out of date)
 */
import { readFileSync, realpathSync, writeFileSync, mkdirSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { studyJsonSchema } from '../src/studies/schema.js';

export function studySchemaText(): string {
  return `${JSON.stringify(studyJsonSchema(), null, 2)}\n`;
}

if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) {
  const here = dirname(fileURLToPath(import.meta.url));
  // scripts/ or dist/scripts/
  const up = resolve(here, '..');
  const root = basename(up) === 'dist' ? resolve(up, '..') : up;
  const target = resolve(root, 'schemas/study.schema.json');
  const text = studySchemaText();
  if (process.argv.includes('--check')) {
    let old = '';
    try {
      old = readFileSync(target, 'utf8');
    } catch {
      // missing
    }
    if (old !== text) {
      process.stderr.write(`${target} is out of date: run npx tsx scripts/export-study-schema.ts\n`);
      process.exitCode = 1;
    }
  } else {
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
    process.stderr.write(`wrote ${target}\n`);
  }
}
