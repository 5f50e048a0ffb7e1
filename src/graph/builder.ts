import { ParseError } from '../errors.js';
import { MAX_FOLLOWERS, MAX_ID_LENGTH, MAX_VALUE, MAX_WEIGHT, MIN_WEIGHT, type CustomerAttributes, type GraphData, type GraphSource, type ImportFormat, type ImportReport, type TieAttributes } from './model.js';

/** A growable typed array: amortised O(1) push without an object per element; unset slots hold `fill`. */
class Grow<T extends Int32Array | Float64Array> {
  data: T;
  length = 0;
  constructor(
    private readonly make: (n: number) => T,
    private readonly fill: number,
    initial = 1024,
  ) {
    this.data = make(initial);
    this.data.fill(fill);
  }
  push(v: number): void {
    if (this.length === this.data.length) this.reserve(this.length * 2);
    this.data[this.length++] = v;
  }
  set(i: number, v: number): void {
    if (i >= this.data.length) this.reserve(Math.max(i + 1, this.data.length * 2));
    this.data[i] = v;
    if (i >= this.length) this.length = i + 1;
  }
  private reserve(size: number): void {
    const next = this.make(size);
    next.set(this.data as never);
    next.fill(this.fill, this.data.length);
    this.data = next;
  }
  /** A copy exactly `n` long; slots never set hold `fill`. */
  take(n = this.length): T {
    if (n > this.data.length) this.reserve(n);
    return this.data.slice(0, n) as T;
  }
}

/**
 * id -> customer index. Ids are strings, but most real files use decimal integers: those in canonical form
 * (no sign, no leading zero, at most 9 digits) are looked up in a typed table indexed by their value (or a
 * Map<number> when the values are far sparser than the customers), which is several times faster than hashing
 * a fresh substring per lookup. Other ids go through a Map<string>; never plain-object keys.
 */
class IdIndex {
  private table = new Int32Array(0); // index + 1; 0 = absent
  private readonly numbers = new Map<number, number>(); // canonical integers not covered by the table
  private readonly strings = new Map<string, number>();
  private count = 0;

  get(id: string): number | undefined {
    const v = canonicalInt(id);
    return v < 0 ? this.strings.get(id) : this.getInt(v);
  }

  /** The index of the id whose canonical decimal form is `v` (0 <= v < 10^9). */
  getInt(v: number): number | undefined {
    if (v < this.table.length) {
      const t = this.table[v];
      return t === 0 ? undefined : t - 1;
    }
    return this.numbers.size === 0 ? undefined : this.numbers.get(v);
  }

  set(id: string, i: number): void {
    const v = canonicalInt(id);
    if (v < 0) {
      this.count++;
      this.strings.set(id, i);
      return;
    }
    this.setInt(v, i);
  }

  /** set() for the id whose canonical decimal form is `v`. */
  setInt(v: number, i: number): void {
    this.count++;
    if (v >= this.table.length && v < Math.max(1 << 20, 8 * this.count)) this.grow(v);
    if (v < this.table.length) this.table[v] = i + 1;
    else this.numbers.set(v, i);
  }

  /**
   * Grow the table to cover v and move the map entries it now covers. Values up to 2^20 are always covered (a 4 MB
   * table at most); beyond, only values below 8 x customers. The table at least doubles each time (so it is grown
   * O(log) times, each moving the map once: growing it only to 8 x customers made a 56M-line file with ids up to
   * 2^23 spend 14 s here); it holds at most 2 x max(v + 1) slots (<= 64 bytes per customer).
   */
  private grow(v: number): void {
    const next = new Int32Array(Math.max(v + 1, 2 * this.table.length));
    next.set(this.table);
    this.table = next;
    for (const [k, i] of this.numbers) {
      if (k < next.length) {
        next[k] = i + 1;
        this.numbers.delete(k);
      }
    }
  }
}

