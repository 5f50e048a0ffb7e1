/**
 * A 100-million-arc graph end to end (issue 20, point 1): an R-MAT edge list (scripts/rmat.ts) through `ripple import`,
 * the file store, compile, IC and LT, converged PageRank, sampled betweenness, IMM and the value ranking. Every step is
 * its own process under `/usr/bin/time -v` (wall time and peak RSS of that process), one after the other; while a step
 * runs, MemAvailable is read every second and the step is killed when it drops below --min-available (default 4 GB:
 * the machine is shared) or when it outlives --step-timeout seconds (default 900).
 *
 *   npm run build && node dist/scripts/big-graph.js [--dir /tmp/ripple-big] [--scale 23] [--edges 56000000] [--seed 1]
 *       [--steps gen,import,read,compile,ic,lt,pagerank,betweenness,imm,value] [--workers 2] [--min-available 4]
 *       [--step-timeout 900] [--together] [--json FILE]
 *
 * Steps other than gen/import read the graph back from the store (a fresh FileStore, as a new server process does) and
 * compile it, then do their work; each prints one JSON line with the phase times, which this driver tabulates with the
 * process's peak RSS. `--step NAME --store DIR --id ID` runs one step in this process (what the driver spawns).
 *
 * Parameters: IC uniform p = 0.01 and LT weighted cascade from the top-degree customer, 100 runs on a pool of
 * --workers; PageRank to the fixed point (the default); betweenness from k = 64 sampled sources; IMM k = 50, ε = 0.1,
 * ℓ = 1, IC weighted cascade, compare off, 1,000 re-estimation runs; value ranking IC weighted cascade, 200,000 RR sets.
 */
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WorkerPool } from '../src/workers/pool.js';
import { simulate } from '../src/diffusion/simulate.js';
import { compile, compiledBytes, type CompiledGraph } from '../src/graph/compile.js';
import { computeCentrality } from '../src/influence/centrality/index.js';
import { findInfluencers } from '../src/influence/influencers.js';
import { rankValues } from '../src/influence/value.js';
import { FileStore } from '../src/store/file-store.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = here.includes(`${path.sep}dist${path.sep}`) ? path.resolve(here, '../..') : path.resolve(here, '..');

export const STEPS = ['gen', 'import', 'read', 'compile', 'ic', 'lt', 'pagerank', 'betweenness', 'imm', 'value', 'upload'] as const;
type Step = (typeof STEPS)[number];

function topDegree(g: CompiledGraph): number {
  let best = 0;
  for (let u = 1; u < g.n; u++) if (g.outOffsets[u + 1] - g.outOffsets[u] > g.outOffsets[best + 1] - g.outOffsets[best]) best = u;
  return best;
}

/** One step in this process: read (+ compile) (+ the work); prints one JSON line. */
/** Peak RSS of this process since the last reset (VmHWM), MB; resetPeak() starts a new peak (Linux clear_refs 5). */
function peakRssMB(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}
function resetPeak(): void {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    /* not Linux: the peak stays cumulative */
  }
}

async function runStep(steps: Step[], storeDir: string, id: string, workers: number): Promise<void> {
  const step = steps[0];
  const out: Record<string, unknown> = { step: steps.join(',') };
  let t = performance.now();
  const store = await FileStore.open(storeDir);
  const { data } = await store.load(id);
  out.readMs = performance.now() - t;
  out.customers = data.ids.length;
  out.ties = data.src.length;
  if (step === 'read') {
    await store.close();
    console.log(JSON.stringify(out));
    return;
  }
  t = performance.now();
  const g = compile(data);
  out.compileMs = performance.now() - t;
  out.arcs = g.m;
  out.compiledBytes = compiledBytes(g);
  out.bytesPerArc = compiledBytes(g) / g.m;
  await store.close();
  if (step === 'compile') {
    console.log(JSON.stringify(out));
    return;
  }
  out.peakRssMB = peakRssMB();
  if (steps.length > 1) console.log(JSON.stringify(out));
  const pool = workers > 1 ? new WorkerPool({ workers }) : undefined;
  const seed = g.ids[topDegree(g)];
  const seedDegree = g.outOffsets[topDegree(g) + 1] - g.outOffsets[topDegree(g)];
  try {
    for (const s of steps) {
      const o: Record<string, unknown> = steps.length > 1 ? { step: s } : out;
      resetPeak();
      await workStep(s, g, seed, pool, o);
      o.seedCustomer = seed;
      o.seedDegree = seedDegree;
      o.peakRssMB = peakRssMB();
      if (steps.length > 1) console.log(JSON.stringify(o));
    }
  } finally {
    await pool?.close();
  }
  if (steps.length === 1) console.log(JSON.stringify(out));
}

