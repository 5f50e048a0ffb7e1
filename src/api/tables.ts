import negotiate from '@fastify/accept-negotiator';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { LazyRows, sliceYielder } from '../graph/top-k.js';
import { csvField, toCsv, type Scalar } from '../io/csv.js';
import { estimateNodes } from '../json-size.js';
import { answerWith, SLICE_NODES } from './serialize.js';

/**
 * Notebook-friendly answers (issue 18): `Accept: text/csv`, or `?format=csv` for a link or `pd.read_csv(url)`, turns
 * a centrality ranking, a value ranking, one customer's value and an influencer pick into a tidy table — one row per
 * customer (or per figure), snake_case columns, numbers at full precision (src/io/csv.ts) — that a DataFrame reads
 * as is. The same holds for those answers as the `result` of a finished job (`GET /jobs/:id`). JSON stays the default.
 *
 * `?format=csv` is taken off the URL before routing (`rewriteFormatCsv`, Fastify's rewriteUrl) and becomes the Accept
 * header, so it works on every route that answers CSV (scenario and simulation reports have their own tables).
 */

type Obj = Record<string, unknown>;
/**
 * A table: its columns and the items it is made of, one row each (`row` is called in order, once per item). The
 * items are an answer's array, or its LazyRows (src/graph/top-k.ts), read a slice at a time.
 */
type Table = { columns: string[]; items: readonly unknown[] | LazyRows<unknown>; row: (item: unknown) => Record<string, Scalar> };

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isRows = (v: unknown): v is readonly unknown[] | LazyRows<unknown> => Array.isArray(v) || v instanceof LazyRows;
const ci = (v: unknown): [Scalar, Scalar] => (Array.isArray(v) && v.length === 2 ? [v[0] as Scalar, v[1] as Scalar] : [null, null]);

function centrality(b: Obj): Table | null {
  if (!isRows(b.top) || typeof b.metric !== 'string') return null;
  return {
    columns: ['rank', 'id', 'score', 'metric'],
    items: b.top,
    row: (x) => {
      const t = x as Obj;
      return { rank: t.rank as number, id: t.id as string, score: t.score as number, metric: b.metric as string };
    },
  };
}

function valueRanking(b: Obj): Table | null {
  if (!isRows(b.top) || typeof b.graphValue !== 'number') return null;
  // With a baseline: the incremental value and its interval as three more columns. The value-weighted reach under its
  // own name comes last; `network_value` / `network_ci95_*` are its deprecated names, kept in place for this release.
  const incremental = isObj(b.baseline);
  return {
    columns: [
      'rank', 'id', 'own_value', 'network_value', 'network_ci95_low', 'network_ci95_high', 'total_value',
      ...(incremental ? ['incremental_value', 'incremental_ci95_low', 'incremental_ci95_high'] : []),
      'value_weighted_reach', 'value_weighted_reach_ci95_low', 'value_weighted_reach_ci95_high',
    ],
    items: b.top,
    row: (x) => {
      const r = x as Obj;
      const reach = isObj(r.valueWeightedReach) ? r.valueWeightedReach : { mean: r.networkValue, ci95: r.networkCi95 };
      const [lo, hi] = ci(reach.ci95);
      const row: Record<string, Scalar> = { rank: r.rank as number, id: r.id as string, own_value: r.ownValue as number, network_value: reach.mean as number, network_ci95_low: lo, network_ci95_high: hi, total_value: r.totalValue as number };
      if (incremental && isObj(r.incremental)) {
        const [ilo, ihi] = ci(r.incremental.ci95);
        Object.assign(row, { incremental_value: r.incremental.mean as number, incremental_ci95_low: ilo, incremental_ci95_high: ihi });
      }
      Object.assign(row, { value_weighted_reach: reach.mean as number, value_weighted_reach_ci95_low: lo, value_weighted_reach_ci95_high: hi });
      return row;
    },
  };
}

