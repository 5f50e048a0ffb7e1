/**
 * Pure mapping between GraphData (column form) and the rows the Neo4j store writes and reads.
 * No driver here: batches are plain parameter objects, reads feed an assembler record by record,
 * so memory stays one GraphData plus one batch (or one fetch window of the driver).
 */
import type { GraphData, GraphSource } from '../graph/model.js';
import { CorruptGraphError } from './codec.js';
import type { CypherRecord } from './neo4j-port.js';

/** Rows per write transaction (UNWIND batches; 10k to 50k cost the server the same CPU, BENCHMARKS.md: 50k, fewer round trips). */
export const DEFAULT_BATCH = 50_000;

/** Tie batches a write sends at once, each its own transaction (BENCHMARKS.md, Neo4j: 2 measured no faster than 1 on two busy cores). */
export const TIE_WRITERS = 1;

/** Customers per read page (one index range, one row of columns). */
export const CUSTOMER_PAGE = 50_000;
/** Ties per read page, on average (pages are ranges of source customers, whose out-tie columns they carry). */
export const TIE_PAGE = 100_000;

/** Customers per read page: at most CUSTOMER_PAGE, and few enough that a page carries about TIE_PAGE ties on average. */
export function customerPage(customers: number, ties: number): number {
  const byTies = ties > 0 ? Math.ceil(customers / Math.ceil(ties / TIE_PAGE)) : customers;
  return Math.max(1, Math.min(CUSTOMER_PAGE, byTies));
}

/** [from, to) ranges covering 0..n in steps of `size`. */
export function* pages(n: number, size: number): Generator<[number, number]> {
  for (let from = 0; from < n; from += size) yield [from, Math.min(n, from + size)];
}

/** Optional columns of GraphData, by the name stored in `Graph.columns`. */
export const COLUMNS = ['labels', 'segments', 'followers', 'value', 'activity', 'weight', 'p', 'channel'] as const;
export type ColumnName = (typeof COLUMNS)[number];

export function columnsOf(g: GraphData): ColumnName[] {
  return COLUMNS.filter((c) => g[c] !== null);
}

/**
 * A customer's out-ties as byte arrays (little-endian), null for a customer without out-ties: `outIdx` the ties'
 * positions (int32, ascending), `outDst` their targets' idx (int32), `outWeight`/`outP` float64 (NaN = absent), `outChannel`
 * int32 indices into the graph's channels (-1 = none). Columns the graph does not have are null for the whole batch.
 */
export interface OutTieColumns {
  outIdx: (Int8Array | null)[];
  outDst: (Int8Array | null)[];
  outWeight: (Int8Array | null)[] | null;
  outP: (Int8Array | null)[] | null;
  outChannel: (Int8Array | null)[] | null;
}

export interface CustomerBatch extends OutTieColumns {
  base: number;
  /** Texts as Neo4j can hold them (well-formed); `*Raw` carry exact UTF-16 where that differs (else null). */
  ids: string[];
  idsRaw: (string | null)[] | null;
  labels: (string | null)[] | null;
  labelsRaw: (string | null)[] | null;
  segments: (string | null)[] | null;
  segmentsRaw: (string | null)[] | null;
  followers: (number | null)[] | null;
  values: (number | null)[] | null;
  activity: (number | null)[] | null;
}

/**
 * One transaction's ties, grouped by source customer ("fat rows": a row per source, with the list of its targets),
 * endpoints as positions in `nodes`, the distinct customers the batch touches. The store sends those customers' element
 * ids once per batch; the server finds and checks each of them once, and a tie costs it a list lookup and the
 * relationship (BENCHMARKS.md, Neo4j).
 */
export interface TieBatch {
  /** How many ties the batch holds (the sum of the lengths of `dst`). */
  ties: number;
  /** Customer idx of every endpoint of the batch, each once, in the order the positions below refer to. */
  nodes: number[];
  /** Per row: the source's position in `nodes`. A source with more ties than fit goes on in the next batch. */
  src: number[];
  /** Per row: the targets' positions in `nodes`, one per tie (a multi-tie repeats its target). */
  dst: number[][];
  /** Per row and tie, when the graph has the column (else null for the batch): the attribute, null where absent. */
  weight: (number | null)[][] | null;
  p: (number | null)[][] | null;
  channel: (string | null)[][] | null;
}

const numbers = (a: Float64Array | null, from: number, to: number): (number | null)[] | null => {
  if (!a) return null;
  const out = new Array<number | null>(to - from);
  for (let i = from; i < to; i++) out[i - from] = Number.isNaN(a[i]) ? null : a[i];
  return out;
};

