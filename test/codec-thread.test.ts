import { describe, expect, it } from 'vitest';
import { compile } from '../src/graph/compile.js';
import { buildGraphData } from '../src/library.js';
import { CorruptGraphError, decodeGraph, encodeGraph } from '../src/store/codec.js';
import { compileAsync, decodeGraphAsync, encodeGraphAsync, OFF_THREAD_ELEMENTS, OFF_THREAD_FILE_BYTES } from '../src/store/codec-thread.js';

/** The codec thread (issue 14, "always live"): the same bytes, graph data and compiled graph as in-thread, off the event loop. */
describe('graph codec thread', () => {
  const n = 40_000;
  const { data } = buildGraphData({
    directed: true,
    customers: Array.from({ length: n }, (_, i) => ({ id: `c${i}é`, value: (Math.imul(i, 2654435761) >>> 0) / 1e6, ...(i % 3 === 0 ? { label: `L${i}`, followers: i } : {}) })),
    ties: Array.from({ length: n }, (_, i) => ({ source: `c${i}é`, target: `c${(i * 7919 + 13) % n}é`, ...(i % 5 === 0 ? { weight: 1 + (i % 4), p: 0.25 } : {}) })).filter((t) => t.source !== t.target),
  });

  it('encodes, decodes and compiles a large graph off-thread to exactly what the in-thread functions give', async () => {
    expect(data.ids.length + data.src.length).toBeGreaterThanOrEqual(OFF_THREAD_ELEMENTS);
    const bytes = encodeGraph(data);
    expect(bytes.length).toBeGreaterThanOrEqual(OFF_THREAD_FILE_BYTES);
    const off = await encodeGraphAsync(data);
    expect(Buffer.compare(off, bytes)).toBe(0);
    // A timer keeps firing while the thread decodes (the event loop is free).
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const decoded = await decodeGraphAsync(new Uint8Array(bytes));
    clearInterval(timer);
    // Equal data (compared through its bytes: a deep compare of 40k-element columns is slow).
    expect(Buffer.compare(encodeGraph(decoded), bytes)).toBe(0);
    expect(decoded.ids).toEqual(decodeGraph(bytes).ids);
    const compiled = await compileAsync(decoded);
    const inThread = compile(decoded);
    expect(compiled.ids).toBe(decoded.ids);
    const raw = (a: ArrayBufferView | null) => (a ? Buffer.from(a.buffer, a.byteOffset, a.byteLength) : null);
    for (const k of ['outOffsets', 'outTargets', 'inOffsets', 'inSources', 'inArc', 'arcWeight', 'arcP', 'followers', 'value', 'activity'] as const) {
      expect(raw(compiled[k])?.equals(raw(inThread[k])!) ?? inThread[k] === null, k).toBe(true);
    }
    expect([compiled.n, compiled.m, compiled.directed, compiled.totalValue]).toEqual([inThread.n, inThread.m, inThread.directed, inThread.totalValue]);
    expect(compiled.outTargets.buffer).toBeInstanceOf(SharedArrayBuffer); // shared with the engine's workers, not copied
    expect(ticks).toBeGreaterThan(0);
  });

  it('a damaged large file is a CorruptGraphError off-thread too', async () => {
    const bytes = encodeGraph(data);
    bytes[bytes.length >> 1] ^= 0xff;
    await expect(decodeGraphAsync(new Uint8Array(bytes))).rejects.toThrow(CorruptGraphError);
    await expect(decodeGraphAsync(new Uint8Array(bytes))).rejects.toThrow(/checksum mismatch/);
  });
});