function customerValue(b: Obj): Table | null {
  // `valueWeightedReach` / `total` (the deprecated `network`, `networkValue` / `totalValue` objects before them).
  const network = isObj(b.valueWeightedReach) ? b.valueWeightedReach : isObj(b.network) ? b.network : b.networkValue;
  const total = isObj(b.total) ? b.total : b.totalValue;
  if (typeof b.ownValue !== 'number' || !isObj(network) || !isObj(total)) return null;
  const row = (figure: string, v: unknown): Record<string, Scalar> => {
    if (typeof v === 'number') return { id: b.id as string, figure, mean: v, ci95_low: v, ci95_high: v };
    const o = v as Obj;
    const [lo, hi] = ci(o.ci95);
    return { id: b.id as string, figure, mean: o.mean as number, ci95_low: lo, ci95_high: hi };
  };
  return {
    columns: ['id', 'figure', 'mean', 'ci95_low', 'ci95_high'],
    // `network_value` is the deprecated name of the `value_weighted_reach` row (the same figure), kept for this release.
    items: [
      row('own_value', b.ownValue), row('network_value', network), row('total_value', total), ...(isObj(b.reach) ? [row('reach', b.reach)] : []),
      row('value_weighted_reach', network), ...(isObj(b.incremental) ? [row('incremental_value', b.incremental)] : []),
    ],
    row: (x) => x as Record<string, Scalar>,
  };
}

function influencers(b: Obj): Table | null {
  if (!isRows(b.seeds) || !isObj(b.spread)) return null;
  let total = 0;
  let order = 0;
  return {
    columns: ['order', 'id', 'gain', 'cumulative_gain', 'score', 'method', 'model'],
    items: b.seeds,
    row: (x) => {
      const s = x as Obj;
      total += s.gain as number;
      return { order: ++order, id: s.id as string, gain: s.gain as number, cumulative_gain: total, score: (s.score as number | undefined) ?? null, method: b.method as string, model: b.model as string };
    },
  };
}

/** Route -> table writer; jobs use the writer of their kind. */
const ROUTES = new Map<string, (b: Obj) => Table | null>([
  ['/graphs/:id/centrality/:metric', centrality],
  ['/graphs/:id/value', valueRanking],
  ['/graphs/:id/customers/:customerId/value', customerValue],
  ['/graphs/:id/influencers', influencers],
]);
const JOB_KINDS = new Map<string, (b: Obj) => Table | null>([
  ['centrality', centrality],
  ['value', valueRanking],
  ['customer-value', customerValue],
  ['influencers', influencers],
]);

const TYPES = ['application/json', 'text/csv'];

/** True when the client prefers CSV (q-values respected; JSON wins a tie). */
export function prefersCsv(req: FastifyRequest): boolean {
  const accept = req.headers.accept;
  return typeof accept === 'string' && accept.includes('csv') && negotiate(accept, TYPES) === 'text/csv';
}

function tableOf(route: string, body: unknown, jobKind?: string): Table | null {
  if (!isObj(body)) return null;
  const writer = jobKind !== undefined ? JOB_KINDS.get(jobKind) : ROUTES.get(route);
  return writer?.(body) ?? null;
}

/** The CSV of an engine answer (centrality, value, customer value, influencers), or null when it has no table form. */
export function answerCsv(route: string, body: unknown, jobKind?: string): string | null {
  const t = tableOf(route, body, jobKind);
  if (!t) return null;
  const items = t.items instanceof LazyRows ? t.items.slice() : t.items;
  return toCsv(items.map((x) => t.row(x)), t.columns);
}

/** Items per slice of a CSV made in slices. */
const CSV_SLICE = 2000;

/**
 * answerCsv in slices that yield to the event loop (a ranking of 100 000 customers or a million), as UTF-8 bytes: the
 * same text, the items read (LazyRows: made) a slice at a time, each slice's lines turned into bytes at once.
 */
