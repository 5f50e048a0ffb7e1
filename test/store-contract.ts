import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { ConflictError, NotFoundError } from '../src/errors.js';
import { GraphBuilder } from '../src/graph/builder.js';
import type { GraphData } from '../src/graph/model.js';
import type { GraphStore, GraphSummary } from '../src/store/types.js';

/**
 * Behaviour every GraphStore must show (DESIGN §1, §8). Run it with a factory that returns a fresh,
 * empty store and a cleanup: `describeStoreContract('file', async () => ({ store, cleanup }))`.
 */

export const LONG_ID = 'x'.repeat(10_000);
export const HOSTILE_IDS = ['', '../x', '__proto__', 'constructor', '../../etc/passwd', 'g_../../../x', 'g_0123456789abcdef/..', 'g_0123456789ABCDEF', '.', 'toString'];

/** A graph using every column, with hostile and odd ids, NaN-vs-set values, nulls, channels. */
export function richGraph(opts: { name?: string; directed?: boolean; salt?: number } = {}): GraphData {
  const salt = opts.salt ?? 0;
  const b = new GraphBuilder({ name: opts.name ?? 'rich ünïcode 😀 ../../etc/passwd', directed: opts.directed ?? true, source: 'test', format: 'json', defaultValue: 2.5, currency: 'EUR' });
  b.addCustomer('__proto__', { label: 'proto label', followers: 10 + salt, value: 3.25, segment: 'gold', activity: 0.5 });
  b.addCustomer('constructor', { label: null, followers: null, value: 0, segment: null, activity: 1 });
  b.addCustomer('客户😀', { label: 'ラベル', followers: 0, value: null, segment: 'silver', activity: null });
  b.addCustomer(LONG_ID, { label: 'long', followers: 123456789, value: 1e-300, activity: 0 });
  b.addCustomer('lone\uD800surrogate', { label: '\uDC00', segment: '' });
  b.addCustomer('plain', {});
  b.addTie('__proto__', 'constructor', { weight: 2.5, p: 0.25, channel: 'twitter' });
  b.addTie('constructor', '客户😀', { weight: 1, p: null, channel: null });
  b.addTie('客户😀', LONG_ID, { weight: 0.125, p: 1, channel: 'forum' });
  b.addTie(LONG_ID, 'lone\uD800surrogate', { p: 0 });
  b.addTie('lone\uD800surrogate', 'plain', { channel: 'twitter' });
  b.addTie('plain', '__proto__', { weight: 7 + salt });
  return b.finish().data;
}

/** A graph with only ties: every optional column is null. */
export function plainGraph(name: string, ties: number, directed = false): GraphData {
  const b = new GraphBuilder({ name, directed, source: 'test', format: 'edgelist' });
  for (let i = 0; i < ties; i++) b.addTie(String(i), String(i + 1));
  return b.finish().data;
}

function sameArray(a: ArrayLike<unknown> | null, b: ArrayLike<unknown> | null, what: string): void {
  if (a === null || b === null) {
    expect(b === null, `${what}: null on one side only`).toBe(a === null);
    return;
  }
  expect(b.length, `${what}.length`).toBe(a.length);
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) expect.fail(`${what}[${i}]: ${String(b[i])} !== ${String(a[i])}`);
  }
}

/** Deep equality of two GraphData, NaN-aware and type-aware (a Float64Array stays a Float64Array). */
export function expectSameData(actual: GraphData, expected: GraphData): void {
  expect(actual.name).toBe(expected.name);
  expect(actual.directed).toBe(expected.directed);
  expect(actual.defaultValue).toBe(expected.defaultValue);
  expect(actual.currency).toBe(expected.currency);
  expect(actual.channels).toEqual(expected.channels);
  sameArray(actual.ids, expected.ids, 'ids');
  sameArray(actual.labels, expected.labels, 'labels');
  sameArray(actual.segments, expected.segments, 'segments');
  for (const col of ['followers', 'value', 'activity', 'weight', 'p'] as const) {
    if (actual[col]) expect(actual[col]).toBeInstanceOf(Float64Array);
    sameArray(actual[col], expected[col], col);
  }
  for (const col of ['src', 'dst', 'channel'] as const) {
    if (actual[col]) expect(actual[col]).toBeInstanceOf(Int32Array);
    sameArray(actual[col], expected[col], col);
  }
}

const SUMMARY_KEYS = ['createdAt', 'customers', 'directed', 'id', 'name', 'ties', 'updatedAt', 'version'];

function expectSummary(s: GraphSummary, data: GraphData, version: number): void {
  expect(Object.keys(s).sort()).toEqual(SUMMARY_KEYS);
  expect(s.name).toBe(data.name);
  expect(s.directed).toBe(data.directed);
  expect(s.version).toBe(version);
  expect(s.customers).toBe(data.ids.length);
  expect(s.ties).toBe(data.src.length);
  expect(new Date(s.createdAt).toISOString()).toBe(s.createdAt);
  expect(new Date(s.updatedAt).toISOString()).toBe(s.updatedAt);
  expect(s.updatedAt >= s.createdAt).toBe(true);
  expect(typeof s.id).toBe('string');
}

