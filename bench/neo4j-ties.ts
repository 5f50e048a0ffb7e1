/**
 * What a tie costs Neo4j: the tie write of an import in several forms against a real server (NEO4J_URI, NEO4J_USER,
 * NEO4J_PASSWORD; `eval "$(npm run -s neo4j:start)"`), measured as the Neo4j process's CPU (/proc/PID/stat of the
 * server, so other processes on a shared machine do not enter) as well as wall time and this process's CPU.
 *
 * The customers of one graph are written once (as an import writes them, Q.writeCustomers); then, in each round, every
 * variant writes all the ties in committed batches, alternating variants within a round, and the ties are deleted
 * again (not measured). Variants:
 *   main         the previous write: a row per tie, both ends found by element id and checked (graphId, version)
 *   store        the store's write today (Q.writeTies): a row per source customer with its targets' positions in the
 *                batch's node list; each node found and checked once per batch; `writers` batches at once
 *   attrs        the same with Q.writeTiesWithAttributes (the graph's attribute lists null)
 *   nocheck      `store` without the (graphId, version) check of the nodes (what the check costs)
 *   floor        a row per tie, both ends by id() integers, no check, nothing but CREATE (a)-[:TIE]->(b)
 * The server's pid comes from NEO4J_PID or the local server's record (NEO4J_LOCAL_DIR, else .neo4j/server.json);
 * without it the server CPU columns are absent.
 *
 *   node dist/bench/neo4j-ties.js [--graph ego|ba] [--ties 1000000] [--batch 50000] [--rounds 3] [--writers 1,2]
 *                                 [--variants main,store,attrs,nocheck,floor]
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import neo4j from 'neo4j-driver';
import type { GraphData } from '../src/graph/model.js';
import { readGraphFile } from '../src/io/read-graph-file.js';
import { Q } from '../src/store/neo4j-cypher.js';
import { customerBatches, DEFAULT_BATCH, tieBatches, type TieBatch } from '../src/store/neo4j-rows.js';
import { barabasiAlbertData } from './generators.js';
import { neo4jServerPid, processCpuMs } from './neo4j-cpu.js';

const argv = process.argv;
const opt = (name: string, dflt: string) => {
  const i = argv.indexOf(name);
  return i > 0 ? argv[i + 1] : dflt;
};
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = here.includes(`${path.sep}dist${path.sep}`) ? path.resolve(here, '../..') : path.resolve(here, '..');

const uri = process.env.NEO4J_URI;
if (!uri) {
  console.error('bench/neo4j-ties: set NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD (eval "$(npm run -s neo4j:start)")');
  process.exit(2);
}
const graphName = opt('--graph', 'ego');
const batchSize = Number(opt('--batch', String(DEFAULT_BATCH)));
const rounds = Number(opt('--rounds', '3'));
const writerCounts = opt('--writers', '1,2').split(',').map(Number);
const variants = opt('--variants', 'main,store,attrs,nocheck,floor').split(',');

/** main's tie write (before the batches by source): a row per tie, ends by element id, each end checked. */
const MAIN_WRITE_TIES = `UNWIND range(0, size($srcNode) - 1) AS k
MATCH (a) WHERE elementId(a) = $srcNode[k]
MATCH (b) WHERE elementId(b) = $dstNode[k]
WITH k, a, b WHERE a.graphId = $graphId AND a.version = toInteger($slot) AND b.graphId = $graphId AND b.version = toInteger($slot)
CREATE (a)-[t:TIE {weight: $weight[k], p: $p[k], channel: $channel[k]}]->(b)
RETURN count(t) AS n`;
const NOCHECK = Q.writeTies.replace('WITH i, c WHERE c.graphId = $graphId AND c.version = toInteger($slot)\n', 'WITH i, c\n');
const FLOOR = `UNWIND range(0, size($src) - 1) AS k
MATCH (a) WHERE id(a) = toInteger($src[k])
MATCH (b) WHERE id(b) = toInteger($dst[k])
CREATE (a)-[:TIE]->(b)
RETURN count(*) AS n`;
if (NOCHECK === Q.writeTies) throw new Error('bench/neo4j-ties: could not derive the unchecked query');

