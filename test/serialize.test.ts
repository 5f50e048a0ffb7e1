import { serializerCompiler } from 'fastify-type-provider-zod';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { encodeSliced, SLICE_NODES, slicingSerializerCompiler } from '../src/api/serialize.js';
import { LAZY_ROWS_MIN, LazyRows } from '../src/graph/top-k.js';
import { rankValues, rankValuesAnswer } from '../src/influence/value.js';
import { estimateNodes, jsonBytes } from '../src/json-size.js';
import { jobViewSchema } from '../src/api/job-schemas.js';
import { centralityResultSchema, valueRankingSchema } from '../src/influence/result-schemas.js';
import { simulationResultSchema } from '../src/diffusion/models/result-schemas.js';
import { simulate } from '../src/diffusion/simulate.js';
import { buildGraph } from '../src/library.js';

/** What the route serializer answers in one piece (fastify-type-provider-zod: safeEncode + JSON.stringify). */
const onePiece = (schema: z.ZodType, value: unknown) => serializerCompiler({ schema, method: 'GET', url: '/x', httpStatus: '200' } as never)(value as never) as string;

const sliced = async (schema: z.ZodType, value: unknown) => (await encodeSliced(schema as never, value))?.toString('utf8');

function centrality(n: number, extra: Record<string, unknown> = {}) {
  return {
    graphId: 'g_1', graphVersion: 3, version: 3, metric: 'pagerank', customers: n,
    top: Array.from({ length: n }, (_, i) => ({ id: `c${i}\u00e9"\\`, score: 1 / (i + 1), rank: i + 1, ...(i % 7 === 0 ? { stderr: i / 3 } : {}) })),
    iterations: 12, converged: true, options: { alpha: 0.85 }, cached: false, elapsedMs: 1.5, ...extra,
  };
}

function valueRanking(n: number) {
  return {
    graphId: 'g_1', graphVersion: 1, model: 'ic', probability: 'uniform', p: 0.05, activity: 'per-arc', by: 'total', seed: 1, rrSets: 1000, graphValue: 5e6,
    top: Array.from({ length: n }, (_, i) => ({
      rank: i + 1, id: `v${i}`, ownValue: i, valueWeightedReach: { mean: i / 2, ci95: [i / 3, i] }, networkValue: i / 2, networkCi95: [i / 3, i], totalValue: 1.5 * i,
      network: { mean: i / 2, ci95: [i / 3, i] }, total: { mean: 1.5 * i, ci95: [i, 2 * i] }, ignored: 'dropped by the schema',
    })),
    elapsedMs: 420, extraLoose: { kept: true },
  };
}

describe('sliced serialization: the same bytes as the one-piece serializer', () => {
  it('a centrality ranking far above the slicing threshold (looseness, optional keys, unicode and escapes)', async () => {
    const value = centrality(30_000, { unknownKey: 'stripped by a strict-ish object' });
    expect(estimateNodes(value)).toBeGreaterThan(SLICE_NODES);
    const text = await sliced(centralityResultSchema, value);
    expect(text).toBe(onePiece(centralityResultSchema, value));
    expect(JSON.parse(text!).top).toHaveLength(30_000);
  });

  it('a value ranking (looseObject: unknown top-level keys kept, unknown item keys dropped)', async () => {
    const value = valueRanking(12_000);
    const text = await sliced(valueRankingSchema, value);
    expect(text).toBe(onePiece(valueRankingSchema, value));
    expect(JSON.parse(text!)).toMatchObject({ extraLoose: { kept: true } });
  });

  it('a job view (discriminated union, optional result) holding a large result', async () => {
    const job = {
      id: '6f1c2a4e-7d0b-4b1e-9a55-2f6f0c8b9d31', kind: 'centrality', graphId: 'g_1', state: 'succeeded', progress: 1, etaMs: 0,
      createdAt: 'a', startedAt: 'b', finishedAt: 'c', result: centrality(20_000),
    };
    const text = await sliced(jobViewSchema, job);
    expect(text).toBe(onePiece(jobViewSchema, job));
  });

  it('a real simulation result (the per-model discriminated union) with a long step curve', async () => {
    // A path of 30k customers with p = 1: the cascade takes a step per customer, so the curve has 30k steps.
    const n = 15_000;
    const graph = buildGraph({ directed: true, ties: Array.from({ length: n - 1 }, (_, i) => ({ source: `p${i}`, target: `p${i + 1}` })) });
    const result = await simulate(graph, { model: 'ic', seeds: ['p0'], runs: 2, seed: 1, probability: 'uniform', p: 1, maxSteps: 1_000_000 });
    const value = { ...result, graphId: 'g_1', graphVersion: 1 };
    expect(estimateNodes(value)).toBeGreaterThan(SLICE_NODES);
    const text = await sliced(simulationResultSchema, value);
    expect(text).toBe(onePiece(simulationResultSchema, value));
    expect(JSON.parse(text!).steps.length).toBeGreaterThan(n - 1);
  });

  it('an answer off its schema gives no bytes (the one-piece path then throws zod\'s error, as before)', async () => {
    const bad = centrality(20_000);
    (bad.top[19_000] as { score: unknown }).score = 'not a number';
    expect(await sliced(centralityResultSchema, bad)).toBeUndefined();
    expect(() => onePiece(centralityResultSchema, bad)).toThrow();
    const badShell = { ...centrality(20_000), cached: 'yes' };
    expect(await sliced(centralityResultSchema, badShell)).toBeUndefined();
  });

  it('yields to the event loop while it works: a timer fires during a large encode', async () => {
    const value = centrality(80_000);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const t0 = performance.now();
    const text = await sliced(centralityResultSchema, value);
    const ms = performance.now() - t0;
    clearInterval(timer);
    expect(text!.length).toBeGreaterThan(4_000_000);
    // A timer every 5 ms fires at least once per 50 ms of work (one piece: not once).
    expect(ticks).toBeGreaterThanOrEqual(Math.floor(ms / 50));
  });

  it('jsonBytes (the job manager\'s bound on held results) counts in slices exactly what JSON.stringify gives', async () => {
    const steps = Array.from({ length: 30_000 }, (_, i) => ({ step: i, newMean: i % 3 === 0 ? undefined : 1 / (i + 1), label: i % 5 === 0 ? 'é"\\' : null }));
    const values: unknown[] = [
      centrality(30_000),
      valueRanking(8_000),
      { a: 1, big: steps, nested: { deeper: [steps.slice(0, 25_000), { x: undefined }, () => 1] }, skip: undefined },
      [steps, undefined, 'x', [steps]],
      { small: true },
    ];
    for (const v of values) expect(await jsonBytes(v)).toBe(Buffer.byteLength(JSON.stringify(v)));
  });
});