export async function answerCsvSliced(route: string, body: unknown, jobKind?: string): Promise<Buffer | null> {
  const t = tableOf(route, body, jobKind);
  if (!t) return null;
  const tick = sliceYielder();
  const chunks: Buffer[] = [Buffer.from(`${t.columns.map((h) => csvField(h)).join(',')}\n`)];
  for (let from = 0; from < t.items.length; from += CSV_SLICE) {
    const lines: string[] = [];
    for (const x of t.items.slice(from, from + CSV_SLICE)) {
      const r = t.row(x);
      lines.push(t.columns.map((h) => csvField(r[h] ?? null)).join(','));
    }
    chunks.push(Buffer.from(`${lines.join('\n')}\n`));
    await tick();
  }
  return Buffer.concat(chunks);
}

/**
 * Fastify's `rewriteUrl` (before routing and query parsing): `?format=csv` leaves the URL and becomes
 * `Accept: text/csv`. Other `format` values (the import and export routes' own parameter) are left alone.
 */
export function rewriteFormatCsv(raw: IncomingMessage): string {
  const url = raw.url ?? '/';
  const q = url.indexOf('?');
  if (q < 0 || !url.includes('format=csv', q)) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  const path = url.slice(0, q);
  if (params.get('format') !== 'csv' || /\/(import|export)$/.test(path)) return url;
  params.delete('format');
  raw.headers.accept = 'text/csv';
  const rest = params.toString();
  return `${path}${rest ? `?${rest}` : ''}`;
}

const csvName = (route: string, job: Obj | null) => (job ? `job-${String(job.id)}` : route.split('/').filter((s) => s && !s.startsWith(':')).pop() ?? 'answer');

async function tables(app: FastifyInstance): Promise<void> {
  // A large answer asked for as CSV: its table made here, in slices, from the answer itself (not from its JSON text in
  // one piece, as the onSend writer below does for small ones); the route's serializer then answers these bytes.
  app.addHook('preSerialization', async (req, reply, payload) => {
    if (reply.statusCode !== 200 || payload === null || typeof payload !== 'object' || Buffer.isBuffer(payload) || !prefersCsv(req)) return payload;
    if (estimateNodes(payload) <= SLICE_NODES) return payload;
    const route = req.routeOptions.url ?? '';
    const isJob = route === '/jobs/:jobId';
    if (!isJob && !ROUTES.has(route)) return payload;
    const job = isJob && isObj(payload) ? payload : null;
    if (job && (job.state !== 'succeeded' || !JOB_KINDS.has(String(job.kind)))) return payload;
    const csv = await answerCsvSliced(route, job ? job.result : payload, job ? String(job.kind) : undefined);
    if (csv === null) return payload;
    reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${csvName(route, job)}.csv"`).header('vary', 'accept');
    answerWith(payload, csv);
    return payload;
  });
  app.addHook('onSend', async (req, reply, payload) => {
    if (reply.statusCode !== 200 || typeof payload !== 'string' || !prefersCsv(req)) return payload;
    const route = req.routeOptions.url ?? '';
    const isJob = route === '/jobs/:jobId';
    if (!isJob && !ROUTES.has(route)) return payload;
    let body: unknown;
    try {
      body = JSON.parse(payload);
    } catch {
      return payload; // already CSV (another table writer), or not JSON
    }
    const job = isJob && isObj(body) ? body : null;
    if (job && (job.state !== 'succeeded' || !JOB_KINDS.has(String(job.kind)))) return payload;
    const csv = answerCsv(route, job ? job.result : body, job ? String(job.kind) : undefined);
    if (csv === null) return payload;
    reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${csvName(route, job)}.csv"`).header('vary', 'accept');
    return csv;
  });
}

/** Register before other `text/csv` writers (the scenario/simulation tables): each leaves the other's answers alone. */
export const tablesPlugin = fp(tables, { name: 'ripple-tables' });
