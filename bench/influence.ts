/**
 * Influence benchmark: IMM (k = 50, ε = 0.1, ℓ = 1, IC weighted cascade) on NetHEPT, spread re-estimated by
 * the engine with 10,000 Monte Carlo runs; then the value ranking of all customers (value-weighted RR sets).
 * Reference (a published IMM reimplementation): spread ≈ 1,295 in 3.5 s with 8 processes.
 *
 *   npm run build && node dist/bench/influence.js [--smoke] [--workers N] [--json]
 *
 * --smoke runs the same code on a small synthetic graph (seconds, no data needed) so the benchmark cannot rot.
 * Prints a checksum of the seeds so the work cannot be optimised away.
 */
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WorkerPool } from '../src/workers/pool.js';
import { Rng } from '../src/diffusion/rng.js';
import { simulate } from '../src/diffusion/simulate.js';
import { GraphBuilder } from '../src/graph/builder.js';
import { compile, type CompiledGraph } from '../src/graph/compile.js';
import { parseEdgeList } from '../src/graph/parsers/edgelist.js';
import { imm } from '../src/influence/imm.js';
import { spreadRequest } from '../src/influence/influencers.js';
import { rrSpec } from '../src/influence/rr.js';
import { rankValues } from '../src/influence/value.js';

const args = process.argv.slice(2);
const smoke = args.includes('--smoke');
const json = args.includes('--json');
const wi = args.indexOf('--workers');
const gi = args.indexOf('--graph');
/**
 * How hep.txt is read (published IM figures differ on this): `simple` (default) — the importer's reading,
 * undirected, duplicates merged; `multi` — undirected, tie weight = number of repeated lines; `directed` —
 * each line an arc u -> v with weight = repetitions, i.e. exactly NetHEPT.txt's p = 1/indeg summed per pair;
 * `directed-simple` — NetHEPT.txt as `ripple import --directed` reads it: each ordered pair once, so weighted cascade
 * gives p = 1/(distinct in-degree) — the reading of the 32,235-arc NetHEPT file used by a published IMM
 * reimplementation (spread ≈ 1,295); `parallel` — NetHEPT.txt as IM course code reads it: each of the 58,891 lines an independent arc u -> v with
 * p = 1/indeg(v) (lines counted), so c parallel arcs of one pair act as one arc with p = 1 - (1 - 1/indeg)^c
 * (the `attribute` scheme carries that p).
 */
const variant = gi >= 0 ? args[gi + 1] : 'simple';
const workers = wi >= 0 ? Number(args[wi + 1]) : availableParallelism();

const here = path.dirname(fileURLToPath(import.meta.url));
// dist/bench -> repo root is two levels up; bench/ (tsx) one level.
const repoRoot = here.includes(`${path.sep}dist${path.sep}`) ? path.resolve(here, '../..') : path.resolve(here, '..');
const hep = path.resolve(repoRoot, '../shared/data/nethept/hep.txt');
const netHept = path.resolve(repoRoot, '../shared/data/nethept/NetHEPT.txt');

/** Barabási–Albert-like synthetic graph (seeded), undirected, n customers, m ties per newcomer. */
function synthetic(n: number, m: number): CompiledGraph {
  const b = new GraphBuilder({ name: 'ba', directed: false, source: 'synthetic', format: 'edgelist' });
  const rng = new Rng(42);
  const ends: number[] = [];
  for (let v = 1; v < n; v++) {
    for (let j = 0; j < Math.min(m, v); j++) {
      const u = ends.length ? ends[rng.int(ends.length)] : 0;
      b.addTie(String(v), String(u));
      ends.push(u, v);
    }
  }
  return compile(b.finish().data);
}

