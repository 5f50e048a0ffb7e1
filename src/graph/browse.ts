import { InputError } from '../errors.js';
import type { CompiledGraph } from './compile.js';
import type { GraphData } from './model.js';

/**
 * Browsing a graph's customers (GET /graphs/:id/customers): filter by a search text (id, label or segment,
 * case-insensitive substring), an exact segment and a minimum value; sort; page with an opaque cursor.
 * Pure: works on the stored columns and the compiled degrees, no I/O.
 *
 * Order is total (the sort key, then the customer's index in the graph), so a cursor — the sort key and index
 * of the last customer of a page — continues exactly where the page ended, also if customers were filtered.
 */

export const CUSTOMER_SORTS = ['id', '-id', 'label', '-label', 'value', '-value', 'followers', '-followers', 'degree', '-degree'] as const;
export type CustomerSort = (typeof CUSTOMER_SORTS)[number];

export interface CustomerQuery {
  search?: string;
  segment?: string;
  minValue?: number;
  sort?: CustomerSort;
  limit?: number;
  cursor?: string;
}

export interface CustomerRow {
  id: string;
  label: string | null;
  segment: string | null;
  /** The customer's value, or the graph's default value when none was given (then `valueIsDefault`). */
  value: number;
  valueIsDefault: boolean;
  followers: number;
  /** Friends: distinct arcs in and out (an undirected tie counts once). */
  degree: number;
}

export interface CustomerPage {
  customers: CustomerRow[];
  /** Customers matching the filters (all pages). */
  total: number;
  /** Pass as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
}

export const DEFAULT_CUSTOMER_LIMIT = 50;
export const MAX_CUSTOMER_LIMIT = 1000;

interface Cursor {
  /** Graph version the cursor was made on. */
  v: number;
  /** Sort it was made with. */
  s: CustomerSort;
  /** Index of the last customer of the page. */
  i: number;
}

export function encodeCursor(c: object): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

export function decodeCursor<T>(text: string, check: (x: Record<string, unknown>) => T | undefined): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const out = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? check(parsed as Record<string, unknown>) : undefined;
  if (out === undefined) throw new InputError('cursor: not a cursor returned by this route (pass `nextCursor` as given)', { errors: [{ path: 'query.cursor', message: 'invalid cursor' }] });
  return out;
}

function degreeOf(g: CompiledGraph, i: number): number {
  const out = g.outOffsets[i + 1] - g.outOffsets[i];
  return g.directed ? out + (g.inOffsets[i + 1] - g.inOffsets[i]) : out;
}

function rowOf(data: GraphData, g: CompiledGraph, i: number): CustomerRow {
  const given = data.value ? data.value[i] : NaN;
  const followers = data.followers ? data.followers[i] : NaN;
  return {
    id: data.ids[i],
    label: data.labels?.[i] ?? null,
    segment: data.segments?.[i] ?? null,
    value: Number.isNaN(given) ? data.defaultValue : given,
    valueIsDefault: Number.isNaN(given),
    followers: Number.isNaN(followers) ? 0 : followers,
    degree: degreeOf(g, i),
  };
}

const textCompare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A comparator over customer indices for one sort (ties broken by index, so the order is total). */
function comparator(data: GraphData, g: CompiledGraph, sort: CustomerSort): (a: number, b: number) => number {
  const desc = sort.startsWith('-');
  const key = (desc ? sort.slice(1) : sort) as 'id' | 'label' | 'value' | 'followers' | 'degree';
  const sign = desc ? -1 : 1;
  let cmp: (a: number, b: number) => number;
  switch (key) {
    case 'id':
      cmp = (a, b) => textCompare(data.ids[a], data.ids[b]);
      break;
    case 'label': {
      // Customers without a label sort last either way.
      const l = (i: number) => data.labels?.[i] ?? null;
      return (a, b) => {
        const x = l(a);
        const y = l(b);
        if (x === null || y === null) return x === y ? a - b : x === null ? 1 : -1;
        return sign * textCompare(x, y) || a - b;
      };
    }
    case 'value':
      cmp = (a, b) => g.value[a] - g.value[b];
      break;
    case 'followers':
      cmp = (a, b) => g.followers[a] - g.followers[b];
      break;
    case 'degree':
      cmp = (a, b) => degreeOf(g, a) - degreeOf(g, b);
      break;
  }
  return (a, b) => sign * cmp(a, b) || a - b;
}

