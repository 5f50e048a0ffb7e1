/**
 * Bulk loader: a graph file (any format of DESIGN §1) -> Neo4j, through the same Neo4jStore the API uses
 * (batches of 10k rows with UNWIND, new version written completely before it becomes visible).
 *
 *   NEO4J_URI=bolt://localhost:7687 NEO4J_USER=neo4j NEO4J_PASSWORD=... \
 *     npx tsx scripts/neo4j-load.ts ../shared/data/ego-facebook/facebook_combined.txt --name "ego-Facebook" [--verify]
 *   ... --replace GRAPH_ID        write a new version of an existing graph instead of creating one
 *   ... --verify                  read it back into the compiled form and print time and memory
 *
 * Prints one JSON document: the graph summary, the import report, and timings.
 */
import { Command } from 'commander';
import { loadConfig } from '../src/config.js';
import { compile, compiledBytes } from '../src/graph/compile.js';
import { GRAPH_FORMATS, type GraphFormat } from '../src/graph/model.js';
import { readGraphFile } from '../src/io/read-graph-file.js';
import { createNeo4jStore } from '../src/store/neo4j-store.js';

const program = new Command()
  .name('neo4j-load')
  .description('Load a graph file into Neo4j (NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE)')
  .argument('<file>', 'graph file (edge list, CSV, Ripple JSON, GEXF, GraphML; .gz detected by content)')
  .option('--name <name>', 'graph name (default: from the file)')
  .option('--format <format>', `one of ${GRAPH_FORMATS.join(', ')} (default: from the file name)`)
  .option('--directed', 'edge lists and CSV are directed (default: undirected)', false)
  .option('--customers <file>', 'CSV only: customers file')
  .option('--replace <graphId>', 'replace this graph (new version) instead of creating a new one')
  .option('--if-version <n>', 'with --replace: only if the stored version is n', (v) => Number.parseInt(v, 10))
  .option('--batch <rows>', 'rows per transaction', (v) => Number.parseInt(v, 10), 10_000)
  .option('--verify', 'read the graph back and compile it; print time and memory', false);

async function main(): Promise<void> {
  program.parse();
  const [file] = program.args;
  const o = program.opts<{ name?: string; format?: string; directed: boolean; customers?: string; replace?: string; ifVersion?: number; batch: number; verify: boolean }>();
  if (o.format !== undefined && !(GRAPH_FORMATS as readonly string[]).includes(o.format)) {
    throw new Error(`--format must be one of ${GRAPH_FORMATS.join(', ')}`);
  }
  if (!(Number.isInteger(o.batch) && o.batch > 0)) throw new Error('--batch must be a positive integer');
  const cfg = loadConfig({ ...process.env, RIPPLE_STORE: 'neo4j' });
  const t0 = performance.now();
  const { data, report } = await readGraphFile(file, {
    name: o.name, format: o.format as GraphFormat | undefined, directed: o.directed, customersFile: o.customers,
  });
  const tRead = performance.now();
  const store = await createNeo4jStore(
    { uri: cfg.neo4j.uri!, user: cfg.neo4j.user!, password: cfg.neo4j.password!, database: cfg.neo4j.database },
    { batchSize: o.batch, logger: { info: (x, m) => console.error(m, x), warn: (x, m) => console.error(m, x) } },
  );
  try {
    const summary = o.replace
      ? await store.replace(o.replace, data, o.ifVersion !== undefined ? { ifVersion: o.ifVersion } : {})
      : await store.create(data);
    const tWrite = performance.now();
    const out: Record<string, unknown> = {
      summary, report,
      ms: { parse: Math.round(tRead - t0), write: Math.round(tWrite - tRead) },
      rowsPerSecond: Math.round((data.ids.length + data.src.length) / ((tWrite - tRead) / 1000)),
    };
    if (o.verify) {
      global.gc?.();
      const heap0 = process.memoryUsage().heapUsed;
      const t1 = performance.now();
      const loaded = await store.load(summary.id);
      const t2 = performance.now();
      const compiled = compile(loaded.data);
      const t3 = performance.now();
      out.verify = {
        ms: { load: Math.round(t2 - t1), compile: Math.round(t3 - t2) },
        heapDeltaMB: Math.round((process.memoryUsage().heapUsed - heap0) / 1e5) / 10,
        compiledMB: Math.round(compiledBytes(compiled) / 1e5) / 10,
        customers: compiled.n, arcs: compiled.m,
        same: loaded.data.ids.length === data.ids.length && loaded.data.src.length === data.src.length,
      };
    }
    console.log(JSON.stringify(out, null, 2));
  } finally {
    await store.close();
  }
}

main().catch((e: unknown) => {
  console.error(`neo4j-load: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