const strings = (a: readonly (string | null)[] | null, from: number, to: number): (string | null)[] | null =>
  a ? a.slice(from, to).map((s) => (s == null ? null : wellFormed(s))) : null;

/** Exact forms of the strings that are not well-formed; null when all are (the common case). */
const raws = (a: readonly (string | null)[] | null, from: number, to: number): (string | null)[] | null => {
  if (!a) return null;
  let out: (string | null)[] | null = null;
  for (let i = from; i < to; i++) {
    const r = rawOf(a[i]);
    if (r !== null) (out ??= new Array<string | null>(to - from).fill(null))[i - from] = r;
  }
  return out;
};

/** int32 values, little-endian, as bytes (what Neo4j stores as a byte array and Bolt carries without a value per element). */
export function packInt32(values: ArrayLike<number>, order: Int32Array | null, from: number, to: number): Int8Array {
  const out = new Int8Array(4 * (to - from));
  const v = new DataView(out.buffer);
  for (let k = from; k < to; k++) v.setInt32(4 * (k - from), values[order ? order[k] : k], true);
  return out;
}

/** float64 values, little-endian, as bytes (NaN stays NaN: an absent value). */
export function packFloat64(values: ArrayLike<number>, order: Int32Array, from: number, to: number): Int8Array {
  const out = new Int8Array(8 * (to - from));
  const v = new DataView(out.buffer);
  for (let k = from; k < to; k++) v.setFloat64(8 * (k - from), values[order[k]], true);
  return out;
}

/** The out-ties of every customer: tie positions grouped by source, ascending within each (`order[start[i]..start[i+1])`). */
export function outTies(g: GraphData): { start: Int32Array; order: Int32Array } {
  const n = g.ids.length;
  const m = g.src.length;
  const start = new Int32Array(n + 1);
  for (let j = 0; j < m; j++) start[g.src[j] + 1]++;
  for (let i = 0; i < n; i++) start[i + 1] += start[i];
  const next = start.slice(0, n);
  const order = new Int32Array(m);
  for (let j = 0; j < m; j++) order[next[g.src[j]]++] = j;
  return { start, order };
}

/**
 * Customers in batches of at most `size` rows, cut earlier when the out-ties they carry pass `size` (a batch holds at
 * least one customer); one batch is built at a time.
 */
export function* customerBatches(g: GraphData, size = DEFAULT_BATCH): Generator<CustomerBatch> {
  const n = g.ids.length;
  const { start, order } = outTies(g);
  const channel = g.channel;
  const column = (from: number, to: number, pack: (i: number) => Int8Array) => {
    const out = new Array<Int8Array | null>(to - from);
    for (let i = from; i < to; i++) out[i - from] = start[i + 1] > start[i] ? pack(i) : null;
    return out;
  };
  for (let from = 0; from < n; ) {
    let to = from + 1;
    while (to < n && to - from < size && start[to + 1] - start[from] <= size) to++;
    const outs: OutTieColumns = {
      outIdx: column(from, to, (i) => packInt32(order, null, start[i], start[i + 1])),
      outDst: column(from, to, (i) => packInt32(g.dst, order, start[i], start[i + 1])),
      outWeight: g.weight ? column(from, to, (i) => packFloat64(g.weight!, order, start[i], start[i + 1])) : null,
      outP: g.p ? column(from, to, (i) => packFloat64(g.p!, order, start[i], start[i + 1])) : null,
      outChannel: channel ? column(from, to, (i) => packInt32(channel, order, start[i], start[i + 1])) : null,
    };
    yield {
      ...outs,
      base: from,
      ids: strings(g.ids, from, to) as string[],
      idsRaw: raws(g.ids, from, to),
      labels: strings(g.labels, from, to),
      labelsRaw: raws(g.labels, from, to),
      segments: strings(g.segments, from, to),
      segmentsRaw: raws(g.segments, from, to),
      followers: numbers(g.followers, from, to),
      values: numbers(g.value, from, to),
      activity: numbers(g.activity, from, to),
    };
    from = to;
  }
}

/**
 * Ties in batches of at most `size`, one row per source customer with its out-ties (in Ripple's order), endpoints as
 * positions in the batch's `nodes` (TieBatch). One batch is built at a time.
 */
