/**
 * Worker-thread entry of the graph codec thread (src/store/codec-thread.ts): decodes and encodes stored graph files
 * (codec.ts) and compiles graph data into the CSR compute form (graph/compile.ts), off the event loop.
 *
 * Tasks: `decode` (file bytes -> GraphData, its typed arrays moved back), `encode` (GraphData -> file bytes, moved
 * back), `compile` (the numeric columns -> the CompiledGraph's SharedArrayBuffers, shared, never copied).
 */
import { parentPort } from 'node:worker_threads';
import { compile, toTransfer } from '../graph/compile.js';
import type { GraphData } from '../graph/model.js';
import { serveTasks, type TaskAnswer } from '../io/off-thread.js';
import { decodeGraph, encodeGraphParallel } from './codec.js';
import { graphDataBuffers, type CompileInput } from './codec-thread.js';

const port = parentPort;
if (!port) throw new Error('codec-worker.ts must run in a worker thread');

const own = (b: Buffer): ArrayBuffer[] => (b.byteOffset === 0 && b.buffer instanceof ArrayBuffer && b.buffer.byteLength === b.byteLength ? [b.buffer] : []);

serveTasks(port, new Map<string, (payload: never) => TaskAnswer | Promise<TaskAnswer>>([
  ['decode', (bytes: Uint8Array) => {
    const data = decodeGraph(bytes);
    return { result: data, transfer: graphDataBuffers(data) };
  }],
  ['encode', async (data: GraphData) => {
    // The sections deflate side by side on zlib's thread pool (the same bytes as encodeGraph).
    const bytes = await encodeGraphParallel(data);
    return { result: bytes, transfer: own(bytes) };
  }],
  ['compile', (input: CompileInput) => {
    // compile() reads only the number of ids (they stay on the main thread).
    const graph = compile({ ...input, ids: { length: input.n } as unknown as string[] } as unknown as GraphData);
    return { result: toTransfer(graph) };
  }],
]));
