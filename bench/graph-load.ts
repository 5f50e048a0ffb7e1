/**
 * Graph loading benchmark (issue "The customer graph"): parse + compile time, compiled bytes per arc and
 * per customer, an estimate of the id strings' memory, and RSS, for ego-Facebook, NetHEPT, Wiki-Vote and two
 * generated edge lists of 10M arcs (5M undirected lines, and 10M directed lines, over 1M customers, written deterministically by
 * streaming into os.tmpdir() and deleted afterwards).
 *   npm run build && node dist/bench/graph-load.js [--smoke]
 * --smoke: a 100k-line generated file instead. Real graphs come from ../shared/data; each missing one is
 * skipped with one line. Prints a table and a checksum (sum of outTargets mod 2^32) so the work cannot be
 * skipped. Target: compiled form <= 24 bytes/arc + 64 bytes/customer; 10M arcs load well under 2 GB RSS.
 */
import { createWriteStream, existsSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, compiledBytes } from '../src/graph/compile.js';
import { readGraphFile } from '../src/io/read-graph-file.js';

const smoke = process.argv.includes('--smoke');
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = here.includes(`${path.sep}dist${path.sep}`) ? path.resolve(here, '../..') : path.resolve(here, '..');
const dataDir = path.resolve(repoRoot, '../shared/data');

/** Write `lines` undirected ties over `n` customers ("u v" per line), deterministic (xorshift32, seed fixed). */
async function generate(file: string, lines: number, n: number): Promise<void> {
  const out = createWriteStream(file);
  let x = 0x9e3779b9;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
  const batch = 50_000;
  for (let i = 0; i < lines; i += batch) {
    let s = '';
    for (let k = 0; k < batch && i + k < lines; k++) s += `${next()} ${next()}\n`;
    if (!out.write(s)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

interface Row {
  graph: string;
  n: number;
  arcs: number;
  parseMs: number;
  compileMs: number;
  bytesPerArc: number;
  bytesPerCustomer: number;
  compiledMB: number;
  idsMB: number;
  withinTarget: boolean;
  rssMB: number;
  peakRssMB: number;
}

let checksum = 0;
const rows: Row[] = [];

async function measure(label: string, file: string, directed: boolean): Promise<void> {
  if (!existsSync(file)) {
    console.log(`skip: ${file} not found`);
    return;
  }
  const t0 = performance.now();
  const { data } = await readGraphFile(file, { directed });
  const t1 = performance.now();
  const c = compile(data);
  const t2 = performance.now();
  const bytes = compiledBytes(c);
  // Id strings: V8 one-byte strings take ~16 bytes of header + 1 per char (2 when not Latin-1), plus 8 for the
  // ids array slot and ~24 for the interning Map entry (builder only; the Map is gone after finish()).
  let idBytes = 0;
  for (const id of c.ids) idBytes += 16 + 8 + ((id.length + 7) & ~7);
  let sum = 0;
  for (let a = 0; a < c.m; a++) sum = (sum + c.outTargets[a]) >>> 0;
  checksum = (checksum + sum) >>> 0;
  const arcBytes = [c.outTargets, c.inSources, c.inArc, c.arcWeight, c.arcP].reduce((t, a) => t + (a ? a.byteLength : 0), 0);
  rows.push({
    graph: label,
    n: c.n,
    arcs: c.m,
    parseMs: Math.round(t1 - t0),
    compileMs: Math.round(t2 - t1),
    bytesPerArc: Number((arcBytes / Math.max(1, c.m)).toFixed(2)),
    bytesPerCustomer: Number(((bytes - arcBytes) / Math.max(1, c.n)).toFixed(2)),
    compiledMB: Number((bytes / 2 ** 20).toFixed(1)),
    idsMB: Number((idBytes / 2 ** 20).toFixed(1)),
    withinTarget: bytes <= 24 * c.m + 64 * c.n,
    rssMB: Math.round(process.memoryUsage().rss / 2 ** 20),
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  });
}

const cpu = cpus()[0]?.model ?? 'unknown cpu';
console.log(`graph-load ${smoke ? '--smoke ' : ''}on ${cpu} x${cpus().length}, node ${process.version}`);
await measure('ego-Facebook', path.join(dataDir, 'ego-facebook/facebook_combined.txt'), false);
await measure('NetHEPT', path.join(dataDir, 'nethept/NetHEPT.txt'), false);
await measure('Wiki-Vote', path.join(dataDir, 'wiki-vote/Wiki-Vote.txt'), true);
// 10M arcs two ways: 5M undirected lines (two arcs each), and a 10-million-line directed edge list.
const generated = smoke
  ? [{ lines: 100_000, directed: false }]
  : [{ lines: 5_000_000, directed: false }, { lines: 10_000_000, directed: true }];
const nodes = smoke ? 20_000 : 1_000_000;
for (const { lines, directed } of generated) {
  const file = path.join(tmpdir(), `ripple-graph-load-${process.pid}.txt`);
  try {
    const g0 = performance.now();
    await generate(file, lines, nodes);
    console.log(`generated ${lines} lines over ${nodes} customers in ${Math.round(performance.now() - g0)} ms: ${file}`);
    await measure(`generated ${lines / 1e6}M ${directed ? 'directed' : 'undirected'} lines`, file, directed);
  } finally {
    rmSync(file, { force: true });
  }
}
console.table(rows);
console.log(`checksum ${checksum}`);