export function* tieBatches(g: GraphData, size = DEFAULT_BATCH): Generator<TieBatch> {
  const n = g.ids.length;
  const { start, order } = outTies(g);
  // Position of each customer in the batch being built (-1: not in it); reset through the batch's own node list.
  const local = new Int32Array(n).fill(-1);
  const channelName = g.channel ? g.channels.map(wellFormed) : null;
  let i = 0;
  let e = start[0];
  while (i < n) {
    const batch: TieBatch = {
      ties: 0, nodes: [], src: [], dst: [],
      weight: g.weight ? [] : null, p: g.p ? [] : null, channel: g.channel ? [] : null,
    };
    const { nodes } = batch;
    const at = (c: number) => {
      let q = local[c];
      if (q < 0) {
        q = local[c] = nodes.length;
        nodes.push(c);
      }
      return q;
    };
    while (i < n && batch.ties < size) {
      if (e >= start[i + 1]) {
        i++;
        e = start[i];
        continue;
      }
      const take = Math.min(start[i + 1] - e, size - batch.ties);
      const dst = new Array<number>(take);
      const weight = g.weight ? new Array<number | null>(take) : null;
      const p = g.p ? new Array<number | null>(take) : null;
      const channel = g.channel ? new Array<string | null>(take) : null;
      batch.src.push(at(i));
      for (let t = 0; t < take; t++) {
        const j = order[e + t];
        dst[t] = at(g.dst[j]);
        if (weight) weight[t] = Number.isNaN(g.weight![j]) ? null : g.weight![j];
        if (p) p[t] = Number.isNaN(g.p![j]) ? null : g.p![j];
        if (channel) channel[t] = g.channel![j] >= 0 ? channelName![g.channel![j]] : null;
      }
      batch.dst.push(dst);
      batch.weight?.push(weight!);
      batch.p?.push(p!);
      batch.channel?.push(channel!);
      batch.ties += take;
      e += take;
    }
    if (batch.ties === 0) break;
    for (const c of nodes) local[c] = -1;
    yield batch;
  }
}

/**
 * Bolt sends strings as UTF-8, so a string with a lone surrogate (legal in JavaScript, and in ids: they
 * are data) would come back with U+FFFD. Such strings are stored twice: the property holds the
 * well-formed text (for people querying Neo4j) and `<property>Raw` the exact UTF-16 code units in base64.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

export function wellFormed(s: string): string {
  return LONE_SURROGATE.test(s) ? s.replace(LONE_SURROGATES, '\uFFFD') : s;
}

/** Base64 of the UTF-16LE code units when `s` is not well-formed; null otherwise. */
export function rawOf(s: string | null | undefined): string | null {
  return s != null && LONE_SURROGATE.test(s) ? Buffer.from(s, 'utf16le').toString('base64') : null;
}

/** The exact string back from (text, raw). */
export function fromStored(text: unknown, raw: unknown): string | null {
  if (typeof raw === 'string') return Buffer.from(raw, 'base64').toString('utf16le');
  return typeof text === 'string' ? text : null;
}

/** Integers come back as numbers (driver option disableLosslessIntegers) or as neo4j Integer objects. */
export function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v !== null && typeof v === 'object' && 'toNumber' in v && typeof (v as { toNumber: unknown }).toNumber === 'function') {
    return (v as { toNumber(): number }).toNumber();
  }
  return NaN;
}

/** A list field of a page row (an empty page has empty lists). */
function list(r: CypherRecord, key: string): readonly unknown[] {
  const v = r.get(key);
  if (!Array.isArray(v)) throw new CorruptGraphError(`neo4j: page row has no list ${key}`);
  return v;
}

/** A byte-array field (the driver hands byte arrays over as Int8Array). */
function expectBytes(v: unknown, length: number, i: number, key: string): Int8Array {
  if (!(v instanceof Int8Array) || v.length !== length) {
    throw new CorruptGraphError(`neo4j: customer ${i} has ${v instanceof Int8Array ? `${v.length} bytes of` : 'no'} ${key}, expected ${length} bytes`);
  }
  return v;
}

/** How many values of `width` bytes a byte-array field holds. */
function count(v: unknown, width: number, i: number, key: string): number {
  if (!(v instanceof Int8Array) || v.length % width !== 0) throw new CorruptGraphError(`neo4j: customer ${i} has a malformed ${key}`);
  return v.length / width;
}

