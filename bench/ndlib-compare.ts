/**
 * Cross-check and side-by-side timing of Ripple's model catalogue against NDlib (installed from PyPI in a
 * scratch virtual environment — never a dependency of Ripple).
 *
 *   npm run build && NDLIB_PYTHON=.venvs/ndlib/bin/python node dist/bench/ndlib-compare.js [--check] [--bench] [--only si,sis] [--json FILE]
 *
 *   --check   karate and lesmis (../shared/data): every model's mean compartment curves, Ripple vs NDlib, step by
 *             step; a step agrees when |mean_R − mean_N| <= 4·sd·√(1/runs_N + 1/runs_R), sd the larger of NDlib's
 *             run-to-run sd and Ripple's (from 20 batch means on different seeds): the same model has the same variance. Models whose semantics differ from NDlib's code are
 *             listed with the difference named (KNOWN below) and reported, not failed. Exit 1 if any other differs.
 *   --bench   ego-Facebook: ms per run of each model, NDlib and Ripple on the same graph and parameters, one after
 *             the other in this process's run (same machine load): wall time, and each side's process CPU time (the
 *             steadier figure when the machine is shared).
 *
 * Time: Ripple's step is NDlib's iteration for the epidemic and threshold models; for the opinion models one
 * Ripple step is a sweep of n elementary updates (ceil(n/q) groups for majority rule), NDlib's iteration one
 * update, so NDlib is sampled every n (or ceil(n/q)) iterations.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, type CompiledGraph } from '../src/graph/compile.js';
import { readGraphFile } from '../src/io/read-graph-file.js';
import { simulate } from '../src/diffusion/simulate.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, here.includes(`${path.sep}dist${path.sep}`) ? '../..' : '..');
const dataDir = path.resolve(root, '../shared/data');
const GRAPHS = {
  karate: { file: path.join(dataDir, 'karate/karate_club.edgelist'), seeds: ['0', '33'], holders: ['0', '1', '2', '3', '33', '32', '31', '8'] },
  lesmis: { file: path.join(dataDir, 'lesmis/lesmis.weighted.edgelist'), seeds: ['11', '48'], holders: ['11', '48', '55', '27', '25', '23', '58', '62', '64', '65', '0', '2', '3', '41', '68'] },
  'ego-facebook': { file: path.join(dataDir, 'ego-facebook/facebook_combined.txt'), seeds: ['107', '1684'], holders: Array.from({ length: 400 }, (_, i) => String(i * 10)) },
} as const;
type GraphName = keyof typeof GRAPHS;

interface Case {
  model: string;
  /** Ripple request fields besides model/seeds/runs/seed. */
  ripple: Record<string, unknown>;
  ndlib: { model: string; params: Record<string, number> };
  /** Ripple compartment -> NDlib statuses summed. */
  compare: [string, string[]][];
  steps: number;
  /** Opinion models: NDlib iterations per Ripple step. */
  sweep?: (n: number) => number;
  /** Binary opinion models use the larger holders set as "for" seeds. */
  holders?: boolean;
  /** CTIC: compare reach at ∞ with NDlib's final Infected + Removed. */
  finalOnly?: boolean;
  /** NDlib runs for this case when fewer than the default (its slow models: Kertész draws scipy.stats.rv_discrete per customer and step, the opinion models count all statuses after every elementary update). */
  ndRuns?: number;
}

/** Where NDlib's code does something else than the model it names; reported, never failed. */
export const KNOWN: Record<string, string> = {
  swir:
    'NDlib draws one number per infected customer and reuses it for its neighbours until a kappa trial fails (correlated trials), and a later contact in the same step overwrites an earlier one (an infection can become "weakened"); Ripple: independent trials, infection wins.',
  hk:
    'NDlib updates one random customer at a time, leaves its own opinion out of the mean, uses a strict < epsilon and, in 6.0.x, keeps only the last of the n updates of an iteration (the assignment sits after the loop); it also ignores the seeds (every opinion drawn U(-1,1)). Ripple: synchronous HK as in the paper. Not compared numerically.',
};

/** NDlib's parameter readings that need translating (not differences of the model). */
export const TRANSLATED: Record<string, string> = {
  profile: 'NDlib adopts when a uniform draw is >= profile (probability 1 − profile): NDlib gets profile = 1 − Ripple profile; blocked = 0 (NDlib blocks customers that adopted, with probability 1 − blocked).',
  'profile-threshold': 'as profile.',
  ctic: 'NDlib has no continuous-time IC: its IndependentCascadesModel (edge threshold = p) is compared with Ripple’s reach at t = ∞.',
};

