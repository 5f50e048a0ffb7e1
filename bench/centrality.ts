/**
 * Centrality benchmark (issue "Influence analytics" part 2):
 *   - exact betweenness and closeness on Barabási–Albert n=10k m=5 (seeded), on this thread and on a
 *     WorkerPool of 2 (targets on 2 cores: betweenness <= 5 s, closeness <= 1.8 s);
 *   - exact betweenness on ego-Facebook (target <= 5 s);
 *   - PageRank on BA n=100k (target <= 0.1 s; median of 5), and PageRank, eigenvector, HITS and Katz (alpha 0.01) at
 *     their fixed point (the default) and at networkx's early stop, median of 5 each;
 *   - graphology-metrics betweenness and closeness on the same BA 10k, for comparison (not with --smoke);
 *   - with `--igraph PYTHON` (a python with the `igraph` package: python-igraph from PyPI), igraph's pagerank (PRPACK),
 *     eigenvector_centrality and hub_score (ARPACK) on the same BA graph, median of 5, and the largest relative
 *     difference between igraph's scores and ours.
 *
 *   npm run build && node dist/bench/centrality.js [--smoke] [--json] [--power] [--igraph .venvs/nx/bin/python]
 *
 * --power: only the power iterations on BA n=100k (and igraph's, with --igraph).
 *
 * --smoke: BA n=1000, PageRank on BA 10k, ego-Facebook sampled (k=200) instead of exact, no graphology.
 * Every row prints a checksum (sum of scores) so the work cannot be optimised away; the last line sums them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { UndirectedGraph } from 'graphology';
import * as gmBetweenness from 'graphology-metrics/centrality/betweenness.js';
import * as gmCloseness from 'graphology-metrics/centrality/closeness.js';
import { WorkerPool } from '../src/workers/pool.js';
import { compile, type CompiledGraph } from '../src/graph/compile.js';
import { centrality, computeCentrality, pagerank, type CentralityResult } from '../src/influence/centrality/index.js';
import { readGraphFile } from '../src/io/read-graph-file.js';
import { barabasiAlbert } from './generators.js';
import { repoRoot } from './paths.js';

const args = process.argv.slice(2);
const smoke = args.includes('--smoke');
const asJson = args.includes('--json');
const igraphPython = args.includes('--igraph') ? args[args.indexOf('--igraph') + 1] : undefined;
const powerOnly = args.includes('--power');

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

/** Median of 5 runs of a power-iteration metric, both stop rules; returns the fixed-point scores by metric. */
function fixedPoints(g: CompiledGraph, size: string): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>();
  for (const metric of ['pagerank', 'eigenvector', 'hub', 'katz']) {
    for (const convergence of ['fixed-point', 'networkx'] as const) {
      const times: number[] = [];
      let r: CentralityResult | null = null;
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        r = centrality(g, metric, { convergence, ...(metric === 'katz' ? { alpha: 0.01 } : {}) });
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      if (convergence === 'fixed-point') out.set(metric, r!.scores);
      record({
        name: `${metric} ${convergence} (${r!.iterations} it, residual ${r!.residual!.toExponential(1)}), BA n=${size} m=5`,
        n: g.n, arcs: g.m, threads: 1, ms: times[2], checksum: sum(r!.scores),
      });
    }
  }
  return out;
}

