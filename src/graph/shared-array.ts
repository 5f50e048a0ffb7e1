/**
 * Typed arrays on SharedArrayBuffers: what workers read without a copy (compiled graphs, per-arc
 * probabilities, RR collections). At least one element of backing store, so that a zero-length view
 * still has a shareable buffer.
 */
export function sharedI32(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(Math.max(1, n) * 4), 0, n);
}

export function sharedF32(n: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(Math.max(1, n) * 4), 0, n);
}

export function sharedF64(n: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(Math.max(1, n) * 8), 0, n);
}
