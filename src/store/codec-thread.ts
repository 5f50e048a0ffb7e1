import { compile, fromTransfer, type CompiledGraph, type CompiledGraphTransfer } from '../graph/compile.js';
import type { GraphData } from '../graph/model.js';
import { builtEntry, OffThread } from '../io/off-thread.js';
import { CorruptGraphError, decodeGraph, encodeGraph } from './codec.js';

/**
 * Stored graphs decoded, encoded and compiled off the event loop (issue 14, "always live"): for 100–200k customers
 * each of these took 0.2–1.7 s of the main thread (inflate, byte-plane shuffles, CSR passes), long enough for every
 * other request, /health included, to wait and for the load shedder to refuse the next ones. Above a size they run
 * on one long-lived thread of this process (src/io/off-thread.ts, entry codec-worker.ts); below it, where the work
 * is a few milliseconds, in the caller's thread (a round trip would cost more). Same functions, same bytes, same
 * errors (a damaged file is a CorruptGraphError either way).
 *
 * What crosses: file bytes are moved (the caller's buffer is detached), typed arrays of GraphData are copied in and
 * moved out, strings (ids, labels, segments) are cloned; a compiled graph comes back on SharedArrayBuffers (shared
 * with the engine's worker pool as before, never copied) and takes the caller's ids.
 */

/** Stored files of at least this many bytes decode off-thread. */
export const OFF_THREAD_FILE_BYTES = 256 * 1024;
/** Graphs of at least this many customers + ties encode and compile off-thread. */
export const OFF_THREAD_ELEMENTS = 50_000;

/** What the compile task needs: the graph data without its strings, and the number of customers. */
export type CompileInput = Omit<GraphData, 'ids' | 'labels' | 'segments' | 'channel' | 'channels' | 'name' | 'source'> & { n: number };

let thread: OffThread | undefined;
function codecThread(): OffThread {
  return (thread ??= new OffThread(builtEntry(import.meta.url, './codec-worker.js'), {
    name: 'graph codec',
    rebuild: (e) => (e.code === 'corrupt-graph' ? new CorruptGraphError(e.message) : undefined),
  }));
}

/** The plain ArrayBuffers under a GraphData's typed arrays (what a worker moves back instead of copying). */
export function graphDataBuffers(d: GraphData): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const a of [d.src, d.dst, d.weight, d.p, d.channel, d.followers, d.value, d.activity]) {
    if (a && a.buffer instanceof ArrayBuffer && !out.includes(a.buffer)) out.push(a.buffer);
  }
  return out;
}

const elements = (d: GraphData) => d.ids.length + d.src.length;

/** decodeGraph, off the event loop for a large file. `bytes` is detached when it goes to the thread. */
export async function decodeGraphAsync(bytes: Uint8Array): Promise<GraphData> {
  if (bytes.byteLength < OFF_THREAD_FILE_BYTES) return decodeGraph(bytes);
  const whole = bytes.byteOffset === 0 && bytes.buffer instanceof ArrayBuffer && bytes.buffer.byteLength === bytes.byteLength;
  const moved = whole ? bytes : new Uint8Array(bytes);
  return codecThread().run<GraphData>('decode', moved, [moved.buffer as ArrayBuffer]);
}

/** encodeGraph, off the event loop for a large graph (the data is copied, the caller keeps it). */
export async function encodeGraphAsync(data: GraphData): Promise<Buffer> {
  if (elements(data) < OFF_THREAD_ELEMENTS) return encodeGraph(data);
  const u8 = await codecThread().run<Uint8Array>('encode', data);
  return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}

/** compile, off the event loop for a large graph; the compiled graph's ids are `data.ids`. */
export async function compileAsync(data: GraphData): Promise<CompiledGraph> {
  if (elements(data) < OFF_THREAD_ELEMENTS) return compile(data);
  const input: CompileInput = {
    n: data.ids.length, directed: data.directed, defaultValue: data.defaultValue,
    src: data.src, dst: data.dst, weight: data.weight, p: data.p,
    followers: data.followers, value: data.value, activity: data.activity,
    ...(data.currency !== undefined ? { currency: data.currency } : {}),
    ...(data.stepDuration !== undefined ? { stepDuration: data.stepDuration } : {}),
  };
  const t = await codecThread().run<CompiledGraphTransfer>('compile', input);
  return { ...fromTransfer(t), ids: data.ids };
}
