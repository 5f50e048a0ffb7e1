import { Option, type Command } from 'commander';
import { GRAPH_FORMATS, type GraphFormat } from '../../graph/model.js';
import { readGraphFile } from '../../io/read-graph-file.js';
import { table, type CliContext } from '../context.js';

/** `ripple import FILE [--name N] [--format F] [--directed] [--parallel-ties merge|count] [--customers FILE] [--json]`: store a graph file. */
export default function register(program: Command, ctx: CliContext): void {
  program
    .command('import')
    .description('import a graph file (edge list, CSV, Ripple JSON, GEXF, GraphML; optionally .gz) into the store')
    .argument('<file>', 'graph file')
    .option('--name <name>', 'graph name (default: the file name without extensions)')
    .addOption(new Option('--format <format>', 'input format (default: from the extension)').choices(GRAPH_FORMATS))
    .option('--directed', 'edge lists and CSV: ties are directed (default: undirected)')
    .addOption(new Option('--parallel-ties <how>', 'ties repeated on several lines: merge them (default) or count them into one tie\'s weight (then --probability weighted-cascade gives c(u,v)/d(v) and parallel 1-(1-p)^c)').choices(['merge', 'count']))
    .option('--customers <file>', 'CSV only: customers file (id,label,followers,value,segment,activity)')
    .option('--json', 'print one JSON document')
    .action(async (file: string, opts: { name?: string; format?: GraphFormat; directed?: boolean; parallelTies?: 'merge' | 'count'; customers?: string; json?: boolean }) => {
      const { data, report } = await readGraphFile(file, {
        format: opts.format,
        name: opts.name,
        directed: opts.directed ? true : undefined,
        parallelTies: opts.parallelTies,
        customersFile: opts.customers,
      });
      const summary = await ctx.withStore((store) => store.create(data));
      ctx.output(Boolean(opts.json), { ...summary, report }, () =>
        [
          `imported ${summary.id} "${summary.name}" (${summary.directed ? 'directed' : 'undirected'})`,
          table(['customers', 'ties', 'records', 'self-loops dropped', 'duplicates merged'], [
            [report.customers, report.ties, report.records, report.selfLoopsDropped, report.duplicatesMerged],
          ]),
          ...((report as { warnings?: string[] }).warnings ?? []).map((w) => `warning: ${w}`),
        ].join('\n'),
      );
    });
}
