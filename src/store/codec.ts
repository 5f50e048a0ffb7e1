import { promisify } from 'node:util';
import { crc32, deflateRaw, deflateRawSync, inflateRawSync } from 'node:zlib';
import { AppError } from '../errors.js';
import type { GraphData, GraphSource } from '../graph/model.js';

/** A recorded graph source: a plain object with a string `type` (anything else in a header is ignored). */
function isSource(v: unknown): v is GraphSource {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && typeof (v as { type?: unknown }).type === 'string';
}

/**
 * The on-disk form of GraphData ("RGB": Ripple graph binary). No file system here: bytes in, bytes out.
 *
 *   0   8 bytes  magic "RPLGRAPH"
 *   8   u32 LE   format version (FORMAT_VERSION)
 *   12  u32 LE   header length H in bytes (a multiple of 8)
 *   16  H bytes  JSON header (UTF-8, padded with spaces): graph scalars, channel names and the section table
 *   ..  sections, each starting at an 8-byte aligned offset (relative to the file start)
 *   end-4 u32 LE crc32 (zlib.crc32) of every byte before it
 *
 * A section holds one column. Numeric columns are the raw little-endian typed array, optionally
 * transformed to compress well: `delta` (Int32 columns: zigzag of the difference to the previous
 * element, wrapping — edge lists sorted by source become runs of zeros), `shuffle` (byte planes:
 * all first bytes, then all second bytes ... — small integers and similar floats leave whole planes
 * nearly constant) and `deflate` (raw deflate). Each transform is kept only when it makes the section
 * smaller, so a section is `raw` when compression does not pay. String columns (ids, labels,
 * segments) are two sections: lengths in UTF-16 code units (Int32, -1 = null) and one text blob,
 * UTF-8 when the text is well-formed Unicode and UTF-16LE otherwise, so that lone surrogates
 * survive the round trip. Names and channel names travel in the JSON header (JSON escapes keep any
 * string intact).
 *
 * Decoding checks the magic, version, length and checksum before reading anything, then that every
 * section lies inside the file and every tie endpoint is a customer index: a damaged file is a clear
 * CorruptGraphError, never a wrong graph.
 */

export const FORMAT_VERSION = 1;
const MAGIC = Buffer.from('RPLGRAPH', 'latin1');
const PREFIX = 16;
/** Typed arrays are written in platform order; the format is little-endian, as is every platform Node ships for. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Stored data that fails its checks (a server-side problem: 500, message not shown to callers). */
export class CorruptGraphError extends AppError {
  constructor(message: string) {
    super(message, { statusCode: 500, code: 'corrupt-graph', expose: false });
  }
}

type NumType = 'i32' | 'f64';
interface Section {
  /** Column name (a fixed identifier, never data). */
  name: string;
  type: NumType | 'bytes';
  offset: number;
  /** Bytes as stored in the file. */
  stored: number;
  /** Bytes once decoded. */
  bytes: number;
  delta?: boolean;
  shuffle?: boolean;
  deflate?: boolean;
}
interface StringColumn {
  lengths: string;
  text: string;
  encoding: 'utf8' | 'utf16le';
}
interface Header {
  name: string;
  directed: boolean;
  defaultValue: number;
  currency?: string;
  stepDuration?: string;
  source?: GraphSource;
  customers: number;
  ties: number;
  channels: string[];
  strings: { ids: StringColumn; labels?: StringColumn; segments?: StringColumn };
  sections: Section[];
}

export interface EncodeOptions {
  /** zlib level for compressed sections (0 = store raw, never compress). Default 1: fast, most of the gain. */
  level?: number;
}

const NUMERIC_COLUMNS = ['followers', 'value', 'activity', 'weight', 'p', 'src', 'dst', 'channel'] as const;
type NumericColumn = (typeof NUMERIC_COLUMNS)[number];

