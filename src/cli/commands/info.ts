import { Option, type Command } from 'commander';
import { GRAPH_FORMATS, type GraphFormat } from '../../graph/model.js';
import { graphInfo, type DegreeStats } from '../../graph/stats.js';
import { table, type CliContext } from '../context.js';

/** `ripple info (GRAPH_ID | --file FILE) [--json]`: counts, degrees, components, density (as GET /graphs/:id/info). */
export default function register(program: Command, ctx: CliContext): void {
  program
    .command('info')
    .description('graph statistics: customers, ties, degrees, connected components, density')
    .argument('[graph]', 'stored graph id')
    .option('--file <file>', 'read a graph file instead of the store')
    .addOption(new Option('--format <format>', 'with --file: input format (default: from the extension)').choices(GRAPH_FORMATS))
    .option('--directed', 'with --file: edge lists and CSV are directed')
    .option('--customers <file>', 'with --file: customers CSV')
    .option('--json', 'print one JSON document')
    .action(async (graphId: string | undefined, opts: { file?: string; format?: GraphFormat; directed?: boolean; customers?: string; json?: boolean }) => {
      const loaded = await ctx.loadGraph({ id: graphId, file: opts.file, format: opts.format, directed: opts.directed ? true : undefined, customers: opts.customers });
      const info = graphInfo(loaded.graph);
      const head = loaded.summary
        ? { id: loaded.summary.id, name: loaded.summary.name, version: loaded.summary.version }
        : { file: loaded.source, name: loaded.data.name };
      const result = { ...head, ...info };
      const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(3));
      const row = (label: string, d: DegreeStats) => [label, fmt(d.min), fmt(d.median), fmt(d.mean), fmt(d.max)];
      ctx.output(Boolean(opts.json), result, () =>
        [
          `${loaded.summary ? loaded.summary.id : loaded.source}: "${head.name}"`,
          `customers ${info.customers}, ties ${info.ties} (${info.directed ? 'directed' : 'undirected'}), arcs ${info.arcs}`,
          `components ${info.components.count} (largest ${info.components.largest}), isolated ${info.isolated}, density ${info.density.toPrecision(4)}`,
          table(['degree', 'min', 'median', 'mean', 'max'], info.directed
            ? [row('in', info.degree.in), row('out', info.degree.out), row('total', info.degree.total)]
            : [row('total', info.degree.total)]),
        ].join('\n'),
      );
    });
}