describe('LazyRows: long rankings made row by row as they are serialised', () => {
  /** The value with every LazyRows under `top` (and `result.top`) made an array. */
  const whole = (v: Record<string, unknown>): Record<string, unknown> => {
    const out = { ...v };
    if (out.top instanceof LazyRows) out.top = out.top.slice();
    if (out.result && typeof out.result === 'object') out.result = whole(out.result as Record<string, unknown>);
    return out;
  };
  const lazy = <T extends { top: unknown[] }>(v: T) => ({ ...v, top: new LazyRows(v.top.length, (i) => v.top[i]) });
  /** The app's serializer of a route (what Fastify calls), on a payload the preSerialization hook did not prepare. */
  const appSerializer = (schema: z.ZodType) => slicingSerializerCompiler({ schema, method: 'GET', url: '/x', httpStatus: '200' } as never) as unknown as (v: unknown) => string;

  it('the sliced encoder, the one-piece serializer and jsonBytes give the bytes of the array it stands for', async () => {
    for (const [schema, value] of [[centralityResultSchema, centrality(30_000)], [valueRankingSchema, valueRanking(12_000)]] as const) {
      const expected = onePiece(schema, value);
      const l = lazy(value as { top: unknown[] });
      expect(estimateNodes(l)).toBeGreaterThan(SLICE_NODES);
      expect(await sliced(schema, l)).toBe(expected);
      expect(appSerializer(schema)(l)).toBe(expected); // small or CSV answers take this path: made whole for zod
      expect(await jsonBytes(l)).toBe(Buffer.byteLength(JSON.stringify(value))); // what JSON.stringify gives (a job's held result)
      expect(JSON.stringify(l)).toBe(JSON.stringify(value));
    }
    // A job holding one (discriminated union, result.top).
    const job = {
      id: '6f1c2a4e-7d0b-4b1e-9a55-2f6f0c8b9d31', kind: 'centrality', graphId: 'g_1', state: 'succeeded', progress: 1, etaMs: 0,
      createdAt: 'a', startedAt: 'b', finishedAt: 'c', result: lazy(centrality(20_000)),
    };
    const expected = onePiece(jobViewSchema, whole(job));
    expect(await sliced(jobViewSchema, job)).toBe(expected);
    expect(appSerializer(jobViewSchema)(job)).toBe(expected);
  });

  it('a real value ranking: rankValuesAnswer gives LazyRows from LAZY_ROWS_MIN rows on, the same answer as rankValues', async () => {
    const n = LAZY_ROWS_MIN + 500;
    const graph = buildGraph({ ties: Array.from({ length: n }, (_, i) => ({ source: `c${i}`, target: `c${(i * 7 + 1) % n}` })), customers: Array.from({ length: n }, (_, i) => ({ id: `c${i}`, value: i % 13 })) });
    const req = { top: n, rrSets: 5000, p: 0.1, seed: 4 };
    const a = await rankValuesAnswer(graph, req);
    const b = await rankValues(graph, req);
    expect(a.top).toBeInstanceOf(LazyRows);
    const same = { elapsedMs: 0, graphId: 'g_1', graphVersion: 1 };
    expect(await sliced(valueRankingSchema, { ...a, ...same })).toBe(onePiece(valueRankingSchema, { ...b, ...same }));
    // Below the threshold: an array, as before.
    expect(Array.isArray((await rankValuesAnswer(graph, { ...req, top: 100 })).top)).toBe(true);
  });
});