function asBytes(a: Int32Array | Float64Array | Uint8Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Byte planes: out[p * count + i] = in[i * size + p]. */
function shuffle(src: Uint8Array, size: number): Buffer {
  const count = src.length / size;
  const out = Buffer.allocUnsafe(src.length);
  for (let p = 0; p < size; p++) {
    const base = p * count;
    for (let i = 0, s = p; i < count; i++, s += size) out[base + i] = src[s];
  }
  return out;
}

function unshuffle(src: Uint8Array, size: number, out: Uint8Array): void {
  const count = src.length / size;
  for (let p = 0; p < size; p++) {
    const base = p * count;
    for (let i = 0, d = p; i < count; i++, d += size) out[d] = src[base + i];
  }
}

function deltaZigzag(a: Int32Array): Int32Array {
  const out = new Int32Array(a.length);
  let prev = 0;
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] - prev) | 0;
    out[i] = (d << 1) ^ (d >> 31);
    prev = a[i];
  }
  return out;
}

function undeltaZigzag(a: Int32Array): void {
  let prev = 0;
  for (let i = 0; i < a.length; i++) {
    const z = a[i];
    prev = (prev + ((z >>> 1) ^ -(z & 1))) | 0;
    a[i] = prev;
  }
}

interface Payload {
  section: Omit<Section, 'offset'>;
  data: Uint8Array;
}

/**
 * A section to write: its raw bytes, and — when compression is on — the one transformed buffer to deflate. The
 * variant (plain or delta, always shuffled) is chosen by deflating both in full for columns up to SAMPLE_FULL bytes,
 * and on three slices of SAMPLE_SLICE elements (start, middle, end) for larger ones, so a big column is deflated
 * once, not twice. The deflate itself is left to the caller (sync, or on zlib's thread pool, all sections at once).
 */
interface Pending {
  plain: Payload;
  /** Section description if the deflated bytes win, and the bytes to deflate. */
  packed?: { section: Omit<Section, 'offset' | 'stored'>; input: Buffer };
}

const SAMPLE_FULL = 4 << 20;
const SAMPLE_SLICE = 1 << 16;

function sampleOf(base: Buffer, size: number): Buffer {
  const count = base.length / size;
  const take = SAMPLE_SLICE * size;
  const mid = Math.floor(count / 2) * size;
  return Buffer.concat([base.subarray(0, take), base.subarray(mid, mid + take), base.subarray(base.length - take)]);
}

function planNumeric(name: string, arr: Int32Array | Float64Array, level: number): Pending {
  const type: NumType = arr instanceof Int32Array ? 'i32' : 'f64';
  const raw = asBytes(arr);
  const plain: Payload = { section: { name, type, stored: raw.length, bytes: raw.length }, data: raw };
  if (level <= 0 || raw.length < 64) return { plain };
  const size = arr.BYTES_PER_ELEMENT;
  let delta = false;
  if (type === 'i32') {
    const d = asBytes(deltaZigzag(arr as Int32Array));
    if (raw.length <= SAMPLE_FULL) {
      // Small: both in full, as before — the smaller wins (plain on a tie).
      const a = deflateRawSync(shuffle(raw, size), { level });
      const b = deflateRawSync(shuffle(d, size), { level });
      const packed = b.length < a.length ? b : a;
      delta = b.length < a.length;
      if (packed.length >= raw.length) return { plain };
      return { plain: { section: { name, type, stored: packed.length, bytes: raw.length, shuffle: true, deflate: true, ...(delta ? { delta: true } : {}) }, data: packed } };
    }
    const a = deflateRawSync(shuffle(sampleOf(raw, size), size), { level }).length;
    const b = deflateRawSync(shuffle(sampleOf(d, size), size), { level }).length;
    delta = b < a;
    return { plain, packed: { section: { name, type, bytes: raw.length, shuffle: true, deflate: true, ...(delta ? { delta: true } : {}) }, input: shuffle(delta ? d : raw, size) } };
  }
  return { plain, packed: { section: { name, type, bytes: raw.length, shuffle: true, deflate: true }, input: shuffle(raw, size) } };
}

