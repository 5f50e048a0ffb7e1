/**
 * The smoke set: a small, quick set of engine benchmarks (about 15–25 s on one core) that `bench:compare` runs
 * on two commits side by side. Every case runs in this thread (one core, no pool: the least noisy figure on a
 * shared machine), after one untimed warm-up call, `--inner N` timed calls (median kept), and returns a checksum
 * of its answer, so a change that makes a case faster by answering something else is seen.
 *
 *   npm run build && node dist/bench/smoke-set.js [--root DIR] [--only a,b] [--inner N] [--json] [--list]
 *
 *   --root DIR   the Ripple checkout whose engine is timed (its dist/ must be built; default: this checkout). The
 *                cases import DIR/dist/src/index.js, the public library entry, so this file can time an older
 *                commit that does not have it. A case whose function the commit lacks fails alone ("error").
 *   --only a,b   run only the cases whose name starts with one of these (see --list)
 *   --inner N    timed calls per case (default 3; the median is reported)
 *   --json       one JSON document on stdout: { root, cases: [{ name, ms, cpuMs, checksum, error? }] }
 *
 * Graphs: ego-Facebook and NetHEPT from ../shared/data (relative to this checkout; a case whose file is missing
 * is skipped with one line), and Barabási–Albert graphs from a seeded generator written as edge-list files (so
 * both commits parse the same bytes with their own parser).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { repoRoot } from './paths.js';

/** Seeded Barabási–Albert edge list (mulberry32; start clique of m+1, then m distinct degree-proportional picks). */
export function barabasiAlbertEdges(n: number, m: number, seed: number): string {
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const ends = new Int32Array(2 * ((m * (m + 1)) / 2 + (n - m - 1) * m));
  let ne = 0;
  const lines: string[] = [];
  for (let u = 0; u <= m; u++) {
    for (let v = u + 1; v <= m; v++) {
      lines.push(`${u} ${v}`);
      ends[ne++] = u;
      ends[ne++] = v;
    }
  }
  const picked = new Int32Array(m);
  for (let u = m + 1; u < n; u++) {
    let k = 0;
    while (k < m) {
      const v = ends[Math.floor(rand() * ne)];
      let dup = false;
      for (let j = 0; j < k; j++) if (picked[j] === v) dup = true;
      if (!dup) picked[k++] = v;
    }
    for (let j = 0; j < m; j++) {
      lines.push(`${u} ${picked[j]}`);
      ends[ne++] = u;
      ends[ne++] = picked[j];
    }
  }
  return lines.join('\n') + '\n';
}

/** What the cases use of the library entry (dist/src/index.js); any commit since the engine's first release has it. */
interface Api {
  readGraphFile(file: string, opts: { format?: string; directed?: boolean }): Promise<{ data: Record<string, unknown> & { src: Int32Array; dst: Int32Array; ids: string[] } }>;
  compile(data: unknown): Graph;
  simulate(g: Graph, req: unknown): Promise<{ reach: { mean: number }; runs: number }>;
  runScenarioRequest(g: Graph, req: unknown): Promise<{ variants: { negative: { mean: number }; money: { net: { mean: number } } }[] }>;
  centrality(g: Graph, metric: string, opts?: unknown): { scores: ArrayLike<number> };
  findInfluencers(g: Graph, req: unknown): Promise<{ seeds: { id: string }[]; spread: { mean: number } }>;
  rankValues(g: Graph, req: unknown): Promise<{ top: { id: string; totalValue: number }[] }>;
  FileStore: { open(dir: string): Promise<{ create(d: unknown): Promise<{ id: string }>; load(id: string): Promise<{ data: { src: Int32Array } }>; close(): Promise<void> }> };
}
interface Graph {
  n: number;
  m: number;
  ids: string[];
  outOffsets: Int32Array;
}

export interface CaseResult {
  name: string;
  /** Median wall ms of the timed calls (null when skipped or failed). */
  ms: number | null;
  /** Median CPU ms of this process (user + system) over the same calls. */
  cpuMs: number | null;
  /** Every timed call's wall ms. */
  all: number[];
  checksum: string | null;
  skipped?: string;
  error?: string;
}

interface Case {
  name: string;
  /** Untimed: load the graph etc.; null = skip (the reason is returned as a string). */
  setup: (api: Api, ctx: Ctx) => Promise<unknown>;
  run: (api: Api, state: never) => Promise<string> | string;
}

interface Ctx {
  data: string;
  tmp: string;
  graph(key: string, file: string): Promise<Graph>;
  /** The path of a generated BA edge list `ba-N.txt` (written on first use). */
  ba(file: string): string;
}

