import { LazyRows, sliceYielder } from './graph/top-k.js';

/**
 * JSON sizes of large values without stalling the event loop (issue 14, "always live"): the estimate that decides
 * whether a value is large, and its byte count made in slices. Shared by the API's sliced serializer
 * (src/api/serialize.ts) and the job manager's bound on held results (src/jobs/manager.ts).
 */

/** Estimated JSON nodes of a value: arrays by their length × the mean of three sampled elements. */
export function estimateNodes(v: unknown, depth = 0): number {
  if (v === null || typeof v !== 'object') return 1;
  if (depth > 12) return 1;
  if (Array.isArray(v)) {
    const n = v.length;
    if (n === 0) return 1;
    if (n <= 3) return 1 + v.reduce((s: number, x) => s + estimateNodes(x, depth + 1), 0);
    return 1 + (n * (estimateNodes(v[0], depth + 1) + estimateNodes(v[n >> 1], depth + 1) + estimateNodes(v[n - 1], depth + 1))) / 3;
  }
  if (ArrayBuffer.isView(v)) return 1 + ((v as unknown as { length?: number }).length ?? 0);
  if (v instanceof LazyRows) return v.length === 0 ? 1 : 1 + v.length * estimateNodes(v.at(0), depth + 1);
  let w = 1;
  let keys = 0;
  for (const k in v) {
    w += estimateNodes((v as Record<string, unknown>)[k], depth + 1);
    if (++keys > 10_000) return w * 2; // a huge record: big enough, and not worth walking
  }
  return w;
}

/** Below this many estimated nodes a value is counted in one piece. */
const SMALL_NODES = 20_000;
/** Array elements per slice. */
const SLICE_ITEMS = 2000;

const isPlain = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);

/**
 * Buffer.byteLength(JSON.stringify(value)), counted in slices that yield to the event loop for a large array or
 * object (plain JSON data: arrays and plain objects; anything else in one piece). 0 when it cannot be serialised.
 */
export async function jsonBytes(value: unknown): Promise<number> {
  try {
    return await bytesOf(value, sliceYielder());
  } catch {
    return 0;
  }
}

async function bytesOf(v: unknown, tick: () => Promise<void>): Promise<number> {
  if (v instanceof LazyRows) {
    // Its rows made a slice at a time, as the serializer does.
    let total = 2 + Math.max(0, v.length - 1);
    for (let from = 0; from < v.length; from += SLICE_ITEMS) {
      const slice = v.slice(from, from + SLICE_ITEMS);
      total += Buffer.byteLength(JSON.stringify(slice)) - 2 - (slice.length - 1);
      await tick();
    }
    return total;
  }
  if (estimateNodes(v) <= SMALL_NODES || !(Array.isArray(v) || isPlain(v)) || typeof (v as { toJSON?: unknown }).toJSON === 'function') {
    const text = JSON.stringify(v);
    await tick();
    return text === undefined ? 0 : Buffer.byteLength(text);
  }
  if (Array.isArray(v)) {
    let total = 2 + Math.max(0, v.length - 1); // brackets and commas
    for (let from = 0; from < v.length; from += SLICE_ITEMS) {
      const slice = v.slice(from, from + SLICE_ITEMS);
      if (estimateNodes(slice) > SMALL_NODES * 4) {
        // Large elements (long curves): each on its own; undefined and functions are `null` in an array.
        for (const x of slice) total += (await bytesOf(x, tick)) || 4;
        continue;
      }
      total += Buffer.byteLength(JSON.stringify(slice)) - 2 - (slice.length - 1);
      await tick();
    }
    return total;
  }
  // A plain object: its large values counted on their own, the rest with `null` in their place (4 bytes each).
  const shell: Record<string, unknown> = { ...v };
  const big = Object.keys(v).filter((k) => v[k] !== undefined && typeof v[k] !== 'function' && estimateNodes(v[k]) > SMALL_NODES);
  for (const k of big) shell[k] = null;
  let total = Buffer.byteLength(JSON.stringify(shell)) - 4 * big.length;
  for (const k of big) total += await bytesOf(v[k], tick);
  return total;
}