async function graph(): Promise<GraphData> {
  if (graphName === 'ba') {
    const ties = Number(opt('--ties', '1000000'));
    return barabasiAlbertData(Math.round(ties / 10) + 11, 10, 1);
  }
  const file = path.resolve(repoRoot, '../shared/data/ego-facebook/facebook_combined.txt');
  if (!existsSync(file)) {
    console.log(`bench/neo4j-ties skipped: ${file} not found`);
    process.exit(0);
  }
  return (await readGraphFile(file, { directed: false })).data;
}

const pid = neo4jServerPid(repoRoot);
const serverCpuMs = () => processCpuMs(pid);

const driver = neo4j.driver(uri, neo4j.auth.basic(process.env.NEO4J_USER ?? 'neo4j', process.env.NEO4J_PASSWORD ?? ''), {
  disableLosslessIntegers: true,
  userAgent: 'ripple-bench',
});
const database = process.env.NEO4J_DATABASE;
const graphId = `bench-ties-${process.pid}`;
const slot = 1;
let attempts = 0;
/** Ties the server reported written, over every run (the checksum). */
let written = 0;

async function write(query: string, params: Record<string, unknown>): Promise<number> {
  const s = driver.session({ database, defaultAccessMode: neo4j.session.WRITE });
  try {
    return await s.executeWrite(async (tx) => {
      attempts++;
      const r = await tx.run(query, params);
      return Number(r.records[0]?.get('n') ?? 0);
    });
  } finally {
    await s.close();
  }
}

/** Each item through `work`, `width` at a time. */
async function lanes<T>(items: Iterable<T>, width: number, work: (x: T) => Promise<void>): Promise<void> {
  const it = items[Symbol.iterator]();
  await Promise.all(Array.from({ length: width }, async () => {
    for (let r = it.next(); !r.done; r = it.next()) await work(r.value);
  }));
}

