/**
 * `npm run bench:peers`: Ripple and its peers side by side in one command — networkx, NDlib, CyNetDiff and igraph
 * (PyPI, in a scratch virtual environment .venvs/peers that this command creates; never a dependency of Ripple)
 * and graphology-metrics (a dependency already) — on the same graphs, seeds and parameters. Every result is
 * checked equal to Ripple's first (Monte Carlo means within 4 standard errors, centralities within a tolerance
 * relative to the largest score), then each peer's time is printed as a ratio to Ripple's.
 *
 *   npm run bench:peers [-- --graphs ego-facebook,ca-hepth,ba] [--ba-n 2000] [--slow-max-n 2000] [--runs 5000]
 *                          [--ndlib-runs 3] [--no-imm] [--python PATH] [--json FILE] [--smoke]
 *
 *   --graphs       which graphs (default ego-facebook,ca-hepth,ba; ../shared/data, a missing one skipped with a line)
 *   --ba-n N       Barabási–Albert n (m = 5, seed 1; default 2000): the graph every peer runs every metric on
 *   --slow-max-n N networkx and graphology-metrics exact betweenness and closeness only on graphs with n <= N
 *                  (default 2000: on ego-Facebook networkx needs minutes); `--slow-max-n 100000` runs them everywhere
 *   --runs N       Monte Carlo runs of Ripple and CyNetDiff (default 5000); --ndlib-runs N for NDlib (default 3:
 *                  NDlib walks every customer in Python at every step, seconds per run)
 *   --no-imm       skip IMM (k = 50, ε = 0.1 on NetHEPT, whose spread CyNetDiff re-estimates: no peer has IMM)
 *   --python PATH  a Python with the peers installed (default: .venvs/peers/bin/python, created when missing)
 *   --smoke        karate and BA n=300, few runs: the check in seconds (the CI suite .ci/suites.d/peers.sh)
 *
 * Timing (one core each; every library is single-threaded here, Ripple runs in this thread without a pool): the call
 * a user makes on a graph already in the library's own structure (building it is not timed, as Ripple's compile is
 * not). Monte Carlo: ms per run after a warm-up; centralities: median of 3 calls (1 for the slow peers).
 * Exit code 1 when any peer's answer differs from Ripple's.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UndirectedGraph } from 'graphology';
import * as gmBetweenness from 'graphology-metrics/centrality/betweenness.js';
import * as gmCloseness from 'graphology-metrics/centrality/closeness.js';
import * as gmPagerank from 'graphology-metrics/centrality/pagerank.js';
import { compile, type CompiledGraph } from '../src/graph/compile.js';
import { readGraphFile } from '../src/io/read-graph-file.js';
import { simulate } from '../src/diffusion/simulate.js';
import { centrality } from '../src/influence/centrality/index.js';
import { findInfluencers } from '../src/influence/influencers.js';
import { benchArgs, intArg, listArg } from './args.js';
import { barabasiAlbertEdges } from './smoke-set.js';
import { repoRoot } from './paths.js';

export const PEERS = ['networkx', 'ndlib', 'cynetdiff', 'igraph', 'graphology-metrics'] as const;
export type Peer = (typeof PEERS)[number];
export type Kind = 'ic' | 'lt' | 'pagerank' | 'betweenness' | 'closeness' | 'imm';

/** Pinned so that a rerun measures the same code (PyPI). NDlib 6.0.1 imports six and scikit-learn without declaring them. */
export const PIP_PACKAGES = ['networkx==3.6.1', 'ndlib==6.0.1', 'six', 'scikit-learn', 'igraph==1.0.0', 'cynetdiff==0.1.18'];

export interface McStats {
  mean: number;
  sd: number;
  runs: number;
  msPerRun: number;
}

/** Two Monte Carlo means of the same model: z = |Δ| / (sd·√(1/n₁ + 1/n₂)), sd the larger of the two (a few runs can miss the tail). */
export function mcZ(a: McStats, b: McStats): number {
  const sd = Math.max(a.sd, b.sd);
  const se = sd * Math.sqrt(1 / a.runs + 1 / b.runs);
  const d = Math.abs(a.mean - b.mean);
  return se > 0 ? d / se : d > 1e-9 ? Infinity : 0;
}

