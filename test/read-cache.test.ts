import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError, NotFoundError } from '../src/errors.js';
import { compile } from '../src/graph/compile.js';
import { topK, topKAsync } from '../src/graph/top-k.js';
import { topScores } from '../src/influence/centrality/index.js';
import { centralityRequestSchema } from '../src/influence/schemas.js';
import { CentralityCache, centralityAnswer, rankOrder } from '../src/services/centrality.js';
import { FileStore } from '../src/store/file-store.js';
import { plainGraph } from './store-contract.js';

/** What another process's replace does to the pointer: a new file renamed over current.json. */
async function rewritePointerElsewhere(dir: string, id: string, edit: (p: { summary: { name: string; version: number } }) => void): Promise<void> {
  const file = path.join(dir, 'graphs', id, 'current.json');
  const p = JSON.parse(await fs.readFile(file, 'utf8')) as { summary: { name: string; version: number } };
  edit(p);
  const tmp = path.join(dir, 'graphs', id, '.tmp-00000000000000ff');
  await fs.writeFile(tmp, JSON.stringify(p));
  await fs.rename(tmp, file);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('FileStore summary cache', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ripple-summary-'));
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("sees this process's own writes at once, through every store over the directory", async () => {
    const a = await FileStore.open(dir, { revalidateMs: 60_000 });
    const b = await FileStore.open(dir, { revalidateMs: 60_000 });
    const s = await a.create(plainGraph('one', 3));
    expect(await b.get(s.id)).toEqual(s);
    const s2 = await b.replace(s.id, plainGraph('two', 4));
    expect(await a.get(s.id)).toEqual(s2);
    expect((await a.get(s.id)).version).toBe(2);
    // A caller mutating what it got does not poison the cache.
    (await a.get(s.id)).name = 'mutated';
    expect((await a.get(s.id)).name).toBe('two');
    await a.delete(s.id);
    await expect(b.get(s.id)).rejects.toBeInstanceOf(NotFoundError);
    await a.close();
    await b.close();
  });

  it("sees another process's replace within revalidateMs, and its delete", async () => {
    const store = await FileStore.open(dir, { revalidateMs: 80 });
    const s = await store.create(plainGraph('before', 3));
    expect((await store.get(s.id)).name).toBe('before');
    await rewritePointerElsewhere(store.dir, s.id, (p) => {
      p.summary.name = 'after';
      p.summary.version = 2;
    });
    // Inside the bound the cached summary may still answer; past it, one stat finds the new pointer.
    await sleep(100);
    expect(await store.get(s.id)).toMatchObject({ name: 'after', version: 2 });
    await fs.rm(path.join(store.dir, 'graphs', s.id), { recursive: true });
    await sleep(100);
    await expect(store.get(s.id)).rejects.toBeInstanceOf(NotFoundError);
    await store.close();
  });

  it('serves from memory inside the bound, re-validates on every get with revalidateMs 0', async () => {
    const lazy = await FileStore.open(dir, { revalidateMs: 60_000 });
    const eager = new FileStore({ dir, revalidateMs: 0 });
    const s = await lazy.create(plainGraph('cached', 3));
    expect((await eager.get(s.id)).name).toBe('cached');
    await rewritePointerElsewhere(lazy.dir, s.id, (p) => {
      p.summary.name = 'changed';
    });
    expect((await lazy.get(s.id)).name).toBe('cached'); // proves the read is cached (a file read would see the change)
    expect((await eager.get(s.id)).name).toBe('changed');
    expect((await lazy.get(s.id)).name).toBe('changed'); // the eager store's re-read refreshed the shared cache
    await lazy.close();
  });

  it('a replace that loses an ifVersion race refreshes the cached version', async () => {
    const store = await FileStore.open(dir, { revalidateMs: 60_000 });
    const s = await store.create(plainGraph('race', 3));
    await rewritePointerElsewhere(store.dir, s.id, (p) => {
      p.summary.version = 5;
    });
    expect((await store.get(s.id)).version).toBe(1);
    await expect(store.replace(s.id, plainGraph('mine', 2), { ifVersion: 1 })).rejects.toThrow(/version 5/);
    expect((await store.get(s.id)).version).toBe(5);
    await store.close();
  });
});