async function workStep(step: Step, g: CompiledGraph, seed: string, pool: WorkerPool | undefined, out: Record<string, unknown>): Promise<void> {
  let t = performance.now();
  {
    if (step === 'ic' || step === 'lt') {
      const req = step === 'ic' ? { model: 'ic' as const, p: 0.01 } : { model: 'lt' as const };
      await simulate(g, { ...req, seeds: [seed], runs: 4, seed: 99, top: 0 }, { pool }); // warm-up: JIT and the graph posted to the workers
      t = performance.now();
      const r = await simulate(g, { ...req, seeds: [seed], runs: 100, seed: 7, top: 0 }, { pool });
      out.stepMs = performance.now() - t;
      out.runs = r.runs;
      out.msPerRun = (out.stepMs as number) / r.runs;
      out.reach = r.reach.mean;
      out.arcsExamined = r.arcsExamined;
    } else if (step === 'pagerank') {
      const r = await computeCentrality(g, 'pagerank', { cache: false });
      out.stepMs = performance.now() - t;
      out.iterations = r.iterations;
      out.residual = r.residual;
      out.converged = r.converged;
    } else if (step === 'betweenness') {
      const r = await computeCentrality(g, 'betweenness', { k: 64, seed: 1, pool, cache: false });
      out.stepMs = performance.now() - t;
      out.sample = r.sample;
    } else if (step === 'imm') {
      const r = await findInfluencers(g, { k: 50, method: 'imm', probability: 'weighted-cascade', epsilon: 0.1, compare: false, runs: 1000, gainSamples: 1000, seed: 1 }, { pool });
      out.stepMs = performance.now() - t;
      out.selectionMs = r.selectionMs;
      out.imm = r.imm;
      out.spread = r.spread.mean;
      out.estimatedSpread = r.estimatedSpread;
    } else if (step === 'value') {
      const r = await rankValues(g, { probability: 'weighted-cascade', rrSets: 200_000, top: 10, seed: 1 }, { pool });
      out.stepMs = performance.now() - t;
      out.rrSets = r.rrSets;
      out.top = r.top.slice(0, 3).map((c) => ({ id: c.id, total: c.totalValue }));
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------

interface Measured {
  step: string;
  wallS: number;
  peakRssMB: number;
  exit: number | null;
  stopped?: string;
  minAvailableGB: number;
  result: Record<string, unknown> | null;
  stderrTail: string;
}

function memAvailableGB(): number {
  const m = /MemAvailable:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'));
  return m ? Number(m[1]) / 2 ** 20 : os.freemem() / 2 ** 30;
}

/** Runs `cmd` under /usr/bin/time -v; kills it when MemAvailable < minGB. */
function measured(
  step: string, cmd: string[], env: NodeJS.ProcessEnv, minGB: number, timeoutS: number,
  during?: (pid: number) => Promise<Record<string, unknown>>,
): Promise<Measured> {
  return new Promise((resolve) => {
    let duringResult: Record<string, unknown> | null = null;
    const timeFile = path.join(os.tmpdir(), `ripple-big-time-${process.pid}-${step}.txt`);
    // detached: its own process group, so that the memory watch (and Ctrl-C here) can kill time and node together
    const child = spawn('/usr/bin/time', ['-v', '-o', timeFile, ...cmd], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const onSigint = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
      process.exit(130);
    };
    process.once('SIGINT', onSigint);
    if (during) {
      // the measured process is /usr/bin/time's child: the server, stopped with SIGTERM once `during` is done
      void (async () => {
        let pid = 0;
        for (let i = 0; i < 100 && !pid; i++) {
          await new Promise((r) => setTimeout(r, 50));
          try {
            pid = Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/)[0]) || 0;
          } catch {
            /* not yet */
          }
        }
        try {
          duringResult = await during(pid);
        } catch (e) {
          duringResult = { error: e instanceof Error ? e.message : String(e) };
        }
        if (pid) process.kill(pid, 'SIGTERM');
      })();
    }
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
      if (stderr.length > 20_000) stderr = stderr.slice(-10_000);
    });
    let minAvail = memAvailableGB();
    let stopped: string | undefined;
    const started = performance.now();
    const watch = setInterval(() => {
      if (!stopped && timeoutS > 0 && performance.now() - started > timeoutS * 1000) {
        stopped = `killed: still running after ${timeoutS} s (--step-timeout)`;
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      }
      const a = memAvailableGB();
      minAvail = Math.min(minAvail, a);
      if (a < minGB && !stopped) {
        stopped = `killed: MemAvailable ${a.toFixed(1)} GB < ${minGB} GB`;
        // /usr/bin/time's child is the node process: kill the whole group we started (time + node).
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      }
    }, 1000);
    child.on('close', (code) => {
      clearInterval(watch);
      process.removeListener('SIGINT', onSigint);
      let wallS = NaN;
      let peakRssMB = NaN;
      try {
        const t = readFileSync(timeFile, 'utf8');
        const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(t);
        if (rss) peakRssMB = Number(rss[1]) / 1024;
        const w = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(t);
        if (w) wallS = Number(w[1] ?? 0) * 3600 + Number(w[2]) * 60 + Number(w[3]);
        rmSync(timeFile, { force: true });
      } catch {
        /* killed before time wrote it */
      }
      const line = stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
      let result: Record<string, unknown> | null = null;
      for (const text of [stdout.trim(), line]) {
        try {
          if (text && !result) result = JSON.parse(text) as Record<string, unknown>; // the CLI pretty-prints; the steps print one line
        } catch {
          /* not JSON */
        }
      }
      const lines = stdout.trim().split('\n').filter((l) => l.startsWith('{'));
      if (lines.length > 1 && !stdout.trim().startsWith('{\n')) {
        try {
          result = { steps: lines.map((l) => JSON.parse(l) as unknown) };
        } catch {
          /* keep the last line's */
        }
      }
      if (during) result = duringResult;
      resolve({ step, wallS, peakRssMB, exit: code, stopped, minAvailableGB: minAvail, result, stderrTail: stderr.slice(-2000) });
    });
  });
}

