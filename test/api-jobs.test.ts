import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import { loadDemoIfEmpty } from '../src/api/demo.js';
import { DEFAULT_SYNC_BUDGET } from '../src/config.js';
import { buildTestApp } from './helper.js';

/** Jobs over HTTP: work above the budget -> 202, poll, server-sent events, cancel that frees the workers. */

/** A ring of n customers (undirected): every cascade with p = 1 reaches all of them. */
function ring(n: number) {
  return {
    name: `ring${n}`,
    directed: false,
    ties: Array.from({ length: n }, (_, i) => ({ source: `c${i}`, target: `c${(i + 1) % n}` })),
  };
}

async function setup(env: Record<string, string> = {}, n = 50) {
  const t = await buildTestApp({ RIPPLE_WORKERS: '2', ...env });
  const res = await t.app.inject({ method: 'POST', url: '/graphs', payload: ring(n) });
  expect(res.statusCode, res.body).toBe(201);
  return { ...t, id: res.json().id as string };
}

async function poll(app: FastifyInstance, url: string, until: (job: { state: string }) => boolean, timeoutMs = 20_000) {
  const t0 = Date.now();
  for (;;) {
    const res = await app.inject(url);
    expect(res.statusCode, res.body).toBe(200);
    const job = res.json();
    if (until(job)) return job;
    if (Date.now() - t0 > timeoutMs) throw new Error(`job still ${job.state} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const noElapsed = (o: Record<string, unknown>) => {
  const { elapsedMs: _e, ...rest } = o;
  return rest;
};

function expectAccepted(res: LightMyRequestResponse) {
  expect(res.statusCode, res.body).toBe(202);
  const body = res.json();
  expect(body.job).toMatchObject({ id: expect.any(String), state: expect.stringMatching(/queued|running/), progress: expect.any(Number) });
  expect(res.headers.location).toBe(`/jobs/${body.job.id}`);
  expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  return body as { job: { id: string; kind: string; graphId: string; state: string }; work: number; budget: number };
}

/** Parse a text/event-stream body into events. */
function events(body: string): { event: string; data: { state: string; progress: number; result?: unknown; error?: unknown } }[] {
  return body
    .split('\n\n')
    .filter((b) => b.startsWith('event:'))
    .map((b) => {
      const [e, d] = b.split('\n');
      return { event: e.slice('event: '.length), data: JSON.parse(d.slice('data: '.length)) };
    });
}

describe('jobs', () => {
  it('results name the graph version they were computed on: a job started before a replace keeps the old one', async () => {
    const { app, id } = await setup();
    const req = { model: 'ic', seeds: ['c0'], runs: 200_000, seed: 5, p: 0.4 };
    const accepted = expectAccepted(await app.inject({ method: 'POST', url: `/graphs/${id}/simulations?async=true`, payload: req }));
    const replaced = await app.inject({ method: 'PUT', url: `/graphs/${id}`, payload: ring(10) });
    expect(replaced.json().version).toBe(2);
    const done = await poll(app, `/jobs/${accepted.job.id}`, (j) => j.state !== 'queued' && j.state !== 'running');
    expect(done.state).toBe('succeeded');
    expect(done.result).toMatchObject({ graphId: id, graphVersion: 1 });
    expect(done.result.reach.max).toBeGreaterThan(10); // the 50-customer ring of version 1
    const now = await app.inject({ method: 'POST', url: `/graphs/${id}/simulations`, payload: { ...req, runs: 100 } });
    expect(now.json()).toMatchObject({ graphId: id, graphVersion: 2 });
    expect(now.json().reach.max).toBeLessThanOrEqual(10);
  });

  it('?async=true: 202 + Location, poll to done, the result equals the synchronous answer', async () => {
    const { app, id } = await setup();
    const req = { model: 'ic', seeds: ['c0'], runs: 3000, seed: 5, p: 0.4 };
    const accepted = expectAccepted(await app.inject({ method: 'POST', url: `/graphs/${id}/simulations?async=true`, payload: req }));
    expect(accepted.job).toMatchObject({ kind: 'simulation', graphId: id });
    const done = await poll(app, `/jobs/${accepted.job.id}`, (j) => j.state !== 'queued' && j.state !== 'running');
    expect(done).toMatchObject({ state: 'succeeded', progress: 1, etaMs: 0 });
    const sync = await app.inject({ method: 'POST', url: `/graphs/${id}/simulations`, payload: req });
    expect(sync.statusCode).toBe(200);
    expect(noElapsed(done.result)).toEqual(noElapsed(sync.json()));

    const list = (await app.inject(`/graphs/${id}/jobs`)).json();
    expect(list.jobs.map((j: { id: string }) => j.id)).toEqual([accepted.job.id]);
    expect(list.jobs[0].result).toBeUndefined();
    expect((await app.inject('/jobs?state=succeeded')).json().jobs).toHaveLength(1);
  });

  it('work above RIPPLE_SYNC_BUDGET becomes a job by itself; within it stays synchronous', async () => {
    const { app, id } = await setup({ RIPPLE_SYNC_BUDGET: '10000' }); // ring of 50: 100 arcs
    const small = await app.inject({ method: 'POST', url: `/graphs/${id}/simulations`, payload: { model: 'ic', seeds: ['c0'], p: 1, runs: 100 } });
    expect(small.statusCode).toBe(200); // 100 runs × 100 arcs = budget
    // Over the estimate, the work is measured by a pilot of the first runs: with p = 1 every run examines the 100 arcs
    // in 26 steps (126); with the default p = 0.05 a run dies after a few arcs, and 101 runs are answered at once.
    const big = expectAccepted(await app.inject({ method: 'POST', url: `/graphs/${id}/simulations`, payload: { model: 'ic', seeds: ['c0'], p: 1, runs: 101 } }));
    expect(big.work).toBe(101 * 126);
    expect(big.budget).toBe(10000);
    const cheap = await app.inject({ method: 'POST', url: `/graphs/${id}/simulations`, payload: { model: 'ic', seeds: ['c0'], runs: 101 } });
    expect(cheap.statusCode, cheap.body).toBe(200);
    await poll(app, `/jobs/${big.job.id}`, (j) => j.state === 'succeeded');

    // Centrality: betweenness on n=50 is 50 × 100 arcs = 5000 (sync); the job path fills the same cache.
    const bt = await app.inject(`/graphs/${id}/centrality/betweenness?top=1&async=true`);
    const job = expectAccepted(bt).job;
    const done = await poll(app, `/jobs/${job.id}`, (j) => j.state === 'succeeded');
    expect(done.result).toMatchObject({ metric: 'betweenness', cached: false, top: [{ rank: 1 }] });
    expect((await app.inject(`/graphs/${id}/centrality/betweenness?top=1`)).json()).toMatchObject({ cached: true, top: done.result.top });

    // Influencers and value rankings as jobs too.
    const inf = expectAccepted(await app.inject({ method: 'POST', url: `/graphs/${id}/influencers`, payload: { k: 2, method: 'degree', runs: 500 } }));
    expect((await poll(app, `/jobs/${inf.job.id}`, (j) => j.state === 'succeeded')).result.seeds).toHaveLength(2);
    const val = expectAccepted(await app.inject(`/graphs/${id}/value?top=3&async=1`));
    expect((await poll(app, `/jobs/${val.job.id}`, (j) => j.state === 'succeeded')).result.top).toHaveLength(3);
  });

  it('the default budget keeps a 1000-run simulation on the demo graph synchronous', async () => {
    const { app, store, config } = await buildTestApp({ RIPPLE_WORKERS: '2' });
    expect(config.syncBudget).toBe(DEFAULT_SYNC_BUDGET);
    const demo = (await loadDemoIfEmpty(store))!;
    const { graph } = await app.ripple.cache.get(demo.id);
    const res = await app.inject({ method: 'POST', url: `/graphs/${demo.id}/simulations`, payload: { model: 'ic', seeds: [graph.ids[0]], runs: 1000 } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().runs).toBe(1000);
    // Exact all-sources betweenness is n·m = 3000 × 17988 ≈ 54M: synchronous too; ?async=true still makes it a job.
    expect((await app.inject(`/graphs/${demo.id}/centrality/degree?async=true`)).statusCode).toBe(202);
  });

  it('GET /jobs/:id/events streams state and progress, then done with the result', async () => {
    const { app, id } = await setup();
    const accepted = expectAccepted(await app.inject({
      method: 'POST', url: `/graphs/${id}/simulations?async=true`, payload: { model: 'ic', seeds: ['c0'], runs: 400_000, seed: 2, p: 0.5 },
    }));
    const res = await app.inject(`/jobs/${accepted.job.id}/events`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    const ev = events(res.body);
    expect(ev[0].event).toBe('state');
    expect(ev.at(-1)!.event).toBe('done');
    expect(ev.at(-1)!.data).toMatchObject({ state: 'succeeded', progress: 1, result: { runs: 400_000 } });
    const progress = ev.filter((e) => e.event === 'progress').map((e) => e.data.progress);
    expect(progress.length).toBeGreaterThan(0); // progress events go out every 1 % or 100 ms
    for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThanOrEqual(progress[i - 1]);
    // A finished job answers its final event at once.
    const again = events((await app.inject(`/jobs/${accepted.job.id}/events`)).body);
    expect(again.map((e) => e.event)).toEqual(['state', 'done']);
  });

  it('DELETE /jobs/:id cancels a long job in its workers; a following small simulation answers', async () => {
    const { app, id } = await setup({}, 2000);
    const long = expectAccepted(await app.inject({
      method: 'POST', url: `/graphs/${id}/simulations?async=true`, payload: { model: 'ic', seeds: ['c0'], runs: 10_000_000, p: 1 },
    }));
    await poll(app, `/jobs/${long.job.id}`, (j) => j.state === 'running');
    const eventsPromise = app.inject(`/jobs/${long.job.id}/events`);
    const cancelled = await app.inject({ method: 'DELETE', url: `/jobs/${long.job.id}` });
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json()).toMatchObject({ state: 'cancelled', error: { code: 'cancelled' } });
    const ev = events((await eventsPromise).body);
    expect(ev.at(-1)).toMatchObject({ event: 'error', data: { state: 'cancelled' } });

    // The workers were freed: a small synchronous simulation on the same pool answers promptly.
    const t0 = Date.now();
    const small = await app.inject({ method: 'POST', url: `/graphs/${id}/simulations`, payload: { model: 'ic', seeds: ['c0'], runs: 50, p: 1 } });
    expect(small.statusCode, small.body).toBe(200);
    expect(small.json().reach.mean).toBe(2000);
    expect(Date.now() - t0).toBeLessThan(5000);
    // And a new job runs to the end (the job slot was freed too).
    const next = expectAccepted(await app.inject({ method: 'POST', url: `/graphs/${id}/simulations?async=true`, payload: { model: 'ic', seeds: ['c0'], runs: 20 } }));
    await poll(app, `/jobs/${next.job.id}`, (j) => j.state === 'succeeded');
    // Cancelling a finished job changes nothing.
    expect((await app.inject({ method: 'DELETE', url: `/jobs/${next.job.id}` })).json().state).toBe('succeeded');
  }, 30_000);

  it('404 for unknown jobs and graphs; closing the app cancels running jobs', async () => {
    const { app, id } = await setup({}, 2000);
    for (const url of ['/jobs/nope', '/jobs/__proto__', '/jobs/..%2F..%2Fetc/events', '/graphs/g_nope/jobs']) {
      const res = await app.inject(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
    }
    expect((await app.inject({ method: 'DELETE', url: '/jobs/nope' })).statusCode).toBe(404);
    const long = expectAccepted(await app.inject({
      method: 'POST', url: `/graphs/${id}/simulations?async=true`, payload: { model: 'ic', seeds: ['c0'], runs: 10_000_000, p: 1 },
    }));
    await poll(app, `/jobs/${long.job.id}`, (j) => j.state === 'running');
    const stream = app.inject(`/jobs/${long.job.id}/events`);
    const t0 = Date.now();
    await app.close();
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(events((await stream).body).at(-1)).toMatchObject({ event: 'error', data: { state: 'cancelled' } });
  }, 30_000);
});

describe('identical requests and Prefer: wait (in-process jobs)', () => {
  it('identical requests in flight join one job; any key order and explicit defaults count as identical', async () => {
    const { app, id } = await setup({}, 2000);
    const req = { model: 'ic', seeds: ['c0'], runs: 5_000_000, p: 1, seed: 3 };
    const a = expectAccepted(await app.inject({ method: 'POST', url: `/graphs/${id}/simulations?async=true`, payload: req }));
    const b = expectAccepted(await app.inject({
      method: 'POST', url: `/graphs/${id}/simulations`, headers: { prefer: 'respond-async' }, payload: { seed: 3, p: 1, runs: 5_000_000, seeds: ['c0'], model: 'ic', probability: 'uniform' },
    }));
    expect(b.job.id).toBe(a.job.id);
    const other = expectAccepted(await app.inject({ method: 'POST', url: `/graphs/${id}/simulations?async=true`, payload: { ...req, seed: 4 } }));
    expect(other.job.id).not.toBe(a.job.id);
    expect((await app.inject({ method: 'DELETE', url: `/jobs/${a.job.id}` })).json().state).toBe('cancelled');
    // Once cancelled, the same request starts a new job.
    const c = expectAccepted(await app.inject({ method: 'POST', url: `/graphs/${id}/simulations?async=true`, payload: req }));
    expect(c.job.id).not.toBe(a.job.id);
    await app.inject({ method: 'DELETE', url: `/jobs/${c.job.id}` });
    await app.inject({ method: 'DELETE', url: `/jobs/${other.job.id}` });
  }, 30_000);

  it('Prefer: wait=N answers 200 with the result when the job is done in time, else 202 after N seconds', async () => {
    const { app, id } = await setup({}, 2000);
    const req = { model: 'ic', seeds: ['c0'], runs: 3000, seed: 5, p: 0.4 };
    const waited = await app.inject({ method: 'POST', url: `/graphs/${id}/simulations?async=true`, headers: { prefer: 'wait=20' }, payload: req });
    expect(waited.statusCode, waited.body).toBe(200);
    expect(waited.headers['preference-applied']).toBe('wait=20');
    expect(waited.headers['content-location']).toMatch(/^\/jobs\//);
    const sync = await app.inject({ method: 'POST', url: `/graphs/${id}/simulations`, payload: req });
    expect(noElapsed(waited.json())).toEqual(noElapsed(sync.json()));

    const t0 = Date.now();
    const long = await app.inject({
      method: 'POST', url: `/graphs/${id}/simulations?async=true`, headers: { prefer: 'wait=1' }, payload: { ...req, runs: 5_000_000, p: 1 },
    });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    const accepted = expectAccepted(long);
    expect(long.headers['preference-applied']).toBe('wait=1');
    expect(accepted.job.state).toBe('running');
    await app.inject({ method: 'DELETE', url: `/jobs/${accepted.job.id}` });
  }, 30_000);

  it('Prefer: wait is capped by RIPPLE_MAX_WAIT', async () => {
    const { app, id } = await setup({ RIPPLE_MAX_WAIT: '1' }, 2000);
    const t0 = Date.now();
    const res = await app.inject({
      method: 'POST', url: `/graphs/${id}/simulations?async=true`, headers: { prefer: 'wait=600' }, payload: { model: 'ic', seeds: ['c0'], runs: 5_000_000, p: 1 },
    });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(res.headers['preference-applied']).toBe('wait=1');
    await app.inject({ method: 'DELETE', url: `/jobs/${expectAccepted(res).job.id}` });
  }, 30_000);
});

describe('job queue limits', () => {
  it('a full queue answers 503 problem+json with Retry-After', async () => {
    const { JobManager } = await import('../src/jobs/index.js');
    const jobs = new JobManager({ concurrency: 1, maxQueued: 0 });
    const t = await buildTestApp({ RIPPLE_WORKERS: '1' });
    await t.app.close();
    const { buildApp } = await import('../src/api/app.js');
    const app = await buildApp(t.config, { store: t.store, pool: null, jobs });
    try {
      const g = (await app.inject({ method: 'POST', url: '/graphs', payload: ring(2000) })).json();
      const body = { model: 'ic', seeds: ['c0'], runs: 10_000_000, p: 1 };
      const first = expectAccepted(await app.inject({ method: 'POST', url: `/graphs/${g.id}/simulations?async=true`, payload: body }));
      // The same request again joins the job in flight (canonical request hash), even with the queue full…
      const same = expectAccepted(await app.inject({ method: 'POST', url: `/graphs/${g.id}/simulations?async=true`, payload: { ...body, p: 1.0 } }));
      expect(same.job.id).toBe(first.job.id);
      // …a different one needs a queue slot.
      const full = await app.inject({ method: 'POST', url: `/graphs/${g.id}/simulations?async=true`, payload: { ...body, seed: 2 } });
      expect(full.statusCode).toBe(503);
      expect(full.headers['content-type']).toMatch(/problem\+json/);
      expect(Number(full.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await jobs.close();
      await app.close();
    }
  }, 20_000);
});
