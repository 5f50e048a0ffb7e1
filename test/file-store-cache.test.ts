import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '../src/errors.js';
import { compiledBytes } from '../src/graph/compile.js';
import { CompiledCache, dataBytes } from '../src/store/compiled-cache.js';
import { FileStore } from '../src/store/file-store.js';
import type { GraphStore } from '../src/store/types.js';
import { plainGraph } from './store-contract.js';

/** Counts the loads that reach the store. */
function counting(store: GraphStore): Pick<GraphStore, 'get' | 'load'> & { loads: number } {
  const c = {
    loads: 0,
    get: (id: string) => store.get(id),
    load: (id: string) => {
      c.loads++;
      return store.load(id);
    },
  };
  return c;
}

describe('CompiledCache over a FileStore', () => {
  let dir: string;
  let store: FileStore;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ripple-cache-'));
    store = await FileStore.open(dir);
  });
  afterAll(async () => {
    await store.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('returns the same compiled object for the same version, a new one after replace', async () => {
    const s = await store.create(plainGraph('cached', 30));
    const src = counting(store);
    const cache = new CompiledCache({ store: src });
    const a = await cache.get(s.id);
    const b = await cache.get(s.id);
    expect(b).toBe(a);
    expect(b.graph).toBe(a.graph);
    expect(src.loads).toBe(1);
    expect(a.graph.n).toBe(31);
    expect(a.graph.m).toBe(60); // undirected: two arcs per tie
    expect(a.summary.version).toBe(1);

    await store.replace(s.id, plainGraph('cached v2', 5, true));
    const c = await cache.get(s.id);
    expect(c).not.toBe(a);
    expect(c.summary.version).toBe(2);
    expect(c.graph.m).toBe(5);
    expect(src.loads).toBe(2);
    expect(cache.size).toBe(1);
    expect(cache.bytes).toBe(compiledBytes(c.graph) + dataBytes(c.data));

    cache.invalidate(s.id);
    expect(cache.bytes).toBe(0);
    const d = await cache.get(s.id);
    expect(d).not.toBe(c);
    expect(src.loads).toBe(3);
  });

  it('concurrent gets of one version share one load and compile', async () => {
    const s = await store.create(plainGraph('shared', 200));
    const src = counting(store);
    const cache = new CompiledCache({ store: src });
    const got = await Promise.all(Array.from({ length: 10 }, () => cache.get(s.id)));
    expect(src.loads).toBe(1);
    expect(cache.compiles).toBe(1);
    for (const g of got) expect(g).toBe(got[0]);
  });

  it('evicts least recently used graphs past maxBytes', async () => {
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push((await store.create(plainGraph(`evict ${i}`, 100))).id);
    const probe = new CompiledCache({ store });
    const one = await probe.get(ids[0]);
    const size = compiledBytes(one.graph) + dataBytes(one.data);
    const src = counting(store);
    const cache = new CompiledCache({ store: src, maxBytes: Math.floor(size * 2.5) });
    await cache.get(ids[0]);
    await cache.get(ids[1]);
    await cache.get(ids[0]); // ids[0] is now the most recent
    expect(src.loads).toBe(2);
    await cache.get(ids[2]); // over the bound: ids[1], the least recent, goes
    expect(cache.size).toBe(2);
    expect(cache.bytes).toBeLessThanOrEqual(cache.maxBytes);
    await cache.get(ids[0]);
    expect(src.loads).toBe(3);
    await cache.get(ids[1]);
    expect(src.loads).toBe(4);

    // A graph bigger than the whole bound is still served, and is then the only one kept.
    const tiny = new CompiledCache({ store, maxBytes: 10 });
    const big = await tiny.get(ids[3]);
    expect(big.graph.n).toBe(101);
    expect(tiny.size).toBe(1);
    await tiny.get(ids[2]);
    expect(tiny.size).toBe(1);
  });

  it('a failed load is not cached, and unknown ids are NotFound', async () => {
    const cache = new CompiledCache({ store });
    await expect(cache.get('../x')).rejects.toBeInstanceOf(NotFoundError);
    const s = await store.create(plainGraph('gone', 3));
    let fail = true;
    const flaky = new CompiledCache({
      store: {
        get: (id) => store.get(id),
        load: async (id) => {
          if (fail) throw new Error('disk hiccup');
          return store.load(id);
        },
      },
    });
    await expect(flaky.get(s.id)).rejects.toThrow('disk hiccup');
    expect(flaky.size).toBe(0);
    fail = false;
    expect((await flaky.get(s.id)).graph.n).toBe(4);
    await store.delete(s.id);
    await expect(flaky.get(s.id)).rejects.toBeInstanceOf(NotFoundError);
  });
});
