import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/api/app.js';
import { loadConfig } from '../src/config.js';
import { FileStore } from '../src/store/file-store.js';
import { bin } from './cli-helper.js';

/** Real parts for the scale-out tests: API instances in this process, `ripple worker` processes, redis-server. */

export const REDIS_URL = process.env.RIPPLE_TEST_REDIS_URL;

/** A preferential-attachment graph (Barabási–Albert, m ties per newcomer), seeded: the same every run. */
export function baGraph(n: number, m: number, seed = 7) {
  let s = seed >>> 0;
  const rand = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const ends: number[] = [];
  const ties: { source: string; target: string }[] = [];
  for (let v = 1; v < n; v++) {
    const picked = new Set<number>();
    const k = Math.min(m, v);
    while (picked.size < k) picked.add(ends.length === 0 ? 0 : ends[Math.floor(rand() * ends.length)]);
    for (const u of picked) {
      ties.push({ source: `c${v}`, target: `c${u}` });
      ends.push(u, v);
    }
  }
  return { name: `ba${n}`, directed: false, ties };
}

export interface ApiInstance {
  app: FastifyInstance;
  store: FileStore;
  close(): Promise<void>;
}

/** One API instance in Redis mode on a data dir shared with the workers (a file store on a shared volume). */
export async function apiInstance(dir: string, env: Record<string, string>): Promise<ApiInstance> {
  const config = loadConfig({
    RIPPLE_DATA_DIR: dir, RIPPLE_DEMO: 'false', LOG_LEVEL: 'silent', RIPPLE_WORKERS: '1', RIPPLE_SYNC_BUDGET: String(Number.MAX_SAFE_INTEGER),
    RIPPLE_UNDER_PRESSURE: 'false', ...env,
  });
  const store = await FileStore.open(dir, { revalidateMs: 0 });
  const app = await buildApp(config, { store });
  await app.ready();
  return {
    app, store,
    async close() {
      await app.close();
      await store.close();
    },
  };
}

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  /** SIGTERM (or another signal) and wait for the exit; the stats it logged when it stopped. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; stats: { jobs: number; chunks: number } | null }>;
}

/** `node bin/ripple.js worker` with its own environment; resolves once it logs that it is ready. */
export async function startWorkerProcess(env: Record<string, string>, opts: { wrap?: string[]; args?: string[] } = {}): Promise<WorkerProcess> {
  const argv = [...(opts.wrap ?? []), process.execPath, bin, 'worker', ...(opts.args ?? [])];
  const child = spawn(argv[0], argv.slice(1), {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', RIPPLE_WORKERS: '1', RIPPLE_CHUNK_LOCK_MS: '2000', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start within 30 s:\n${out}`)), 30_000);
    const check = () => {
      if (out.includes('ripple worker ready')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited (${code}) before it was ready:\n${out}`));
    });
  });
  return {
    child,
    output: () => out,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const code = await exited;
      const line = out.split('\n').reverse().find((l) => l.includes('ripple worker stopped'));
      let stats: { jobs: number; chunks: number } | null = null;
      if (line) {
        const o = JSON.parse(line) as { jobs: number; chunks: number };
        stats = { jobs: o.jobs, chunks: o.chunks };
      }
      return { code, stats };
    },
  };
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** A redis-server of our own (to stop and start at will), on `port`, without persistence. */
export async function startRedis(port: number, bind = '127.0.0.1'): Promise<{ stop(): Promise<void> }> {
    // Bound beyond loopback (a veth of the test's own network namespace), protected mode would refuse those clients.
  const open = bind === '127.0.0.1' ? [] : ['--protected-mode', 'no'];
  const child = spawn('redis-server', ['--port', String(port), '--bind', ...bind.split(' '), ...open, '--save', '', '--appendonly', 'no', '--dir', tmpdir()], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${out}`)), 10_000);
    child.stdout!.on('data', () => {
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('error', reject);
  });
  return {
    async stop() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Poll until `fn` gives a truthy value (or throw after `ms`). */
export async function until<T>(fn: () => Promise<T | undefined | null | false>, ms = 20_000, every = 50): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/** The answer without its timings (`elapsedMs`, `selectionMs`: the only fields that may differ between runs). */
export function timeless(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(timeless);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (!/Ms$/.test(k)) out[k] = timeless(x);
    return out;
  }
  return v;
}