async function expectNotFound(p: Promise<unknown>): Promise<void> {
  const e = await p.then(
    () => expect.fail('expected NotFoundError'),
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(NotFoundError);
  expect((e as NotFoundError).statusCode).toBe(404);
}

export function describeStoreContract(name: string, make: () => Promise<{ store: GraphStore; cleanup(): Promise<void> }>): void {
  describe(`GraphStore contract: ${name}`, () => {
    let store: GraphStore;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ store, cleanup } = await make());
    });
    afterAll(async () => {
      await store.close();
      await cleanup();
    });

    it('is ready and names its kind', async () => {
      expect(await store.ready()).toBe(true);
      expect(typeof store.kind).toBe('string');
    });

    it('round-trips every column of a rich directed graph', async () => {
      const data = richGraph();
      const s = await store.create(data);
      expectSummary(s, data, 1);
      expect(s.createdAt).toBe(s.updatedAt);
      const loaded = await store.load(s.id);
      expect(loaded.summary).toEqual(s);
      expectSameData(loaded.data, data);
      expect(loaded.data.ids[0]).toBe('__proto__');
      expect(loaded.data.ids[3].length).toBe(10_000);
    });

    it('round-trips an undirected graph without optional columns, and a single customer', async () => {
      const data = plainGraph('plain', 50);
      const s = await store.create(data);
      expectSummary(s, data, 1);
      expectSameData((await store.load(s.id)).data, data);
      const b = new GraphBuilder({ name: '', directed: false, source: 'test', format: 'json' });
      b.addCustomer('alone', { value: 4 });
      const one = b.finish().data;
      const s1 = await store.create(one);
      expect(s1.ties).toBe(0);
      expectSameData((await store.load(s1.id)).data, one);
    });

    it('generates distinct ids that are not the name, g_ + 16 hex digits in every store', async () => {
      const a = await store.create(plainGraph('same', 3));
      const b = await store.create(plainGraph('same', 3));
      expect(a.id).not.toBe(b.id);
      expect(a.id).toMatch(/^g_[0-9a-f]{16}$/);
      expect(a.id).not.toContain('same');
      expect(await store.get(a.id)).toEqual(a);
    });

    it('lists every graph, sorted by createdAt then id', async () => {
      const made: GraphSummary[] = [];
      for (let i = 0; i < 4; i++) made.push(await store.create(plainGraph(`list ${i}`, 2)));
      const all = await store.list();
      for (const s of made) expect(all).toContainEqual(s);
      for (let i = 1; i < all.length; i++) {
        const a = all[i - 1];
        const b = all[i];
        expect(a.createdAt < b.createdAt || (a.createdAt === b.createdAt && a.id < b.id)).toBe(true);
      }
      for (const s of all) expect(Object.keys(s).sort()).toEqual(SUMMARY_KEYS);
    });

    it('replace makes a new version; ifVersion guards it', async () => {
      const first = richGraph({ salt: 0 });
      const s1 = await store.create(first);
      const second = plainGraph('second', 7, true);
      const s2 = await store.replace(s1.id, second);
      expectSummary(s2, second, 2);
      expect(s2.id).toBe(s1.id);
      expect(s2.createdAt).toBe(s1.createdAt);
      expect(s2.updatedAt >= s1.updatedAt).toBe(true);
      expectSameData((await store.load(s1.id)).data, second);
      expect(await store.get(s1.id)).toEqual(s2);

      const third = richGraph({ salt: 3, directed: false });
      const s3 = await store.replace(s1.id, third, { ifVersion: 2 });
      expect(s3.version).toBe(3);
      const err = await store.replace(s1.id, first, { ifVersion: 2 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConflictError);
      expect((err as ConflictError).statusCode).toBe(409);
      const after = await store.load(s1.id);
      expect(after.summary.version).toBe(3);
      expectSameData(after.data, third);
    });

    it('delete removes the graph everywhere', async () => {
      const s = await store.create(plainGraph('doomed', 4));
      await store.delete(s.id);
      await expectNotFound(store.get(s.id));
      await expectNotFound(store.load(s.id));
      await expectNotFound(store.replace(s.id, plainGraph('x', 1)));
      await expectNotFound(store.delete(s.id));
      expect((await store.list()).map((g) => g.id)).not.toContain(s.id);
    });

    it('unknown and hostile ids are NotFound for every operation', async () => {
      const d = plainGraph('x', 1);
      for (const id of ['g_0000000000000000', ...HOSTILE_IDS]) {
        await expectNotFound(store.get(id));
        await expectNotFound(store.load(id));
        await expectNotFound(store.replace(id, d));
        await expectNotFound(store.delete(id));
      }
    });

    it('keeps versions strictly increasing under concurrent replaces', async () => {
      const s = await store.create(plainGraph('race', 1));
      const datas = Array.from({ length: 12 }, (_, i) => plainGraph(`race ${i}`, i + 2, i % 2 === 0));
      const results = await Promise.all(datas.map((d) => store.replace(s.id, d)));
      expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual(datas.map((_, i) => i + 2));
      const winner = results.findIndex((r) => r.version === datas.length + 1);
      const final = await store.load(s.id);
      expect(final.summary.version).toBe(datas.length + 1);
      expectSameData(final.data, datas[winner]);
    });
  });
}
