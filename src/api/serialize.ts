import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { serializerCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { $ZodType, safeEncode } from 'zod/v4/core';
import { LazyRows } from '../graph/top-k.js';
import { estimateNodes } from '../json-size.js';
import { wantsCsv } from './csv.js';

/**
 * Big answers are serialised in slices that yield to the event loop (issue 14, "always live"): a centrality
 * ranking of a million customers is ~60 MB of JSON, and its zod encode + JSON.stringify in one piece stalled every
 * other request, /health included, for seconds.
 *
 * The route serializer stays fastify-type-provider-zod's (`safeEncode` with the response schema, then
 * `JSON.stringify`); this module only changes WHEN the work happens for a large payload. A `preSerialization` hook
 * estimates the payload's size (arrays sampled, not walked); above SLICE_NODES it encodes the payload with the very
 * schema the route serializer holds, the large arrays element slice by element slice, stringifies each slice,
 * yields to the event loop every few milliseconds (setImmediate), and hands the bytes to the serializer, which
 * returns them as they are. Everything else (small answers, CSV answers, a schema shape this encoder does not
 * slice) takes the one-piece path, unchanged.
 *
 * The bytes are the same as the one-piece path's, by construction:
 * - an array without checks encodes element-wise (zod's $ZodArray), so the encode of a slice with the array schema
 *   is the encode of those elements, and JSON.stringify of an array is `[` + its elements' JSON joined by `,` + `]`;
 * - an object encodes key by key in its shape's order; a large value under a key is encoded on its own with that
 *   key's schema, and the object with the same schema but `z.any()` at that key (which passes a marker string
 *   through), whose JSON then has the large value's JSON put in place of the marker's;
 * - a union takes its first option that encodes (zod's $ZodUnion), a discriminated union the option its
 *   discriminator names (else the first that encodes), optional/nullable their inner schema for a value present.
 * Any failure (the answer does not match its schema) falls back to the one-piece path, which then throws zod's own
 * error as before (a 500 naming the route). test/serialize.test.ts checks the bytes against the one-piece path on
 * the real answer schemas.
 */

/** Payloads estimated above this many JSON nodes are encoded in slices (about 1 MB of JSON and ~10 ms of work). */
export const SLICE_NODES = 50_000;
/** Work between two yields to the event loop, in ms. */
const SLICE_MS = 2;
/** Work of one encode+stringify slice of an array, in ms: its size in nodes follows the measured rate. */
const SLICE_TARGET_MS = 1.5;
const SLICE_MIN_NODES = 200;
const SLICE_MAX_NODES = 50_000;

const SCHEMA = Symbol('ripple.responseSchema');
/** Bytes prepared by the hook for one payload object, with the schema they were encoded with (ANY: whatever serializer). */
const ANY = Symbol('ripple.anySerializer');
const prepared = new WeakMap<object, { schema: $ZodType | typeof ANY; bytes: Buffer }>();

/** The route's serializer answers `bytes` for this payload, whatever its schema (a CSV table made in slices: tables.ts). */
export function answerWith(payload: object, bytes: Buffer): void {
  prepared.set(payload, { schema: ANY, bytes });
}

type Serializer = ((data: unknown) => string | Buffer) & { [SCHEMA]?: $ZodType };

function resolveSchema(maybe: unknown): $ZodType | undefined {
  if (maybe instanceof $ZodType) return maybe;
  const props = (maybe as { properties?: unknown } | null)?.properties;
  return props instanceof $ZodType ? props : undefined;
}

/**
 * fastify-type-provider-zod's serializer compiler, unchanged, but for a payload whose bytes the preSerialization
 * hook prepared (with this serializer's schema): those bytes are the answer.
 */
export const slicingSerializerCompiler: typeof serializerCompiler = (route) => {
  const inner = serializerCompiler(route);
  const schema = resolveSchema(route.schema);
  const fn: Serializer = (data) => {
    if (data !== null && typeof data === 'object') {
      const p = prepared.get(data);
      if (p) {
        prepared.delete(data);
        if (p.schema === schema || p.schema === ANY) return p.bytes;
      }
    }
    return inner(materialize(data));
  };
  fn[SCHEMA] = schema;
  return fn as never;
};

/**
 * The value with its LazyRows (src/graph/top-k.ts) made whole, for zod: plain objects are copied where one holds
 * some, a few levels down (answers hold them under `top`, jobs under `result.top`); arrays are not walked.
 */
export function materialize(v: unknown, depth = 0): unknown {
  if (v instanceof LazyRows) return v.slice();
  if (depth > 4 || !isPlain(v)) return v;
  let out: Record<string, unknown> | undefined;
  for (const k of Object.keys(v)) {
    const x = v[k];
    const m = x !== null && typeof x === 'object' ? materialize(x, depth + 1) : x;
    if (m !== x) (out ??= { ...v })[k] = m;
  }
  return out ?? v;
}

/**
 * The bytes as they are made: text pieces, turned into buffers of about CHUNK_BYTES (few allocations, little
 * garbage), joined at the end into one buffer by copies that yield in between.
 */
class Out {
  private pending: string[] = [];
  private pendingLength = 0;
  readonly chunks: Buffer[] = [];
  push(text: string): void {
    this.pending.push(text);
    this.pendingLength += text.length;
    if (this.pendingLength >= CHUNK_CHARS) this.seal();
  }
  private seal(): void {
    if (this.pending.length === 0) return;
    this.chunks.push(Buffer.from(this.pending.join('')));
    this.pending = [];
    this.pendingLength = 0;
  }
  /** Append what another Out holds (a union option that encoded). */
  absorb(other: Out): void {
    other.seal();
    this.seal();
    this.chunks.push(...other.chunks);
  }
  async bytes(y: Yielder): Promise<Buffer> {
    this.seal();
    const total = this.chunks.reduce((a, c) => a + c.length, 0);
    const out = Buffer.allocUnsafe(total);
    let at = 0;
    for (const c of this.chunks) {
      at += c.copy(out, at);
      await y.tick();
    }
    return out;
  }
}

const CHUNK_CHARS = 256 * 1024;

/** The answer does not match its schema (or a shape the slicer does not follow): the one-piece path decides. */
class Fallback extends Error {}

/** Yields to the event loop once SLICE_MS of work has run since the last yield. */
class Yielder {
  private last = performance.now();
  async tick(): Promise<void> {
    if (performance.now() - this.last < SLICE_MS) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.last = performance.now();
  }
}

type Def = { type: string; checks?: unknown[]; element?: $ZodType; innerType?: $ZodType; shape?: Record<string, $ZodType>; options?: $ZodType[]; discriminator?: string };
const defOf = (s: $ZodType) => s._zod.def as unknown as Def;
const hasChecks = (d: Def) => (d.checks?.length ?? 0) > 0;
const isPlain = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);