describe('CentralityCache ranking', () => {
  const scores = Float64Array.from([0.1, 0.5, 0.5, 0.2, 0.9, 0.2, 0]);
  const graph = compile(plainGraph('seven', 6)); // customers '0'..'6' at indices 0..6

  it('rankOrder is the order of topScores (ties by index)', () => {
    expect(Array.from(rankOrder(scores))).toEqual(topScores(scores, 7).map((t) => t.index));
  });

  it('every top-k path (sorted list, heap, full sort, in slices) gives the order of one full sort, ties by index', async () => {
    // 40 000 scores with many ties (40 distinct values), seeded.
    let x = 12345;
    const big = Float64Array.from({ length: 40_000 }, () => ((x = (x * 1103515245 + 12345) >>> 0) % 40) / 7);
    const sorted = Array.from({ length: big.length }, (_, i) => i).sort((a, b) => big[b] - big[a] || a - b);
    const keep = (i: number) => i % 3 !== 0;
    const kept = sorted.filter(keep);
    const text = (a: ArrayLike<number>) => Array.from(a).join(',');
    for (const k of [1, 64, 65, 1000, 2400, 2500, 20_000, 40_000]) {
      const want = text(sorted.slice(0, k));
      const wantKept = text(kept.slice(0, k));
      expect(text(topK(big, k)), `topK ${k}`).toBe(want);
      expect(text(await topKAsync(big, k)), `topKAsync ${k}`).toBe(want);
      expect(text(topK(big, k, keep)), `topK ${k} keep`).toBe(wantKept);
      expect(text(await topKAsync(big, k, keep)), `topKAsync ${k} keep`).toBe(wantKept);
    }
  });

  it('peekRanked answers top-k from the cached order, equal to ranking afresh, and ranks customers', async () => {
    const cache = new CentralityCache();
    const result = { metric: 'pagerank' as const, scores };
    await cache.get('g_0000000000000001', 1, 'pagerank', {}, async () => result);
    const key = CentralityCache.key('g_0000000000000001', 1, 'pagerank', {});
    const hit = cache.peekRanked(key)!;
    expect(hit.result).toBe(result);
    expect(cache.peekRanked(key)!.order).toBe(hit.order); // sorted once
    for (const top of [1, 3, 7, 100, 'all'] as const) {
      const req = centralityRequestSchema.parse({ metric: 'pagerank', top });
      const fast = centralityAnswer(graph, req, result, hit.order);
      expect(fast).toEqual(centralityAnswer(graph, req, result));
    }
    expect(centralityAnswer(graph, centralityRequestSchema.parse({ metric: 'pagerank', top: 3 }), result, hit.order).top).toEqual([
      { id: '4', score: 0.9, rank: 1 }, { id: '1', score: 0.5, rank: 2 }, { id: '2', score: 0.5, rank: 3 },
    ]);
    expect(await cache.scoresOf('g_0000000000000001', 1, 3)).toEqual([{ metric: 'pagerank', score: 0.2, rank: 4 }]);
    expect(cache.peekRanked(CentralityCache.key('g_0000000000000001', 2, 'pagerank', {}))).toBeUndefined();
  });

  it('a caller joining a computation that is cancelled (job deleted, client gone) computes again instead of failing', async () => {
    const cache = new CentralityCache();
    const result = { metric: 'betweenness' as const, scores };
    let cancel!: (e: Error) => void;
    const first = cache.get('g_0000000000000001', 1, 'betweenness', {}, () => new Promise((_, reject) => (cancel = reject)));
    let ownRuns = 0;
    const second = cache.get('g_0000000000000001', 1, 'betweenness', {}, async () => (ownRuns++, result));
    cancel(new CancelledError('cancelled by request'));
    await expect(first).rejects.toBeInstanceOf(CancelledError);
    await expect(second).resolves.toBe(result);
    expect(ownRuns).toBe(1);
    expect(cache.computed).toBe(2);
    // Other failures are shared as they are, not retried.
    let fail!: (e: Error) => void;
    const a = cache.get('g_0000000000000001', 1, 'pagerank', {}, () => new Promise((_, reject) => (fail = reject)));
    const b = cache.get('g_0000000000000001', 1, 'pagerank', {}, async () => result);
    fail(new NotFoundError('gone'));
    await expect(a).rejects.toBeInstanceOf(NotFoundError);
    await expect(b).rejects.toBeInstanceOf(NotFoundError);
    expect(cache.computed).toBe(3);
  });
});
