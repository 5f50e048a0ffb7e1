import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { InputError } from '../../errors.js';
import { GRAPH_FORMATS, type GraphFormat, type ImportReport } from '../../graph/model.js';
import { readGraphFile } from '../../io/read-graph-file.js';
import { neo4jImportService } from '../../services/neo4j-import.js';
import { neo4jImportSchema } from '../../services/neo4j-source-schema.js';
import type { GraphSummary } from '../../store/types.js';
import { num, parseFlags, table, type CliContext } from '../context.js';

interface ImportFlags {
  name?: string;
  format?: GraphFormat;
  directed?: boolean;
  parallelTies?: 'merge' | 'count';
  customers?: string;
  json?: boolean;
  fromNeo4j?: boolean;
  nodeLabel?: string;
  relationshipType?: string;
  nodesQuery?: string;
  relationshipsQuery?: string;
  param?: string[];
  map?: string[];
  undirected?: boolean;
  rowLimit?: string;
  timeout?: string;
  uri?: string;
  database?: string;
}

const collectValues = (v: string, all: string[] = []) => [...all, v];

/** `name=value` pairs of a repeated flag; `parse` reads the value. */
function pairs<T>(flag: string, items: string[] | undefined, parse: (v: string) => T): Record<string, T> | undefined {
  if (items === undefined) return undefined;
  const out: Record<string, T> = Object.create(null) as Record<string, T>;
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new InputError(`${flag}: expected NAME=VALUE, got ${JSON.stringify(item)}`);
    Object.defineProperty(out, item.slice(0, eq), { value: parse(item.slice(eq + 1)), enumerable: true, writable: true, configurable: true });
  }
  return { ...out };
}

/** A parameter value: JSON when it reads as JSON (`5`, `true`, `["a"]`), else the text itself. */
function paramValue(v: string): unknown {
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
}

/** A query given as text, or `@FILE` to read it from a file. */
async function queryText(v: string | undefined): Promise<string | undefined> {
  return v !== undefined && v.startsWith('@') ? readFile(v.slice(1), 'utf8') : v;
}

/**
 * `ripple import FILE [--name N] [--format F] [--directed] [--parallel-ties merge|count] [--customers FILE] [--json]`: store a graph file;
 * `ripple import --from-neo4j (--node-label L --relationship-type T | --nodes-query Q --relationships-query Q) [--map attr=property]… [--param name=value]…`:
 * store a snapshot of a Neo4j graph in its own labels (NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD).
 */
