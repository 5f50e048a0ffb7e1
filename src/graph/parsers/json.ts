import { ParseError } from '../../errors.js';
import { clip, GraphBuilder } from '../builder.js';
import { customerAt, MAX_FOLLOWERS, MAX_VALUE, MAX_WEIGHT, MIN_WEIGHT, type GraphData, type ImportReport } from '../model.js';
import { isoDuration, parseDuration } from '../duration.js';
import { readText, type ByteInput, type InputOptions } from './input.js';

export interface JsonOptions extends InputOptions {
  /** Non-empty: overrides the document's name. */
  name: string;
  /** Name when neither `name` nor the document gives one. */
  fallbackName: string;
  /** Given: overrides the document's `directed`. */
  directed?: boolean;
}

const TOP_KEYS = new Set(['name', 'directed', 'defaultValue', 'currency', 'stepDuration', 'customers', 'ties']);
const CUSTOMER_KEYS = new Set(['id', 'label', 'followers', 'value', 'segment', 'activity']);
const TIE_KEYS = new Set(['source', 'target', 'weight', 'p', 'channel']);

type Obj = Record<string, unknown>;

/**
 * Ripple JSON: `{ name, directed, defaultValue?, currency?, customers?: [{id, label?, followers?, value?,
 * segment?, activity?}], ties: [{source, target, weight?, p?, channel?}] }`. Ids are strings (integers are
 * accepted and read as their decimal text). When `customers` is given, a tie to a customer not in it is an
 * error; when omitted, customers are created from the ties. Errors name the JSON path (`ties[12].p`) and, for
 * syntax errors, the line. Unknown keys are ignored and listed in the report's `warnings`.
 */
export async function parseRippleJson(input: ByteInput, opts: JsonOptions): Promise<{ data: GraphData; report: ImportReport }> {
  const { source } = opts;
  const fail = (path: string, problem: string): never => {
    throw new ParseError(source, undefined, path === '' ? problem : `${path}: ${problem}`);
  };
  const text = await readText(input, opts);
  if (text.trim() === '') fail('', 'empty file (no customers or ties)');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const line = pos ? lineAt(text, Number(pos[1])) : undefined;
    throw new ParseError(source, line, `invalid JSON: ${msg.replace(/\s*\(line \d+ column \d+\)$/, '')}`, e);
  }
  return graphFromRippleDoc(doc, opts);
}

/**
 * A Ripple JSON document already parsed (a request body): the same checks, paths and warnings as
 * parseRippleJson, without serialising it back to text. Unknown keys are listed in `report.warnings`.
 */