/** hep.txt with each pair once (unordered unless `directed`), weighted by how many lines name it (weighted cascade then = multigraph WC). */
function multiplicityWeighted(text: string, directed: boolean) {
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 2 || f[0] === f[1]) continue;
    const [a, b] = directed || Number(f[0]) < Number(f[1]) ? [f[0], f[1]] : [f[1], f[0]];
    const key = `${a} ${b}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const b = new GraphBuilder({ name: 'nethept', directed, source: 'hep.txt', format: 'edgelist' });
  for (let i = 1; i <= 15233; i++) b.addCustomer(String(i), {});
  for (const [key, w] of counts) {
    const [u, v] = key.split(' ');
    b.addTie(u, v, { weight: w });
  }
  return b.finish().data;
}

/** NetHEPT.txt's lines as independent directed arcs with p = 1/indeg(v), parallel arcs combined exactly. */
function parallelArcs(text: string) {
  const lines = text.split('\n').slice(1); // first line: "15233 58891"
  const indeg = new Map<string, number>();
  const count = new Map<string, number>();
  for (const line of lines) {
    const f = line.trim().split(/\s+/);
    if (f.length < 2 || f[0] === f[1]) continue;
    indeg.set(f[1], (indeg.get(f[1]) ?? 0) + 1);
    const key = `${f[0]} ${f[1]}`;
    count.set(key, (count.get(key) ?? 0) + 1);
  }
  const b = new GraphBuilder({ name: 'nethept', directed: true, source: 'NetHEPT.txt', format: 'edgelist' });
  for (let i = 0; i < 15233; i++) b.addCustomer(String(i), {});
  for (const [key, c] of count) {
    const [u, v] = key.split(' ');
    b.addTie(u, v, { p: 1 - (1 - 1 / indeg.get(v)!) ** c });
  }
  return b.finish().data;
}

async function main(): Promise<void> {
  let g: CompiledGraph;
  let dataset: string;
  if (smoke) {
    g = synthetic(3000, 3);
    dataset = 'synthetic BA n=3000 m=3 (smoke)';
  } else {
    if (!existsSync(hep)) {
      console.log(`skipped: NetHEPT not found at ${hep}`);
      return;
    }
    if (variant === 'directed-simple') {
      const { data } = await parseEdgeList(createReadStream(netHept), { name: 'nethept', directed: true, source: netHept });
      g = compile(data);
      dataset = 'NetHEPT.txt imported with --directed (each ordered pair once, weighted cascade = 1/distinct in-degree)';
    } else if (variant === 'parallel') {
      g = compile(parallelArcs(readFileSync(netHept, 'utf8')));
      dataset = 'NetHEPT.txt (each line an arc u -> v with p = 1/indeg(v), parallel arcs combined, self-loops dropped)';
    } else if (variant === 'simple') {
      const { data } = await parseEdgeList(createReadStream(hep), { name: 'nethept', directed: false, source: hep });
      g = compile(data);
      dataset = 'NetHEPT hep.txt (undirected; duplicates merged, self-loops dropped)';
    } else {
      const directed = variant === 'directed';
      g = compile(multiplicityWeighted(readFileSync(hep, 'utf8'), directed));
      dataset = `NetHEPT hep.txt (${directed ? 'directed lines' : 'undirected'}; weight = number of repeated lines, self-loops dropped)`;
    }
  }
  const scheme = variant === 'parallel' ? 'attribute' : 'weighted-cascade';
  const k = smoke ? 10 : 50;
  const epsilon = smoke ? 0.3 : 0.1;
  const runs = smoke ? 1000 : 10_000;
  const pool = workers > 1 ? new WorkerPool({ workers }) : undefined;
  try {
    // Warm the workers (thread start-up is not IMM's cost).
    if (pool) await simulate(g, { model: 'ic', seeds: [g.ids[0]], runs: 4 * workers, probability: 'weighted-cascade', top: 0 }, { pool, batchSize: 4 });
    const t0 = performance.now();
    const spec = rrSpec(g, { model: 'ic', probability: scheme, p: 0 });
    const r = await imm(g, spec, { k, epsilon, ell: 1, seed: 1, pool });
    const immMs = performance.now() - t0;
    const t1 = performance.now();
    const ids = Array.from(r.seeds, (v) => g.ids[v]);
    const sim = await simulate(g, spreadRequest('ic', { seeds: ids, runs, seed: 1, probability: scheme, p: 0 }), { pool });
    const mcMs = performance.now() - t1;
    const t2 = performance.now();
    const rrSets = smoke ? 20_000 : 200_000;
    const v = await rankValues(g, { model: 'ic', probability: scheme, rrSets, top: 10, seed: 1 }, { pool });
    const valueMs = performance.now() - t2;
    let checksum = 0;
    for (let i = 0; i < r.seeds.length; i++) checksum = (Math.imul(checksum, 31) + r.seeds[i]) >>> 0;
    const out = {
      dataset, customers: g.n, arcs: g.m, workers, cpu: cpus()[0]?.model, node: process.version,
      imm: {
        k, epsilon, ell: 1, ms: Math.round(immMs), theta: r.theta, samplingRRSets: r.samplingRRSets, lowerBound: Math.round(r.lowerBound),
        rrMembers: r.members, estimate: Math.round(r.estimate * 10) / 10, capped: r.capped,
      },
      spread: { runs, mean: Math.round(sim.reach.mean * 10) / 10, ci95: sim.reach.ci95.map((x) => Math.round(x * 10) / 10), ms: Math.round(mcMs) },
      value: { rrSets: v.rrSets, ms: Math.round(valueMs), top1: v.top[0] },
      checksum,
    };
    if (json) console.log(JSON.stringify(out, null, 2));
    else {
      console.log(`${dataset}: ${g.n} customers, ${g.m} arcs; ${workers} worker(s); ${out.cpu}; node ${process.version}`);
      console.log(`IMM k=${k} ε=${epsilon}: ${out.imm.ms} ms (θ=${r.theta}, sampling ${r.samplingRRSets} RR sets, LB=${out.imm.lowerBound}, ${r.members} members), RR estimate ${out.imm.estimate}`);
      console.log(`spread (engine, ${runs} runs): ${out.spread.mean} [${out.spread.ci95.join(', ')}] in ${out.spread.ms} ms`);
      console.log(`value ranking (${v.rrSets} value-weighted RR sets): ${out.value.ms} ms; top ${v.top[0]?.id} total ${v.top[0]?.totalValue.toFixed(2)}`);
      console.log(`checksum ${checksum}`);
    }
  } finally {
    await pool?.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