function planBytes(name: string, raw: Buffer, level: number): Pending {
  const plain: Payload = { section: { name, type: 'bytes', stored: raw.length, bytes: raw.length }, data: raw };
  if (level <= 0 || raw.length < 64) return { plain };
  return { plain, packed: { section: { name, type: 'bytes', bytes: raw.length, deflate: true }, input: raw } };
}

/** The payload of a planned section given its deflated bytes: the deflated form when it is smaller. */
function settle(p: Pending, deflated: Buffer | undefined): Payload {
  if (!p.packed || deflated === undefined || deflated.length >= p.plain.data.length) return p.plain;
  return { section: { ...p.packed.section, stored: deflated.length }, data: deflated };
}

/** A lone surrogate: UTF-8 cannot carry it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function planStrings(name: string, values: readonly (string | null)[], level: number, out: Pending[]): StringColumn {
  const lengths = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const s = values[i];
    lengths[i] = s == null ? -1 : s.length;
  }
  // One join instead of a Buffer per string; nulls contribute nothing. The joined text only has to
  // survive as a whole: slicing it back by UTF-16 lengths restores every piece, even half pairs.
  const joined = values.map((s) => s ?? '').join('');
  const encoding = LONE_SURROGATE.test(joined) ? 'utf16le' : 'utf8';
  const text = Buffer.from(joined, encoding);
  out.push(planNumeric(`${name}.lengths`, lengths, level));
  out.push(planBytes(`${name}.text`, text, level));
  return { lengths: `${name}.lengths`, text: `${name}.text`, encoding };
}

function plan(data: GraphData, level: number): { pending: Pending[]; strings: Header['strings'] } {
  if (!LITTLE_ENDIAN) throw new AppError('the graph file format needs a little-endian platform');
  const pending: Pending[] = [];
  const strings: Header['strings'] = { ids: planStrings('ids', data.ids, level, pending) };
  if (data.labels) strings.labels = planStrings('labels', data.labels, level, pending);
  if (data.segments) strings.segments = planStrings('segments', data.segments, level, pending);
  for (const col of NUMERIC_COLUMNS) {
    const arr = data[col];
    if (arr) pending.push(planNumeric(col, arr, level));
  }
  return { pending, strings };
}

/** Encode graph data to its binary file form (see the format above). */
export function encodeGraph(data: GraphData, opts: EncodeOptions = {}): Buffer {
  const level = opts.level ?? 1;
  const { pending, strings } = plan(data, level);
  const payloads = pending.map((p) => settle(p, p.packed ? deflateRawSync(p.packed.input, { level }) : undefined));
  return assemble(data, strings, payloads);
}

const deflateRawAsync = promisify(deflateRaw);

/**
 * encodeGraph with every section deflated at once on zlib's thread pool (the codec thread's encode, codec-thread.ts): the same bytes, the big columns compressed
 * side by side on as many cores as the pool gets, and the event loop free meanwhile (before this, deflate was 25 s of
 * one thread in the profile of a 56M-tie import).
 */
export async function encodeGraphParallel(data: GraphData, opts: EncodeOptions = {}): Promise<Buffer> {
  const level = opts.level ?? 1;
  const { pending, strings } = plan(data, level);
  const deflated = await Promise.all(pending.map((p) => (p.packed ? deflateRawAsync(p.packed.input, { level }) : undefined)));
  return assemble(data, strings, pending.map((p, i) => settle(p, deflated[i])));
}

