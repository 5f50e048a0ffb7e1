import type { Command } from 'commander';
import { table, type CliContext } from '../context.js';

/** `ripple graphs [--json]`: list stored graphs (`{graphs: [...]}` with --json, as GET /graphs). */
export default function register(program: Command, ctx: CliContext): void {
  program
    .command('graphs')
    .description('list stored graphs')
    .option('--json', 'print one JSON document')
    .action(async (opts: { json?: boolean }) => {
      const graphs = await ctx.withStore((store) => store.list());
      ctx.output(Boolean(opts.json), { graphs }, () =>
        graphs.length === 0
          ? `no graphs in ${ctx.config().dataDir}`
          : table(
              ['id', 'name', 'directed', 'version', 'customers', 'ties', 'updated'],
              graphs.map((g) => [g.id, g.name, g.directed ? 'yes' : 'no', g.version, g.customers, g.ties, g.updatedAt]),
            ),
      );
    });
}