/** Largest |a_i − b_i| relative to the largest |b_i| (scale-relative: near-zero scores do not blow it up). */
export function maxScaledDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (Number.isNaN(d)) return Infinity; // a missing or undefined score is a difference
    if (d > worst) worst = d;
  }
  return scale > 0 ? worst / scale : worst;
}

export const CENTRALITY_TOLERANCE = 1e-7;
export const MC_MAX_Z = 4;

interface GraphCase {
  name: string;
  label: string;
  g: CompiledGraph;
  /** indexed edge list for the Python peers */
  file: string;
  icP: number;
}

interface Cell {
  peer: Peer | 'ripple';
  ms?: number;
  check?: string;
  ok?: boolean;
  error?: string;
  version?: string;
  note?: string;
}

interface Row {
  task: string;
  graph: string;
  ripple: Cell;
  peers: Partial<Record<Peer, Cell>>;
}

interface Options {
  graphs: string[];
  baN: number;
  slowMaxN: number;
  runs: number;
  ndlibRuns: number;
  imm: boolean;
  python: string | null;
  json: string | null;
  smoke: boolean;
}

const root = repoRoot(import.meta.url);
const dataDir = path.resolve(root, '../shared/data');
const FILES: Record<string, { file: string; label: string; icP: number }> = {
  'ego-facebook': { file: 'ego-facebook/facebook_combined.txt', label: 'ego-Facebook', icP: 0.05 },
  'ca-hepth': { file: 'ca-HepTh/CA-HepTh.txt', label: 'ca-HepTh', icP: 0.1 },
  karate: { file: 'karate/karate_club.edgelist', label: 'karate', icP: 0.1 },
};

function usage(msg: string): never {
  process.stderr.write(`bench:peers: ${msg}\n`);
  process.exit(2);
}

function parseArgs(argv: string[]): Options {
  const { values: v, positionals } = benchArgs(argv, {
    graphs: { type: 'string' }, 'ba-n': { type: 'string' }, 'slow-max-n': { type: 'string' }, runs: { type: 'string' }, 'ndlib-runs': { type: 'string' },
    'no-imm': { type: 'boolean' }, python: { type: 'string' }, json: { type: 'string' }, smoke: { type: 'boolean' },
  }, usage);
  if (positionals.length > 0) usage(`unknown argument ${positionals[0]}`);
  const o: Options = {
    graphs: v.graphs === undefined ? ['ego-facebook', 'ca-hepth', 'ba'] : listArg(v.graphs), baN: intArg('ba-n', v['ba-n'], 10, usage) ?? 2000,
    slowMaxN: intArg('slow-max-n', v['slow-max-n'], 0, usage) ?? 2000, runs: intArg('runs', v.runs, 10, usage) ?? 5000,
    ndlibRuns: intArg('ndlib-runs', v['ndlib-runs'], 1, usage) ?? 3, imm: !v['no-imm'], python: v.python ?? null, json: v.json ?? null, smoke: v.smoke ?? false,
  };
  const bad = o.graphs.filter((g) => g !== 'ba' && !FILES[g]);
  if (bad.length) usage(`unknown graph ${bad.join(', ')} (known: ${[...Object.keys(FILES), 'ba'].join(', ')})`);
  if (o.smoke) {
    if (v.graphs === undefined) o.graphs = ['karate', 'ba'];
    o.baN = Math.min(o.baN, 300);
    o.runs = Math.min(o.runs, 2000);
    o.ndlibRuns = Math.max(o.ndlibRuns, 20);
    o.imm = false;
  }
  return o;
}

