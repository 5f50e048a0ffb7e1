/**
 * Centrality benchmark (issue "Influence analytics" part 2):
 *   - exact betweenness and closeness on Barabási–Albert n=10k m=5 (seeded), on this thread and on a
 *     WorkerPool of 2 (targets on 2 cores: betweenness <= 5 s, closeness <= 1.8 s);
 *   - exact betweenness on ego-Facebook (target <= 5 s);
 *   - PageRank on BA n=100k (target <= 0.1 s; median of 5);
 *   - graphology-metrics betweenness and closeness on the same BA 10k, for comparison (not with --smoke).
 *
 *   npm run build && node dist/bench/centrality.js [--smoke] [--json]
 *
 * --smoke: BA n=1000, PageRank on BA 10k, ego-Facebook sampled (k=200) instead of exact, no graphology.
 * Every row prints a checksum (sum of scores) so the work cannot be optimised away; the last line sums them.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UndirectedGraph } from 'graphology';
import * as gmBetweenness from 'graphology-metrics/centrality/betweenness.js';
import * as gmCloseness from 'graphology-metrics/centrality/closeness.js';
import { WorkerPool } from '../src/diffusion/pool.js';
import { compile, type CompiledGraph } from '../src/graph/compile.js';
import { computeCentrality, pagerank, type CentralityResult } from '../src/influence/centrality/index.js';
import { readGraphFile } from '../src/io/read-graph-file.js';
import { barabasiAlbert } from './generators.js';

const args = process.argv.slice(2);
const smoke = args.includes('--smoke');
const asJson = args.includes('--json');

function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('bench: cannot find the repository root');
    dir = up;
  }
  return dir;
}

interface Row {
  name: string;
  n: number;
  arcs: number;
  threads: number;
  ms: number;
  target?: number;
  checksum: number;
}
const rows: Row[] = [];

function sum(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s;
}

function record(row: Row): void {
  rows.push(row);
  if (!asJson) {
    const target = row.target === undefined ? '' : `  (target <= ${row.target} ms: ${row.ms <= row.target ? 'met' : 'NOT met'})`;
    console.log(`${row.name.padEnd(44)} n=${String(row.n).padStart(7)} arcs=${String(row.arcs).padStart(8)} threads=${row.threads}  ${row.ms.toFixed(1).padStart(9)} ms  checksum=${row.checksum.toPrecision(12)}${target}`);
  }
}

async function timed(name: string, g: CompiledGraph, threads: number, target: number | undefined, f: () => Promise<CentralityResult> | CentralityResult): Promise<void> {
  const t0 = performance.now();
  const r = await f();
  const ms = performance.now() - t0;
  record({ name, n: g.n, arcs: g.m, threads, ms, target, checksum: sum(r.scores) });
}

function toGraphology(g: CompiledGraph): UndirectedGraph {
  const h = new UndirectedGraph();
  for (let i = 0; i < g.n; i++) h.addNode(String(i));
  for (let u = 0; u < g.n; u++) {
    for (let a = g.outOffsets[u]; a < g.outOffsets[u + 1]; a++) {
      const v = g.outTargets[a];
      if (u < v) h.addEdge(String(u), String(v));
    }
  }
  return h;
}

type Mapping = (graph: UndirectedGraph) => Record<string, number>;
function unwrap(mod: unknown): Mapping {
  let m = mod as { default?: unknown };
  while (m && typeof m === 'object' && 'default' in m && m.default) m = m.default as { default?: unknown };
  return m as unknown as Mapping;
}

async function main(): Promise<void> {
  const pool = new WorkerPool({ workers: 2 });
  try {
    const ba = barabasiAlbert(smoke ? 1000 : 10_000, 5, 1);
    const label = `BA n=${smoke ? '1k' : '10k'} m=5`;
    await timed(`betweenness exact, ${label}`, ba, 1, smoke ? undefined : 10_000, () => computeCentrality(ba, 'betweenness', { cache: false }));
    await timed(`betweenness exact, ${label}`, ba, 2, smoke ? undefined : 5000, () => computeCentrality(ba, 'betweenness', { pool, cache: false }));
    await timed(`closeness, ${label}`, ba, 1, smoke ? undefined : 3600, () => computeCentrality(ba, 'closeness', { cache: false }));
    await timed(`closeness, ${label}`, ba, 2, smoke ? undefined : 1800, () => computeCentrality(ba, 'closeness', { pool, cache: false }));
    await timed(`harmonic, ${label}`, ba, 2, undefined, () => computeCentrality(ba, 'harmonic', { pool, cache: false }));

    const fbFile = path.resolve(repoRoot(), '../shared/data/ego-facebook/facebook_combined.txt');
    if (existsSync(fbFile)) {
      const fb = compile((await readGraphFile(fbFile, { format: 'edgelist', directed: false })).data);
      if (smoke) {
        await timed('betweenness sampled k=200, ego-Facebook', fb, 2, undefined, () => computeCentrality(fb, 'betweenness', { pool, k: 200, seed: 1, cache: false }));
      } else {
        await timed('betweenness exact, ego-Facebook', fb, 1, undefined, () => computeCentrality(fb, 'betweenness', { cache: false }));
        await timed('betweenness exact, ego-Facebook', fb, 2, 5000, () => computeCentrality(fb, 'betweenness', { pool, cache: false }));
      }
    } else {
      console.log(`bench centrality: skipping ego-Facebook: ${fbFile} not found`);
    }

    const big = barabasiAlbert(smoke ? 10_000 : 100_000, 5, 1);
    const times: number[] = [];
    let pr: CentralityResult | null = null;
    for (let r = 0; r < 5; r++) {
      const t0 = performance.now();
      pr = pagerank(big);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    record({ name: `pagerank (median of 5, ${pr!.iterations} it), BA n=${smoke ? '10k' : '100k'} m=5`, n: big.n, arcs: big.m, threads: 1, ms: times[2], target: smoke ? undefined : 100, checksum: sum(pr!.scores) });

    if (!smoke) {
      const h = toGraphology(ba);
      for (const [name, mod] of [['graphology-metrics betweenness', gmBetweenness], ['graphology-metrics closeness', gmCloseness]] as const) {
        const f = unwrap(mod);
        const t0 = performance.now();
        const out = f(h);
        const ms = performance.now() - t0;
        let s = 0;
        for (let i = 0; i < ba.n; i++) s += out[String(i)];
        record({ name: `${name}, ${label}`, n: ba.n, arcs: ba.m, threads: 1, ms, checksum: s });
      }
    }
  } finally {
    await pool.close();
  }
  const checksum = rows.reduce((t, r) => t + r.checksum, 0);
  if (asJson) console.log(JSON.stringify({ bench: 'centrality', smoke, rows, checksum }, null, 1));
  else console.log(`checksum ${checksum.toPrecision(12)}`);
}

await main();