/** POST /graphs/import with the edge list streamed from disk, once /health answers; the server's limits raised by env. */
async function upload(port: number, file: string, serverPid: number): Promise<Record<string, unknown>> {
  const get = () =>
    new Promise<number>((resolve) => {
      const r = http.get({ host: '127.0.0.1', port, path: '/health' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      r.on('error', () => resolve(0));
    });
  const t0 = performance.now();
  while ((await get()) !== 200) {
    if (performance.now() - t0 > 60_000) throw new Error('the server did not answer /health within 60 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  const startupMs = performance.now() - t0;
  const size = statSync(file).size;
  const t1 = performance.now();
  const body = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: 'POST', path: `/graphs/import?format=edgelist&name=${encodeURIComponent(path.basename(file, '.txt'))}`, headers: { 'content-type': 'application/octet-stream', 'content-length': size } },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (s: string) => (text += s));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    createReadStream(file, { highWaterMark: 1 << 20 }).pipe(req);
  });
  const uploadMs = performance.now() - t1;
  let summary: unknown = body.text.slice(0, 500);
  try {
    summary = JSON.parse(body.text);
  } catch {
    /* not JSON */
  }
  return { status: body.status, serverPid, startupMs, uploadMs, bytes: size, mbPerS: size / 2 ** 20 / (uploadMs / 1000), summary };
}

function arg(args: string[], flag: string, dflt: string): string {
  const i = args.indexOf(flag);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : dflt;
}