export default function register(program: Command, ctx: CliContext): void {
  program
    .command('import')
    .description('import a graph file (edge list, CSV, Ripple JSON, GEXF, GraphML; optionally .gz) into the store, or a Neo4j graph in its own labels with --from-neo4j')
    .argument('[file]', 'graph file (not with --from-neo4j)')
    .option('--name <name>', 'graph name (default: the file name without extensions; with --from-neo4j the label and type)')
    .addOption(new Option('--format <format>', 'input format (default: from the extension)').choices(GRAPH_FORMATS))
    .option('--directed', 'edge lists and CSV: ties are directed (default: undirected)')
    .addOption(new Option('--parallel-ties <how>', 'ties repeated on several lines: merge them (default) or count them into one tie\'s weight (then --probability weighted-cascade gives c(u,v)/d(v) and parallel 1-(1-p)^c)').choices(['merge', 'count']))
    .option('--customers <file>', 'CSV only: customers file (id,label,followers,value,segment,activity)')
    .option('--from-neo4j', 'read a graph from Neo4j (NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE) instead of a file')
    .option('--node-label <label>', '--from-neo4j: customers are the nodes with this label')
    .option('--relationship-type <type>', '--from-neo4j: ties are the relationships of this type between them')
    .option('--nodes-query <cypher>', '--from-neo4j: read-only Cypher returning `id` (+ mapped columns) per customer; @FILE reads it from a file')
    .option('--relationships-query <cypher>', '--from-neo4j: read-only Cypher returning `source`, `target` (+ mapped columns) per tie; @FILE reads it from a file')
    .option('--param <name=value>', '--from-neo4j: a query parameter ($name), repeatable; the value is JSON when it reads as JSON', collectValues)
    .option('--map <attribute=property>', '--from-neo4j: read a Ripple attribute (id label value followers segment activity weight p channel) from this property or column, repeatable', collectValues)
    .option('--undirected', '--from-neo4j: each relationship is a tie both ways (default: directed)')
    .option('--row-limit <n>', '--from-neo4j: most rows per query (default RIPPLE_NEO4J_MAX_ROWS)')
    .option('--timeout <seconds>', '--from-neo4j: longest the read may take (default 60)')
    .option('--uri <uri>', '--from-neo4j: another Neo4j server listed in RIPPLE_NEO4J_SOURCES')
    .option('--database <name>', '--from-neo4j: another database allowed by RIPPLE_NEO4J_SOURCE_DATABASES')
    .option('--json', 'print one JSON document')
    .action(async (file: string | undefined, opts: ImportFlags) => {
      let result: GraphSummary & { report: ImportReport };
      if (opts.fromNeo4j) {
        if (file !== undefined) throw new InputError(`--from-neo4j reads no file (got ${JSON.stringify(file)})`);
        for (const [flag, v] of [['--format', opts.format], ['--customers', opts.customers], ['--parallel-ties', opts.parallelTies]] as const) {
          if (v !== undefined) throw new InputError(`${flag}: not used with --from-neo4j`);
        }
        if (opts.directed && opts.undirected) throw new InputError('--directed and --undirected: give one');
        const request = parseFlags(neo4jImportSchema, {
          name: opts.name,
          nodeLabel: opts.nodeLabel,
          relationshipType: opts.relationshipType,
          nodesQuery: await queryText(opts.nodesQuery),
          relationshipsQuery: await queryText(opts.relationshipsQuery),
          parameters: pairs('--param', opts.param, paramValue),
          mapping: pairs('--map', opts.map, (v) => v),
          directed: opts.undirected ? false : undefined,
          rowLimit: num(opts.rowLimit),
          timeoutSeconds: num(opts.timeout),
          uri: opts.uri,
          database: opts.database,
        }, { parameters: '--param', mapping: '--map', timeoutSeconds: '--timeout' }, 'with --from-neo4j');
        result = await ctx.withStore(async (store) => {
          const service = neo4jImportService({
            store, config: ctx.config(),
            names: { rowLimit: '--row-limit', timeout: '--timeout' },
          });
          try {
            return await service.create(request);
          } finally {
            await service.close();
          }
        });
      } else {
        if (file === undefined) throw new InputError('give a graph FILE, or --from-neo4j');
        const neo4jOnly = (['nodeLabel', 'relationshipType', 'nodesQuery', 'relationshipsQuery', 'param', 'map', 'undirected', 'rowLimit', 'timeout', 'uri', 'database'] as const)
          .find((k) => opts[k] !== undefined);
        if (neo4jOnly) throw new InputError(`--${neo4jOnly.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: only used with --from-neo4j`);
        const { data, report } = await readGraphFile(file, {
          format: opts.format,
          name: opts.name,
          directed: opts.directed ? true : undefined,
          parallelTies: opts.parallelTies,
          customersFile: opts.customers,
        });
        result = { ...(await ctx.withStore((store) => store.create(data))), report };
      }
      const { report, ...summary } = result;
      ctx.output(Boolean(opts.json), result, () =>
        [
          `imported ${summary.id} "${summary.name}" (${summary.directed ? 'directed' : 'undirected'}${report.format === 'neo4j' ? ', from Neo4j' : ''})`,
          table(['customers', 'ties', 'records', 'self-loops dropped', 'duplicates merged'], [
            [report.customers, report.ties, report.records, report.selfLoopsDropped, report.duplicatesMerged],
          ]),
          ...(report.warnings ?? []).map((w) => `warning: ${w}`),
        ].join('\n'),
      );
    });
}