function cases(): Case[] {
  const SIS = ['Susceptible'];
  const I = ['Infected'];
  return [
    { model: 'si', ripple: { beta: 0.05 }, ndlib: { model: 'si', params: { beta: 0.05 } }, compare: [['susceptible', SIS], ['infected', I]], steps: 15 },
    { model: 'sis', ripple: { beta: 0.1, lambda: 0.3 }, ndlib: { model: 'sis', params: { beta: 0.1, lambda: 0.3 } }, compare: [['susceptible', SIS], ['infected', I]], steps: 15 },
    {
      model: 'seir', ripple: { beta: 0.2, alpha: 0.3, gamma: 0.2 }, ndlib: { model: 'seir', params: { beta: 0.2, alpha: 0.3, gamma: 0.2 } },
      compare: [['susceptible', SIS], ['exposed', ['Exposed']], ['infected', I], ['recovered', ['Removed']]], steps: 15,
    },
    {
      model: 'seis', ripple: { beta: 0.2, alpha: 0.3, lambda: 0.2 }, ndlib: { model: 'seis', params: { beta: 0.2, alpha: 0.3, lambda: 0.2 } },
      compare: [['susceptible', SIS], ['exposed', ['Exposed']], ['infected', I]], steps: 15,
    },
    {
      model: 'swir', ripple: { kappa: 0.2, mu: 0.4, nu: 0.3 }, ndlib: { model: 'swir', params: { kappa: 0.2, mu: 0.4, nu: 0.3 } },
      compare: [['susceptible', SIS], ['weakened', ['Weakened']], ['infected', I], ['removed', ['Removed']]], steps: 10,
    },
    { model: 'threshold', ripple: { threshold: 0.3 }, ndlib: { model: 'threshold', params: { threshold: 0.3 } }, compare: [['adopting', I]], steps: 10 },
    {
      model: 'kertesz', ripple: { threshold: 0.3, blocked: 0.1, adopterRate: 0.01 }, ndlib: { model: 'kertesz', params: { threshold: 0.3, percentage_blocked: 0.1, adopter_rate: 0.01 } },
      compare: [['adopting', I], ['blocked', ['Blocked']]], steps: 6, ndRuns: 40,
    },
    { model: 'profile', ripple: { profile: 0.3 }, ndlib: { model: 'profile', params: { profile: 0.7 } }, compare: [['adopting', I]], steps: 10 },
    {
      model: 'profile-threshold', ripple: { profile: 0.4, threshold: 0.2 }, ndlib: { model: 'profile-threshold', params: { profile: 0.6, threshold: 0.2 } },
      compare: [['adopting', I]], steps: 10,
    },
    { model: 'voter', ripple: {}, ndlib: { model: 'voter', params: {} }, compare: [['for', I]], steps: 10, sweep: (n) => n, holders: true, ndRuns: 60 },
    { model: 'qvoter', ripple: { q: 2 }, ndlib: { model: 'qvoter', params: { q: 2 } }, compare: [['for', I]], steps: 10, sweep: (n) => n, holders: true, ndRuns: 60 },
    { model: 'majority', ripple: { q: 3 }, ndlib: { model: 'majority', params: { q: 3 } }, compare: [['for', I]], steps: 10, sweep: (n) => Math.ceil(n / 3), holders: true, ndRuns: 60 },
    { model: 'sznajd', ripple: {}, ndlib: { model: 'sznajd', params: {} }, compare: [['for', I]], steps: 10, sweep: (n) => n, holders: true, ndRuns: 60 },
    { model: 'hk', ripple: { epsilon: 0.3 }, ndlib: { model: 'hk', params: { epsilon: 0.3 } }, compare: [], steps: 5, sweep: () => 1 },
    { model: 'ctic', ripple: { p: 0.2, rate: 1 }, ndlib: { model: 'ic', params: { edge_threshold: 0.2 } }, compare: [['reached', ['Infected', 'Removed']]], steps: 30, finalOnly: true },
  ];
}

interface NdCurve { mean: number; sd: number }
interface RippleOut { compartments?: Record<string, number>[]; reach: { mean: number } }
interface NdResult { samples: number[]; runs: number; msPerRun: number; cpuMsPerRun: number; curves: Record<string, NdCurve[]> }

