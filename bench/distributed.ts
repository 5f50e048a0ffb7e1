/**
 * Scale-out benchmark (issue 12): one large IC simulation in-process vs on `ripple worker` processes through Redis.
 *   npm run build && node dist/bench/distributed.js [--smoke] [--runs N] [--threads 1,2] [--workers 1,2,4] [--chunks C] [--rounds R] [--worker-threads T]
 *
 * BA n=100k m=5, IC p=0.05 from the top-degree customer, 1M runs (smoke: n=2000, 20k runs, 1 worker). Starts its own
 * redis-server on a free port (skipped with one line when redis-server is not installed), a file store in a temp
 * dir, an API instance in this process (RIPPLE_CHUNKS chunks per job) and N worker processes of 1 thread each.
 * For each case: wall time, and CPU time of every process involved (this process + the workers, from
 * /proc/PID/stat), since on a shared machine the wall time also measures the neighbours. Then the per-chunk
 * overhead: a job of 1-run chunks on one worker. Every distributed answer is checked to be the in-process answer
 * (JSON identical but elapsedMs). Prints a checksum of the reach means.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../src/api/app.js';
import { loadConfig } from '../src/config.js';
import { FileStore } from '../src/store/file-store.js';
import { barabasiAlbertData } from './generators.js';

const args = process.argv.slice(2);
const smoke = args.includes('--smoke');
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = here.includes(`${path.sep}dist${path.sep}`) ? path.resolve(here, '../..') : path.resolve(here, '..');
const bin = path.join(repoRoot, 'bin', 'ripple.js');

const n = smoke ? 2000 : 100_000;
const runs = Number(opt('--runs') ?? (smoke ? 20_000 : 1_000_000));
const workerCounts = (opt('--workers') ?? (smoke ? '1' : '1,2,4')).split(',').map(Number);
const chunks = Number(opt('--chunks') ?? 32);
const threadCounts = (opt('--threads') ?? '1,2').split(',').map(Number); // in-process cases (the last is the baseline)
const workerThreads = Number(opt('--worker-threads') ?? 1); // RIPPLE_WORKERS of each `ripple worker` process
const rounds = Number(opt('--rounds') ?? 1); // alternate the in-process and worker cases this many times (paired rounds)
const TICK = 100; // clock ticks per second of /proc/PID/stat (USER_HZ on Linux)

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function procCpuMs(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / TICK; // utime + stime
  } catch {
    return 0;
  }
}

const selfCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function waitFor(child: ChildProcess, text: string, what: string): Promise<void> {
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start:\n${out}`)), 60_000);
    const on = (d: Buffer) => {
      out += d.toString();
      if (out.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', on);
    child.stderr!.on('data', on);
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}):\n${out}`)));
  });
}

function strip(v: unknown): string {
  return JSON.stringify(v, (k, x: unknown) => (k === 'elapsedMs' ? undefined : x));
}

async function main(): Promise<void> {
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    console.log('skip: redis-server not found (apt install redis-server; CI installs it in .ci/setup.d/redis.sh)');
    console.log('checksum skipped');
    return;
  }
  console.log(`machine: ${cpus()[0]?.model ?? 'cpu'}, ${availableParallelism()} cores; node ${process.version}`);
  const port = await freePort();
  const dir = await mkdtemp(path.join(tmpdir(), 'ripple-bench-dist-'));
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  await waitFor(redis, 'Ready to accept connections', 'redis-server');
  const url = `redis://127.0.0.1:${port}`;
  const prefix = 'bench';
  const workers: ChildProcess[] = [];
  const store = await FileStore.open(dir, { revalidateMs: 0 });
  const env = (extra: Record<string, string>) => loadConfig({
    RIPPLE_DATA_DIR: dir, RIPPLE_DEMO: 'false', LOG_LEVEL: 'silent', RIPPLE_SYNC_BUDGET: String(Number.MAX_SAFE_INTEGER), RIPPLE_UNDER_PRESSURE: 'false',
    RIPPLE_REDIS_URL: url, RIPPLE_REDIS_PREFIX: prefix, RIPPLE_MAX_WAIT: '3600', ...extra,
  });
  const apps = [] as Awaited<ReturnType<typeof buildApp>>[];
  try {
    const t0 = performance.now();
    const summary = await store.create(barabasiAlbertData(n, 5, 1));
    console.log(`graph: BA n=${n} m=5 (${summary.ties} ties), stored in ${Math.round(performance.now() - t0)} ms; ${runs} runs, RIPPLE_CHUNKS=${chunks}`);
    const url0 = `/graphs/${summary.id}/simulations`;
    const inProcess = async (threads: number) => {
      const app = await buildApp(env({ RIPPLE_WORKERS: String(threads), RIPPLE_CHUNKS: String(chunks) }), { store });
      apps.push(app);
      return app;
    };
    const api1 = await inProcess(1);
    const api2 = await inProcess(2);
    const degree = await api1.inject(`/graphs/${summary.id}/centrality/degree?top=1`);
    const seed = (degree.json() as { top: { id: string }[] }).top[0].id;
    const req = { model: 'ic', seeds: [seed], p: 0.05, runs, seed: 1 };
    await api2.inject({ method: 'POST', url: url0, payload: { ...req, runs: 100 } }); // warm: threads started, graph posted

    const rows: { label: string; round: number; wallMs: number; cpuMs: number; coordinatorMs: number; redisMs: number; processes: number }[] = [];
    let reference = '';
    let checksum = 0;
    const submit = api1; // the submitting instance does no engine work for jobs
    const startWorker = async () => {
      const child = spawn(process.execPath, [bin, 'worker'], {
        env: { PATH: process.env.PATH ?? '', RIPPLE_REDIS_URL: url, RIPPLE_REDIS_PREFIX: prefix, RIPPLE_DATA_DIR: dir, RIPPLE_WORKERS: String(workerThreads), LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      await waitFor(child, 'ripple worker ready', 'ripple worker');
      workers.push(child);
    };
    const inProcessCase = async (threads: 1 | 2, app: Awaited<ReturnType<typeof buildApp>>, round: number) => {
      await app.inject({ method: 'POST', url: url0, payload: { ...req, runs: 100 } });
      const c0 = selfCpuMs();
      const w0 = performance.now();
      const res = await app.inject({ method: 'POST', url: url0, payload: req });
      const wallMs = performance.now() - w0;
      if (res.statusCode !== 200) throw new Error(`in-process: ${res.statusCode} ${res.body}`);
      const body = res.json() as { reach: { mean: number } };
      if (!reference) reference = strip(body);
      else if (strip(body) !== reference) throw new Error('in-process answers differ between 1 and 2 threads');
      if (round === 0) checksum += body.reach.mean;
      const cpuMs = selfCpuMs() - c0;
      rows.push({ label: `in-process, ${threads} thread${threads > 1 ? 's' : ''}`, round, wallMs, cpuMs, coordinatorMs: cpuMs, redisMs: 0, processes: 1 });
    };
    const workerCase = async (count: number, round: number) => {
      while (workers.length < count) await startWorker();
      while (workers.length > count) {
        const w = workers.pop()!;
        w.kill('SIGTERM');
        await new Promise((r) => w.once('exit', r));
      }
      // Warm: every worker loads and compiles the graph once (cached by version afterwards).
      for (let i = 0; i < 2; i++) await submit.inject({ method: 'POST', url: `${url0}?async=true`, headers: { prefer: 'wait=600' }, payload: { ...req, runs: 64 * count, seed: 100 + i } });
      const cpu0 = await Promise.all(workers.map((w) => procCpuMs(w.pid!)));
      const r0 = await procCpuMs(redis.pid!);
      const c0 = selfCpuMs();
      const w0 = performance.now();
      const res = await submit.inject({ method: 'POST', url: `${url0}?async=true`, headers: { prefer: 'wait=3600' }, payload: req });
      const wallMs = performance.now() - w0;
      if (res.statusCode !== 200) throw new Error(`distributed: ${res.statusCode} ${res.body}`);
      const cpu1 = await Promise.all(workers.map((w) => procCpuMs(w.pid!)));
      const coordinatorMs = selfCpuMs() - c0;
      const redisMs = (await procCpuMs(redis.pid!)) - r0;
      const cpuMs = coordinatorMs + cpu1.reduce((s, x, i) => s + x - cpu0[i], 0);
      const same = strip(res.json()) === reference;
      if (!same) throw new Error(`distributed answer with ${count} worker(s) differs from the in-process one`);
      if (round === 0) checksum += (res.json() as { reach: { mean: number } }).reach.mean;
      rows.push({ label: `${count} worker process${count > 1 ? 'es' : ''} × ${workerThreads} thread${workerThreads > 1 ? 's' : ''} (identical: ${same})`, round, wallMs, cpuMs, coordinatorMs, redisMs, processes: count + 1 });
    };
    for (let round = 0; round < rounds; round++) {
      for (const [threads, app] of ([[1, api1], [2, api2]] as const).filter(([t]) => threadCounts.includes(t))) await inProcessCase(threads, app, round);
      for (const count of workerCounts) await workerCase(count, round);
      if (rounds > 1) console.log(`round ${round + 1}/${rounds}: ${rows.filter((r) => r.round === round).map((r) => `${r.label.split(' (')[0]} ${(r.wallMs / 1000).toFixed(1)} s`).join(', ')}`);
    }

    // Per-chunk overhead: one worker, 1-run chunks (an API instance with RIPPLE_CHUNKS = runs).
    while (workers.length > 1) {
      const w = workers.pop()!;
      w.kill('SIGTERM');
      await new Promise((r) => w.once('exit', r));
    }
    const tiny = smoke ? 64 : 512;
    const chunky = await buildApp(env({ RIPPLE_WORKERS: '1', RIPPLE_CHUNKS: String(tiny) }), { store });
    apps.push(chunky);
    const small = { ...req, runs: tiny, seed: 2 };
    const localRes = await api1.inject({ method: 'POST', url: url0, payload: small });
    const localMs = (localRes.json() as { elapsedMs: number }).elapsedMs;
    const w0 = performance.now();
    const res = await chunky.inject({ method: 'POST', url: `${url0}?async=true`, headers: { prefer: 'wait=600' }, payload: small });
    const chunkWall = performance.now() - w0;
    if (res.statusCode !== 200 || strip(res.json()) !== strip(localRes.json())) throw new Error('per-chunk case: answers differ');

    // Coalescing: three identical requests at once (two instances) are one job, costing one run of the work.
    const same = { ...req, runs: Math.max(1000, Math.round(runs / 20)), seed: 3 };
    const c0 = performance.now();
    const one = await api1.inject({ method: 'POST', url: `${url0}?async=true`, headers: { prefer: 'wait=3600' }, payload: same });
    const oneMs = performance.now() - c0;
    const c1 = performance.now();
    const three = await Promise.all([api1, api2, api1].map((app) =>
      app.inject({ method: 'POST', url: `${url0}?async=true`, headers: { prefer: 'wait=3600' }, payload: { ...same, seed: 4 } })));
    const threeMs = performance.now() - c1;
    const jobIds = new Set(three.map((r) => r.headers['content-location']));
    if (one.statusCode !== 200 || three.some((r) => r.statusCode !== 200)) throw new Error('coalescing case failed');

    const cases = rows.filter((r) => r.round === 0);
    const base = cases[threadCounts.filter((t) => t === 1 || t === 2).length - 1]; // the last in-process case
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const ratios = (r: (typeof rows)[number], pick: (x: (typeof rows)[number]) => number, ref: (typeof rows)[number]) =>
      median(Array.from({ length: rounds }, (_, i) => pick(rows.find((x) => x.round === i && x.label === r.label)!) / pick(rows.find((x) => x.round === i && x.label === ref.label)!)));
    console.log(`\n| case | wall s${rounds > 1 ? ' (median)' : ''} | CPU s (all processes) | of which coordinator / redis-server | wall vs ${base.label} | CPU vs ${cases[0].label} |`);
    console.log('|---|---|---|---|---|---|');
    for (const r of cases) {
      const all = rows.filter((x) => x.label === r.label);
      console.log(`| ${r.label} | ${(median(all.map((x) => x.wallMs)) / 1000).toFixed(2)} | ${(median(all.map((x) => x.cpuMs)) / 1000).toFixed(2)} | ` +
        `${(median(all.map((x) => x.coordinatorMs)) / 1000).toFixed(2)} / ${(median(all.map((x) => x.redisMs)) / 1000).toFixed(2)} | ` +
        `${ratios(r, (x) => x.wallMs, base).toFixed(3)}× | ${ratios(r, (x) => x.cpuMs, cases[0]).toFixed(3)}× |`);
    }
    if (rounds > 1) console.log(`(${rounds} alternating rounds; ratios are the median of the per-round ratios)`);
    console.log(`\nper-chunk overhead: ${tiny} one-run chunks on 1 worker in ${chunkWall.toFixed(0)} ms = ${(chunkWall / tiny).toFixed(2)} ms per chunk ` +
      `(the same ${tiny} runs in-process: ${localMs.toFixed(1)} ms)`);
    console.log(`coalescing: 3 identical requests at once -> ${jobIds.size} job(s), ${threeMs.toFixed(0)} ms; one such request alone: ${oneMs.toFixed(0)} ms (${same.runs} runs)`);
    console.log(`checksum ${checksum.toFixed(6)}`);
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : w.once('exit', r)))));
    for (const app of apps) await app.close();
    await store.close();
    redis.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