async function drive(args: string[]): Promise<void> {
  const dir = path.resolve(arg(args, '--dir', path.join(os.tmpdir(), 'ripple-big')));
  const scale = arg(args, '--scale', '23');
  const edges = arg(args, '--edges', '56000000');
  const seed = arg(args, '--seed', '1');
  const workers = arg(args, '--workers', '2');
  const minGB = Number(arg(args, '--min-available', '4'));
  const timeoutS = Number(arg(args, '--step-timeout', '900'));
  const steps = arg(args, '--steps', STEPS.join(',')).split(',') as Step[];
  const bad = steps.filter((s) => !(STEPS as readonly string[]).includes(s));
  if (bad.length) {
    process.stderr.write(`big-graph: unknown step ${bad.join(', ')} (known: ${STEPS.join(', ')})\n`);
    process.exit(2);
  }
  const jsonFile = args.includes('--json') ? arg(args, '--json', '') : null;
  // --together: the work steps share one process (one read + compile instead of one per step); each step's peak RSS
  // is then the process's VmHWM reset before the step (it includes the graph, as in a separate process).
  const together = args.includes('--together');
  const WORK = new Set<string>(['ic', 'lt', 'pagerank', 'betweenness', 'imm', 'value']);
  const work = steps.filter((s) => WORK.has(s));
  let workDone = false;
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `rmat-s${scale}-e${edges}-seed${seed}.txt`);
  const storeDir = path.join(dir, 'store');
  const idFile = path.join(dir, 'graph-id.txt');
  const env: NodeJS.ProcessEnv = { ...process.env, RIPPLE_DATA_DIR: storeDir, RIPPLE_WORKERS: workers };
  const node = process.execPath;
  const results: Measured[] = [];
  const log = (s: string) => process.stdout.write(`${s}\n`);
  log(`big-graph: ${dir}; MemAvailable ${memAvailableGB().toFixed(1)} GB; load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  for (const step of steps) {
    if (together && WORK.has(step) && workDone) continue;
    const avail = memAvailableGB();
    if (avail < minGB + 2) {
      log(`big-graph: not starting ${step}: MemAvailable ${avail.toFixed(1)} GB < ${minGB + 2} GB`);
      results.push({ step, wallS: NaN, peakRssMB: NaN, exit: null, stopped: `not started: MemAvailable ${avail.toFixed(1)} GB`, minAvailableGB: avail, result: null, stderrTail: '' });
      continue;
    }
    let cmd: string[];
    let during: ((pid: number) => Promise<Record<string, unknown>>) | undefined;
    let stepEnv: NodeJS.ProcessEnv = env;
    if (step === 'upload') {
      const port = 20_000 + (process.pid % 20_000);
      const uploadStore = path.join(dir, 'upload-store');
      rmSync(uploadStore, { recursive: true, force: true });
      const limit = Math.ceil(statSync(file).size / 2 ** 20) + 64;
      stepEnv = {
        ...env, PORT: String(port), HOST: '127.0.0.1', RIPPLE_DATA_DIR: uploadStore, RIPPLE_DEMO: 'false',
        RIPPLE_UPLOAD_LIMIT: `${limit}MB`, RIPPLE_IMPORT_HEAP: '8192', RIPPLE_REQUEST_TIMEOUT: '0', RIPPLE_BODY_TIMEOUT: '600000',
      };
      cmd = [node, path.join(root, 'dist/src/server.js')];
      during = (pid) => upload(port, file, pid);
    } else if (step === 'gen') cmd = [node, path.join(root, 'dist/scripts/rmat.js'), '--out', file, '--scale', scale, '--edges', edges, '--seed', seed];
    else if (step === 'import') {
      rmSync(storeDir, { recursive: true, force: true });
      cmd = [node, path.join(root, 'bin/ripple.js'), 'import', file, '--json', '--name', path.basename(file, '.txt')];
    } else {
      if (!existsSync(idFile)) {
        log(`big-graph: ${step}: no imported graph (run the import step first)`);
        continue;
      }
      const list = together && WORK.has(step) ? work.join(',') : step;
      if (together && WORK.has(step)) workDone = true;
      cmd = [node, fileURLToPath(import.meta.url), '--step', list, '--store', storeDir, '--id', readFileSync(idFile, 'utf8').trim(), '--workers', workers];
    }
    log(`big-graph: ${step} ... (load ${os.loadavg()[0].toFixed(2)}, MemAvailable ${avail.toFixed(1)} GB)`);
    const m = await measured(step, cmd, stepEnv, minGB, timeoutS, during);
    if (step === 'gen') {
      m.result = { fileBytes: existsSync(file) ? statSync(file).size : null, stderr: m.stderrTail.trim() };
    }
    if (step === 'upload' && m.exit === 143) m.exit = 0; // stopped by our SIGTERM after the upload
    if (step === 'import' && m.result && typeof m.result.id === 'string') writeFileSync(idFile, m.result.id);
    results.push(m);
    log(`big-graph: ${step}: ${m.stopped ?? (m.exit === 0 ? 'ok' : `exit ${m.exit}`)} in ${m.wallS.toFixed(1)} s, peak RSS ${m.peakRssMB.toFixed(0)} MB, min MemAvailable ${m.minAvailableGB.toFixed(1)} GB`);
    log(`  ${JSON.stringify(m.result)}`);
    if (m.exit !== 0) log(`  stderr: ${m.stderrTail.trim().split('\n').slice(-5).join(' | ')}`);
    if (m.exit !== 0 && (step === 'gen' || step === 'import')) break;
  }
  const cpu = os.cpus();
  log('');
  log(`machine: ${cpu[0]?.model.trim() ?? '?'}, ${cpu.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GB, node ${process.version}; load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} at end`);
  log('| step | wall s | peak RSS MB | result |');
  log('|---|---:|---:|---|');
  for (const m of results) log(`| ${m.step} | ${m.wallS.toFixed(1)} | ${m.peakRssMB.toFixed(0)} | ${m.stopped ?? (m.exit === 0 ? '' : `exit ${m.exit} `)}${m.result ? JSON.stringify(m.result) : ''} |`);
  if (jsonFile) writeFileSync(jsonFile, JSON.stringify({ dir, scale, edges, seed, workers, results }, null, 2));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--step')) {
    await runStep(arg(args, '--step', '').split(',') as Step[], arg(args, '--store', ''), arg(args, '--id', ''), Number(arg(args, '--workers', '2')));
    return;
  }
  await drive(args);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
