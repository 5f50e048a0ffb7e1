import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { JobManager } from '../src/jobs/index.js';
import { snapshotGraphs, sleep, startAbuseServer } from './abuse-helper.js';
import { root } from './cli-helper.js';
import { tempDir } from './helper.js';

/** The built server in a child process with a capped V8 heap; resolves with its URL once it listens. */
async function startChild(env: Record<string, string>, heapMb = 256): Promise<{ child: ChildProcess; url: string; dir: string }> {
  const dir = await tempDir('ripple-mem-');
  const child = spawn(process.execPath, [`--max-old-space-size=${heapMb}`, join(root, 'dist', 'src', 'server.js')], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', RIPPLE_DATA_DIR: dir, RIPPLE_DEMO: 'false', RIPPLE_WORKERS: '1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onTestFinished(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
  return { child, url, dir };
}

/** Peak resident set size of a process, in bytes (Linux /proc). */
const peakRss = (pid: number) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;

const json = (body: unknown, method = 'POST') => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** A complete directed graph on 34 customers (1122 arcs): every RR set with p = 1 holds all 34. */
function dense34() {
  const ties = [];
  for (let i = 0; i < 34; i++) for (let j = 0; j < 34; j++) if (i !== j) ties.push({ source: `c${i}`, target: `c${j}` });
  return { name: 'dense', directed: true, ties };
}

/** Abuse class: memory and work. Estimated before running, bounded, cancellable; tested with a capped heap. */
describe('abuse: memory and work (server in a child with --max-old-space-size=256)', () => {
  it('over-large answers, per-run memory and IMM RR sets are 422 naming what to lower; value RR sets are not held; jobs hold bounded results; long runs cancel', async () => {
    const { child, url, dir } = await startChild({ RIPPLE_MAX_RESULT_BYTES: '4MB', RIPPLE_MAX_REQUEST_MEMORY: '64MB', RIPPLE_JOB_RESULTS_BYTES: '12kb' });
    const created = await fetch(`${url}/graphs`, json(dense34()));
    expect(created.status).toBe(201);
    const id = ((await created.json()) as { id: string }).id;
    const before = await snapshotGraphs(dir);

    // SIR with gamma = 0 and a huge maxSteps: its step curves alone would be ~190 MB. Refused before any run.
    const sir = await fetch(`${url}/graphs/${id}/simulations`, json({ model: 'sir', seeds: ['c0'], gamma: 0, beta: 1e-9, p: 1, maxSteps: 1_000_000, runs: 1, seed: 1 }));
    expect(sir.status).toBe(422);
    const sp = (await sir.json()) as { detail: string; errors: { path: string; message: string }[] };
    expect(sp.detail).toMatch(/RIPPLE_MAX_RESULT_BYTES/);
    const maxSteps = sp.errors.find((e) => e.path === 'body.maxSteps');
    expect(maxSteps?.message).toMatch(/at most \d+/);
    // ...and the suggested maxSteps is accepted.
    const fit = Number(/at most (\d+)/.exec(maxSteps!.message)![1]);
    expect(fit).toBeGreaterThan(1000);
    const fits = await fetch(`${url}/graphs/${id}/simulations?async=true`, json({ model: 'sir', seeds: ['c0'], gamma: 0, beta: 1e-9, p: 1, maxSteps: fit, runs: 1, seed: 1 }));
    expect(fits.status).toBe(202);
    const fitJob = ((await fits.json()) as { job: { id: string } }).job.id;
    expect((await fetch(`${url}/jobs/${fitJob}`, { method: 'DELETE' })).status).toBeLessThan(300);

    // A scenario compare with 1M runs × 10 variants would hold ~480 MB of per-run values.
    const variants = Array.from({ length: 10 }, (_, i) => ({ name: `v${i}`, response: { atStep: i, effectiveness: 0.5, public: true } }));
    const sc = await fetch(`${url}/graphs/${id}/scenarios`, json({ customer: 'c0', runs: 1_000_000, variants }));
    expect(sc.status).toBe(422);
    const scp = (await sc.json()) as { detail: string; errors: { path: string }[] };
    expect(scp.detail).toMatch(/RIPPLE_MAX_REQUEST_MEMORY/);
    expect(scp.errors.map((e) => e.path)).toEqual(expect.arrayContaining(['body.runs', 'body.variants']));

    // 2M value RR sets on 34 customers with p = 1: 68M members (272 MB stored). Counted, not stored: RSS stays low.
    const rss0 = peakRss(child.pid!);
    const value = await fetch(`${url}/graphs/${id}/value?top=3&rrSets=2000000&p=1`);
    expect(value.status === 200 || value.status === 202).toBe(true);
    if (value.status === 202) {
      const job = ((await value.json()) as { job: { id: string } }).job.id;
      for (let i = 0; i < 600; i++) {
        const st = (await (await fetch(`${url}/jobs/${job}`)).json()) as { state: string };
        if (st.state !== 'running' && st.state !== 'queued') break;
        await sleep(100);
      }
    }
    const rssGrowth = peakRss(child.pid!) - rss0;
    console.log(`abuse-memory: 2M RR sets of 34 customers: peak RSS grew ${(rssGrowth / 1048576).toFixed(0)} MB`);
    expect(rssGrowth).toBeLessThan(150 * 1024 * 1024);

    // IMM with a tiny epsilon on a complete graph with p = 1: θ ≈ 1.3M RR sets of 34 customers (≥ 180 MB). Estimated
    // from a pilot of RR sets before any is sampled: 422 naming epsilon, and the process does not grow.
    const rssImm = peakRss(child.pid!);
    const imm = await fetch(`${url}/graphs/${id}/influencers`, json({ k: 2, method: 'imm', p: 1, epsilon: 0.005, seed: 1 }));
    expect(imm.status).toBe(422);
    const ip = (await imm.json()) as { detail: string; errors: { path: string; message: string }[] };
    expect(ip.detail).toMatch(/RR sets while running \(RIPPLE_MAX_REQUEST_MEMORY is 64\.0 MB\).*measured by a pilot of \d+ RR sets/);
    const eps = ip.errors.find((e) => e.path === 'body.epsilon');
    expect(eps?.message).toMatch(/at least 0\.\d+/);
    expect(peakRss(child.pid!) - rssImm).toBeLessThan(32 * 1024 * 1024);
    // ...the suggested epsilon passes the door (then the job is dropped), and so does the gains' own collection:
    const fitEps = Number(/at least (0\.\d+)/.exec(eps!.message)![1]);
    expect(fitEps).toBeGreaterThan(0.005);
    const immFit = await fetch(`${url}/graphs/${id}/influencers?async=true`, json({ k: 2, method: 'imm', p: 1, epsilon: fitEps, seed: 1 }));
    expect(immFit.status).toBe(202);
    await fetch(`${url}/jobs/${((await immFit.json()) as { job: { id: string } }).job.id}`, { method: 'DELETE' });
    const gains = await fetch(`${url}/graphs/${id}/influencers`, json({ k: 2, method: 'degree', p: 1, gainSamples: 10_000_000, seed: 1 }));
    expect(gains.status).toBe(422);
    const gp = (await gains.json()) as { errors: { path: string; message: string }[] };
    expect(gp.errors.find((e) => e.path === 'body.gainSamples')?.message).toMatch(/at most \d+/);

    // A long SIR run (gamma = 0) as a job is cancelled within the run, not after it.
    const long = await fetch(`${url}/graphs/${id}/simulations?async=true`, json({ model: 'sir', seeds: ['c0'], gamma: 0, beta: 1, p: 1, maxSteps: 15_000, runs: 200, seed: 1 }));
    expect(long.status).toBe(202);
    const longJob = ((await long.json()) as { job: { id: string } }).job.id;
    await sleep(300);
    const t0 = performance.now();
    await fetch(`${url}/jobs/${longJob}`, { method: 'DELETE' });
    let state = '';
    for (let i = 0; i < 100 && state !== 'cancelled'; i++) {
      state = ((await (await fetch(`${url}/jobs/${longJob}`)).json()) as { state: string }).state;
      if (state !== 'cancelled') await sleep(50);
    }
    expect(state).toBe('cancelled');
    expect(performance.now() - t0).toBeLessThan(5000);

    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect(child.exitCode).toBeNull();
    expect(await snapshotGraphs(dir)).toEqual(before);
  });

  it('finished jobs hold at most maxResultBytes (RIPPLE_JOB_RESULTS_BYTES) of results: oldest forgotten first, an over-large one fails 413', async () => {
    const jobs = new JobManager({ maxResultBytes: 100 });
    onTestFinished(() => jobs.close());
    const done = async (id: string) => {
      for (let i = 0; i < 100; i++) {
        const v = jobs.get(id);
        if (v.state !== 'queued' && v.state !== 'running') return v;
        await sleep(5);
      }
      throw new Error('job did not finish');
    };
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const v = jobs.submit({ kind: 'test', run: async () => 'x'.repeat(38) }); // 40 JSON bytes each
      await done(v.id);
      ids.push(v.id);
    }
    expect(() => jobs.get(ids[0])).toThrow(/no job/); // 120 bytes > 100: the oldest went
    expect(jobs.get(ids[2]).result).toBe('x'.repeat(38));
    const big = jobs.submit({ kind: 'test', run: async () => 'y'.repeat(500) });
    const v = await done(big.id);
    expect(v.state).toBe('failed');
    expect(v.error).toMatchObject({ status: 413, code: 'result-too-large' });
  });

  it('SIGTERM answers the requests in flight before the process exits', async () => {
    const { child, url } = await startChild({});
    const ties = Array.from({ length: 3000 }, (_, i) => ({ source: `c${i}`, target: `c${(i * 7 + 1) % 3000}` }));
    const id = ((await (await fetch(`${url}/graphs`, json({ name: 'ring', directed: false, ties }))).json()) as { id: string }).id;
    // A synchronous request that takes a while (within the work budget).
    const pending = fetch(`${url}/graphs/${id}/simulations`, json({ model: 'ic', seeds: ['c0'], p: 0.9, runs: 20_000, seed: 1 }));
    await sleep(300);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    const res = await pending;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { runs: number }).runs).toBe(20_000);
    expect(await exited).toBe(0);
  });
});

