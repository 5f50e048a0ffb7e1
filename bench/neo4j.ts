/**
 * The Neo4j store against a real server (NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD; `eval "$(npm run -s neo4j:start)"`):
 * import (create) ties/s and seconds, load (Neo4j → GraphData → compiled form) seconds, and GDS against local
 * centrality time on the same graphs: ego-Facebook (../shared/data) and a generated Barabási–Albert graph of ~1M ties.
 * The graphs it creates are deleted at the end.
 *
 *   node dist/bench/neo4j.js [--ties 1000000] [--batch 50000] [--writers 2] [--skip-generated] [--import-only]
 *
 * --writers: tie batches written at once (the store's `tieWriters`, default TIE_WRITERS); --import-only: import and
 * load, no centrality. `importServerCpuS` is the Neo4j process's CPU during the import (a local server: bench/neo4j-cpu.ts).
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from '../src/graph/compile.js';
import type { GraphData } from '../src/graph/model.js';
import { readGraphFile } from '../src/io/read-graph-file.js';
import { centrality } from '../src/influence/centrality/registry.js';
import type { CentralityMetric } from '../src/influence/centrality/types.js';
import { gdsCentrality, gdsVersion } from '../src/influence/gds.js';
import { createNeo4jStore } from '../src/store/neo4j-store.js';
import { TIE_WRITERS } from '../src/store/neo4j-rows.js';
import { barabasiAlbertData } from './generators.js';
import { neo4jServerPid, processCpuMs } from './neo4j-cpu.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = here.includes(`${path.sep}dist${path.sep}`) ? path.resolve(here, '../..') : path.resolve(here, '..');
const ego = path.resolve(repoRoot, '../shared/data/ego-facebook/facebook_combined.txt');

const uri = process.env.NEO4J_URI;
if (!uri) {
  console.error('bench/neo4j: set NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD (eval "$(npm run -s neo4j:start)")');
  process.exit(2);
}
const store = await createNeo4jStore(
  { uri, user: process.env.NEO4J_USER ?? 'neo4j', password: process.env.NEO4J_PASSWORD ?? '', database: process.env.NEO4J_DATABASE },
  { batchSize: arg('--batch', 50_000), tieWriters: arg('--writers', TIE_WRITERS) },
);
const pid = neo4jServerPid(repoRoot);
const importOnly = process.argv.includes('--import-only');
const hasGds = (await gdsVersion(store.runInDatabase)) !== null;
const s = (ms: number) => +(ms / 1000).toFixed(2);

const graphs: [string, () => Promise<GraphData>][] = [];
if (existsSync(ego)) graphs.push(['ego-Facebook', async () => (await readGraphFile(ego, { directed: false })).data]);
else console.log(`skipped ego-Facebook: ${ego} not found`);
if (!process.argv.includes('--skip-generated')) {
  const ties = arg('--ties', 1_000_000);
  const m = 10;
  graphs.push([`Barabási–Albert n=${Math.round(ties / m)} m=${m}`, async () => barabasiAlbertData(Math.round(ties / m) + m + 1, m, 1)]);
}

const rows = [];
let checksum = 0;
try {
  for (const [label, make] of graphs) {
    const data = await make();
    const cpu0 = processCpuMs(pid);
    let t = performance.now();
    const summary = await store.create(data);
    const importMs = performance.now() - t;
    const importCpuMs = processCpuMs(pid) - cpu0;
    try {
      t = performance.now();
      const loaded = await store.load(summary.id);
      const loadMs = performance.now() - t;
      t = performance.now();
      const g = compile(loaded.data);
      const compileMs = performance.now() - t;
      const row: Record<string, unknown> = {
        graph: label, customers: data.ids.length, ties: data.src.length,
        importS: s(importMs), tiesPerS: Math.round(data.src.length / (importMs / 1000)), rowsPerS: Math.round((data.src.length + data.ids.length) / (importMs / 1000)),
        // The Neo4j process's CPU during the import (local server only): what the server spent per tie, load aside.
        importServerCpuS: s(importCpuMs), serverUsPerTie: +((importCpuMs * 1000) / data.src.length).toFixed(2), load1: +loadavg()[0].toFixed(1),
        loadS: s(loadMs), compileS: s(compileMs),
      };
      for (const metric of (importOnly ? [] : ['pagerank', 'betweenness']) as CentralityMetric[]) {
        // Exact betweenness on the 1M-tie graph would take minutes locally: only on ego-Facebook.
        if (metric === 'betweenness' && data.src.length > 200_000) continue;
        t = performance.now();
        const local = centrality(g, metric);
        row[`${metric}LocalS`] = s(performance.now() - t);
        checksum = (checksum + Math.round(local.scores[0] * 1e9)) >>> 0;
        if (hasGds) {
          t = performance.now();
          const remote = await gdsCentrality(store.runInDatabase, await store.liveRef(summary.id), metric, {}, `bench-${metric}`);
          row[`${metric}GdsS`] = s(performance.now() - t);
          checksum = (checksum + Math.round(remote.scores[0] * 1e9)) >>> 0;
        }
      }
      rows.push(row);
      console.log(JSON.stringify(row));
    } finally {
      await store.delete(summary.id);
    }
  }
} finally {
  await store.close();
}
console.table(rows);
console.log(`checksum ${checksum}${hasGds ? '' : ' (no GDS plugin: GDS columns absent)'}`);