const data = await graph();
const m = data.src.length;
console.log(`bench/neo4j-ties: ${graphName} ${data.ids.length} customers ${m} ties, batch ${batchSize}, server pid ${pid ?? 'unknown'}, load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);

// Customers, as an import writes them; their element ids and id() integers.
const elementIds = new Array<string>(data.ids.length);
const cust0 = { wall: performance.now(), server: serverCpuMs() };
for (const b of customerBatches(data, batchSize)) {
  const s = driver.session({ database, defaultAccessMode: neo4j.session.WRITE });
  try {
    const r = await s.executeWrite((tx) => tx.run(Q.writeCustomers, { graphId, slot, ...b }));
    (r.records[0].get('nodes') as string[]).forEach((e, k) => (elementIds[b.base + k] = e));
  } finally {
    await s.close();
  }
}
console.log(`customers written (Q.writeCustomers, with their out-tie arrays): ${Math.round(performance.now() - cust0.wall)} ms wall, ${Math.round(serverCpuMs() - cust0.server)} ms server CPU`);
const intIds = new Array<number>(data.ids.length);
{
  const s = driver.session({ database });
  try {
    const r = await s.run('UNWIND range(0, size($e) - 1) AS k MATCH (c) WHERE elementId(c) = $e[k] RETURN k, id(c) AS id', { e: elementIds });
    for (const rec of r.records) intIds[rec.get('k') as number] = rec.get('id') as number;
  } finally {
    await s.close();
  }
}

function* flatBatches(): Generator<{ from: number; to: number }> {
  for (let from = 0; from < m; from += batchSize) yield { from, to: Math.min(m, from + batchSize) };
}

const storeParams = (b: TieBatch) => ({ graphId, slot, nodes: b.nodes.map((i) => elementIds[i]), src: b.src, dst: b.dst, weight: b.weight, p: b.p, channel: b.channel });

const run: Record<string, (writers: number) => Promise<number>> = {
  main: async (writers) => {
    let n = 0;
    await lanes(flatBatches(), writers, async ({ from, to }) => {
      const src = Array.from(data.src.subarray(from, to));
      const dst = Array.from(data.dst.subarray(from, to));
      const k = await write(MAIN_WRITE_TIES, { graphId, slot, srcNode: src.map((i) => elementIds[i]), dstNode: dst.map((i) => elementIds[i]), weight: null, p: null, channel: null });
      n += k;
    });
    return n;
  },
  store: async (writers) => {
    let n = 0;
    await lanes(tieBatches(data, batchSize), writers, async (b) => {
      const k = await write(Q.writeTies, storeParams(b));
      n += k;
    });
    return n;
  },
  attrs: async (writers) => {
    let n = 0;
    await lanes(tieBatches(data, batchSize), writers, async (b) => {
      const k = await write(Q.writeTiesWithAttributes, storeParams(b));
      n += k;
    });
    return n;
  },
  nocheck: async (writers) => {
    let n = 0;
    await lanes(tieBatches(data, batchSize), writers, async (b) => {
      const k = await write(NOCHECK, storeParams(b));
      n += k;
    });
    return n;
  },
  floor: async (writers) => {
    let n = 0;
    await lanes(flatBatches(), writers, async ({ from, to }) => {
      const src = Array.from(data.src.subarray(from, to), (i) => intIds[i]);
      const dst = Array.from(data.dst.subarray(from, to), (i) => intIds[i]);
      const k = await write(FLOOR, { src, dst });
      n += k;
    });
    return n;
  },
};

async function deleteTies(): Promise<void> {
  const s = driver.session({ database });
  try {
    await s.run('MATCH (c:Customer {graphId: $g})-[t:TIE]->() CALL (t) { DELETE t } IN TRANSACTIONS OF 50000 ROWS', { g: graphId });
  } finally {
    await s.close();
  }
}

interface Sample { wallMs: number; serverMs: number; clientMs: number; retries: number }
const samples = new Map<string, Sample[]>();
const cases = variants.flatMap((v) => writerCounts.map((w) => [v, w] as const));
try {
  for (let round = 1; round <= rounds; round++) {
    // Alternate the order round by round, so that no variant always runs right after another.
    const order = round % 2 ? cases : [...cases].reverse();
    for (const [v, w] of order) {
      const label = `${v} ×${w}`;
      const before = attempts;
      const c0 = process.cpuUsage();
      const s0 = serverCpuMs();
      const t0 = performance.now();
      const n = await run[v](w);
      const wallMs = performance.now() - t0;
      const serverMs = serverCpuMs() - s0;
      const c = process.cpuUsage(c0);
      written += n;
      if (n !== m) throw new Error(`${label}: wrote ${n} of ${m} ties`);
      const batches = v === 'main' || v === 'floor' ? Math.ceil(m / batchSize) : [...tieBatches(data, batchSize)].length;
      const sample = { wallMs, serverMs, clientMs: (c.user + c.system) / 1000, retries: attempts - before - batches };
      (samples.get(label) ?? samples.set(label, []).get(label)!).push(sample);
      console.log(JSON.stringify({ round, variant: label, ...Object.fromEntries(Object.entries(sample).map(([k, x]) => [k, Math.round(x)])), load1: +loadavg()[0].toFixed(1) }));
      await deleteTies();
    }
  }
} finally {
  const s = driver.session({ database });
  try {
    await s.run('MATCH (c:Customer {graphId: $g}) CALL (c) { DETACH DELETE c } IN TRANSACTIONS OF 10000 ROWS', { g: graphId });
  } finally {
    await s.close();
    await driver.close();
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const table = [...samples].map(([variant, xs]) => {
  const wall = median(xs.map((x) => x.wallMs));
  const server = median(xs.map((x) => x.serverMs));
  return {
    variant, wallMs: Math.round(wall), tiesPerS: Math.round(m / (wall / 1000)),
    serverMs: Math.round(server), serverMinMs: Math.min(...xs.map((x) => x.serverMs)), serverUsPerTie: +((server * 1000) / m).toFixed(2),
    clientMs: Math.round(median(xs.map((x) => x.clientMs))), retries: xs.reduce((a, x) => a + x.retries, 0),
  };
});
console.table(table);
console.log(`medians of ${rounds} rounds; load ${loadavg().map((x) => x.toFixed(1)).join(' ')}; checksum ${written}`);
