import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../src/errors.js';
import { WorkerPool, workerUrl } from '../src/workers/pool.js';
import { simulate, type SimulationResult } from '../src/diffusion/simulate.js';
import type { SimulationRequestInput } from '../src/diffusion/schemas.js';
import { build, type Tie } from './diffusion-helpers.js';

// Worker threads load the built worker (dist/src/workers/worker.js): `npm test` builds first (pretest).
const built = existsSync(workerUrl());
if (!built) console.log(`engine-pool tests need ${workerUrl().pathname}: run \`npm run build\` first`);

/** A deterministic pseudo-random graph: n customers, each with `deg` out-ties (undirected). */
function randomGraph(n: number, deg: number) {
  const ties: Tie[] = [];
  let x = 12345;
  for (let u = 0; u < n; u++) {
    for (let k = 0; k < deg; k++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      const v = x % n;
      if (v !== u) ties.push([`c${u}`, `c${v}`, { weight: 1 + (x % 3), p: (x % 7) / 10 }]);
    }
  }
  return build(false, ties, [{ id: 'c0', activity: 0.9 }]);
}

const strip = (r: SimulationResult) => JSON.stringify({ ...r, elapsedMs: 0 });

describe.skipIf(!built)('worker pool', () => {
  const g = randomGraph(2000, 3);
  const pools: WorkerPool[] = [];
  beforeAll(() => {
    for (const w of [1, 2, 3]) pools.push(new WorkerPool({ workers: w }));
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
  });

  const requests: SimulationRequestInput[] = [
    { model: 'ic', seeds: ['c0', 'c5'], p: 0.2, runs: 700, seed: 3 },
    { model: 'ic', seeds: ['c1'], probability: 'attribute', p: 0.1, runs: 300, seed: 4 },
    { model: 'lt', seeds: ['c0'], runs: 500, seed: 5 },
    { model: 'sir', seeds: ['c2'], probability: 'trivalency', beta: 0.9, gamma: 0.4, runs: 300, seed: 6 },
    { model: 'voice', seeds: ['c3'], p: 0.15, probability: 'weighted-cascade', runs: 400, seed: 7, response: { atStep: 2, effectiveness: 0.5, public: true } },
    { model: 'ic', seeds: ['c0'], p: 0.15, precision: 0.03, seed: 8 },
  ];

  it('identical JSON (but elapsedMs) in-thread and on 1, 2, 3 workers, for any batch size', async () => {
    for (const req of requests) {
      const ref = strip(await simulate(g, req));
      for (const pool of pools) {
        expect(strip(await simulate(g, req, { pool })), `${req.model} on ${pool.size}`).toBe(ref);
        expect(strip(await simulate(g, req, { pool, batchSize: 37 })), `${req.model} on ${pool.size}, batches of 37`).toBe(ref);
      }
    }
  });

  it('posts a graph once per worker, not per task', async () => {
    const pool = new WorkerPool({ workers: 2 });
    try {
      const g2 = randomGraph(300, 2);
      for (let i = 0; i < 5; i++) await simulate(g2, { model: 'ic', seeds: ['c0'], runs: 200, seed: i }, { pool, batchSize: 10 });
      expect(pool.started).toBe(2);
      expect(pool.graphPosts).toBe(2);
    } finally {
      await pool.close();
    }
  });

  it('reports progress from the workers and cancels running tasks, freeing the workers', async () => {
    const pool = pools[1];
    const seen: number[] = [];
    const ac = new AbortController();
    const t0 = performance.now();
    const big = simulate(g, { model: 'ic', seeds: ['c0'], p: 0.3, runs: 5_000_000, seed: 1 }, {
      pool, signal: ac.signal, batchSize: 1_000_000,
      onProgress: (done) => {
        seen.push(done);
        if (done > 0) ac.abort();
      },
    });
    await expect(big).rejects.toBeInstanceOf(CancelledError);
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(seen.some((d) => d > 0 && d < 1_000_000)).toBe(true); // progress from inside a batch
    const after = await simulate(g, { model: 'ic', seeds: ['c0'], runs: 100 }, { pool });
    expect(after.runs).toBe(100);
  });

  it('an unknown task or a failing handler rejects without breaking the pool', async () => {
    const pool = pools[0];
    await expect(pool.run('no-such-task', g, {})).rejects.toThrow(/unknown task/);
    await expect(pool.run('simulate', g, { plan: null, from: 0, to: 1 })).rejects.toThrow();
    expect((await simulate(g, { model: 'ic', seeds: ['c0'], runs: 50 }, { pool })).runs).toBe(50);
  });

  it('close() rejects queued work', async () => {
    const pool = new WorkerPool({ workers: 1 });
    const p = simulate(g, { model: 'ic', seeds: ['c0'], p: 0.3, runs: 2_000_000 }, { pool, batchSize: 100_000 });
    await new Promise((r) => setTimeout(r, 50));
    const check = expect(p).rejects.toBeInstanceOf(CancelledError);
    await pool.close();
    await check;
  });
});
