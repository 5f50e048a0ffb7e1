import { readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { demoGraphPath, loadDemoIfEmpty, DEMO_GRAPH_NAME } from '../src/api/demo.js';
import { compile } from '../src/graph/compile.js';
import { graphInfo } from '../src/graph/stats.js';
import { FileStore } from '../src/store/file-store.js';
import { makeDemoGraph } from '../scripts/make-demo-graph.js';
import { buildTestApp, smallGraph, tempDir } from './helper.js';

describe('demo graph', () => {
  it('the shipped file is what the script generates (deterministic) and is small', () => {
    const path = demoGraphPath();
    expect(path).toBeDefined();
    expect(statSync(path!).size).toBeLessThan(1024 * 1024);
    const shipped = gunzipSync(readFileSync(path!)).toString('utf8');
    expect(shipped).toBe(JSON.stringify(makeDemoGraph()));
    expect(JSON.stringify(makeDemoGraph({ customers: 200, seed: 3 }))).toBe(JSON.stringify(makeDemoGraph({ customers: 200, seed: 3 })));
    expect(JSON.stringify(makeDemoGraph({ customers: 200, seed: 3 }))).not.toBe(JSON.stringify(makeDemoGraph({ customers: 200, seed: 4 })));
  });

  it('is a connected heavy-tailed social graph with attributes in range', () => {
    const g = makeDemoGraph();
    expect(g.customers).toHaveLength(3000);
    expect(g.customers[0].id).toBe('c0001');
    expect(g.customers[2999].id).toBe('c3000');
    for (const c of g.customers) {
      expect(Number.isInteger(c.followers) && c.followers >= 0).toBe(true);
      expect(c.value).toBeGreaterThanOrEqual(0);
      expect(c.activity > 0 && c.activity <= 1).toBe(true);
    }
    const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
    const followers = sorted(g.customers.map((c) => c.followers));
    expect(followers[2999] / followers[1500]).toBeGreaterThan(50);
    expect(new Set(g.customers.map((c) => c.segment)).size).toBe(5);
  });

  it('loads into an empty store only', async () => {
    const dir = await tempDir();
    const store = await FileStore.open(dir);
    try {
      const first = await loadDemoIfEmpty(store);
      expect(first).toMatchObject({ name: DEMO_GRAPH_NAME, customers: 3000, directed: false });
      expect(await loadDemoIfEmpty(store)).toBeUndefined();
      expect(await store.list()).toHaveLength(1);
      const { data } = await store.load(first!.id);
      const info = graphInfo(compile(data));
      expect(info.components).toEqual({ count: 1, largest: 3000 });
      expect(info.degree.total.min).toBeGreaterThanOrEqual(3);
      expect(info.degree.total.max).toBeGreaterThan(20 * info.degree.total.median);
      expect(data.currency).toBe('EUR');
    } finally {
      await store.close();
    }
  });

  it('is not loaded into a store that has graphs', async () => {
    const { app, store } = await buildTestApp();
    await app.inject({ method: 'POST', url: '/graphs', payload: smallGraph() });
    expect(await loadDemoIfEmpty(store)).toBeUndefined();
    expect((await store.list()).map((g) => g.name)).toEqual(['small']);
  });
});