function assemble(data: GraphData, strings: Header['strings'], payloads: Payload[]): Buffer {

  // Lay the sections out after the header; the header's own length depends on the offsets, so pad the
  // header to a fixed-point: offsets are computed for a header length, and recomputed if it grew.
  const sections: Section[] = payloads.map((p) => ({ ...p.section, offset: 0 }));
  const header: Header = {
    name: data.name,
    directed: data.directed,
    defaultValue: data.defaultValue,
    ...(data.currency !== undefined ? { currency: data.currency } : {}),
    ...(data.stepDuration !== undefined ? { stepDuration: data.stepDuration } : {}),
    ...(data.source !== undefined ? { source: data.source } : {}),
    customers: data.ids.length,
    ties: data.src.length,
    channels: data.channels,
    strings,
    sections,
  };
  let headerLen = 0;
  let json = '';
  for (;;) {
    let pos = PREFIX + headerLen;
    for (const s of sections) {
      s.offset = pos;
      pos = align8(pos + s.stored);
    }
    json = JSON.stringify(header);
    const need = align8(Buffer.byteLength(json, 'utf8'));
    if (need <= headerLen) break;
    headerLen = need;
  }
  const last = sections.length ? sections[sections.length - 1] : undefined;
  const end = last ? last.offset + last.stored : PREFIX + headerLen;
  const total = end + 4;
  const buf = Buffer.alloc(total);
  MAGIC.copy(buf, 0);
  buf.writeUInt32LE(FORMAT_VERSION, 8);
  buf.writeUInt32LE(headerLen, 12);
  buf.fill(0x20, PREFIX, PREFIX + headerLen);
  buf.write(json, PREFIX, 'utf8');
  for (let i = 0; i < sections.length; i++) buf.set(payloads[i].data, sections[i].offset);
  buf.writeUInt32LE(crc32(buf.subarray(0, end)), end);
  return buf;
}

function align8(x: number): number {
  return (x + 7) & ~7;
}

function bad(problem: string): never {
  throw new CorruptGraphError(`stored graph is corrupt: ${problem}`);
}

