/**
 * The client side of reading a graph from Neo4j into the compiled form, without a database: GraphData -> write
 * batches (what an import sends), then a driver-like page row of customers with their out-tie byte arrays -> the
 * assembler (what a load does with each page) -> compile(). Times and heap growth per graph. The whole path against a
 * real Neo4j is bench/neo4j.ts.
 *
 *   node dist/bench/neo4j-rows.js [--smoke]     (--smoke: a generated 20k-tie graph only)
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GraphBuilder } from '../src/graph/builder.js';
import { compile, compiledBytes } from '../src/graph/compile.js';
import type { GraphData } from '../src/graph/model.js';
import { readGraphFile } from '../src/io/read-graph-file.js';
import { columnsOf, customerBatches, GraphDataAssembler, tieBatches } from '../src/store/neo4j-rows.js';

const smoke = process.argv.includes('--smoke');
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = here.includes(`${path.sep}dist${path.sep}`) ? path.resolve(here, '../..') : path.resolve(here, '..');
const dataDir = path.resolve(repoRoot, '../shared/data');

function generated(ties: number): GraphData {
  const b = new GraphBuilder({ name: 'generated', directed: false, source: 'generated', format: 'edgelist' });
  for (let j = 0; j < ties; j++) b.addTie(String(j % 5000), String((j * 7919 + 13) % 5000));
  return b.finish().data;
}

/** A record as the driver hands it over: `get(key)`. */
const record = (o: Record<string, unknown>) => ({ get: (k: string) => o[k] ?? null });

function measure(label: string, data: GraphData) {
  let t = performance.now();
  let rows = 1;
  let batches = 0;
  // The out-tie byte arrays of every customer, as the customer batches carry them (and a load reads them back).
  const out: Record<'outIdx' | 'outDst' | 'outWeight' | 'outP' | 'outChannel', (Int8Array | null)[]> = { outIdx: [], outDst: [], outWeight: [], outP: [], outChannel: [] };
  for (const b of customerBatches(data)) {
    rows += b.ids.length;
    batches++;
    for (const k of Object.keys(out) as (keyof typeof out)[]) out[k].push(...(b[k] ?? new Array<null>(b.ids.length).fill(null)));
  }
  for (const b of tieBatches(data)) { rows += b.src.length; batches++; }
  const batchMs = performance.now() - t;
  // One page row of columns, as Q.readCustomers answers (absent attributes are lists of nulls; ties ride on customers).
  const n = data.ids.length;
  const nulls = (len: number) => new Array<null>(len).fill(null);
  const customers = record({
    idx: data.ids.map((_, i) => i), id: data.ids, idRaw: nulls(n), label: nulls(n), labelRaw: nulls(n), segment: nulls(n), segmentRaw: nulls(n),
    followers: nulls(n), value: nulls(n), activity: nulls(n), ...out,
  });
  const h0 = process.memoryUsage().heapUsed;
  t = performance.now();
  const asm = new GraphDataAssembler({
    name: data.name, directed: data.directed, customers: data.ids.length, ties: data.src.length, defaultValue: 1,
    columns: columnsOf(data), channels: [],
  });
  asm.customers(customers);
  const g = asm.finish();
  const assembleMs = performance.now() - t;
  t = performance.now();
  const c = compile(g);
  const compileMs = performance.now() - t;
  let checksum = 0;
  for (let a = 0; a < c.m; a++) checksum = (checksum + c.outTargets[a]) >>> 0;
  return {
    graph: label, customers: data.ids.length, ties: data.src.length, rows, writeBatches: batches,
    batchMs: +batchMs.toFixed(1), assembleMs: +assembleMs.toFixed(1), compileMs: +compileMs.toFixed(1),
    compiledMB: +(compiledBytes(c) / 1e6).toFixed(2), heapDeltaMB: +((process.memoryUsage().heapUsed - h0) / 1e6).toFixed(1), checksum,
  };
}

const rows = [];
if (smoke) rows.push(measure('generated 20k ties', generated(20_000)));
else {
  for (const [label, rel] of [['ego-Facebook', 'ego-facebook/facebook_combined.txt'], ['NetHEPT', 'nethept/hep.txt']] as const) {
    const file = path.join(dataDir, rel);
    if (!existsSync(file)) {
      console.log(`skipped ${label}: ${file} not found`);
      continue;
    }
    rows.push(measure(label, (await readGraphFile(file, { directed: false })).data));
  }
}
console.table(rows);
console.log(`checksum ${rows.reduce((s, r) => (s + r.checksum) >>> 0, 0)}`);