/** Abuse class: work estimate. The work of a simulation or a value ranking is measured by a pilot, not guessed. */
describe('abuse: work measured by a pilot of the request (in-process server)', () => {
  it('a cheap SIR the cost function overrates answers 200; a long one becomes a cancellable job, or a 422 naming runs with async=false; value RR sets are measured', async () => {
    const s = await startAbuseServer({ RIPPLE_SYNC_BUDGET: '25000000' }, { graph: dense34() });
    const before = await s.snapshot();
    const post = (path: string, body: unknown) => fetch(`${s.url}${path}`, json(body));
    // gamma = 0.01, beta tiny: each run keeps its seed infected ~100 steps trying its 33 arcs, ~3400 arcs. The cost
    // function says (1122 arcs + 34) × 100 steps × 300 runs = 3.5e7 > RIPPLE_SYNC_BUDGET (2.5e7 here); measured: ~1e6.
    const cheap = { model: 'sir', seeds: ['c0'], gamma: 0.01, beta: 1e-9, p: 1, maxSteps: 100_000, runs: 300, seed: 3 };
    const t0 = performance.now();
    const sync = await post(`/graphs/${s.graphId}/simulations`, cheap);
    const ms = performance.now() - t0;
    expect(sync.status, await sync.clone().text()).toBe(200);
    const body = (await sync.json()) as { runs: number; elapsedMs: number };
    expect(body.runs).toBe(300);
    console.log(`abuse-work: SIR gamma 0.01 x 300 runs answered synchronously in ${ms.toFixed(0)} ms (static estimate 3.5e7 arcs, over the budget of 2.5e7)`);
    // The pilot changes no stream: the same request as a job (no pilot) gives the same answer.
    const queued = await post(`/graphs/${s.graphId}/simulations?async=true`, cheap);
    expect(queued.status).toBe(202);
    const jobId = ((await queued.json()) as { job: { id: string } }).job.id;
    let job: { state: string; result?: { elapsedMs: number } } = { state: 'queued' };
    for (let i = 0; i < 200 && job.state !== 'succeeded'; i++) {
      job = (await (await fetch(`${s.url}/jobs/${jobId}`)).json()) as typeof job;
      if (job.state !== 'succeeded') await sleep(25);
    }
    const strip = (r: Record<string, unknown>) => ({ ...r, elapsedMs: 0 });
    expect(strip(job.result as never)).toEqual(strip(body as never));

    // gamma = 0: every run lasts its 5000 steps (1.7e5 arcs): 300 runs are 5e7 arcs measured — a job, cancellable.
    const long = { model: 'sir', seeds: ['c0'], gamma: 0, beta: 1e-9, p: 1, maxSteps: 5000, runs: 300, seed: 3 };
    const accepted = await post(`/graphs/${s.graphId}/simulations`, long);
    expect(accepted.status).toBe(202);
    const a = (await accepted.json()) as { job: { id: string }; work: number; budget: number };
    expect(a.work).toBeGreaterThan(a.budget);
    await sleep(100);
    expect((await fetch(`${s.url}/jobs/${a.job.id}`, { method: 'DELETE' })).status).toBeLessThan(300);
    let state = '';
    for (let i = 0; i < 100 && state !== 'cancelled'; i++) {
      state = ((await (await fetch(`${s.url}/jobs/${a.job.id}`)).json()) as { state: string }).state;
      if (state !== 'cancelled') await sleep(20);
    }
    expect(state).toBe('cancelled');
    // async=false: no job allowed, so a 422 saying how many runs fit.
    const refused = await post(`/graphs/${s.graphId}/simulations?async=false`, long);
    expect(refused.status).toBe(422);
    const rp = (await refused.json()) as { detail: string; errors: { path: string; message: string }[] };
    expect(rp.detail).toMatch(/RIPPLE_SYNC_BUDGET: 25000000\), and async=false forbids a job: lower runs or maxSteps/);
    const fit = Number(/at most (\d+)/.exec(rp.errors.find((e) => e.path === 'body.runs')!.message)![1]);
    // 2.5e7 / 1.7e5 per run measured: 147; on a machine so loaded that one run outlasts the pilot's 25 ms, the cost
    // function's 5.8e6 per run: 4.
    console.log(`abuse-work: async=false: ${rp.detail}`);
    expect(fit).toBeGreaterThanOrEqual(1);
    expect(fit).toBeLessThan(300);
    if (/measured: \d+ pilot run/.test(rp.detail)) expect(fit).toBeGreaterThan(100);

    // Value RR sets on a complete graph with p = 1: every set holds all 34 customers and their 1122 in-arcs. The
    // static estimate (mean degree 33 per set: 6.6e7 for 2M sets, 3.3e5 for 10 000) may say synchronous; measured,
    // 2M sets are 2.3e9 arcs: a job; 10 000 sets, 1.2e7: answered.
    const value = await fetch(`${s.url}/graphs/${s.graphId}/value?top=3&rrSets=2000000&p=1`);
    expect(value.status).toBe(202);
    const v = (await value.json()) as { job: { id: string }; work: number };
    expect(v.work).toBeGreaterThan(2e9);
    await fetch(`${s.url}/jobs/${v.job.id}`, { method: 'DELETE' });
    const small = await fetch(`${s.url}/graphs/${s.graphId}/value?top=3&rrSets=10000&p=1`);
    expect(small.status).toBe(200);
    await s.expectSurvived(before);
  });

  it('influencers and scenarios are measured too: what the static estimate sends to a job but is quick answers 200, what it lets through but is long becomes a job', async () => {
    const s = await startAbuseServer({ RIPPLE_SYNC_BUDGET: '25000000' }, { graph: dense34() });
    const before = await s.snapshot();
    const post = (path: string, body: unknown) => fetch(`${s.url}${path}`, json(body));
    // A star: one hub speaking to 20 000 followers. Its RR sets hold ~1 customer (the hub joins 1 in 20): IMM's static
    // estimate at epsilon 0.2 (λ*/k sets × the mean degree, 3.4e7, + 500 runs × 20 000 arcs + the comparison's) says
    // ~4.8e7 arcs; measured, its ~3e5 sets cost ~2 arcs each and the 500 runs from the hub 20 000 each: ~1.5e7.
    const leaves = 20_000;
    const star = await post('/graphs', { name: 'star', directed: true, ties: Array.from({ length: leaves }, (_, i) => ({ source: 'hub', target: `f${i}` })) });
    expect(star.status).toBe(201);
    const starId = ((await star.json()) as { id: string }).id;
    const sync = async (path: string, body: unknown, what: string) => {
      const t0 = performance.now();
      const res = await post(path, body);
      const ms = performance.now() - t0;
      expect(res.status, `${what}: ${await res.clone().text()}`).toBe(200);
      console.log(`abuse-work: ${what} answered synchronously in ${ms.toFixed(0)} ms`);
      return (await res.json()) as Record<string, unknown>;
    };
    const picked = await sync(`/graphs/${starId}/influencers`, { k: 1, method: 'imm', p: 0.05, epsilon: 0.2, runs: 500, seed: 1 }, 'IMM on a 20k-follower star (static estimate ~4.8e7 > 2.5e7)');
    expect((picked.seeds as { id: string }[])[0].id).toBe('hub');
    // A follower complains: nobody hears it. runs × arcs says 2000 × 20 000 = 4e7 (× 3 variants: 1.2e8); measured: ~2 per run.
    await sync(`/graphs/${starId}/scenarios`, { customer: 'f7', experience: 'negative', seed: 1 }, 'a scenario that dies at once (static 4e7)');
    const cmp = await sync(`/graphs/${starId}/scenarios`, {
      customer: 'f7', experience: 'negative', seed: 1,
      variants: [{ name: 'none', response: null }, { name: 'at 1', response: { atStep: 1, effectiveness: 0.5, public: true } }, { name: 'at 2', response: { atStep: 2, effectiveness: 0.5, public: false } }],
    }, 'a 3-variant compare that dies at once (static 1.2e8)');
    expect(cmp.variants).toHaveLength(3);

    // The complete 34-customer graph with p = 1: every RR set holds all 34 customers and examines their 1122 in-arcs.
    // Static (mean degree 33 per set): ~2.1e7, under the budget; measured: ~2e5 sets × 1156 = 2.3e8 — a job.
    const heavy = { k: 2, method: 'imm', p: 1, seed: 1 };
    const accepted = await post(`/graphs/${s.graphId}/influencers`, heavy);
    expect(accepted.status, await accepted.clone().text()).toBe(202);
    const a = (await accepted.json()) as { job: { id: string }; work: number; budget: number };
    expect(a.work).toBeGreaterThan(1e8);
    expect((await fetch(`${s.url}/jobs/${a.job.id}`, { method: 'DELETE' })).status).toBeLessThan(300);
    const refused = await post(`/graphs/${s.graphId}/influencers?async=false`, heavy);
    expect(refused.status).toBe(422);
    const rp = (await refused.json()) as { detail: string; errors: { path: string }[] };
    expect(rp.detail).toMatch(/measured: \d+ pilot RR sets of about 34 customers/);
    expect(rp.errors.map((e) => e.path)).toEqual(expect.arrayContaining(['body.epsilon', 'body.runs']));
    // A scenario whose every run reaches all 34 (p = 1): 20 000 runs × ~1156 measured = 2.3e7 per variant, × 2 variants.
    const long = { customer: 'c0', experience: 'negative', p: 1, runs: 20_000, seed: 1, variants: [{ name: 'none', response: null }, { name: 'at 1', response: { atStep: 1, effectiveness: 0.5, public: true } }] };
    const refusedScenario = await post(`/graphs/${s.graphId}/scenarios?async=false`, long);
    expect(refusedScenario.status).toBe(422);
    const sp = (await refusedScenario.json()) as { detail: string; errors: { path: string; message: string }[] };
    // (On a machine so loaded that a first run outlasts its share of the pilot's 25 ms, the cost function counts.)
    expect(sp.detail).toMatch(/measured: 2 variants, each from /);
    if (/each from \d+ pilot runs?/.test(sp.detail)) {
      const fit = Number(/at most (\d+)/.exec(sp.errors.find((e) => e.path === 'body.runs')!.message)![1]);
      expect(fit).toBeGreaterThan(1000);
      expect(fit).toBeLessThan(20_000);
    }
    const queued = await post(`/graphs/${s.graphId}/scenarios`, long);
    expect(queued.status).toBe(202);
    await fetch(`${s.url}/jobs/${((await queued.json()) as { job: { id: string } }).job.id}`, { method: 'DELETE' });
    await fetch(`${s.url}/graphs/${starId}`, { method: 'DELETE' });
    await s.expectSurvived(before);
  });

  it('centrality and riskiest without candidates are measured too: sources × what each search reaches, and the ranking plus stand-in candidates', async () => {
    const s = await startAbuseServer({ RIPPLE_SYNC_BUDGET: '25000000' }, { graph: dense34() });
    const before = await s.snapshot();
    const post = (path: string, body: unknown) => fetch(`${s.url}${path}`, json(body));
    const created = async (body: unknown) => {
      const res = await post('/graphs', body);
      expect(res.status).toBe(201);
      return ((await res.json()) as { id: string }).id;
    };
    const timed = async (path: string, init?: RequestInit) => {
      const t0 = performance.now();
      const res = await fetch(`${s.url}${path}`, init);
      return { res, ms: performance.now() - t0 };
    };
    // 300 separate groups of 10 who all know each other (3000 customers, 27 000 arcs): the static sources × arcs says
    // 8.1e7, over the budget of 2.5e7; each search reaches 10 customers and 90 arcs, and closeness' bit-parallel BFS
    // sweeps all customers twice a level: measured ~2e6 (betweenness, two passes of ~100 per source: 6e5).
    const groups: { source: string; target: string }[] = [];
    for (let gi = 0; gi < 300; gi++) for (let a = 0; a < 10; a++) for (let b = a + 1; b < 10; b++) groups.push({ source: `g${gi}-${a}`, target: `g${gi}-${b}` });
    const pairs = await created({ name: 'groups', ties: groups });
    for (const metric of ['closeness', 'harmonic', 'betweenness']) {
      const { res, ms } = await timed(`/graphs/${pairs}/centrality/${metric}?top=3`);
      expect(res.status, `${metric}: ${await res.clone().text()}`).toBe(200);
      console.log(`abuse-work: ${metric} on 300 groups of 10 (static 8.1e7 > 2.5e7) answered synchronously in ${ms.toFixed(0)} ms`);
    }
    // Riskiest without candidates on 5000 pairs: static 2000 runs × 10 000 arcs × 10 candidates + the ranking = 2e8;
    // measured: the ranking's RR sets (~2 arcs each) and 8 stand-ins' runs (~2 arcs each): ~3e5.
    const few = await created({ name: 'few pairs', ties: Array.from({ length: 5000 }, (_, i) => ({ source: `a${i}`, target: `b${i}` })) });
    const risky = await timed(`/graphs/${few}/scenarios/riskiest?async=false`, json({ top: 10, seed: 1 }));
    const riskyText = await risky.res.clone().text();
    if (risky.res.status === 200) {
      expect(((await risky.res.json()) as { top: unknown[] }).top).toHaveLength(10);
      console.log(`abuse-work: riskiest top 10 without candidates on 5000 pairs (static 2e8) answered synchronously in ${risky.ms.toFixed(0)} ms`);
    } else {
      // On a machine so loaded that a stand-in's first run outlasts its share of the pilot's 25 ms, the cost function counts.
      expect(risky.res.status, riskyText).toBe(422);
      expect(riskyText).toMatch(/a pilot run longer than the pilot could time/);
      console.log(`abuse-work: riskiest on 5000 pairs: the pilot could not time a run (loaded machine): ${riskyText.slice(0, 300)}`);
    }

    // A connected ring of 6000 customers with chords (24 000 arcs): every search reaches all of them, ~3e4 per source,
    // × 6000 sources = 1.8e8 measured (betweenness, two passes: 3.6e8) — a job; async=false: 422 (betweenness: lower k).
    const n = 6000;
    const ring = await created({ name: 'ring', ties: Array.from({ length: 2 * n }, (_, i) => ({ source: `r${i % n}`, target: `r${i < n ? (i + 1) % n : (i * 7 + 3) % n}` })) });
    const queued = await fetch(`${s.url}/graphs/${ring}/centrality/closeness?top=3`);
    expect(queued.status, await queued.clone().text()).toBe(202);
    const q = (await queued.json()) as { job: { id: string }; work: number; budget: number };
    expect(q.work).toBeGreaterThan(1e8);
    await fetch(`${s.url}/jobs/${q.job.id}`, { method: 'DELETE' });
    const refused = await fetch(`${s.url}/graphs/${ring}/centrality/betweenness?top=3&async=false`);
    expect(refused.status).toBe(422);
    const rp = (await refused.json()) as { detail: string; errors: { path: string; message: string }[] };
    expect(rp.detail).toMatch(/measured: \d+ pilot searches reaching about 6000 customers/);
    const fit = Number(/at most (\d+)/.exec(rp.errors.find((e) => e.path === 'query.k')!.message)![1]);
    expect(fit).toBeGreaterThan(200); // 2.5e7 / (2 × 30 000) ≈ 416
    expect(fit).toBeLessThan(n);
    console.log(`abuse-work: betweenness async=false on a 6000-customer ring: ${rp.detail}`);
    const sampled = await fetch(`${s.url}/graphs/${ring}/centrality/betweenness?top=3&async=false&k=${fit}`);
    expect(sampled.status, await sampled.clone().text()).toBe(200);

    // Riskiest without candidates on the complete 34-customer graph with p = 1: every run reaches all 34 (1156 arcs and
    // steps): 20 000 runs × 10 candidates ≈ 2.3e8 measured, plus the ranking's 1e5 RR sets of 34 customers.
    const heavy = await post(`/graphs/${s.graphId}/scenarios/riskiest?async=false`, { top: 10, p: 1, runs: 20_000, seed: 1 });
    expect(heavy.status, await heavy.clone().text()).toBe(422);
    const hp = (await heavy.json()) as { detail: string; errors: { path: string }[] };
    expect(hp.detail).toMatch(/measured: the ranking's \d+ pilot RR sets of about 34 customers/);
    expect(hp.errors.map((e) => e.path)).toEqual(expect.arrayContaining(['body.runs', 'body.top', 'body.rrSets']));
    for (const id of [pairs, few, ring]) await fetch(`${s.url}/graphs/${id}`, { method: 'DELETE' });
    await s.expectSurvived(before);
  });

  it('an RR collection that would outgrow RIPPLE_MAX_REQUEST_MEMORY while IMM runs stops with a 422 naming what to lower (sync and as a job)', async () => {
    // A heavy tail the door's pilot does not see: a hub tells 20 000 customers, each of whom tells 5 "sinks". An RR set
    // rooted at a sink holds all 20 002 customers, any other just 2; 1 root in 4000 is a sink, and the pilot's 1024 sets
    // (seed 2) hold none, so the door estimates ~3.6 MB for the 100 000 gain sets — while they hold ~2.8 MB of members
    // and, growing by doubling, pass the 4 MB bound.
    const sinks = 5;
    const lines = [];
    for (let i = 0; i < 20_000; i++) {
      lines.push(`hub a${i}`);
      for (let j = 0; j < sinks; j++) lines.push(`a${i} s${j}`);
    }
    const s = await startAbuseServer({ RIPPLE_MAX_REQUEST_MEMORY: '4MB' });
    const before = await s.snapshot();
    // An edge list upload (parsed off the event loop), then loaded once, before the load shedder's delay sample matters.
    const up = await fetch(`${s.url}/graphs/import?format=edgelist&name=tail&directed=true`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: lines.join('\n') });
    expect(up.status).toBe(201);
    const graphId = ((await up.json()) as { id: string }).id;
    expect((await fetch(`${s.url}/graphs/${graphId}/centrality/degree?top=1`)).status).toBe(200);
    await sleep(600);
    const body = { k: 1, method: 'imm', p: 1, seed: 2, epsilon: 0.1, compare: false, runs: 100 };
    const res = await fetch(`${s.url}/graphs/${graphId}/influencers?async=false`, json(body));
    const text = await res.text();
    expect(res.status, text).toBe(422);
    const p = JSON.parse(text) as { detail: string; code: string; errors: { path: string }[] };
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(p.detail).toMatch(/^RR sets: the collection would hold [\d.]+ MB after \d+ sets, above the 4\.0 MB one request may hold \(RIPPLE_MAX_REQUEST_MEMORY\); stopped before it grew: raise epsilon or lower gainSamples or lower p$/);
    expect(p.errors.map((e) => e.path)).toEqual(['body.epsilon', 'body.gainSamples', 'body.p']);
    // As a job: it fails with the same 422, and the server is none the worse.
    const queued = await fetch(`${s.url}/graphs/${graphId}/influencers?async=true`, json(body));
    expect(queued.status).toBe(202);
    const jobId = ((await queued.json()) as { job: { id: string } }).job.id;
    let job: { state: string; error?: { status: number; detail: string } } = { state: 'queued' };
    for (let i = 0; i < 300 && !['failed', 'succeeded'].includes(job.state); i++) {
      await sleep(20);
      job = (await (await fetch(`${s.url}/jobs/${jobId}`)).json()) as typeof job;
    }
    expect(job.state).toBe('failed');
    expect(job.error).toMatchObject({ status: 422, detail: expect.stringMatching(/RIPPLE_MAX_REQUEST_MEMORY/) });
    await fetch(`${s.url}/graphs/${graphId}`, { method: 'DELETE' });
    await s.expectSurvived(before);
  });
});