const view = (b: Int8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

const optNumber = (v: unknown): number => (v === null || v === undefined ? NaN : toNumber(v));
const optString = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** What the Graph node says about the live version: enough to preallocate every column. */
export interface GraphMeta {
  name: string;
  directed: boolean;
  customers: number;
  ties: number;
  defaultValue: number;
  currency?: string;
  stepDuration?: string;
  source?: GraphSource;
  columns: readonly string[];
  /** Channel names, exact (already decoded from their raw forms). */
  channels: readonly string[];
}

/**
 * Builds GraphData from pages of rows. Customers and ties are placed at their stored `idx`, so the
 * arrays are allocated once at their final size and the arrival order does not matter; `finish()`
 * checks that every position was filled exactly once (a version deleted under a reader shows up here).
 */
export class GraphDataAssembler {
  private readonly data: GraphData;
  private readonly seenCustomer: Uint8Array;
  private readonly seenTie: Uint8Array;
  private customerRows = 0;
  private tieRows = 0;
  private arrayTies = 0;
  private readonly channelIndex = new Map<string, number>();

  constructor(private readonly meta: GraphMeta) {
    const n = meta.customers;
    const m = meta.ties;
    const has = (c: ColumnName) => meta.columns.includes(c);
    const f64 = (len: number) => new Float64Array(len).fill(NaN);
    const channels = [...meta.channels];
    // Ties hold the well-formed text of their channel; the first channel with that text wins.
    channels.forEach((c, i) => {
      if (!this.channelIndex.has(wellFormed(c))) this.channelIndex.set(wellFormed(c), i);
    });
    this.data = {
      name: meta.name,
      directed: meta.directed,
      defaultValue: meta.defaultValue,
      ...(meta.currency !== undefined ? { currency: meta.currency } : {}),
      ...(meta.stepDuration !== undefined ? { stepDuration: meta.stepDuration } : {}),
      ...(meta.source !== undefined ? { source: meta.source } : {}),
      ids: new Array<string>(n),
      labels: has('labels') ? new Array<string | null>(n).fill(null) : null,
      segments: has('segments') ? new Array<string | null>(n).fill(null) : null,
      followers: has('followers') ? f64(n) : null,
      value: has('value') ? f64(n) : null,
      activity: has('activity') ? f64(n) : null,
      src: new Int32Array(m),
      dst: new Int32Array(m),
      weight: has('weight') ? f64(m) : null,
      p: has('p') ? f64(m) : null,
      channel: has('channel') ? new Int32Array(m).fill(-1) : null,
      channels,
    };
    this.seenCustomer = new Uint8Array(n);
    this.seenTie = new Uint8Array(m);
  }

  /**
   * One page of customers: a row whose fields are equal-length lists (Q.readCustomers), with each customer's out-ties as
   * byte arrays (OutTieColumns; null where the customer has none, and for every customer of a slot written before ties
   * were kept on customers — the ties of such a slot are read from the relationships, Q.readTies).
   */
  customers(r: CypherRecord): void {
    const idx = list(r, 'idx');
    const cols = {
      id: list(r, 'id'), idRaw: list(r, 'idRaw'), label: list(r, 'label'), labelRaw: list(r, 'labelRaw'),
      segment: list(r, 'segment'), segmentRaw: list(r, 'segmentRaw'), followers: list(r, 'followers'), value: list(r, 'value'), activity: list(r, 'activity'),
      outIdx: list(r, 'outIdx'), outDst: list(r, 'outDst'), outWeight: list(r, 'outWeight'), outP: list(r, 'outP'), outChannel: list(r, 'outChannel'),
    };
    for (const [k, c] of Object.entries(cols)) {
      if (c.length !== idx.length) throw new CorruptGraphError(`neo4j: customer page has ${c.length} ${k} for ${idx.length} customers`);
    }
    for (let k = 0; k < idx.length; k++) {
      const i = toNumber(idx[k]);
      if (!(Number.isInteger(i) && i >= 0 && i < this.meta.customers) || this.seenCustomer[i]) {
        throw new CorruptGraphError(`neo4j: customer row with index ${i} outside 0..${this.meta.customers - 1} or repeated`);
      }
      this.seenCustomer[i] = 1;
      this.customerRows++;
      const d = this.data;
      const id = fromStored(cols.id[k], cols.idRaw[k]);
      if (id === null) throw new CorruptGraphError(`neo4j: customer ${i} has no string id`);
      d.ids[i] = id;
      if (d.labels) d.labels[i] = fromStored(cols.label[k], cols.labelRaw[k]);
      if (d.segments) d.segments[i] = fromStored(cols.segment[k], cols.segmentRaw[k]);
      if (d.followers) d.followers[i] = optNumber(cols.followers[k]);
      if (d.value) d.value[i] = optNumber(cols.value[k]);
      if (d.activity) d.activity[i] = optNumber(cols.activity[k]);
      if (cols.outIdx[k] != null) this.outTies(i, cols.outIdx[k], cols.outDst[k], cols.outWeight[k], cols.outP[k], cols.outChannel[k]);
    }
  }

  /** Ties placed from a customer's out-tie byte arrays. */
  private outTies(i: number, idxBytes: unknown, dstBytes: unknown, weightBytes: unknown, pBytes: unknown, channelBytes: unknown): void {
    const k = count(idxBytes, 4, i, 'outIdx');
    const at = view(idxBytes as Int8Array);
    const dst = view(expectBytes(dstBytes, 4 * k, i, 'outDst'));
    const d = this.data;
    const weight = d.weight && weightBytes != null ? view(expectBytes(weightBytes, 8 * k, i, 'outWeight')) : null;
    const p = d.p && pBytes != null ? view(expectBytes(pBytes, 8 * k, i, 'outP')) : null;
    const channel = d.channel && channelBytes != null ? view(expectBytes(channelBytes, 4 * k, i, 'outChannel')) : null;
    const n = this.meta.customers;
    for (let e = 0; e < k; e++) {
      const j = at.getInt32(4 * e, true);
      if (!(j >= 0 && j < this.meta.ties) || this.seenTie[j]) {
        throw new CorruptGraphError(`neo4j: tie with index ${j} (of customer ${i}) outside 0..${this.meta.ties - 1} or repeated`);
      }
      const t = dst.getInt32(4 * e, true);
      if (!(t >= 0 && t < n)) throw new CorruptGraphError(`neo4j: tie ${j} has an endpoint outside the graph`);
      this.seenTie[j] = 1;
      this.tieRows++;
      this.arrayTies++;
      d.src[j] = i;
      d.dst[j] = t;
      if (weight) d.weight![j] = weight.getFloat64(8 * e, true);
      if (p) d.p![j] = p.getFloat64(8 * e, true);
      if (channel) {
        const c = channel.getInt32(4 * e, true);
        if (!(c >= -1 && c < d.channels.length)) throw new CorruptGraphError(`neo4j: tie ${j} has channel ${c} of ${d.channels.length}`);
        d.channel![j] = c;
      }
    }
  }

  /** True when some tie came from customers' out-tie arrays (a slot of this layout); false for an older slot. */
  get tiesOnCustomers(): boolean {
    return this.arrayTies > 0;
  }

  /** One page of ties: a row whose fields are equal-length lists (Q.readTies). */
  ties(r: CypherRecord): void {
    const idx = list(r, 'idx');
    const cols = { src: list(r, 'src'), dst: list(r, 'dst'), weight: list(r, 'weight'), p: list(r, 'p'), channel: list(r, 'channel') };
    for (const [k, c] of Object.entries(cols)) {
      if (c.length !== idx.length) throw new CorruptGraphError(`neo4j: tie page has ${c.length} ${k} for ${idx.length} ties`);
    }
    const n = this.meta.customers;
    const d = this.data;
    for (let k = 0; k < idx.length; k++) {
      const j = toNumber(idx[k]);
      if (!(Number.isInteger(j) && j >= 0 && j < this.meta.ties) || this.seenTie[j]) {
        throw new CorruptGraphError(`neo4j: tie row with index ${j} outside 0..${this.meta.ties - 1} or repeated`);
      }
      const s = toNumber(cols.src[k]);
      const t = toNumber(cols.dst[k]);
      if (!(Number.isInteger(s) && s >= 0 && s < n && Number.isInteger(t) && t >= 0 && t < n)) {
        throw new CorruptGraphError(`neo4j: tie ${j} has an endpoint outside the graph`);
      }
      this.seenTie[j] = 1;
      this.tieRows++;
      d.src[j] = s;
      d.dst[j] = t;
      if (d.weight) d.weight[j] = optNumber(cols.weight[k]);
      if (d.p) d.p[j] = optNumber(cols.p[k]);
      if (d.channel) {
        const name = optString(cols.channel[k]);
        if (name !== null) {
          let c = this.channelIndex.get(name);
          if (c === undefined) {
            // A channel written by someone else directly in Neo4j: keep it rather than fail.
            c = d.channels.length;
            d.channels.push(name);
            this.channelIndex.set(name, c);
          }
          d.channel[j] = c;
        }
      }
    }
  }

  /** True when every customer and tie position was filled. */
  get complete(): boolean {
    return this.customerRows === this.meta.customers && this.tieRows === this.meta.ties;
  }

  get counts(): { customers: number; ties: number } {
    return { customers: this.customerRows, ties: this.tieRows };
  }

  finish(): GraphData {
    if (!this.complete) {
      throw new CorruptGraphError(
        `neo4j: read ${this.customerRows}/${this.meta.customers} customers and ${this.tieRows}/${this.meta.ties} ties of the live version`,
      );
    }
    return this.data;
  }
}
