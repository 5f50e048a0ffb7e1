/**
 * Run a research study:  npm run study -- simulations/FILE.yaml [--out DIR] [--workers N] [--quiet]
 * (after npm run build; or: npx tsx scripts/study.ts simulations/FILE.yaml).
 * Writes cells.csv, cells.ndjson, manifest.json and charts/*.svg into DIR (default simulations/out/<name>).
 * Rerunning skips cells already written for the same inputs; Ctrl-C stops after saving the cells done and prints
 * the command that resumes. Exit codes: 0 ok, 2 bad study file or missing data, 130 interrupted, 1 other.
 */
import { parseArgs } from 'node:util';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.js';
import { AppError, CancelledError } from '../src/errors.js';
import { runStudyFile } from '../src/studies/runner.js';

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { out: { type: 'string' }, workers: { type: 'string' }, quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help || positionals.length !== 1) {
    process.stderr.write('usage: npm run study -- simulations/FILE.yaml [--out DIR] [--workers N] [--quiet]\n');
    return values.help ? 0 : 2;
  }
  // Ctrl-C stops after the cells done so far are saved; the error names them and the command that resumes.
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    const config = loadConfig(process.env, values.workers !== undefined ? { workers: values.workers } : {});
    const summary = await runStudyFile(positionals[0], {
      out: values.out, workers: config.workers, quiet: values.quiet, store: { store: config.store, dataDir: config.dataDir, neo4j: config.neo4j },
      signal: controller.signal,
    });
    process.stderr.write(`study ${summary.name}: ${summary.computed} cells computed, ${summary.skipped} reused, ${summary.elapsedMs} ms -> ${summary.out}\n`);
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return 0;
  } catch (e) {
    const err = e as Error;
    if (e instanceof CancelledError) {
      process.stderr.write(`${err.message}\n`);
      return 130;
    }
    process.stderr.write(`error: ${err.message}\n`);
    if (!(e instanceof AppError)) process.stderr.write(`${err.stack ?? ''}\n`);
    return e instanceof AppError && e.statusCode < 500 ? 2 : 1;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) {
  process.exitCode = await main(process.argv.slice(2));
}
