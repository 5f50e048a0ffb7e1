/**
 * Store benchmark: encode/decode time and bytes of the graph file format, and write/read time through the
 * FileStore (fsync included), for ego-Facebook, NetHEPT and a generated 1M-tie graph.
 *
 *   npm run build && node dist/bench/store.js [--smoke] [--reps N] [--json]
 *
 * --smoke: one repetition and a 50k-tie generated graph (CI). Times are the median of the repetitions.
 * The checksum line sums decoded tie endpoints so the work cannot be skipped.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GraphData } from '../src/graph/model.js';
import { readGraphFile } from '../src/io/read-graph-file.js';
import { decodeGraph, encodeGraph } from '../src/store/codec.js';
import { FileStore } from '../src/store/file-store.js';

interface Row {
  graph: string;
  customers: number;
  ties: number;
  bytes: number;
  rawBytes: number;
  bytesPerTie: number;
  encodeMs: number;
  decodeMs: number;
  writeMs: number;
  readMs: number;
}

const repoRoot = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../../' : '../', import.meta.url));
const dataDir = path.resolve(repoRoot, '../shared/data');

/** Seeded (mulberry32) edge-list-like graph: sources ascending, ~ties/n out-ties each, random targets. */
export function generatedGraph(n: number, ties: number, seed = 1): GraphData {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const src = new Int32Array(ties);
  const dst = new Int32Array(ties);
  for (let j = 0; j < ties; j++) {
    const u = Math.floor((j * n) / ties);
    let v = Math.floor(next() * n);
    if (v === u) v = (v + 1) % n;
    src[j] = u;
    dst[j] = v;
  }
  const ids = Array.from({ length: n }, (_, i) => `c${i}`);
  return { name: `generated ${ties}`, directed: true, defaultValue: 1, ids, labels: null, segments: null, followers: null, value: null, activity: null, src, dst, weight: null, p: null, channel: null, channels: [] };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function time<T>(reps: number, fn: () => Promise<T> | T): Promise<{ ms: number; last: T }> {
  const ms: number[] = [];
  let last!: T;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    last = await fn();
    ms.push(performance.now() - t0);
  }
  return { ms: median(ms), last };
}

async function measure(label: string, data: GraphData, store: FileStore, reps: number, sums: number[]): Promise<Row> {
  const enc = await time(reps, () => encodeGraph(data));
  const raw = encodeGraph(data, { level: 0 });
  const dec = await time(reps, () => decodeGraph(enc.last));
  let id = '';
  const write = await time(reps, async () => {
    const s = id ? await store.replace(id, data) : await store.create(data);
    id = s.id;
    return s;
  });
  const read = await time(reps, () => store.load(id));
  let sum = 0;
  const d = read.last.data;
  for (let j = 0; j < d.src.length; j++) sum = (sum + d.src[j] * 3 + d.dst[j]) % 1_000_000_007;
  sums.push(sum + dec.last.ids.length);
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    graph: label, customers: data.ids.length, ties: data.src.length,
    bytes: enc.last.length, rawBytes: raw.length, bytesPerTie: round(enc.last.length / Math.max(1, data.src.length)),
    encodeMs: round(enc.ms), decodeMs: round(dec.ms), writeMs: round(write.ms), readMs: round(read.ms),
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const smoke = args.includes('--smoke');
  const repsAt = args.indexOf('--reps');
  const reps = repsAt >= 0 ? Number(args[repsAt + 1]) : smoke ? 1 : 5;
  const json = args.includes('--json');

  const graphs: [string, () => Promise<GraphData>][] = [];
  for (const [label, file] of [['ego-Facebook', 'ego-facebook/facebook_combined.txt'], ['NetHEPT', 'nethept/hep.txt']] as const) {
    const full = path.join(dataDir, file);
    try {
      await fs.access(full);
      graphs.push([label, async () => (await readGraphFile(full, { directed: false })).data]);
    } catch {
      console.log(`skip ${label}: ${full} is absent`);
    }
  }
  const genTies = smoke ? 50_000 : 1_000_000;
  graphs.push([`generated ${genTies / 1000}k`, async () => generatedGraph(genTies / 10, genTies)]);

  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ripple-bench-store-'));
  const store = await FileStore.open(dir);
  const rows: Row[] = [];
  const sums: number[] = [];
  try {
    for (const [label, make] of graphs) rows.push(await measure(label, await make(), store, reps, sums));
  } finally {
    await store.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
  const meta = { node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model, reps, smoke };
  if (json) {
    console.log(JSON.stringify({ bench: 'store', ...meta, rows, checksum: sums.join(',') }));
  } else {
    console.log(`store bench: node ${meta.node}, ${meta.cpus} × ${meta.cpu}, median of ${reps}`);
    console.table(rows);
    console.log(`checksum ${sums.join(',')}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  await main();
}