const sumOf = (x: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s;
};
/** Σ x_i·(1 + i mod 97): unlike the plain sum (1 for PageRank) it changes when scores move between customers. */
const wsum = (x: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * (1 + (i % 97));
  return s;
};
/** 12 significant digits: a different summation order in the last bits still shows, a formatting one does not. */
const num = (x: number): string => (Number.isInteger(x) ? String(x) : x.toPrecision(12));

function topDegree(g: Graph): string {
  let best = 0;
  for (let u = 1; u < g.n; u++) if (g.outOffsets[u + 1] - g.outOffsets[u] > g.outOffsets[best + 1] - g.outOffsets[best]) best = u;
  return g.ids[best];
}

const FB = 'ego-facebook/facebook_combined.txt';
const HEP = 'nethept/hep.txt';

/** The smoke set, in run order. Sizes are chosen for roughly 0.3–2 s per case on one core. */
export const CASES: Case[] = [
  {
    name: 'parse+compile ego-Facebook',
    setup: async (_api, ctx) => path.join(ctx.data, FB),
    run: async (api, file: string) => {
      const g = api.compile((await api.readGraphFile(file, { format: 'edgelist', directed: false })).data);
      return `${g.n}/${g.m}`;
    },
  },
  {
    name: 'parse+compile BA n=100k m=5 (edge list)',
    setup: async (_api, ctx) => ctx.ba('ba-100000.txt'),
    run: async (api, file: string) => {
      const g = api.compile((await api.readGraphFile(file, { format: 'edgelist', directed: false })).data);
      return `${g.n}/${g.m}`;
    },
  },
  {
    name: 'store write+read ego-Facebook',
    setup: async (api, ctx) => {
      const { data } = await api.readGraphFile(path.join(ctx.data, FB), { format: 'edgelist', directed: false });
      return { data, dir: ctx.tmp };
    },
    run: async (api, s: { data: unknown; dir: string }) => {
      const dir = mkdtempSync(path.join(s.dir, 'store-'));
      const store = await api.FileStore.open(dir);
      try {
        const { id } = await store.create(s.data);
        const fresh = await api.FileStore.open(dir);
        const { data } = await fresh.load(id);
        await fresh.close();
        return num(sumOf(data.src));
      } finally {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
  {
    name: 'IC ego-Facebook p=0.05 500 runs',
    setup: async (_api, ctx) => ctx.graph('fb', FB),
    run: async (api, g: Graph) => num((await api.simulate(g, { model: 'ic', seeds: [topDegree(g)], p: 0.05, runs: 500, seed: 7, top: 0 })).reach.mean),
  },
  {
    name: 'IC BA n=100k m=5 p=0.05 500 runs',
    setup: async (_api, ctx) => ctx.graph('ba100k', 'ba-100000.txt'),
    run: async (api, g: Graph) => num((await api.simulate(g, { model: 'ic', seeds: [topDegree(g)], p: 0.05, runs: 500, seed: 7, top: 0 })).reach.mean),
  },
  {
    name: 'LT ego-Facebook weighted cascade 500 runs',
    setup: async (_api, ctx) => ctx.graph('fb', FB),
    run: async (api, g: Graph) => num((await api.simulate(g, { model: 'lt', seeds: [topDegree(g)], runs: 500, seed: 7, top: 0 })).reach.mean),
  },
  {
    name: 'SIS ego-Facebook beta=0.1 lambda=0.3 15 steps 200 runs',
    setup: async (_api, ctx) => ctx.graph('fb', FB),
    run: async (api, g: Graph) => {
      const r = (await api.simulate(g, { model: 'sis', seeds: ['107', '1684'], beta: 0.1, lambda: 0.3, maxSteps: 15, runs: 200, seed: 1, top: 0 })) as { reach: { mean: number }; compartments?: { infected: number }[] };
      return `${num(r.reach.mean)}:${num((r.compartments ?? []).reduce((a, c) => a + c.infected, 0))}`;
    },
  },
  {
    name: 'CTIC ego-Facebook p=0.2 rate=1 200 runs',
    setup: async (_api, ctx) => ctx.graph('fb', FB),
    run: async (api, g: Graph) => {
      const r = (await api.simulate(g, { model: 'ctic', seeds: ['107', '1684'], p: 0.2, rate: 1, runs: 200, seed: 1, top: 0 })) as { reach: { mean: number }; withinHorizon?: { mean: number } };
      return `${num(r.reach.mean)}:${num(r.withinHorizon?.mean ?? NaN)}`;
    },
  },
  {
    name: 'voice compare ego-Facebook 3 variants x 300 runs',
    setup: async (_api, ctx) => ctx.graph('fb', FB),
    run: async (api, g: Graph) => {
      const r = await api.runScenarioRequest(g, {
        customer: topDegree(g), p: 0.01, runs: 300, seed: 1,
        variants: [
          { name: 'no answer', response: null },
          { name: 'answer before it spreads', response: { atStep: 0, effectiveness: 0.6, public: true } },
          { name: 'answer at step 1', response: { atStep: 1, effectiveness: 0.6, public: true } },
        ],
      });
      return r.variants.map((v) => `${num(v.negative.mean)}:${num(v.money.net.mean)}`).join(',');
    },
  },
  {
    name: 'betweenness exact BA n=2k m=5',
    setup: async (_api, ctx) => ctx.graph('ba2k', 'ba-2000.txt'),
    run: (api, g: Graph) => num(wsum(api.centrality(g, 'betweenness').scores)),
  },
  {
    name: 'betweenness sampled k=300 ego-Facebook',
    setup: async (_api, ctx) => ctx.graph('fb', FB),
    run: (api, g: Graph) => num(wsum(api.centrality(g, 'betweenness', { k: 300, seed: 1 }).scores)),
  },
  {
    name: 'closeness BA n=5k m=5',
    setup: async (_api, ctx) => ctx.graph('ba5k', 'ba-5000.txt'),
    run: (api, g: Graph) => num(wsum(api.centrality(g, 'closeness').scores)),
  },
  {
    name: 'pagerank fixed point BA n=100k m=5 (x2)',
    setup: async (_api, ctx) => ctx.graph('ba100k', 'ba-100000.txt'),
    run: (api, g: Graph) => {
      let s = 0;
      for (let i = 0; i < 2; i++) s += wsum(api.centrality(g, 'pagerank').scores);
      return num(s);
    },
  },
  {
    name: 'IMM NetHEPT k=50 eps=0.2 weighted cascade',
    setup: async (_api, ctx) => ctx.graph('hep', HEP),
    run: async (api, g: Graph) => {
      const r = await api.findInfluencers(g, { k: 50, method: 'imm', probability: 'weighted-cascade', epsilon: 0.2, compare: false, runs: 1000, gainSamples: 1000, seed: 1 });
      return `${r.seeds.map((s) => s.id).join(',')}:${num(r.spread.mean)}`;
    },
  },
  {
    name: 'value ranking NetHEPT 100k RR sets',
    setup: async (_api, ctx) => ctx.graph('hep', HEP),
    run: async (api, g: Graph) => {
      const r = await api.rankValues(g, { probability: 'weighted-cascade', rrSets: 100_000, top: 20, seed: 1 });
      return `${r.top.map((c) => c.id).join(',')}:${num(r.top.reduce((a, c) => a + c.totalValue, 0))}`;
    },
  },
];

/** FNV-1a of a string, hex. */
function hash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * The cases on the engine of one checkout, set up lazily (graphs loaded once, each case warmed up once before
 * its first timed call). `bench:compare` keeps one of these per commit in a child process and asks both in turn.
 */
export class SmokeRunner {
  private api: Api | null = null;
  private readonly tmp = mkdtempSync(path.join(os.tmpdir(), 'ripple-smoke-set-'));
  private readonly graphs = new Map<string, Promise<Graph>>();
  private readonly states = new Map<string, unknown>();
  private readonly ctx: Ctx;

  constructor(readonly root: string, readonly data = path.resolve(repoRoot(import.meta.url), '../shared/data')) {
    this.ctx = {
      data: this.data,
      tmp: this.tmp,
      ba: (file) => this.baFile(file),
      graph: (key, file) => {
        if (!this.graphs.has(key)) {
          const full = file.startsWith('ba-') ? this.baFile(file) : path.join(this.data, file);
          this.graphs.set(key, this.lib().then((api) => api.readGraphFile(full, { format: 'edgelist', directed: false }).then(({ data: d }) => api.compile(d))));
        }
        return this.graphs.get(key)!;
      },
    };
  }

  private baFile(file: string): string {
    const full = path.join(this.tmp, file);
    if (!existsSync(full)) writeFileSync(full, barabasiAlbertEdges(Number(/ba-(\d+)/.exec(file)![1]), 5, 1));
    return full;
  }

  private async lib(): Promise<Api> {
    if (!this.api) {
      const entry = path.join(this.root, 'dist/src/index.js');
      if (!existsSync(entry)) throw new Error(`${entry} not found: build that checkout first (npx tsc -p tsconfig.build.json)`);
      this.api = (await import(pathToFileURL(entry).href)) as Api;
    }
    return this.api;
  }

  /** One case: `inner` timed calls after a warm-up the first time; skipped when a data file is missing. */
  async run(name: string, inner = 3): Promise<CaseResult> {
    const c = CASES.find((x) => x.name === name);
    if (!c) return { name, ms: null, cpuMs: null, all: [], checksum: null, error: 'no such case in the smoke set' };
    const needs = [FB, HEP].filter((f) => c.name.includes(f === FB ? 'ego-Facebook' : 'NetHEPT'));
    const missing = needs.map((f) => path.join(this.data, f)).filter((f) => !existsSync(f));
    if (missing.length > 0) return { name, ms: null, cpuMs: null, all: [], checksum: null, skipped: `${missing[0]} not found` };
    try {
      const api = await this.lib();
      let checksum: string | null = null;
      if (!this.states.has(name)) {
        const state = await c.setup(api, this.ctx);
        this.states.set(name, state);
        checksum = await c.run(api, state as never); // warm-up (JIT), untimed
      }
      const state = this.states.get(name);
      const walls: number[] = [];
      const cpus: number[] = [];
      for (let i = 0; i < inner; i++) {
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        const sum = await c.run(api, state as never);
        walls.push(performance.now() - t0);
        const cpu = process.cpuUsage(cpu0);
        cpus.push((cpu.user + cpu.system) / 1000);
        if (checksum === null) checksum = sum;
        else if (sum !== checksum) checksum = `${checksum}|${sum}`; // nondeterministic: shows as a differing checksum
      }
      return { name, ms: median(walls), cpuMs: median(cpus), all: walls, checksum };
    } catch (e) {
      return { name, ms: null, cpuMs: null, all: [], checksum: null, error: e instanceof Error ? e.message.split('\n')[0] : String(e) };
    }
  }

  close(): void {
    rmSync(this.tmp, { recursive: true, force: true });
  }
}

/** The names of the cases that `only` selects (name prefixes, case-insensitive; null = all). */
export function selectCases(only: string[] | null | undefined): string[] {
  return CASES.filter((c) => !only || only.some((o) => c.name.toLowerCase().startsWith(o.toLowerCase()))).map((c) => c.name);
}

/** Runs the (selected) cases on the engine of `root`, one after the other; one result per case, in order. */
export async function runSmokeSet(root: string, opts: { only?: string[] | null; inner?: number; data?: string; log?: (s: string) => void } = {}): Promise<CaseResult[]> {
  const log = opts.log ?? (() => undefined);
  const runner = new SmokeRunner(root, opts.data);
  const out: CaseResult[] = [];
  try {
    for (const name of selectCases(opts.only)) {
      const r = await runner.run(name, opts.inner ?? 3);
      out.push(r);
      if (r.skipped) log(`skip: ${name}: ${r.skipped}`);
      else if (r.error) log(`error: ${name}: ${r.error}`);
      else log(`${name.padEnd(52)} ${r.ms!.toFixed(1).padStart(9)} ms  cpu ${r.cpuMs!.toFixed(1).padStart(9)} ms  checksum ${r.checksum!.length > 40 ? hash(r.checksum!) : r.checksum}`);
    }
  } finally {
    runner.close();
  }
  return out;
}

/** `--serve`: a child of bench:compare; answers { name, inner } messages with a CaseResult, until disconnected. */
function serve(root: string): void {
  const runner = new SmokeRunner(root);
  let queue = Promise.resolve();
  process.on('message', (msg: { name: string; inner: number }) => {
    queue = queue.then(async () => {
      const r = await runner.run(msg.name, msg.inner);
      process.send!(r);
    });
  });
  process.on('disconnect', () => {
    runner.close();
    process.exit(0);
  });
  process.send!({ ready: true, node: process.version });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const value = (flag: string): string | undefined => {
    const i = args.indexOf(flag);
    if (i < 0) return undefined;
    const v = args[i + 1];
    if (v === undefined || v.startsWith('--')) {
      process.stderr.write(`smoke-set: ${flag} needs a value\n`);
      process.exit(2);
    }
    return v;
  };
  if (args.includes('--list')) {
    for (const c of CASES) console.log(c.name);
    return;
  }
  const root = path.resolve(value('--root') ?? repoRoot(import.meta.url));
  const only = value('--only')?.split(',').map((s) => s.trim()).filter(Boolean) ?? null;
  const inner = Number(value('--inner') ?? 3);
  if (!Number.isInteger(inner) || inner < 1) {
    process.stderr.write('smoke-set: --inner must be a positive integer\n');
    process.exit(2);
  }
  if (args.includes('--serve')) {
    if (!process.send) {
      process.stderr.write('smoke-set: --serve is for a child process with an IPC channel (bench/compare.ts)\n');
      process.exit(2);
    }
    serve(root);
    return;
  }
  const json = args.includes('--json');
  const log = (s: string) => (json ? process.stderr : process.stdout).write(`${s}\n`);
  const cases = await runSmokeSet(root, { only, inner, log });
  if (json) process.stdout.write(`${JSON.stringify({ root, inner, node: process.version, cases })}\n`);
  else console.log(`checksum ${hash(cases.map((c) => c.checksum).join(';'))}`);
  if (cases.some((c) => c.error)) process.exitCode = 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
