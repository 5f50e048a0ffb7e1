/**
 * HTTP load benchmark (issue "The API as a product" part 5), autocannon against the real server:
 *
 *   npm run build && node dist/bench/api.js [--smoke] [--json] [--only health,centrality,summary,customer,info,...]
 *
 * The app is built and listens in this process on 127.0.0.1, port 0 (nothing else is exposed); autocannon fires
 * from one worker thread of this process, so on 2 cores the load generator takes one and the server (event loop
 * + engine workers) the other — the figures are a floor, not a ceiling. Phases (full / --smoke durations):
 *
 *   1. GET /health, 10 connections (10 s / 1 s)                                target: >= 10k req/s
 *   2. cached centrality top-10: GET /graphs/:id/centrality/pagerank?top=10      target: >= 10k req/s
 *   3. a 100-run IC simulation on ego-Facebook, 10 connections                  target: p99 < 50 ms
 *   4. a 100-run voice scenario (POST /graphs/:id/scenarios), 10 connections
 *   5. 4x overload: the simulation at 40 connections; the server's in-flight cap is 20 (RIPPLE_MAX_IN_FLIGHT),
 *      so it must shed with 503 + Retry-After while /health (probed every 100 ms) keeps answering
 *   6. mixed run (5 min / 4 s): all of the above in rotation at 10 connections, RSS sampled every second;
 *      bounded = the RSS peak of the last fifth is within 1.25x of the peak of the first fifth (+ 64 MB slack)
 *
 * ego-Facebook comes from ../shared/data (4,039 customers, 88,234 ties); without it the shipped demo graph is
 * used and one line says so. Every phase prints a checksum (bytes read) so the work cannot be skipped, and a
 * last line `checksum N` sums them.
 * Do not run the full mode more than once in a row on a shared machine: it takes about 6 minutes.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon, { type Request, type Result } from 'autocannon';
import { buildApp } from '../src/api/app.js';
import { demoGraphPath } from '../src/api/demo.js';
import { loadConfig } from '../src/config.js';
import { readGraphFile } from '../src/io/read-graph-file.js';
import { FileStore } from '../src/store/file-store.js';
import { repoRoot } from './paths.js';

const args = process.argv.slice(2);
const smoke = args.includes('--smoke');
const asJson = args.includes('--json');
/**
 * `--only health,centrality,summary,customer,info,simulation,scenario,overload,mixed`: run just those phases
 * (a short targeted run, e.g. `--smoke --only health,centrality,summary`). The read phases summary
 * (`GET /graphs/:id`), customer and info run only when named.
 */
const onlyArg = args.find((a) => a.startsWith('--only'));
const onlyValue = onlyArg === undefined ? undefined : onlyArg.includes('=') ? onlyArg.slice(onlyArg.indexOf('=') + 1) : args[args.indexOf(onlyArg) + 1];
const only = onlyValue === undefined ? undefined : new Set(onlyValue.split(',').map((s) => s.trim()));
const DEFAULT_PHASES = new Set(['health', 'centrality', 'simulation', 'scenario', 'overload', 'mixed']);
const runs = (phase: string): boolean => (only ? only.has(phase) : DEFAULT_PHASES.has(phase));

// Smoke: phases 1-5 for 1 s each and the mixed run for 4 s (about 10 s in all): every phase still runs.
const PHASE_S = smoke ? 1 : 10;
const MIXED_S = smoke ? 4 : 300;
const CONNECTIONS = 10;
const OVERLOAD_CONNECTIONS = 4 * CONNECTIONS;
const IN_FLIGHT_CAP = 2 * CONNECTIONS;

interface Row {
  phase: string;
  connections: number;
  seconds: number;
  reqPerSec: number;
  p50: number;
  p99: number;
  ok: number;
  shed503: number;
  otherErrors: number;
  checksum: number;
  target?: string;
  met?: boolean;
  notes?: string;
}
const rows: Row[] = [];

function log(line: string): void {
  if (!asJson) console.log(line);
}

function toRow(phase: string, r: Result, connections: number, target?: { text: string; met: (r: Result) => boolean }, notes?: string): Row {
  const row: Row = {
    phase,
    connections,
    seconds: r.duration,
    reqPerSec: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    ok: r['2xx'],
    shed503: r.statusCodeStats?.['503']?.count ?? 0,
    otherErrors: r.errors + r.timeouts + r['4xx'] + r['5xx'] - (r.statusCodeStats?.['503']?.count ?? 0),
    checksum: r.throughput.total,
    ...(target ? { target: target.text, met: target.met(r) } : {}),
    ...(notes ? { notes } : {}),
  };
  rows.push(row);
  const verdict = target ? `  target ${target.text}: ${row.met ? 'met' : 'NOT met'}` : '';
  log(
    `${phase.padEnd(34)} ${String(row.reqPerSec).padStart(7)} req/s  p50 ${String(row.p50).padStart(4)} ms  p99 ${String(row.p99).padStart(4)} ms` +
      `  2xx ${row.ok}  503 ${row.shed503}  other ${row.otherErrors}  checksum ${row.checksum}${verdict}${notes ? `  (${notes})` : ''}`,
  );
  return row;
}