/** The Python of the scratch venv, created and filled from PyPI when missing (as .ci/lib.sh's ci_venv does). */
function ensurePython(o: Options): string {
  if (o.python) return o.python;
  const venv = path.join(root, '.venvs/peers');
  const python = path.join(venv, 'bin/python');
  const probe = () => existsSync(python) && spawnSync(python, ['-c', 'import networkx, ndlib, cynetdiff, igraph, six, sklearn'], { stdio: 'ignore' }).status === 0;
  if (probe()) return python;
  console.log(`bench:peers: installing ${PIP_PACKAGES.join(' ')} into ${venv} (PyPI; a minute or two)`);
  if (!existsSync(python)) {
    const r = spawnSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
    if (r.status !== 0) usage('python3 -m venv failed (Debian: apt-get install python3-venv)');
  }
  const r = spawnSync(path.join(venv, 'bin/pip'), ['install', '-q', '--disable-pip-version-check', ...PIP_PACKAGES], { stdio: 'inherit' });
  if (r.status !== 0 || !probe()) usage(`pip install into ${venv} failed`);
  return python;
}

function indexedEdges(g: CompiledGraph): string {
  const lines: string[] = [];
  for (let u = 0; u < g.n; u++) for (let a = g.outOffsets[u]; a < g.outOffsets[u + 1]; a++) if (u < g.outTargets[a]) lines.push(`${u} ${g.outTargets[a]}`);
  return lines.join('\n') + '\n';
}

function toGraphology(g: CompiledGraph): UndirectedGraph {
  const h = new UndirectedGraph();
  for (let i = 0; i < g.n; i++) h.addNode(String(i));
  for (let u = 0; u < g.n; u++) for (let a = g.outOffsets[u]; a < g.outOffsets[u + 1]; a++) if (u < g.outTargets[a]) h.addEdge(String(u), String(g.outTargets[a]));
  return h;
}

type Mapping = (graph: UndirectedGraph, opts?: unknown) => Record<string, number>;
function unwrap(mod: unknown): Mapping {
  let m = mod as { default?: unknown };
  while (m && typeof m === 'object' && 'default' in m && m.default) m = m.default as { default?: unknown };
  return m as unknown as Mapping;
}

function topDegree(g: CompiledGraph): number {
  let best = 0;
  for (let u = 1; u < g.n; u++) if (g.outOffsets[u + 1] - g.outOffsets[u] > g.outOffsets[best + 1] - g.outOffsets[best]) best = u;
  return best;
}

function medianMs(reps: number, f: () => unknown): { ms: number; out: unknown } {
  const t: number[] = [];
  let out: unknown;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    out = f();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return { ms: t[Math.floor(t.length / 2)], out };
}