/** One page of customers. `version` is the graph version (a cursor from another version is a 400). */
export function browseCustomers(data: GraphData, g: CompiledGraph, version: number, q: CustomerQuery): CustomerPage {
  const sort = q.sort ?? 'id';
  const limit = q.limit ?? DEFAULT_CUSTOMER_LIMIT;
  const search = q.search?.trim().toLowerCase() || undefined;
  const matches: number[] = [];
  for (let i = 0; i < data.ids.length; i++) {
    if (q.segment !== undefined && (data.segments?.[i] ?? null) !== q.segment) continue;
    if (q.minValue !== undefined && !(g.value[i] >= q.minValue)) continue;
    if (search !== undefined) {
      const hit = data.ids[i].toLowerCase().includes(search)
        || (data.labels?.[i]?.toLowerCase().includes(search) ?? false)
        || (data.segments?.[i]?.toLowerCase().includes(search) ?? false);
      if (!hit) continue;
    }
    matches.push(i);
  }
  const cmp = comparator(data, g, sort);
  matches.sort(cmp);
  let start = 0;
  if (q.cursor !== undefined) {
    const c = decodeCursor<Cursor>(q.cursor, (x) =>
      typeof x.v === 'number' && typeof x.i === 'number' && Number.isInteger(x.i) && x.i >= 0 && x.i < data.ids.length && (CUSTOMER_SORTS as readonly unknown[]).includes(x.s)
        ? { v: x.v, s: x.s as CustomerSort, i: x.i } : undefined);
    if (c.v !== version) throw new InputError(`cursor: made on graph version ${c.v}, the graph is now at version ${version}; start again without a cursor`, { errors: [{ path: 'query.cursor', message: 'stale cursor' }] });
    if (c.s !== sort) throw new InputError(`cursor: made with sort=${c.s}, this request asks sort=${sort}`, { errors: [{ path: 'query.cursor', message: 'sort differs' }] });
    // First match strictly after the cursor's customer in this order (binary search).
    let lo = 0;
    let hi = matches.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cmp(matches[mid], c.i) <= 0) lo = mid + 1;
      else hi = mid;
    }
    start = lo;
  }
  const page = matches.slice(start, start + limit);
  const more = start + limit < matches.length;
  const out: CustomerPage = { customers: page.map((i) => rowOf(data, g, i)), total: matches.length };
  if (more && page.length > 0) out.nextCursor = encodeCursor({ v: version, s: sort, i: page[page.length - 1] } satisfies Cursor);
  return out;
}

export interface NeighbourhoodView {
  center: string;
  /** The customer first (depth 0), then friends (depth 1) and, when asked, friends of friends (depth 2). */
  customers: (CustomerRow & { depth: number })[];
  /** Ties among the customers listed (an undirected tie once). */
  ties: { source: string; target: string }[];
  /** True when `limit` left customers out (the best connected are kept, nearest first). */
  truncated: boolean;
}

/**
 * A customer's neighbourhood for drawing: itself, its friends (in and out), optionally their friends, at most
 * `limit` customers — nearer first, and within a depth the best connected first (ties: graph order).
 */
export function neighbourhood(data: GraphData, g: CompiledGraph, center: number, opts: { depth?: 1 | 2; limit?: number } = {}): NeighbourhoodView {
  const depthMax = opts.depth ?? 1;
  const limit = Math.max(1, opts.limit ?? 150);
  const depthOf = new Map<number, number>([[center, 0]]);
  let frontier = [center];
  let truncated = false;
  for (let d = 1; d <= depthMax && depthOf.size < limit; d++) {
    const next = new Set<number>();
    for (const u of frontier) {
      for (let a = g.outOffsets[u]; a < g.outOffsets[u + 1]; a++) if (!depthOf.has(g.outTargets[a])) next.add(g.outTargets[a]);
      for (let q = g.inOffsets[u]; q < g.inOffsets[u + 1]; q++) if (!depthOf.has(g.inSources[q])) next.add(g.inSources[q]);
    }
    const layer = [...next].sort((a, b) => degreeOf(g, b) - degreeOf(g, a) || a - b);
    const room = limit - depthOf.size;
    if (layer.length > room) truncated = true;
    for (const v of layer.slice(0, room)) depthOf.set(v, d);
    frontier = layer.slice(0, room);
  }
  if (!truncated && depthOf.size >= limit) truncated = frontier.some((u) => degreeOf(g, u) > 0) && depthMax > 1;
  const ties: { source: string; target: string }[] = [];
  for (const u of depthOf.keys()) {
    for (let a = g.outOffsets[u]; a < g.outOffsets[u + 1]; a++) {
      const v = g.outTargets[a];
      if (depthOf.has(v) && (g.directed || u < v)) ties.push({ source: data.ids[u], target: data.ids[v] });
    }
  }
  return {
    center: data.ids[center],
    customers: [...depthOf].map(([i, depth]) => ({ ...rowOf(data, g, i), depth })),
    ties,
    truncated,
  };
}