async function fire(url: string, opts: { connections: number; seconds: number; requests?: Request[]; method?: string; body?: string }): Promise<Result> {
  // autocannon refuses keys present with an undefined value: only set what is given.
  return autocannon({
    url,
    connections: opts.connections,
    duration: opts.seconds,
    workers: 1,
    timeout: 30,
    ...(opts.method ? { method: opts.method } : {}),
    ...(opts.body ? { body: opts.body, headers: { 'content-type': 'application/json' } } : {}),
    ...(opts.requests ? { requests: opts.requests } : {}),
  });
}

async function main(): Promise<void> {
  const root = repoRoot(import.meta.url);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'ripple-bench-api-'));
  const config = loadConfig({
    RIPPLE_DATA_DIR: dataDir,
    RIPPLE_DEMO: 'false',
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    RIPPLE_MAX_IN_FLIGHT: String(IN_FLIGHT_CAP),
  });
  const store = await FileStore.open(dataDir);
  const app = await buildApp(config, { store, logger: false });
  try {
    const facebook = path.resolve(root, '../shared/data/ego-facebook/facebook_combined.txt');
    let file: string;
    let seedCustomer: string;
    if (existsSync(facebook)) {
      file = facebook;
      seedCustomer = '0';
    } else {
      const demo = demoGraphPath();
      if (!demo) throw new Error('bench: neither ../shared/data/ego-facebook nor demo/demo-customers.json.gz is present');
      log(`[bench api] ${facebook} not found: using the demo graph instead`);
      file = demo;
      seedCustomer = 'c0001';
    }
    const t0 = performance.now();
    const { data } = await readGraphFile(file, { name: path.basename(file), directed: false });
    const graph = await store.create(data);
    log(`[bench api] graph ${graph.name}: ${graph.customers} customers, ${graph.ties} ties (loaded in ${Math.round(performance.now() - t0)} ms)`);

    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('bench: no TCP address');
    const base = `http://127.0.0.1:${address.port}`;
    log(`[bench api] ${smoke ? 'smoke' : 'full'} mode, server on ${base}, node ${process.version}, workers ${config.workers}, in-flight cap ${IN_FLIGHT_CAP}`);

    const centralityPath = `/graphs/${graph.id}/centrality/pagerank?top=10`;
    const simulation = JSON.stringify({ model: 'ic', seeds: [seedCustomer], runs: 100, seed: 7, probability: 'uniform', p: 0.01 });
    const scenario = JSON.stringify({ customer: seedCustomer, experience: 'negative', p: 0.01, runs: 100, seed: 1 });

    // Warm up: compile the graph, fill the centrality cache, start the workers; fail early on a wrong request.
    for (const [method, p, body] of [['GET', centralityPath, undefined], ['POST', `/graphs/${graph.id}/simulations`, simulation], ['POST', `/graphs/${graph.id}/scenarios`, scenario]] as const) {
      const res = await fetch(base + p, { method, body, headers: body ? { 'content-type': 'application/json' } : undefined });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`bench: warm-up ${method} ${p} answered ${res.status}: ${text.slice(0, 300)}`);
    }
    const hasScenarios = app.hasRoute({ method: 'POST', url: '/graphs/:id/scenarios' });

    const cachedRead = { text: '>= 10000 req/s', met: (r: Result) => r.requests.average >= 10_000 && r.non2xx === 0 };
    if (runs('health')) toRow('GET /health', await fire(`${base}/health`, { connections: CONNECTIONS, seconds: PHASE_S }), CONNECTIONS, cachedRead);
    if (runs('centrality')) toRow('GET centrality pagerank top=10 (cached)', await fire(base + centralityPath, { connections: CONNECTIONS, seconds: PHASE_S }), CONNECTIONS, cachedRead);
    if (runs('summary')) toRow('GET /graphs/:id', await fire(`${base}/graphs/${graph.id}`, { connections: CONNECTIONS, seconds: PHASE_S }), CONNECTIONS, cachedRead);
    if (runs('customer')) toRow('GET /graphs/:id/customers/:cid', await fire(`${base}/graphs/${graph.id}/customers/${seedCustomer}`, { connections: CONNECTIONS, seconds: PHASE_S }), CONNECTIONS, cachedRead);
    if (runs('info')) toRow('GET /graphs/:id/info', await fire(`${base}/graphs/${graph.id}/info`, { connections: CONNECTIONS, seconds: PHASE_S }), CONNECTIONS, cachedRead);
    if (runs('simulation')) {
      toRow('POST simulations (IC, 100 runs)', await fire(`${base}/graphs/${graph.id}/simulations`, { connections: CONNECTIONS, seconds: PHASE_S, method: 'POST', body: simulation }), CONNECTIONS, {
        text: 'p99 < 50 ms',
        met: (r) => r.latency.p99 < 50 && r.non2xx === 0,
      });
    }
    if (runs('scenario') && hasScenarios) {
      toRow('POST scenarios (voice, 100 runs)', await fire(`${base}/graphs/${graph.id}/scenarios`, { connections: CONNECTIONS, seconds: PHASE_S, method: 'POST', body: scenario }), CONNECTIONS);
    } else if (runs('scenario')) {
      log('[bench api] POST /graphs/:id/scenarios is not registered: scenario phase skipped');
    }

    if (runs('overload')) {
      // 4x overload with /health probed alongside.
      const probes: number[] = [];
      let probeFailures = 0;
      let probing = true;
      const probeLoop = (async () => {
        while (probing) {
          const s = performance.now();
          try {
            const res = await fetch(`${base}/health`);
            await res.text();
            if (res.status === 200) probes.push(performance.now() - s);
            else probeFailures++;
          } catch {
            probeFailures++;
          }
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      const overload = await fire(`${base}/graphs/${graph.id}/simulations`, { connections: OVERLOAD_CONNECTIONS, seconds: PHASE_S, method: 'POST', body: simulation });
      probing = false;
      await probeLoop;
      probes.sort((a, b) => a - b);
      const probeP99 = probes.length ? probes[Math.min(probes.length - 1, Math.floor(probes.length * 0.99))] : NaN;
      toRow('overload 4x: simulations', overload, OVERLOAD_CONNECTIONS, {
        text: 'sheds 503s, keeps serving 2xx, /health answers',
        met: (r) => (r.statusCodeStats?.['503']?.count ?? 0) > 0 && r['2xx'] > 0 && probeFailures === 0 && probes.length > 0,
      }, `/health probes ${probes.length}, failed ${probeFailures}, p99 ${probeP99.toFixed(1)} ms`);
    }

    if (runs('mixed')) {
      // Mixed run with RSS sampling.
      const mixed: Request[] = [
        { method: 'GET', path: '/health' },
        { method: 'GET', path: centralityPath },
        { method: 'POST', path: `/graphs/${graph.id}/simulations`, body: simulation, headers: { 'content-type': 'application/json' } },
        { method: 'GET', path: `/graphs/${graph.id}` },
        { method: 'GET', path: `/graphs/${graph.id}/customers/${seedCustomer}` },
        ...(hasScenarios ? [{ method: 'POST', path: `/graphs/${graph.id}/scenarios`, body: scenario, headers: { 'content-type': 'application/json' } }] : []),
        { method: 'GET', path: '/graphs/g_0000000000000000' },
      ];
      const rss: number[] = [];
      const sampler = setInterval(() => rss.push(process.memoryUsage().rss), 1000);
      rss.push(process.memoryUsage().rss);
      const mixedResult = await fire(base, { connections: CONNECTIONS, seconds: MIXED_S, requests: mixed });
      clearInterval(sampler);
      rss.push(process.memoryUsage().rss);
      const fifth = Math.max(1, Math.floor(rss.length / 5));
      const firstPeak = Math.max(...rss.slice(0, fifth));
      const lastPeak = Math.max(...rss.slice(-fifth));
      const mb = (b: number) => Math.round(b / 2 ** 20);
      // Expected 404 for the unknown graph: 1 request in `mixed.length`.
      toRow(`mixed ${MIXED_S} s`, mixedResult, CONNECTIONS, {
        text: 'RSS bounded (last-fifth peak <= 1.25 x first-fifth peak + 64 MB)',
        met: () => lastPeak <= firstPeak * 1.25 + 64 * 2 ** 20,
      }, `RSS MB start ${mb(rss[0])}, first-fifth peak ${mb(firstPeak)}, last-fifth peak ${mb(lastPeak)}, max ${mb(Math.max(...rss))}, end ${mb(rss[rss.length - 1])}; 4xx are the deliberate 404s`);
    }

    log(`checksum ${rows.reduce((t, r) => t + r.checksum, 0)}`);
    if (asJson) console.log(JSON.stringify({ smoke, node: process.version, workers: config.workers, graph: { name: graph.name, customers: graph.customers, ties: graph.ties }, rows }, null, 2));
  } finally {
    await app.close();
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();