/** Decode and verify a buffer made by encodeGraph. Throws CorruptGraphError on any damage. */
export function decodeGraph(input: Uint8Array): GraphData {
  if (!LITTLE_ENDIAN) throw new AppError('the graph file format needs a little-endian platform');
  const buf = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (buf.length < PREFIX + 4) bad(`${buf.length} bytes is too short`);
  if (!buf.subarray(0, 8).equals(MAGIC)) bad('not a Ripple graph file (bad magic)');
  const version = buf.readUInt32LE(8);
  if (version !== FORMAT_VERSION) bad(`format version ${version} is not supported (expected ${FORMAT_VERSION})`);
  const end = buf.length - 4;
  const sum = crc32(buf.subarray(0, end));
  if (sum !== buf.readUInt32LE(end)) bad('checksum mismatch (truncated or damaged file)');
  const headerLen = buf.readUInt32LE(12);
  if (PREFIX + headerLen > end) bad('header runs past the end of the file');
  let header: Header;
  try {
    header = JSON.parse(buf.toString('utf8', PREFIX, PREFIX + headerLen)) as Header;
  } catch {
    bad('header is not valid JSON');
  }
  const byName = new Map<string, Section>();
  for (const s of header.sections) {
    if (!(Number.isInteger(s.offset) && Number.isInteger(s.stored) && s.offset >= PREFIX + headerLen && s.offset + s.stored <= end)) {
      bad(`section ${s.name} lies outside the file`);
    }
    byName.set(s.name, s);
  }
  const n = header.customers;
  const m = header.ties;

  const sectionBytes = (s: Section): Buffer => {
    const stored = buf.subarray(s.offset, s.offset + s.stored);
    let bytes: Buffer = stored;
    if (s.deflate) {
      try {
        bytes = inflateRawSync(stored);
      } catch {
        bad(`section ${s.name} does not inflate`);
      }
    }
    if (bytes.length !== s.bytes) bad(`section ${s.name} has ${bytes.length} bytes, expected ${s.bytes}`);
    return bytes;
  };

  function numeric(name: string, type: 'i32', count: number): Int32Array;
  function numeric(name: string, type: 'f64', count: number): Float64Array;
  function numeric(name: string, type: NumType, count: number): Int32Array | Float64Array {
    const s = byName.get(name);
    if (!s) bad(`section ${name} is missing`);
    if (s.type !== type) bad(`section ${name} has type ${s.type}, expected ${type}`);
    const size = type === 'i32' ? 4 : 8;
    if (s.bytes !== count * size) bad(`section ${name} holds ${s.bytes} bytes, expected ${count * size}`);
    const bytes = sectionBytes(s);
    // Always a fresh, aligned copy: the result never aliases the input buffer.
    const out = type === 'i32' ? new Int32Array(count) : new Float64Array(count);
    const outBytes = new Uint8Array(out.buffer);
    if (s.shuffle) unshuffle(bytes, size, outBytes);
    else outBytes.set(bytes);
    if (s.delta) {
      if (type !== 'i32') bad(`section ${name} is delta-coded but not Int32`);
      undeltaZigzag(out as Int32Array);
    }
    return out;
  }
  const optional = (name: NumericColumn, type: NumType, count: number) =>
    byName.has(name) ? (type === 'i32' ? numeric(name, 'i32', count) : numeric(name, 'f64', count)) : null;

  const strings = (col: StringColumn | undefined, count: number): (string | null)[] | null => {
    if (!col) return null;
    const lengths = numeric(col.lengths, 'i32', count);
    const textSection = byName.get(col.text);
    if (!textSection || textSection.type !== 'bytes') bad(`section ${col.text} is missing`);
    if (col.encoding !== 'utf8' && col.encoding !== 'utf16le') bad(`unknown text encoding ${String(col.encoding)}`);
    const text = sectionBytes(textSection).toString(col.encoding);
    const out = new Array<string | null>(count);
    let pos = 0;
    for (let i = 0; i < count; i++) {
      const len = lengths[i];
      if (len === -1) {
        out[i] = null;
        continue;
      }
      if (len < 0 || pos + len > text.length) bad(`string column ${col.lengths} overruns its text`);
      out[i] = text.slice(pos, pos + len);
      pos += len;
    }
    if (pos !== text.length) bad(`string column ${col.lengths} does not cover its text`);
    return out;
  };

  if (!(Number.isInteger(n) && n >= 0 && Number.isInteger(m) && m >= 0)) bad('bad customer or tie count');
  const ids = strings(header.strings?.ids, n);
  if (!ids) bad('ids are missing');
  for (let i = 0; i < n; i++) if (ids[i] === null) bad('a customer id is null');
  const src = numeric('src', 'i32', m);
  const dst = numeric('dst', 'i32', m);
  for (let j = 0; j < m; j++) {
    if (!(src[j] >= 0 && src[j] < n && dst[j] >= 0 && dst[j] < n)) bad(`tie ${j} names customer index outside 0..${n - 1}`);
  }
  const channels = Array.isArray(header.channels) ? header.channels : bad('channels are missing');
  const channel = optional('channel', 'i32', m) as Int32Array | null;
  if (channel) {
    for (let j = 0; j < m; j++) if (!(channel[j] >= -1 && channel[j] < channels.length)) bad(`tie ${j} has channel index ${channel[j]}`);
  }
  return {
    name: header.name,
    directed: header.directed,
    defaultValue: header.defaultValue,
    ...(header.currency !== undefined ? { currency: header.currency } : {}),
    ...(typeof header.stepDuration === 'string' ? { stepDuration: header.stepDuration } : {}),
    ...(isSource(header.source) ? { source: header.source } : {}),
    ids: ids as string[],
    labels: strings(header.strings.labels, n),
    segments: strings(header.strings.segments, n),
    followers: optional('followers', 'f64', n) as Float64Array | null,
    value: optional('value', 'f64', n) as Float64Array | null,
    activity: optional('activity', 'f64', n) as Float64Array | null,
    src,
    dst,
    weight: optional('weight', 'f64', m) as Float64Array | null,
    p: optional('p', 'f64', m) as Float64Array | null,
    channel,
    channels,
  };
}