function encodeOnce(schema: $ZodType, value: unknown): unknown {
  const r = safeEncode(schema, materialize(value));
  if (r.error) throw new Fallback();
  return r.data;
}

/** Derived object schemas with `z.any()` at some keys, per schema and key set. */
const derived = new WeakMap<$ZodType, Map<string, $ZodType>>();

function withAny(schema: $ZodType, keys: string[]): $ZodType {
  let byKeys = derived.get(schema);
  if (!byKeys) derived.set(schema, (byKeys = new Map()));
  const id = JSON.stringify(keys);
  let d = byKeys.get(id);
  if (!d) {
    const extend = (schema as unknown as { extend?: (shape: Record<string, $ZodType>) => $ZodType }).extend;
    if (typeof extend !== 'function') throw new Fallback();
    d = extend.call(schema, Object.fromEntries(keys.map((k) => [k, z.any()])));
    byKeys.set(id, d);
  }
  return d;
}

/**
 * The JSON bytes of `value` encoded with `schema`, large parts in slices. `parts` receives the bytes in order.
 */
async function encodeInto(schema: $ZodType, value: unknown, parts: Out, y: Yielder): Promise<void> {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
      if (value !== undefined) return encodeInto(def.innerType!, value, parts, y);
      break;
    case 'nullable':
      if (value !== null) return encodeInto(def.innerType!, value, parts, y);
      break;
    case 'array':
      if (Array.isArray(value) && !hasChecks(def)) return encodeArray(schema, def.element!, value, parts, y);
      if (value instanceof LazyRows && !hasChecks(def)) return encodeLazyRows(schema, value, parts, y);
      break;
    case 'object':
      if (isPlain(value) && !hasChecks(def)) return encodeObject(schema, def, value, parts, y);
      break;
    case 'union':
      if (!hasChecks(def)) return encodeUnion(def, value, parts, y);
      break;
  }
  // A shape not sliced: in one piece (big only when the answer has an unusual shape).
  const data = encodeOnce(schema, value);
  parts.push(JSON.stringify(data) ?? 'null');
  await y.tick();
}