/** igraph on the same graph (edges written to a temporary file): median of 5 per metric, and agreement with ours. */
function compareIgraph(g: CompiledGraph, python: string, ours: Map<string, Float64Array>): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'ripple-igraph-'));
  try {
    const lines: string[] = [];
    for (let u = 0; u < g.n; u++) for (let a = g.outOffsets[u]; a < g.outOffsets[u + 1]; a++) if (u < g.outTargets[a]) lines.push(`${u} ${g.outTargets[a]}`);
    writeFileSync(path.join(dir, 'edges.txt'), lines.join('\n') + '\n');
    const script = [
      'import igraph as ig, json, sys, time, warnings',
      'warnings.simplefilter("ignore")',
      `g = ig.Graph.Read_Edgelist(${JSON.stringify(path.join(dir, 'edges.txt'))}, directed=False)`,
      'out = {"version": ig.__version__}',
      'def med(f):',
      '    ts = []',
      '    for _ in range(5):',
      '        t0 = time.perf_counter(); r = f(); ts.append((time.perf_counter() - t0) * 1000)',
      '    return sorted(ts)[2], r',
      'for name, f in [("pagerank", lambda: g.pagerank()), ("eigenvector", lambda: g.eigenvector_centrality(scale=False)), ("hub", lambda: g.hub_score(scale=False))]:',
      '    ms, r = med(f)',
      '    out[name] = {"ms": ms, "scores": list(r)}',
      `json.dump(out, open(${JSON.stringify(path.join(dir, 'out.json'))}, "w"))`,
    ].join('\n');
    execFileSync(python, ['-c', script], { stdio: ['ignore', 'inherit', 'inherit'] });
    const res = JSON.parse(readFileSync(path.join(dir, 'out.json'), 'utf8')) as Record<string, { ms: number; scores: number[] }> & { version: string };
    for (const metric of ['pagerank', 'eigenvector', 'hub']) {
      const theirs = res[metric].scores;
      // igraph's eigenvector and hub come unscaled from ARPACK: put them on our normalisation (unit norm, sum 1)
      const scale = metric === 'eigenvector' ? Math.hypot(...theirs) : theirs.reduce((s, x) => s + x, 0);
      const mine = ours.get(metric)!;
      let worst = 0;
      for (let i = 0; i < g.n; i++) worst = Math.max(worst, Math.abs(theirs[i] / scale - mine[i]) / Math.max(1e-300, Math.abs(mine[i])));
      record({ name: `igraph ${res.version} ${metric} (max rel. diff to ours ${worst.toExponential(1)})`, n: g.n, arcs: g.m, threads: 1, ms: res[metric].ms, checksum: theirs.reduce((s, x) => s + x / scale, 0) });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (powerOnly) {
    const big = barabasiAlbert(smoke ? 10_000 : 100_000, 5, 1);
    const ours = fixedPoints(big, smoke ? '10k' : '100k');
    if (igraphPython) compareIgraph(big, igraphPython, ours);
    const checksum = rows.reduce((t, r) => t + r.checksum, 0);
    if (asJson) console.log(JSON.stringify({ bench: 'centrality', smoke, rows, checksum }, null, 1));
    else console.log(`checksum ${checksum.toPrecision(12)}`);
    return;
  }
  const pool = new WorkerPool({ workers: 2 });
  try {
    const ba = barabasiAlbert(smoke ? 1000 : 10_000, 5, 1);
    const label = `BA n=${smoke ? '1k' : '10k'} m=5`;
    await timed(`betweenness exact, ${label}`, ba, 1, smoke ? undefined : 10_000, () => computeCentrality(ba, 'betweenness', { cache: false }));
    await timed(`betweenness exact, ${label}`, ba, 2, smoke ? undefined : 5000, () => computeCentrality(ba, 'betweenness', { pool, cache: false }));
    await timed(`closeness, ${label}`, ba, 1, smoke ? undefined : 3600, () => computeCentrality(ba, 'closeness', { cache: false }));
    await timed(`closeness, ${label}`, ba, 2, smoke ? undefined : 1800, () => computeCentrality(ba, 'closeness', { pool, cache: false }));
    await timed(`harmonic, ${label}`, ba, 2, undefined, () => computeCentrality(ba, 'harmonic', { pool, cache: false }));

    const fbFile = path.resolve(repoRoot(import.meta.url), '../shared/data/ego-facebook/facebook_combined.txt');
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
    const ours = fixedPoints(big, smoke ? '10k' : '100k');
    if (igraphPython) compareIgraph(big, igraphPython, ours);

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
