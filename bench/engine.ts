/**
 * Cascade engine benchmark (issue 3): ms per run and arcs examined per second per core for IC.
 *   npm run build && node dist/bench/engine.js [--smoke] [--runs N]
 * Graphs: ego-Facebook (p = 0.01, 0.05), NetHEPT hep.txt (undirected, weighted cascade), Wiki-Vote
 * (directed, p = 0.05), Barabási–Albert n = 100k, m = 5 (p = 0.05); seed = the top out-degree customer.
 * CPU ms/run (process.cpuUsage over all threads) is printed next to wall time: on a shared machine it shows
 * the work per run when wall time is inflated by other load.
 * Each is run in-thread, then on a pool of 1 and 2 workers (pool start-up and graph posting are
 * warmed up first, not timed). Prints a checksum of all reach means so the work cannot be skipped.
 * `--only TEXT` keeps the cases whose name contains TEXT; `--runs N` overrides the run counts.
 * Real graphs come from ../shared/data and are skipped with one line when absent. --smoke: small sizes.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { availableParallelism, cpus } from 'node:os';
import { compile, type CompiledGraph } from '../src/graph/compile.js';
import { readGraphFile } from '../src/io/read-graph-file.js';
import { simulate } from '../src/diffusion/simulate.js';
import { WorkerPool } from '../src/workers/pool.js';
import type { SimulationRequestInput } from '../src/diffusion/schemas.js';
import { barabasiAlbert } from './generators.js';

const args = process.argv.slice(2);
const smoke = args.includes('--smoke');
const runsArg = args.indexOf('--runs');
const onlyArg = args.indexOf('--only');
const only = onlyArg >= 0 ? args[onlyArg + 1].toLowerCase() : null;
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = here.includes(`${path.sep}dist${path.sep}`) ? path.resolve(here, '../..') : path.resolve(here, '..');
const dataDir = path.resolve(repoRoot, '../shared/data');

interface Case {
  name: string;
  load: () => Promise<CompiledGraph | null>;
  req: SimulationRequestInput extends infer T ? (T extends unknown ? Omit<T, 'seeds' | 'runs'> : never) : never;
  runs: number;
}

async function snap(rel: string, directed: boolean): Promise<CompiledGraph | null> {
  const file = path.join(dataDir, rel);
  if (!existsSync(file)) {
    console.log(`skip: ${file} not found`);
    return null;
  }
  const { data } = await readGraphFile(file, { format: 'edgelist', directed });
  return compile(data);
}

function topDegree(g: CompiledGraph): string {
  let best = 0;
  for (let u = 1; u < g.n; u++) if (g.outOffsets[u + 1] - g.outOffsets[u] > g.outOffsets[best + 1] - g.outOffsets[best]) best = u;
  return g.ids[best];
}

const scale = smoke ? 0.02 : 1;
const runsFor = (r: number) => (runsArg >= 0 ? Number(args[runsArg + 1]) : Math.max(20, Math.round(r * scale)));
const graphCache = new Map<string, Promise<CompiledGraph | null>>();
const cached = (key: string, f: () => Promise<CompiledGraph | null>) => () => {
  if (!graphCache.has(key)) graphCache.set(key, f());
  return graphCache.get(key)!;
};
const fb = cached('fb', () => snap('ego-facebook/facebook_combined.txt', false));
const cases: Case[] = [
  { name: 'ego-Facebook IC p=0.01', load: fb, req: { model: 'ic', p: 0.01 }, runs: runsFor(20000) },
  { name: 'ego-Facebook IC p=0.05', load: fb, req: { model: 'ic', p: 0.05 }, runs: runsFor(2000) },
  { name: 'NetHEPT IC weighted-cascade', load: cached('hep', () => snap('nethept/hep.txt', false)), req: { model: 'ic', probability: 'weighted-cascade' }, runs: runsFor(20000) },
  { name: 'Wiki-Vote IC p=0.05', load: cached('wiki', () => snap('wiki-vote/Wiki-Vote.txt', true)), req: { model: 'ic', p: 0.05 }, runs: runsFor(5000) },
  { name: `BA n=${smoke ? '10k' : '100k'} m=5 IC p=0.05`, load: cached('ba', async () => barabasiAlbert(smoke ? 10_000 : 100_000, 5, 1)), req: { model: 'ic', p: 0.05 }, runs: runsFor(5000) },
];

let checksum = 0;
const rows: string[] = [];
const pools = new Map<number, WorkerPool>();
for (const w of [1, 2]) pools.set(w, new WorkerPool({ workers: w }));

for (const c of cases) {
  if (only && !c.name.toLowerCase().includes(only)) continue;
  const g = await c.load();
  if (!g) continue;
  const seed = topDegree(g);
  const req = { ...c.req, seeds: [seed], runs: c.runs, seed: 7, top: 0 } as SimulationRequestInput;
  for (const mode of ['thread', 1, 2] as const) {
    const pool = mode === 'thread' ? undefined : pools.get(mode)!;
    await simulate(g, { ...req, runs: Math.min(c.runs, 200) } as SimulationRequestInput, { pool }); // warm-up (JIT, graph posting)
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const res = await simulate(g, req, { pool });
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const cpuMsPerRun = (cpu.user + cpu.system) / 1000 / res.runs;
    const cores = mode === 'thread' ? 1 : mode;
    checksum += res.reach.mean;
    const msPerRun = ms / res.runs;
    const arcsPerSecCore = (res.arcsExamined * res.runs) / (ms / 1000) / cores;
    rows.push(
      `| ${c.name} | ${g.n} | ${g.m} | ${mode === 'thread' ? 'in-thread' : `${mode} worker${mode > 1 ? 's' : ''}`} | ${res.runs} | ` +
        `${res.reach.mean.toFixed(1)} | ${msPerRun.toFixed(4)} | ${(arcsPerSecCore / 1e6).toFixed(1)} | ${cpuMsPerRun.toFixed(4)} |`,
    );
    console.log(rows[rows.length - 1]);
  }
}
for (const p of pools.values()) await p.close();
console.log();
console.log(`machine: ${cpus()[0]?.model ?? 'unknown'} × ${availableParallelism()}, node ${process.version}${smoke ? ' (smoke)' : ''}`);
console.log('| case | customers | arcs | mode | runs | mean reach | ms/run (wall) | M arcs examined/s/core | CPU ms/run (all threads) |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
console.log(`checksum ${checksum.toFixed(6)}`);