async function encodeArray(schema: $ZodType, element: $ZodType, value: unknown[], parts: Out, y: Yielder): Promise<void> {
  parts.push('[');
  let first = true;
  // Slices sized to take about SLICE_TARGET_MS each at the rate measured so far (first ones small: zod compiles its
  // fast path on first use, and a loaded machine is slow).
  let target = 2000;
  const flush = async (from: number, to: number, weight: number) => {
    if (to <= from) return;
    const t0 = performance.now();
    const text = JSON.stringify(encodeOnce(schema, value.slice(from, to)));
    parts.push(first ? text.slice(1, -1) : `,${text.slice(1, -1)}`);
    first = false;
    const ms = performance.now() - t0;
    target = Math.min(SLICE_MAX_NODES, Math.max(SLICE_MIN_NODES, Math.round((weight / Math.max(ms, 0.1)) * SLICE_TARGET_MS), Math.round(target / 2)));
    await y.tick();
  };
  let from = 0;
  let weight = 0;
  for (let i = 0; i < value.length; i++) {
    const w = estimateNodes(value[i]);
    if (w > SLICE_NODES) {
      // One large element (a variant with long curves): its own slices.
      await flush(from, i, weight);
      if (!first) parts.push(',');
      first = false;
      await encodeInto(element, value[i], parts, y);
      from = i + 1;
      weight = 0;
      continue;
    }
    weight += w;
    if (weight >= target) {
      await flush(from, i + 1, weight);
      from = i + 1;
      weight = 0;
    }
  }
  await flush(from, value.length, weight);
  parts.push(']');
}

/**
 * LazyRows encoded a slice of rows at a time with the array's schema: the rows of one slice are made, encoded,
 * stringified and dropped before the next (only a slice of them is ever alive). Same bytes as the array they stand
 * for: an array encodes element-wise.
 */
async function encodeLazyRows(schema: $ZodType, rows: LazyRows<unknown>, parts: Out, y: Yielder): Promise<void> {
  parts.push('[');
  let target = 256; // rows per slice, then at the measured rate
  for (let from = 0; from < rows.length;) {
    const to = Math.min(rows.length, from + target);
    const t0 = performance.now();
    const text = JSON.stringify(encodeOnce(schema, rows.slice(from, to)));
    parts.push(from === 0 ? text.slice(1, -1) : `,${text.slice(1, -1)}`);
    const ms = performance.now() - t0;
    target = Math.min(SLICE_MAX_NODES, Math.max(16, Math.round(((to - from) / Math.max(ms, 0.1)) * SLICE_TARGET_MS), Math.round(target / 2)));
    from = to;
    await y.tick();
  }
  parts.push(']');
}