export function graphFromRippleDoc(doc: unknown, opts: Omit<JsonOptions, 'maxBytes' | 'signal'>): { data: GraphData; report: ImportReport } {
  const { source } = opts;
  const fail = (path: string, problem: string): never => {
    throw new ParseError(source, undefined, path === '' ? problem : `${path}: ${problem}`, undefined, path || undefined);
  };
  if (!isObject(doc)) return fail('', 'expected a JSON object { name, directed, customers, ties }');
  const warnings: string[] = [];
  const unknown = Object.keys(doc).filter((k) => !TOP_KEYS.has(k));
  if (unknown.length > 0) warnings.push(`ignored keys ${unknown.slice(0, 20).map((k) => JSON.stringify(clip(k))).join(', ')}${unknown.length > 20 ? ` and ${unknown.length - 20} more` : ''}`);

  const name = opt(doc, 'name');
  if (name !== undefined && typeof name !== 'string') fail('name', 'must be a string');
  const directed = opt(doc, 'directed');
  if (directed !== undefined && typeof directed !== 'boolean') fail('directed', 'must be true or false');
  const defaultValue = opt(doc, 'defaultValue');
  if (defaultValue !== undefined && !(typeof defaultValue === 'number' && defaultValue >= 0 && defaultValue <= MAX_VALUE)) {
    fail('defaultValue', `must be a number from 0 to ${MAX_VALUE}, got ${show(defaultValue)}`);
  }
  const currency = opt(doc, 'currency');
  if (currency !== undefined && typeof currency !== 'string') fail('currency', 'must be a string');
  const stepText = opt(doc, 'stepDuration');
  let stepDuration: string | undefined;
  if (stepText !== undefined && stepText !== null) {
    if (typeof stepText !== 'string') fail('stepDuration', 'must be an ISO 8601 duration such as PT2H');
    const d = parseDuration(stepText as string);
    if ('error' in d) fail('stepDuration', d.error);
    else stepDuration = isoDuration(d.seconds);
  }
  const customers = opt(doc, 'customers');
  if (customers !== undefined && !Array.isArray(customers)) fail('customers', 'must be an array');
  const ties = opt(doc, 'ties');
  if (ties !== undefined && !Array.isArray(ties)) fail('ties', 'must be an array');
  if (customers === undefined && ties === undefined) fail('', 'expected "ties" (and optionally "customers")');

  const b = new GraphBuilder({
    name: opts.name !== '' ? opts.name : ((name as string | undefined) || opts.fallbackName),
    directed: opts.directed ?? (directed as boolean | undefined) ?? false,
    source,
    format: 'json',
    parallelTies: opts.parallelTies,
    ...(defaultValue !== undefined ? { defaultValue: defaultValue as number } : {}),
    ...(currency !== undefined ? { currency: currency as string } : {}),
    ...(stepDuration !== undefined ? { stepDuration } : {}),
  });
  // Builder errors (duplicates, unknown customers) get the element's path.
  const at = <T>(path: string, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      if (e instanceof ParseError && e.file === source && e.line === undefined) fail(path, e.message.slice(source.length + 2));
      throw e;
    }
  };
  let extraCustomerKeys = false;
  let extraTieKeys = false;
  if (customers !== undefined) {
    const list = customers as unknown[];
    for (let i = 0; i < list.length; i++) {
      const path = `customers[${i}]`;
      const c = list[i];
      if (!isObject(c)) fail(path, 'must be an object {id, ...}');
      const o = c as Obj;
      if (!extraCustomerKeys && Object.keys(o).some((k) => !CUSTOMER_KEYS.has(k))) extraCustomerKeys = true;
      const id = idOf(o, 'id', path, fail);
      const attrs = {
        label: str(o, 'label', path, fail),
        segment: str(o, 'segment', path, fail),
        followers: number(o, 'followers', path, fail, (v) => Number.isInteger(v) && v >= 0 && v <= MAX_FOLLOWERS, `an integer from 0 to ${MAX_FOLLOWERS}`),
        value: number(o, 'value', path, fail, (v) => v >= 0 && v <= MAX_VALUE, `a number from 0 to ${MAX_VALUE}`),
        activity: number(o, 'activity', path, fail, (v) => v >= 0 && v <= 1, 'in [0, 1]'),
      };
      at(path, () => b.addCustomer(id, attrs));
    }
    b.closeCustomers();
  }
  const tieList = (ties ?? []) as unknown[];
  for (let j = 0; j < tieList.length; j++) {
    const path = `ties[${j}]`;
    const t = tieList[j];
    if (!isObject(t)) fail(path, 'must be an object {source, target, ...}');
    const o = t as Obj;
    if (!extraTieKeys && Object.keys(o).some((k) => !TIE_KEYS.has(k))) extraTieKeys = true;
    const s = idOf(o, 'source', path, fail);
    const d = idOf(o, 'target', path, fail);
    const attrs = {
      weight: number(o, 'weight', path, fail, (v) => v >= MIN_WEIGHT && v <= MAX_WEIGHT, `a number from ${MIN_WEIGHT} to ${MAX_WEIGHT}`),
      p: number(o, 'p', path, fail, (v) => v >= 0 && v <= 1, 'in [0, 1]'),
      channel: str(o, 'channel', path, fail),
    };
    at(path, () => b.addTie(s, d, attrs));
  }
  if (extraCustomerKeys) warnings.push('ignored unknown keys in customers (known: id, label, followers, value, segment, activity)');
  if (extraTieKeys) warnings.push('ignored unknown keys in ties (known: source, target, weight, p, channel)');
  b.records = (customers ? (customers as unknown[]).length : 0) + tieList.length;
  const result = b.finish();
  if (warnings.length > 0) result.report.warnings = warnings;
  return result;
}

/**
 * The graph in Ripple JSON (the format `parseGraph(..., { format: 'json' })` reads back to equal data):
 * every customer is listed (so customers without ties survive), attributes only where given.
 */
export function toRippleJson(data: GraphData): object {
  const customers = new Array<object>(data.ids.length);
  for (let i = 0; i < data.ids.length; i++) customers[i] = customerAt(data, i);
  const m = data.src.length;
  const ties = new Array<object>(m);
  for (let j = 0; j < m; j++) {
    const t: { source: string; target: string; weight?: number; p?: number; channel?: string } = {
      source: data.ids[data.src[j]],
      target: data.ids[data.dst[j]],
    };
    if (data.weight && !Number.isNaN(data.weight[j])) t.weight = data.weight[j];
    if (data.p && !Number.isNaN(data.p[j])) t.p = data.p[j];
    if (data.channel && data.channel[j] >= 0) t.channel = data.channels[data.channel[j]];
    ties[j] = t;
  }
  return {
    name: data.name,
    directed: data.directed,
    defaultValue: data.defaultValue,
    ...(data.currency !== undefined ? { currency: data.currency } : {}),
    ...(data.stepDuration !== undefined ? { stepDuration: data.stepDuration } : {}),
    customers,
    ties,
  };
}

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An own property only: `__proto__`, `constructor` and friends are never read from the prototype. */
function opt(o: Obj, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}

type Fail = (path: string, problem: string) => never;

function idOf(o: Obj, key: string, path: string, fail: Fail): string {
  const v = opt(o, key);
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  if (v === undefined || v === null) return fail(`${path}.${key}`, 'is required');
  return fail(`${path}.${key}`, `must be a string, got ${show(v)}`);
}

function str(o: Obj, key: string, path: string, fail: Fail): string | null {
  const v = opt(o, key);
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') return fail(`${path}.${key}`, `must be a string, got ${show(v)}`);
  return v;
}

function number(o: Obj, key: string, path: string, fail: Fail, ok: (v: number) => boolean, what: string): number | null {
  const v = opt(o, key);
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !ok(v)) return fail(`${path}.${key}`, `must be ${what}, got ${show(v)}`);
  return v;
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(clip(v));
  if (typeof v === 'object' && v !== null) return Array.isArray(v) ? 'an array' : 'an object';
  return String(v);
}

function lineAt(text: string, pos: number): number {
  let line = 1;
  const end = Math.min(pos, text.length);
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
