import type { Command } from 'commander';
import { table, type CliContext } from '../context.js';
import { runStudyFile } from '../../studies/runner.js';

/**
 * `ripple study simulations/FILE.yaml [--out DIR] [--json]`: run a research study (same as `npm run study`):
 * progress on stderr, results in DIR (default: out/<name> next to the study file).
 */
export default function register(program: Command, ctx: CliContext): void {
  program
    .command('study')
    .description('run a research study file (YAML): every cell, CSV + NDJSON + manifest + SVG charts; resumable')
    .argument('<file>', 'study file, e.g. simulations/demo-tiny.yaml')
    .option('--out <dir>', 'output folder (default: out/<name> next to the study file)')
    .option('--quiet', 'no progress output')
    .option('--json', 'print the run summary as one JSON document')
    .action(async (file: string, opts: { out?: string; quiet?: boolean; json?: boolean }) => {
      const cfg = ctx.config();
      // Ctrl-C: the cells done so far stay saved; the error (exit 130) says how many and the command that resumes.
      const controller = new AbortController();
      const onSigint = () => controller.abort();
      process.once('SIGINT', onSigint);
      let summary: Awaited<ReturnType<typeof runStudyFile>>;
      try {
        summary = await runStudyFile(file, {
          out: opts.out, workers: cfg.workers, quiet: opts.quiet, stderr: ctx.stderr, store: { store: cfg.store, dataDir: cfg.dataDir, neo4j: cfg.neo4j },
          signal: controller.signal, resumeCommand: `ripple study ${file}${opts.out !== undefined ? ` --out ${opts.out}` : ''}`,
        });
      } finally {
        process.off('SIGINT', onSigint);
      }
      ctx.output(Boolean(opts.json), summary, () =>
        [
          `study ${summary.name} (${summary.kind}): ${summary.cells} cells, ${summary.computed} computed, ${summary.skipped} reused, ${summary.elapsedMs} ms`,
          table(['file'], summary.files.map((f) => [f])),
          `in ${summary.out}`,
        ].join('\n'),
      );
    });
}
