import { createHash } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';

/**
 * How engine payloads and results cross Redis. They are objects with typed arrays (a simulation plan holds
 * per-arc probabilities; a chunk result holds per-run reach); BullMQ stores job data as JSON, which would
 * turn a Float32Array into an object of strings. So a payload is written with `v8.serialize` (typed arrays,
 * NaN, undefined survive exactly) and sent as base64, and every typed array of BLOB_MIN_BYTES or more is
 * stored once, content-addressed (`<prefix>:blob:<sha256>`), and referenced by its hash: a plan shared by
 * 32 chunks travels once, and a worker keeps the blobs it has seen (BlobCache) so later chunks of the same
 * job cost a lookup. Arrays that lived on SharedArrayBuffers come back on SharedArrayBuffers, so a worker's
 * thread pool shares them instead of copying.
 */

export const BLOB_MIN_BYTES = 64 * 1024;

const BLOB = '__rippleBlob';

type TypedArray =
  | Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array
  | Float32Array | Float64Array | BigInt64Array | BigUint64Array;

const CTORS = {
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array,
} as const;
type CtorName = keyof typeof CTORS;

interface BlobRef {
  [BLOB]: string;
  type: CtorName;
  length: number;
  shared: boolean;
}

function isTyped(v: unknown): v is TypedArray {
  return ArrayBuffer.isView(v) && !(v instanceof DataView);
}

function isBlobRef(v: unknown): v is BlobRef {
  return typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>)[BLOB] === 'string';
}

/** Hashes of arrays already stored, by identity (a plan's arrays are hashed once per job, not per chunk). */
const hashes = new WeakMap<object, string>();

function bytesOf(a: TypedArray): Buffer {
  return Buffer.from(a.buffer as ArrayBuffer, a.byteOffset, a.byteLength);
}

/**
 * Where blobs go when encoding: `put` must make the blob readable by `get` before the payload is used. `bytes`
 * is called only when the sink does not hold that hash yet (a job's plan is written once, not per chunk).
 */
export interface BlobSink {
  put(hash: string, bytes: () => Buffer): Promise<void>;
}

export interface BlobSource {
  get(hash: string): Promise<Buffer | null>;
}

/**
 * Encode a payload: large typed arrays become blob references (stored through `sink`), the rest is
 * v8-serialized. Small arrays on SharedArrayBuffers are copied into plain ones (v8.serialize would not keep them shared anyway).
 */
export async function encode(value: unknown, sink: BlobSink): Promise<string> {
  const puts: Promise<void>[] = [];
  const seen = new Map<string, true>();
  const walk = (v: unknown): unknown => {
    if (isTyped(v)) {
      const shared = typeof SharedArrayBuffer !== 'undefined' && v.buffer instanceof SharedArrayBuffer;
      if (v.byteLength < BLOB_MIN_BYTES) return shared ? v.slice() : v;
      let hash = hashes.get(v);
      if (hash === undefined) {
        hash = createHash('sha256').update(bytesOf(v)).digest('hex');
        hashes.set(v, hash);
      }
      if (!seen.has(hash)) {
        seen.set(hash, true);
        const view = v;
        puts.push(sink.put(hash, () => Buffer.from(bytesOf(view))));
      }
      const ref: BlobRef = { [BLOB]: hash, type: v.constructor.name as CtorName, length: v.length, shared };
      return ref;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x);
      return out;
    }
    return v;
  };
  const tree = walk(value);
  await Promise.all(puts);
  return serialize(tree).toString('base64');
}

/** Decode what encode() made, fetching blobs through `source` (a BlobCache in workers). */
export async function decode<T>(text: string, source: BlobSource): Promise<T> {
  const tree = deserialize(Buffer.from(text, 'base64')) as unknown;
  const refs: BlobRef[] = [];
  const collect = (v: unknown): void => {
    if (isBlobRef(v)) refs.push(v);
    else if (Array.isArray(v)) v.forEach(collect);
    else if (v !== null && typeof v === 'object' && !isTyped(v)) for (const x of Object.values(v)) collect(x);
  };
  collect(tree);
  const arrays = new Map<string, TypedArray>();
  await Promise.all(
    refs.map(async (r) => {
      const key = `${r[BLOB]}/${r.type}/${r.shared}`;
      if (arrays.has(key)) return;
      const bytes = await source.get(r[BLOB]);
      if (!bytes) throw new Error(`payload blob ${r[BLOB].slice(0, 12)}… is gone from Redis (expired or evicted)`);
      const Ctor = CTORS[r.type];
      if (!Ctor) throw new Error(`payload blob of unknown type ${String(r.type)}`);
      const buf = r.shared ? new SharedArrayBuffer(bytes.length) : new ArrayBuffer(bytes.length);
      new Uint8Array(buf).set(bytes);
      const arr = new Ctor(buf as ArrayBuffer, 0, r.length) as TypedArray;
      hashes.set(arr, r[BLOB]);
      arrays.set(key, arr);
    }),
  );
  const rebuild = (v: unknown): unknown => {
    if (isBlobRef(v)) return arrays.get(`${v[BLOB]}/${v.type}/${v.shared}`);
    if (Array.isArray(v)) return v.map(rebuild);
    if (v !== null && typeof v === 'object' && !isTyped(v) && Object.getPrototypeOf(v) === Object.prototype) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = rebuild(x);
      return out;
    }
    return v;
  };
  return rebuild(tree) as T;
}

/**
 * Blobs a worker has fetched, by hash, least recently used dropped past `maxBytes`; concurrent gets of one
 * hash share one fetch. Hashes name content, so a cached blob is never stale.
 */
export class BlobCache implements BlobSource {
  private readonly entries = new Map<string, Promise<Buffer | null>>();
  private readonly sizes = new Map<string, number>();
  private total = 0;
  constructor(private readonly fetch: (hash: string) => Promise<Buffer | null>, private readonly maxBytes = 512 * 1024 * 1024) {}

  get(hash: string): Promise<Buffer | null> {
    const hit = this.entries.get(hash);
    if (hit) {
      this.entries.delete(hash);
      this.entries.set(hash, hit);
      return hit;
    }
    const p = this.fetch(hash).then((b) => {
      if (!b) this.entries.delete(hash);
      else if (this.entries.get(hash) === p) {
        this.sizes.set(hash, b.length);
        this.total += b.length;
        for (const [h] of this.entries) {
          if (this.total <= this.maxBytes || h === hash) break;
          this.entries.delete(h);
          this.total -= this.sizes.get(h) ?? 0;
          this.sizes.delete(h);
        }
      }
      return b;
    }, (e: unknown) => {
      this.entries.delete(hash);
      throw e;
    });
    this.entries.set(hash, p);
    return p;
  }
}