async function encodeObject(schema: $ZodType, def: Def, value: Record<string, unknown>, parts: Out, y: Yielder): Promise<void> {
  const shape = def.shape ?? {};
  const big = Object.keys(shape).filter((k) => Object.hasOwn(value, k) && value[k] !== undefined && (value[k] instanceof LazyRows || estimateNodes(value[k]) > SLICE_NODES));
  if (big.length === 0) {
    const data = encodeOnce(schema, value);
    parts.push(JSON.stringify(data));
    await y.tick();
    return;
  }
  const tag = randomBytes(9).toString('base64url');
  const markers = big.map((k, i) => `\u0000ripple-slice:${tag}:${i}`);
  const shell = { ...value };
  big.forEach((k, i) => (shell[k] = markers[i]));
  const text = JSON.stringify(encodeOnce(withAny(schema, big), shell));
  // Each marker's JSON appears exactly once: the shell's text, cut at the markers, around the large values' bytes.
  const cuts = markers.map((m) => {
    const json = JSON.stringify(m);
    const at = text.indexOf(json);
    if (at < 0 || text.indexOf(json, at + 1) >= 0) throw new Fallback();
    return { at, end: at + json.length, i: markers.indexOf(m) };
  }).sort((a, b) => a.at - b.at);
  let pos = 0;
  for (const c of cuts) {
    parts.push(text.slice(pos, c.at));
    await encodeInto(shape[big[c.i]], value[big[c.i]], parts, y);
    pos = c.end;
  }
  parts.push(text.slice(pos));
}

async function encodeUnion(def: Def, value: unknown, parts: Out, y: Yielder): Promise<void> {
  const options = def.options ?? [];
  let order = options;
  if (def.discriminator !== undefined && isPlain(value) && value[def.discriminator] !== undefined) {
    const tag = value[def.discriminator];
    const claim = options.filter((o) => (o._zod.propValues as Record<string, Set<unknown>> | undefined)?.[def.discriminator!]?.has(tag));
    if (claim.length > 1) throw new Fallback();
    if (claim.length === 1) order = claim; // zod runs the option its discriminator names
  }
  for (const option of order) {
    const mine = new Out();
    try {
      await encodeInto(option, value, mine, y);
    } catch (e) {
      if (e instanceof Fallback) continue;
      throw e;
    }
    parts.absorb(mine);
    return;
  }
  throw new Fallback();
}

/** The JSON of `value` encoded with `schema` (zod safeEncode + JSON.stringify), in slices; undefined when it fails. */
export async function encodeSliced(schema: $ZodType, value: unknown): Promise<Buffer | undefined> {
  const parts = new Out();
  const y = new Yielder();
  try {
    await encodeInto(schema, value, parts, y);
  } catch (e) {
    if (e instanceof Fallback) return undefined;
    throw e;
  }
  return parts.bytes(y);
}

/**
 * The preSerialization hook: a large JSON payload is encoded here, in slices, with the schema of the serializer the
 * route will use for this status and content type; that serializer then answers the bytes.
 */
export async function slicedPreSerialization(req: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  if (payload === null || typeof payload !== 'object' || Buffer.isBuffer(payload)) return payload;
  if (estimateNodes(payload) <= SLICE_NODES) return payload;
  if (wantsCsv(req)) return payload; // the CSV writers (onSend) read the JSON text
  const type = reply.getHeader('content-type');
  const media = (typeof type === 'string' ? type : 'application/json').split(';', 1)[0].trim().toLowerCase();
  const status = String(reply.statusCode);
  const byType = reply.getSerializationFunction(status, media) as Serializer | undefined;
  const fn = typeof byType === 'function' ? byType : (reply.getSerializationFunction(status) as unknown as Serializer | undefined);
  const schema = typeof fn === 'function' ? fn[SCHEMA] : undefined;
  if (!schema) return payload;
  const bytes = await encodeSliced(schema, payload);
  if (bytes) prepared.set(payload, { schema, bytes });
  return payload;
}