async function rippleMc(g: CompiledGraph, kind: 'ic' | 'lt', seed: number, p: number, runs: number): Promise<McStats> {
  const req = kind === 'ic' ? { model: 'ic' as const, p } : { model: 'lt' as const };
  await simulate(g, { ...req, seeds: [g.ids[seed]], runs: Math.min(runs, 200), seed: 99, top: 0 }); // warm-up (JIT)
  const t0 = performance.now();
  const r = await simulate(g, { ...req, seeds: [g.ids[seed]], runs, seed: 7, top: 0 });
  const ms = performance.now() - t0;
  return { mean: r.reach.mean, sd: r.reach.sd, runs: r.runs, msPerRun: ms / r.runs };
}

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : ms >= 10 ? `${ms.toFixed(0)} ms` : ms >= 0.1 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(4)} ms`);

export function markdown(rows: Row[]): string {
  const out = ['| task | graph | Ripple | ' + PEERS.join(' | ') + ' |', '|---|---|---:|' + PEERS.map(() => '---:').join('|') + '|'];
  for (const r of rows) {
    const cells = PEERS.map((p) => {
      const c = r.peers[p];
      if (!c) return '—';
      if (c.error) return `error: ${c.error}`;
      if (c.ok === false) return `**differs** (${c.check})`;
      if (c.ms === undefined || r.ripple.ms === undefined) return c.check ?? '—';
      return `${fmt(c.ms)} (×${(c.ms / r.ripple.ms).toPrecision(c.ms / r.ripple.ms >= 100 ? 3 : 2)})`;
    });
    out.push(`| ${r.task} | ${r.graph} | ${r.ripple.ms !== undefined ? fmt(r.ripple.ms) : '—'}${r.ripple.note ? ` (${r.ripple.note})` : ''} | ${cells.join(' | ')} |`);
  }
  return out.join('\n');
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const t00 = performance.now();
  const load0 = os.loadavg();
  const python = ensurePython(o);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'ripple-peers-'));
  try {
    // ---- graphs: read by Ripple, written as 0-based index edge lists so every peer numbers customers alike
    const graphs: GraphCase[] = [];
    for (const name of o.graphs) {
      let g: CompiledGraph;
      let label: string;
      let icP = 0.05;
      if (name === 'ba') {
        const file = path.join(tmp, 'ba.txt');
        writeFileSync(file, barabasiAlbertEdges(o.baN, 5, 1));
        g = compile((await readGraphFile(file, { format: 'edgelist', directed: false })).data);
        label = `BA n=${o.baN} m=5`;
      } else {
        const file = path.join(dataDir, FILES[name].file);
        if (!existsSync(file)) {
          console.log(`bench:peers: skipping ${name}: ${file} not found`);
          continue;
        }
        g = compile((await readGraphFile(file, { format: 'edgelist', directed: false })).data);
        label = FILES[name].label;
        icP = FILES[name].icP;
      }
      const file = path.join(tmp, `${name}.idx.txt`);
      writeFileSync(file, indexedEdges(g));
      graphs.push({ name, label, g, file, icP });
      console.log(`graph ${label}: ${g.n} customers, ${g.m / 2} ties`);
    }
    const hepFile = path.join(dataDir, 'nethept/hep.txt');
    let hep: GraphCase | null = null;
    if (o.imm && existsSync(hepFile)) {
      const g = compile((await readGraphFile(hepFile, { format: 'edgelist', directed: false })).data);
      const file = path.join(tmp, 'nethept.idx.txt');
      writeFileSync(file, indexedEdges(g));
      hep = { name: 'nethept', label: 'NetHEPT (hep.txt)', g, file, icP: 0 };
    } else if (o.imm) console.log(`bench:peers: skipping IMM: ${hepFile} not found`);

    // ---- Ripple first (its IMM seeds are the peers' spread task)
    const rows: Row[] = [];
    const tasks: { id: string; peer: string; graph: string; kind: string; params?: unknown; reps?: number }[] = [];
    const rippleMcs = new Map<string, McStats>();
    const rippleScores = new Map<string, Float64Array>();
    for (const gc of graphs) {
      const s = topDegree(gc.g);
      for (const kind of ['ic', 'lt'] as const) {
        const st = await rippleMc(gc.g, kind, s, gc.icP, o.runs);
        rippleMcs.set(`${kind}:${gc.name}`, st);
        const task = kind === 'ic' ? `IC p=${gc.icP} from the top-degree customer, ms/run` : 'LT weighted cascade from the top-degree customer, ms/run';
        rows.push({ task, graph: gc.label, ripple: { peer: 'ripple', ms: st.msPerRun, note: `reach ${st.mean.toFixed(1)}` }, peers: {} });
        const params = { seeds: [s], p: gc.icP, runs: o.runs, seed: 1 };
        tasks.push({ id: `${kind}:${gc.name}:cynetdiff`, peer: 'cynetdiff', graph: gc.name, kind, params });
        if (kind === 'ic') tasks.push({ id: `ic:${gc.name}:ndlib`, peer: 'ndlib', graph: gc.name, kind, params: { ...params, runs: o.ndlibRuns } });
        console.log(`ripple ${kind} on ${gc.label}: ${st.msPerRun.toFixed(4)} ms/run, reach ${st.mean.toFixed(2)} (sd ${st.sd.toFixed(2)})`);
      }
      for (const kind of ['pagerank', 'betweenness', 'closeness'] as const) {
        const { ms, out } = medianMs(3, () => centrality(gc.g, kind));
        rippleScores.set(`${kind}:${gc.name}`, (out as { scores: Float64Array }).scores);
        const task = kind === 'pagerank' ? 'PageRank to the fixed point (peers: tol 1e-13)' : kind === 'betweenness' ? 'betweenness, exact' : 'closeness (Wasserman–Faust)';
        rows.push({ task, graph: gc.label, ripple: { peer: 'ripple', ms }, peers: {} });
        const slowOk = gc.g.n <= o.slowMaxN || kind === 'pagerank';
        if (slowOk) tasks.push({ id: `${kind}:${gc.name}:networkx`, peer: 'networkx', graph: gc.name, kind, params: { tol: 1e-13 }, reps: kind === 'pagerank' ? 3 : 1 });
        tasks.push({ id: `${kind}:${gc.name}:igraph`, peer: 'igraph', graph: gc.name, kind, params: {}, reps: 3 });
        console.log(`ripple ${kind} on ${gc.label}: ${ms.toFixed(2)} ms`);
      }
    }
    let immSeeds: number[] | null = null;
    let immSpread: McStats | null = null;
    if (hep) {
      const req = { k: 50, method: 'imm' as const, probability: 'weighted-cascade' as const, epsilon: 0.1, compare: false, runs: 10_000, seed: 1 };
      await findInfluencers(hep.g, { ...req, k: 5, runs: 100 }); // warm-up (JIT)
      const r = await findInfluencers(hep.g, req);
      immSeeds = r.seeds.map((x) => hep.g.ids.indexOf(x.id));
      immSpread = { mean: r.spread.mean, sd: r.spread.sd, runs: r.runs, msPerRun: 0 };
      rows.push({ task: 'IMM k=50 ε=0.1 (IC weighted cascade; selection time)', graph: hep.label, ripple: { peer: 'ripple', ms: r.selectionMs, note: `spread ${r.spread.mean.toFixed(1)}` }, peers: {} });
      tasks.push({ id: 'imm:nethept:cynetdiff', peer: 'cynetdiff', graph: 'nethept', kind: 'spread', params: { seeds: immSeeds, weightedCascade: true, runs: 10_000, seed: 1 } });
      console.log(`ripple IMM on ${hep.label}: selection ${r.selectionMs.toFixed(0)} ms, spread ${r.spread.mean.toFixed(1)}`);
    }

    // ---- the Python peers, one process for all tasks
    const spec = { graphs: Object.fromEntries([...graphs, ...(hep ? [hep] : [])].map((gc) => [gc.name, { file: gc.file, n: gc.g.n }])), tasks };
    const specFile = path.join(tmp, 'tasks.json');
    writeFileSync(specFile, JSON.stringify(spec));
    const py = spawnSync(python, [path.join(root, 'bench/peers/peers_runs.py'), specFile], { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'inherit'] });
    if (py.status !== 0) throw new Error(`the Python peers failed (exit ${py.status})`);
    const results = new Map((JSON.parse(py.stdout) as ({ id: string; error?: string; version?: string; ms?: number; scores?: number[] } & Partial<McStats>)[]).map((r) => [r.id, r]));

    // ---- graphology-metrics in this process
    const gm = new Map<string, { ms?: number; scores?: Float64Array; error?: string }>();
    for (const gc of graphs) {
      const h = toGraphology(gc.g);
      const fns: [string, Mapping, unknown][] = [
        ['pagerank', unwrap(gmPagerank), { getEdgeWeight: null, tolerance: 1e-13, maxIterations: 100_000 }],
        ['betweenness', unwrap(gmBetweenness), {}],
        ['closeness', unwrap(gmCloseness), { wassermanFaust: true }],
      ];
      for (const [kind, f, opts] of fns) {
        if (kind !== 'pagerank' && gc.g.n > o.slowMaxN) continue;
        try {
          const { ms, out } = medianMs(kind === 'pagerank' ? 3 : 1, () => f(h, opts));
          const m = out as Record<string, number>;
          gm.set(`${kind}:${gc.name}`, { ms, scores: Float64Array.from({ length: gc.g.n }, (_, i) => m[String(i)]) });
        } catch (e) {
          gm.set(`${kind}:${gc.name}`, { error: e instanceof Error ? e.message : String(e) });
        }
        console.log(`graphology-metrics ${kind} on ${gc.label}: done`);
      }
    }

    // ---- checks and cells
    let differs = 0;
    let ri = 0;
    const versions: Record<string, string> = {};
    for (const gc of graphs) {
      for (const kind of ['ic', 'lt'] as const) {
        const row = rows[ri++];
        const mine = rippleMcs.get(`${kind}:${gc.name}`)!;
        for (const peer of ['cynetdiff', 'ndlib'] as const) {
          const r = results.get(`${kind}:${gc.name}:${peer}`);
          if (!r) continue;
          if (r.version) versions[peer] = r.version;
          if (r.error) {
            row.peers[peer] = { peer, error: r.error };
            continue;
          }
          const z = mcZ(mine, r as McStats);
          const ok = z <= MC_MAX_Z;
          if (!ok) differs++;
          row.peers[peer] = { peer, ms: r.msPerRun, ok, check: `mean ${r.mean!.toFixed(1)} vs ${mine.mean.toFixed(1)}, z ${z.toFixed(2)}, ${r.runs} runs` };
        }
      }
      for (const kind of ['pagerank', 'betweenness', 'closeness'] as const) {
        const row = rows[ri++];
        const mine = rippleScores.get(`${kind}:${gc.name}`)!;
        for (const peer of ['networkx', 'igraph', 'graphology-metrics'] as const) {
          const r = peer === 'graphology-metrics' ? gm.get(`${kind}:${gc.name}`) : results.get(`${kind}:${gc.name}:${peer}`);
          if (!r) continue;
          if ('version' in r && r.version) versions[peer] = r.version;
          if (r.error) {
            row.peers[peer] = { peer, error: r.error };
            continue;
          }
          const d = maxScaledDiff(r.scores!, mine);
          const ok = d <= CENTRALITY_TOLERANCE;
          if (!ok) differs++;
          row.peers[peer] = { peer, ms: r.ms, ok, check: `max diff ${d.toExponential(1)} of the top score` };
        }
      }
    }
    if (hep && immSpread) {
      const row = rows[ri++];
      const r = results.get('imm:nethept:cynetdiff')!;
      if (r.error) row.peers.cynetdiff = { peer: 'cynetdiff', error: r.error };
      else {
        const z = mcZ(immSpread, r as McStats);
        const ok = z <= MC_MAX_Z;
        if (!ok) differs++;
        row.peers.cynetdiff = { peer: 'cynetdiff', ok, check: `no IMM; its Monte Carlo spread of Ripple's seeds ${r.mean!.toFixed(1)} vs Ripple's ${immSpread.mean.toFixed(1)} (z ${z.toFixed(2)})` };
      }
      for (const p of ['networkx', 'ndlib', 'igraph', 'graphology-metrics'] as const) row.peers[p] = { peer: p, check: 'no IMM' };
    }

    const load1 = os.loadavg();
    const cpu = os.cpus();
    console.log('');
    console.log(`machine: ${cpu[0]?.model.trim() ?? '?'}, ${cpu.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GB, node ${process.version}; load average ${load0.map((x) => x.toFixed(2)).join(' ')} at start, ${load1.map((x) => x.toFixed(2)).join(' ')} at end; ${((performance.now() - t00) / 1000).toFixed(0)} s in all`);
    console.log(`peers: ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(', ')}, graphology-metrics (this checkout's); each cell: time (× Ripple's)`);
    console.log('');
    console.log(markdown(rows));
    console.log('');
    for (const r of rows) for (const c of Object.values(r.peers)) if (c.check && c.ms !== undefined) console.log(`check ${r.task} / ${r.graph} / ${c.peer}: ${c.ok ? 'equal' : 'DIFFERS'} (${c.check})`);
    for (const r of rows) for (const c of Object.values(r.peers)) if (c.check && c.ms === undefined && c.ok !== undefined) console.log(`check ${r.task} / ${r.graph} / ${c.peer}: ${c.ok ? 'equal' : 'DIFFERS'} (${c.check})`);
    console.log(differs === 0 ? 'every peer agrees with Ripple' : `${differs} peer result(s) differ from Ripple's`);
    if (o.json) writeFileSync(o.json, JSON.stringify({ options: o, load: { start: load0, end: load1 }, versions, rows }, null, 2));
    if (differs > 0) process.exitCode = 1;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