function runNdlib(jobs: unknown[]): NdResult[] {
  const python = process.env.NDLIB_PYTHON ?? path.join(root, '.venvs/ndlib/bin/python');
  if (!existsSync(python)) throw new Error(`NDlib's Python not found at ${python}: set NDLIB_PYTHON (see .ci/suites.d/ndlib.sh)`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ripple-ndlib-'));
  try {
    const file = path.join(dir, 'jobs.json');
    writeFileSync(file, JSON.stringify(jobs));
    const script = path.join(root, 'bench/ndlib/ndlib_runs.py');
    const r = spawnSync(python, [script, file], { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'inherit'] });
    if (r.status !== 0) throw new Error(`NDlib run failed (exit ${r.status})`);
    return JSON.parse(r.stdout) as NdResult[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function loadGraph(name: GraphName): Promise<CompiledGraph> {
  const { data } = await readGraphFile(GRAPHS[name].file, { format: 'edgelist', directed: false });
  return compile(data);
}

interface Row {
  graph: string;
  model: string;
  verdict: 'agrees' | 'differs' | 'differs (named)' | 'not compared (named)' | 'timed only';
  maxZ: number;
  worst: string;
  ndlibMsPerRun: number;
  rippleMsPerRun: number;
  /** Process CPU time per run of each side (NDlib: time.process_time; Ripple: process.cpuUsage, user + system). */
  ndlibCpuMsPerRun: number;
  rippleCpuMsPerRun: number;
  note?: string;
}

async function check(only: Set<string> | null, runsNd: number, runsRp: number, graphs: GraphName[], bench = false): Promise<Row[]> {
  // Bench on ego-Facebook: NDlib's opinion models cost O(n) per elementary update (node_count over all nodes),
  // so they run 1 sweep there; the other models their usual steps.
  const list = cases()
    .filter((c) => !only || only.has(c.model))
    .map((c) => (bench && c.sweep ? { ...c, steps: 1 } : c));
  const loaded = new Map<GraphName, CompiledGraph>();
  for (const gname of graphs) loaded.set(gname, await loadGraph(gname));
  const jobs: unknown[] = [];
  for (const gname of graphs) {
    const g = loaded.get(gname)!;
    for (const c of list) {
      const per = c.sweep ? c.sweep(g.n) : 1;
      jobs.push({
        edges: GRAPHS[gname].file, directed: false, model: c.ndlib.model, params: c.ndlib.params,
        seeds: c.holders ? GRAPHS[gname].holders : GRAPHS[gname].seeds, runs: Math.min(runsNd, c.ndRuns ?? runsNd),
        iterations: c.steps * per, sample_every: per, seed: 1000,
      });
    }
  }
  const nd = runNdlib(jobs);
  const rows: Row[] = [];
  let j = 0;
  for (const gname of graphs) {
    const g = loaded.get(gname)!;
    for (const c of list) {
      const ndr = nd[j++];
      const seeds = c.holders ? GRAPHS[gname].holders : GRAPHS[gname].seeds;
      // Ripple in K batches on different seeds (batch means): the spread of the batch means gives Ripple's own
      // standard error through the public simulate(), with no per-run curves.
      const K = bench ? 1 : 20; // the bench times one simulate() of all its runs
      const per = Math.max(1, Math.round(runsRp / K));
      const batches: RippleOut[] = [];
      await simulate(g, { model: c.model, seeds, runs: 10, seed: 99, maxSteps: c.steps, ...c.ripple } as never); // warm-up (JIT)
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      for (let b = 0; b < K; b++) {
        batches.push((await simulate(g, { model: c.model, seeds, runs: per, seed: 1 + b, maxSteps: c.steps, ...c.ripple } as never)) as unknown as RippleOut);
      }
      const cpu = process.cpuUsage(c0);
      const rippleMs = (performance.now() - t0) / (per * K);
      const rippleCpuMs = (cpu.user + cpu.system) / 1000 / (per * K);
      const valueAt = (res: RippleOut, rk: string, k: number) => {
        if (c.finalOnly) return res.reach.mean;
        const rows_ = res.compartments ?? [];
        return rows_[Math.min(k, rows_.length - 1)]?.[rk] ?? NaN;
      };
      let maxZ = 0;
      let worst = '';
      for (const [rk, statuses] of c.compare) {
        const points = c.finalOnly ? [ndr.samples.length - 1] : ndr.samples.map((_, k) => k);
        for (const k of points) {
          const ndMean = statuses.reduce((a, s) => a + (ndr.curves[s]?.[k]?.mean ?? 0), 0);
          // sd of a sum of statuses: bounded by the sum of sds (conservative for the check's tolerance)
          const ndSd = statuses.reduce((a, s) => a + (ndr.curves[s]?.[k]?.sd ?? 0), 0);
          const bm = batches.map((res) => valueAt(res, rk, k));
          const rp = bm.reduce((a, x) => a + x, 0) / K;
          const rpSd = K > 1 ? Math.sqrt(bm.reduce((a, x) => a + (x - rp) ** 2, 0) / (K - 1)) * Math.sqrt(per) : 0;
          // The same model has the same run-to-run variance: take the larger estimate (NDlib's few runs can miss a
          // rare outcome — a minority that wins 1 run in 1000 — and report sd 0).
          const sd = Math.max(ndSd, rpSd);
          const tol = sd * Math.sqrt(1 / ndr.runs + 1 / (per * K));
          const diff = Math.abs(rp - ndMean);
          const z = tol > 0 ? diff / tol : diff > 1e-9 ? Infinity : 0;
          if (!(z <= maxZ)) {
            maxZ = z;
            worst = `${rk} at step ${k}: Ripple ${rp.toFixed(3)} vs NDlib ${ndMean.toFixed(3)} (sd ${sd.toFixed(3)})`;
          }
        }
      }
      const named = KNOWN[c.model];
      const verdict: Row['verdict'] = bench
        ? 'timed only'
        : c.compare.length === 0 ? 'not compared (named)' : maxZ <= 4 ? 'agrees' : named ? 'differs (named)' : 'differs';
      rows.push({
        graph: gname, model: c.model, verdict, maxZ, worst, ndlibMsPerRun: ndr.msPerRun, rippleMsPerRun: rippleMs,
        ndlibCpuMsPerRun: ndr.cpuMsPerRun, rippleCpuMsPerRun: rippleCpuMs, note: named ?? TRANSLATED[c.model],
      });
    }
  }
  return rows;
}

function printRows(rows: Row[]): void {
  console.log('| graph | model | verdict | max z | worst step | NDlib ms/run | Ripple ms/run | × | NDlib CPU ms/run | Ripple CPU ms/run | CPU × |');
  console.log('| --- | --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    console.log(
      `| ${r.graph} | ${r.model} | ${r.verdict} | ${Number.isFinite(r.maxZ) ? r.maxZ.toFixed(2) : '∞'} | ${r.worst} | ${r.ndlibMsPerRun.toFixed(2)} | ${r.rippleMsPerRun.toFixed(4)} | ${Math.round(r.ndlibMsPerRun / r.rippleMsPerRun)} | ${r.ndlibCpuMsPerRun.toFixed(2)} | ${r.rippleCpuMsPerRun.toFixed(4)} | ${Math.round(r.ndlibCpuMsPerRun / r.rippleCpuMsPerRun)} |`,
    );
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const onlyArg = args.indexOf('--only');
  const only = onlyArg >= 0 ? new Set(args[onlyArg + 1].split(',')) : null;
  const jsonArg = args.indexOf('--json');
  const out: Record<string, unknown> = {};
  let failed = false;
  if (args.includes('--check') || !args.includes('--bench')) {
    if (!existsSync(GRAPHS.karate.file) || !existsSync(GRAPHS.lesmis.file)) {
      console.log(`skipped: karate/lesmis not found under ${dataDir}`);
      return;
    }
    const rows = await check(only, 200, 4000, ['karate', 'lesmis']);
    printRows(rows);
    out.check = rows;
    const bad = rows.filter((r) => r.verdict === 'differs');
    for (const [model, note] of new Map(rows.filter((r) => r.note).map((r) => [r.model, r.note!]))) console.log(`- ${model}: ${note}`);
    console.log(`ndlib cross-check: ${rows.length - bad.length} passed, ${bad.length} failed`);
    failed = bad.length > 0;
  }
  if (args.includes('--bench')) {
    if (!existsSync(GRAPHS['ego-facebook'].file)) {
      console.log(`skipped: ego-Facebook not found under ${dataDir}`);
    } else {
      const rows = await check(only, 2, 200, ['ego-facebook'], true);
      printRows(rows);
      out.bench = rows;
      const sum = rows.reduce((a, r) => a + r.rippleMsPerRun, 0);
      console.log(`checksum ${sum.toFixed(3)}`);
    }
  }
  if (jsonArg >= 0) writeFileSync(args[jsonArg + 1], JSON.stringify(out, null, 2));
  if (failed) process.exitCode = 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  });
}