/** Value of a canonical decimal id ("0", "17"; not "017", "+1", "1e3") of at most 9 digits, else -1. */
function canonicalInt(s: string): number {
  const n = s.length;
  if (n > 9 || (n > 1 && s.charCodeAt(0) === 48)) return -1;
  let v = 0;
  for (let k = 0; k < n; k++) {
    const d = s.charCodeAt(k) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return n === 0 ? -1 : v;
}

const f64 = (n: number) => new Float64Array(n);
const i32 = (n: number) => new Int32Array(n);

export interface BuilderOptions {
  name: string;
  directed: boolean;
  /** Name of the input for error messages (a file name, "upload", "request body"). */
  source: string;
  format: ImportFormat;
  defaultValue?: number;
  currency?: string;
  stepDuration?: string;
  /** The origin recorded in the graph (GraphData.source), for snapshots of another system. */
  graphSource?: GraphSource;
  /**
   * Parallel ties (the same pair on several lines; for undirected graphs u-v and v-u are the same pair):
   * `merge` (default) keeps the first and drops the others; `count` keeps one tie whose weight is the sum of
   * the parallel ties' weights — with unit weights, their number c. That is the multigraph reading of Kempe,
   * Kleinberg & Tardos (KDD 2003): the `weighted-cascade` scheme then gives c(u,v)/d(v), and the `parallel`
   * scheme 1 − (1 − p)^c (c independent chances at p).
   */
  parallelTies?: 'merge' | 'count';
}

/**
 * Collects customers and ties from any parser into the column form of GraphData, validating every
 * value as it arrives (errors name the source and line). Ids are interned through a Map — never used
 * as plain-object keys.
 *
 * `closed()` switches to "customers are declared": after it, a tie to an unknown customer is an error
 * (used when a customers file or section is given).
 */
export class GraphBuilder {
  private readonly index = new IdIndex();
  private readonly ids: string[] = [];
  private labels: (string | null)[] | null = null;
  private segments: (string | null)[] | null = null;
  private followers: Grow<Float64Array> | null = null;
  private value: Grow<Float64Array> | null = null;
  private activity: Grow<Float64Array> | null = null;
  private readonly src = new Grow(i32, 0);
  private readonly dst = new Grow(i32, 0);
  private weight: Grow<Float64Array> | null = null;
  private p: Grow<Float64Array> | null = null;
  private channel: Grow<Int32Array> | null = null;
  private readonly channelIndex = new Map<string, number>();
  private readonly channels: string[] = [];
  private declared = new Set<number>();
  private customersClosed = false;
  private selfLoops = 0;
  records = 0;

  constructor(readonly opts: BuilderOptions) {}

  fail(line: number | undefined, problem: string, field?: string): never {
    throw new ParseError(this.opts.source, line, problem, undefined, field);
  }

  private checkId(id: unknown, line: number | undefined, what: string): string {
    if (typeof id !== 'string') this.fail(line, `${what} must be a string`);
    if (id.length === 0) this.fail(line, `${what} is empty`);
    if (id.length > MAX_ID_LENGTH) this.fail(line, `${what} is longer than ${MAX_ID_LENGTH} characters`);
    return id;
  }

  private intern(id: string): number {
    let i = this.index.get(id);
    if (i === undefined) {
      i = this.ids.length;
      const own = detach(id);
      this.index.set(own, i);
      this.ids.push(own);
    }
    return i;
  }

  /** intern() for the id whose canonical decimal form is `v` (no string is made unless the id is new). */
  private internInt(v: number): number {
    let i = this.index.getInt(v);
    if (i === undefined) {
      i = this.ids.length;
      this.index.setInt(v, i);
      this.ids.push(String(v));
    }
    return i;
  }

  /** Declare a customer with attributes. A second declaration of the same id is an error. */
  addCustomer(rawId: unknown, attrs: CustomerAttributes, line?: number): number {
    const id = this.checkId(rawId, line, 'customer id');
    const known = this.index.get(id);
    if (known !== undefined && this.declared.has(known)) this.fail(line, `duplicate customer id ${JSON.stringify(clip(id))}`);
    if (known === undefined && this.customersClosed) this.fail(line, `customer ${JSON.stringify(clip(id))} declared after the customer list was closed`);
    const i = this.intern(id);
    this.declared.add(i);
    if (attrs.label != null) {
      if (typeof attrs.label !== 'string') this.fail(line, 'label must be a string');
      (this.labels ??= []);
      this.labels[i] = attrs.label;
    }
    if (attrs.segment != null) {
      if (typeof attrs.segment !== 'string') this.fail(line, 'segment must be a string');
      (this.segments ??= []);
      this.segments[i] = attrs.segment;
    }
    if (attrs.followers != null) {
      const f = num(attrs.followers);
      if (!Number.isInteger(f) || f < 0 || f > MAX_FOLLOWERS) this.fail(line, `followers must be an integer from 0 to ${MAX_FOLLOWERS}, got ${show(attrs.followers)}`, 'followers');
      (this.followers ??= new Grow(f64, NaN)).set(i, f);
    }
    if (attrs.value != null) {
      const v = num(attrs.value);
      if (!(v >= 0 && v <= MAX_VALUE)) this.fail(line, `value must be a number from 0 to ${MAX_VALUE}, got ${show(attrs.value)}`, 'value');
      (this.value ??= new Grow(f64, NaN)).set(i, v);
    }
    if (attrs.activity != null) {
      const a = num(attrs.activity);
      if (!(a >= 0 && a <= 1)) this.fail(line, `activity must be in [0, 1], got ${show(attrs.activity)}`, 'activity');
      (this.activity ??= new Grow(f64, NaN)).set(i, a);
    }
    return i;
  }

  /** After this, ties may only name declared customers. */
  closeCustomers(): void {
    this.customersClosed = true;
  }

  private endpoint(rawId: unknown, line: number | undefined, what: string): number {
    const id = this.checkId(rawId, line, what);
    if (this.customersClosed) {
      const i = this.index.get(id);
      if (i === undefined) this.fail(line, `tie to unknown customer ${JSON.stringify(clip(id))}`);
      return i;
    }
    return this.intern(id);
  }

  /** Add a tie; self-loops are counted and dropped, duplicates are merged in `finish()` (first kept). */
  addTie(source: unknown, target: unknown, attrs: TieAttributes = {}, line?: number): void {
    const s = this.endpoint(source, line, 'source');
    const t = this.endpoint(target, line, 'target');
    this.pushTie(s, t, attrs, line);
  }

  /**
   * addTie() for ids given as their canonical decimal values (0 <= v < 10^9: "0", "17", never "017"): the same
   * tie as `addTie(String(source), String(target), attrs, line)`, without making or hashing a string per end.
   */
  addIntTie(source: number, target: number, attrs: TieAttributes, line: number): void {
    const s = this.intEndpoint(source, line);
    const t = this.intEndpoint(target, line);
    this.pushTie(s, t, attrs, line);
  }

  private intEndpoint(v: number, line: number): number {
    if (this.customersClosed) {
      const i = this.index.getInt(v);
      if (i === undefined) this.fail(line, `tie to unknown customer ${JSON.stringify(String(v))}`);
      return i;
    }
    return this.internInt(v);
  }

  private pushTie(s: number, t: number, attrs: TieAttributes, line: number | undefined): void {
    let w = NaN;
    if (attrs.weight != null) {
      w = num(attrs.weight);
      if (!(w >= MIN_WEIGHT && w <= MAX_WEIGHT)) this.fail(line, `weight must be a number from ${MIN_WEIGHT} to ${MAX_WEIGHT}, got ${show(attrs.weight)}`, 'weight');
    }
    let p = NaN;
    if (attrs.p != null) {
      p = num(attrs.p);
      if (!(p >= 0 && p <= 1)) this.fail(line, `p must be in [0, 1], got ${show(attrs.p)}`, 'p');
    }
    let ch = -1;
    if (attrs.channel != null && attrs.channel !== '') {
      if (typeof attrs.channel !== 'string') this.fail(line, 'channel must be a string');
      let c = this.channelIndex.get(attrs.channel);
      if (c === undefined) {
        c = this.channels.length;
        this.channels.push(attrs.channel);
        this.channelIndex.set(attrs.channel, c);
      }
      ch = c;
    }
    if (s === t) {
      this.selfLoops++;
      return;
    }
    const j = this.src.length;
    this.src.push(s);
    this.dst.push(t);
    if (!Number.isNaN(w) && w !== 1) (this.weight ??= new Grow(f64, NaN)).set(j, w);
    if (!Number.isNaN(p)) (this.p ??= new Grow(f64, NaN)).set(j, p);
    if (ch >= 0) (this.channel ??= new Grow(i32, -1)).set(j, ch);
  }

  get customerCount(): number {
    return this.ids.length;
  }

  /**
   * Merge duplicate ties (first kept; for undirected graphs u-v and v-u are the same tie) and return the data.
   * With `parallelTies: 'count'` the kept tie's weight is the sum of the weights of its parallel ties.
   */
  finish(): { data: GraphData; report: ImportReport } {
    const n = this.ids.length;
    const m0 = this.src.length;
    if (n === 0) this.fail(undefined, 'no customers or ties found (empty graph)');
    const src = this.src.data;
    const dst = this.dst.data;
    const directed = this.opts.directed;
    // Stable bucket of ties by their (normalised) first endpoint, then one pass per bucket with a stamp
    // array marks repeated second endpoints: O(n + m), first occurrence kept.
    const keep = new Uint8Array(m0);
    const start = new Int32Array(n + 1);
    for (let j = 0; j < m0; j++) start[(directed ? src[j] : Math.min(src[j], dst[j])) + 1]++;
    for (let i = 0; i < n; i++) start[i + 1] += start[i];
    // Each tie's index and its second endpoint, in bucket order: the pass below then reads `second` in sequence
    // instead of fetching src/dst at scattered tie indices (a cache miss per tie on a 56M-tie file).
    const order = new Int32Array(m0);
    const second = new Int32Array(m0);
    const fillPos = start.slice(0, n);
    for (let j = 0; j < m0; j++) {
      const s = src[j];
      const t = dst[j];
      const a = directed || s < t ? s : t;
      const q = fillPos[a]++;
      order[q] = j;
      second[q] = directed || s < t ? t : s;
    }
    const stamp = new Int32Array(n).fill(-1);
    const counting = this.opts.parallelTies === 'count';
    // count: the kept tie of each pair (per second endpoint, valid while stamp says so) and its summed weight.
    const keptTie = counting ? new Int32Array(n) : null;
    const summed = counting && m0 > 0 ? new Float64Array(m0) : null;
    const w0 = this.weight ? this.weight.take(m0) : null;
    let parallel = false;
    let kept = 0;
    for (let a = 0; a < n; a++) {
      for (let q = start[a]; q < start[a + 1]; q++) {
        const j = order[q];
        const b = second[q];
        const wj = w0 && !Number.isNaN(w0[j]) ? w0[j] : 1;
        if (stamp[b] !== a) {
          stamp[b] = a;
          keep[j] = 1;
          kept++;
          if (keptTie) {
            keptTie[b] = j;
            summed![j] = wj;
          }
        } else if (keptTie) {
          summed![keptTie[b]] += wj;
          parallel = true;
        }
      }
    }
    const pick = <T extends Int32Array | Float64Array>(arr: T): T => {
      if (kept === m0) return arr.slice(0, m0) as T;
      const out = new (arr.constructor as new (n: number) => T)(kept);
      let k = 0;
      for (let j = 0; j < m0; j++) if (keep[j]) out[k++] = arr[j];
      return out;
    };
    let weight = this.weight ? pick(this.weight.take(m0)) : null;
    if (summed && parallel) {
      // Summed weights can exceed MAX_WEIGHT only with > 1e6-fold repeats of heavy ties: clamp to the bound.
      weight = pick(summed.map((x) => Math.min(x, MAX_WEIGHT)));
    }
    // Channels seen only on dropped ties (self-loops, merged duplicates) are not the graph's: renumber.
    let channel = this.channel ? pick(this.channel.take(m0)) : null;
    let channels = this.channels;
    if (channel) {
      const remap = new Int32Array(channels.length).fill(-1);
      const used: string[] = [];
      for (let j = 0; j < channel.length; j++) {
        const c = channel[j];
        if (c < 0) continue;
        if (remap[c] < 0) {
          remap[c] = used.length;
          used.push(channels[c]);
        }
        channel[j] = remap[c];
      }
      if (used.length === 0) channel = null;
      channels = used;
    } else channels = [];
    const p = this.p ? pick(this.p.take(m0)) : null;
    const data: GraphData = {
      name: this.opts.name,
      directed,
      defaultValue: this.opts.defaultValue ?? 1,
      ...(this.opts.currency !== undefined ? { currency: this.opts.currency } : {}),
      ...(this.opts.stepDuration !== undefined ? { stepDuration: this.opts.stepDuration } : {}),
      ...(this.opts.graphSource !== undefined ? { source: this.opts.graphSource } : {}),
      ids: this.ids,
      labels: this.labels ? padded(this.labels, n) : null,
      segments: this.segments ? padded(this.segments, n) : null,
      followers: this.followers ? this.followers.take(n) : null,
      value: this.value ? this.value.take(n) : null,
      activity: this.activity ? this.activity.take(n) : null,
      src: pick(src.subarray(0, m0) as Int32Array),
      dst: pick(dst.subarray(0, m0) as Int32Array),
      weight: weight && weight.some((w) => !Number.isNaN(w)) ? weight : null,
      p: p && p.some((x) => !Number.isNaN(x)) ? p : null,
      channel,
      channels,
    };
    return {
      data,
      report: {
        format: this.opts.format,
        customers: n,
        ties: kept,
        records: this.records,
        selfLoopsDropped: this.selfLoops,
        duplicatesMerged: m0 - kept,
      },
    };
  }
}

/**
 * A copy of `s` that does not keep a larger string alive. V8 represents a substring of 13+ characters as a
 * view into its parent: an id sliced out of a 64 kB chunk of a streamed file would pin the whole chunk, and
 * a graph's ids would pin the whole file. Concatenating then slicing forces a flat copy (short strings are
 * copied by V8 anyway). Lone surrogates are preserved, unlike a UTF-8 round trip.
 */
function detach(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

function padded<T>(arr: (T | null)[], n: number): (T | null)[] {
  const out = new Array<T | null>(n);
  for (let i = 0; i < n; i++) out[i] = arr[i] ?? null;
  return out;
}

/**
 * Numbers arrive as numbers (JSON) or strings (text formats); anything else is NaN. Text must be a decimal
 * number (`12`, `-0.5`, `.5`, `1e-3`): `Number()` alone would also read `0x1F`, `0b11`, `Infinity` and `1_000`-less
 * oddities as numbers, which no graph file means.
 */
export function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const t = v.trim();
    return DECIMAL.test(t) ? Number(t) : NaN;
  }
  return NaN;
}

/** A decimal number as text: optional sign, digits with an optional fraction (or a fraction alone), optional exponent. */
export const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function show(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(clip(v)) : String(v);
}

/** Keep error messages one readable line even for 10 kB ids. */
export function clip(s: string, max = 80): string {
  return s.length <= max ? s : `${s.slice(0, max)}…`;
}
