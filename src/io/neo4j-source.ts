/**
 * Read a data team's own Neo4j graph — their labels and relationship types, not Ripple's schema — into GraphData,
 * through the same GraphBuilder as every file importer (same validation, same self-loop and duplicate counts, same
 * errors for duplicate ids and ties to unknown customers).
 *
 * Two ways to say what to read (as GDS projections do): a node label and a relationship type, or two Cypher queries
 * (nodes: a row per customer with column `id`; relationships: a row per tie with `source` and `target`), plus a
 * mapping of properties / columns to Ripple's attributes. Both queries run with parameters, in one READ transaction
 * with a timeout, and are streamed with a row limit. Before running, each is EXPLAINed and refused unless it only
 * reads: query type `r`, no procedure call, no LOAD CSV (which could make the database fetch a URL), no SHOW or
 * TERMINATE command, and run in the session's database (no `USE` of another). A label or relationship type the
 * database does not know is an error, not an empty graph.
 */
import type { Driver, ManagedTransaction, Record as Neo4jRecord, ResultSummary } from 'neo4j-driver';
import { AppError, ParseError } from '../errors.js';
import { clip, GraphBuilder } from '../graph/builder.js';
import type { CustomerAttributes, GraphData, GraphSource, ImportReport, TieAttributes } from '../graph/model.js';
import { CUSTOMER_COLUMNS, TIE_COLUMNS, type MappedAttribute, type Neo4jMapping } from '../services/neo4j-source-schema.js';

export interface Neo4jReadSpec {
  nodeLabel?: string;
  relationshipType?: string;
  nodesQuery?: string;
  relationshipsQuery?: string;
  parameters?: Record<string, unknown>;
  mapping?: Neo4jMapping;
  directed: boolean;
  /** Most rows per query. */
  rowLimit: number;
  /** Whole read (both queries). */
  timeoutMs: number;
  /** Database to read; undefined = the server's default. */
  database?: string;
}

export interface Neo4jGraphOptions {
  name: string;
  defaultValue?: number;
  currency?: string;
  stepDuration?: string;
  graphSource?: GraphSource;
}

/** Where to say what to raise, in errors (the HTTP field or the CLI flag). */
export interface LimitNames {
  rowLimit: string;
  timeout: string;
  maxRows: string;
  maxTimeout: string;
}

export type QueryName = 'nodesQuery' | 'relationshipsQuery';

/** A query that may change something (or reach outside the database): refused before it runs. */
export class NotReadOnlyError extends AppError {
  constructor(which: QueryName, why: string) {
    super(`${which} is refused: ${why}; only read-only Cypher (MATCH … RETURN) is run`, {
      statusCode: 422, code: 'neo4j-query-not-read-only', details: { errors: [{ path: `body.${which}`, message: why }] },
    });
  }
}

/** A query Neo4j cannot run as given (syntax, unknown label, missing parameter, a column it does not return). */
export class QueryError extends AppError {
  constructor(which: QueryName | 'nodeLabel' | 'relationshipType' | 'database', message: string) {
    super(message, { statusCode: 422, code: 'neo4j-query-error', details: { errors: [{ path: `body.${which}`, message }] } });
  }
}

/** Backtick-quoted Cypher name (a label or type is not a parameter in Cypher 5): backticks doubled, as Cypher escapes them. */
export function quoteName(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}

const KEY_PARAM = (a: MappedAttribute) => `ripple_${a}`;

/** The two queries of label mode: properties read by name through parameters (`n[$ripple_id]`), never spliced in. */
export function labelQueries(nodeLabel: string, relationshipType: string): { nodesQuery: string; relationshipsQuery: string } {
  const n = quoteName(nodeLabel);
  const t = quoteName(relationshipType);
  const cols = CUSTOMER_COLUMNS.map((a) => `n[$${KEY_PARAM(a)}] AS ${a}`).join(', ');
  const ties = TIE_COLUMNS.map((a) => `r[$${KEY_PARAM(a)}] AS ${a}`).join(', ');
  return {
    nodesQuery: `MATCH (n:${n}) RETURN ${cols}`,
    relationshipsQuery: `MATCH (a:${n})-[r:${t}]->(b:${n}) RETURN a[$${KEY_PARAM('id')}] AS source, b[$${KEY_PARAM('id')}] AS target, ${ties}`,
  };
}

/** Operators that reach outside a plain read: procedures, LOAD CSV, administration commands. */
const REFUSED_OPERATORS = /^(ProcedureCall|EagerProcedureCall|SystemProcedureCall|LoadCSV|Show|Terminate|Transaction(Foreach|Apply)|CommandCall)/i;

interface PlanNode {
  operatorType?: string;
  arguments?: Record<string, unknown>;
  children?: PlanNode[];
}

function operators(plan: PlanNode | false | undefined, out: PlanNode[] = []): PlanNode[] {
  if (!plan) return out;
  out.push(plan);
  for (const c of plan.children ?? []) operators(c, out);
  return out;
}

const UNKNOWN = [
  { code: 'UnknownLabelWarning', what: 'label' },
  { code: 'UnknownRelationshipTypeWarning', what: 'relationship type' },
] as const;

/** The name a Neo4j "unknown …" notification is about (`… (the missing label name is: Persn)`). */
function missingName(description: string): string {
  const m = /(?:name|type) is: (.*?)\)?\s*$/.exec(description);
  return m ? m[1] : description;
}

/**
 * EXPLAIN `query` (plans it, runs nothing) and refuse it unless it only reads, in `database`. Returns notes for the
 * import report (unknown property keys: the attribute is then left at its default).
 */
async function checkReadOnly(tx: ManagedTransaction, which: QueryName, query: string, params: Record<string, unknown>, database: string, labelMode: boolean): Promise<string[]> {
  const summary: ResultSummary = await tx.run(`EXPLAIN ${query}`, params).summary();
  if (summary.queryType !== 'r') {
    const kind = summary.queryType === 'w' ? 'it writes' : summary.queryType === 'rw' ? 'it reads and writes' : summary.queryType === 's' ? 'it changes the schema' : `its query type is ${JSON.stringify(summary.queryType)}`;
    throw new NotReadOnlyError(which, `${kind} (EXPLAIN query type ${JSON.stringify(summary.queryType)})`);
  }
  for (const op of operators(summary.plan as PlanNode | false)) {
    const type = String(op.operatorType ?? '').replace(/@.*$/, '');
    if (REFUSED_OPERATORS.test(type)) {
      const details = typeof op.arguments?.Details === 'string' ? ` ${clip(op.arguments.Details)}` : '';
      throw new NotReadOnlyError(which, `it runs ${type}${details} (procedure calls, LOAD CSV and administration commands are not run)`);
    }
  }
  const ran = summary.database?.name;
  if (ran && ran !== database) throw new NotReadOnlyError(which, `it runs in database ${JSON.stringify(ran)}, not ${JSON.stringify(database)} (no USE of another database)`);
  const notes: string[] = [];
  for (const n of summary.notifications ?? []) {
    const code = String(n.code ?? '');
    const unknown = UNKNOWN.find((u) => code.endsWith(u.code));
    if (unknown) {
      const name = missingName(String(n.description ?? ''));
      const field = labelMode ? (unknown.what === 'label' ? 'nodeLabel' : 'relationshipType') : which;
      throw new QueryError(field, `${labelMode ? field : which}: the database has no ${unknown.what} ${JSON.stringify(name)}`);
    }
    if (code.endsWith('UnknownPropertyKeyWarning')) notes.push(`${which}: the database has no property ${JSON.stringify(missingName(String(n.description ?? '')))} (the attribute it maps stays at its default)`);
  }
  return notes;
}

/** A customer id as read: strings as they are, integers in decimal; anything else is a clear error. */
function idOf(v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  if (v === null || v === undefined || typeof v === 'string') return v;
  return { invalid: describe(v) };
}

function describe(v: unknown): string {
  if (typeof v === 'number') return `the number ${v}`;
  if (typeof v === 'boolean') return `the boolean ${v}`;
  if (Array.isArray(v)) return 'a list';
  const o = v as { labels?: unknown; type?: unknown; start?: unknown; constructor?: { name?: string } };
  if (o && Array.isArray(o.labels)) return 'a node (return one of its properties, e.g. n.id AS id)';
  if (o && typeof o.type === 'string' && o.start !== undefined) return 'a relationship';
  return `a ${o?.constructor?.name ?? typeof v}`;
}

/** Numbers as JS numbers (integers arrive as BigInt); the builder checks ranges and parses decimal text. */
function numberOf(v: unknown): unknown {
  return typeof v === 'bigint' ? Number(v) : v;
}

/** Text attributes: strings, and numbers written in decimal (segment codes, say). */
function textOf(v: unknown): unknown {
  return typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : v;
}

/** Columns to read from each row: Ripple attribute → column name; `required` ones must be returned. */
interface ColumnPlan {
  columns: Map<MappedAttribute | 'source' | 'target', string>;
  present: Set<string>;
}

function planColumns(which: QueryName, keys: readonly string[], attrs: readonly MappedAttribute[], fixed: readonly ('source' | 'target')[], mapping: Neo4jMapping, labelMode: boolean, notes: string[]): ColumnPlan {
  const present = new Set(keys);
  const columns = new Map<MappedAttribute | 'source' | 'target', string>();
  const mapped = mapping as Partial<Record<MappedAttribute, string>>;
  for (const f of fixed) {
    if (!present.has(f)) throw new QueryError(which, `${which} must return a column ${JSON.stringify(f)} (it returns ${[...present].map((k) => JSON.stringify(k)).join(', ') || 'none'})`);
    columns.set(f, f);
  }
  for (const a of attrs) {
    // Label mode: the generated query names each column after its attribute (the mapping chose the property).
    const column = labelMode ? a : (mapped[a] ?? a);
    if (present.has(column)) columns.set(a, column);
    else if (!labelMode && (mapped[a] !== undefined || (a === 'id' && fixed.length === 0))) {
      throw new QueryError(which, `${which} returns no column ${JSON.stringify(column)}${mapped[a] !== undefined ? ` (mapping.${a})` : ' (the customer id)'}; it returns ${[...present].map((k) => JSON.stringify(k)).join(', ') || 'none'}`);
    }
  }
  if (!labelMode) {
    const used = new Set(columns.values());
    const ignored = keys.filter((k) => !used.has(k));
    if (ignored.length > 0) notes.push(`${which}: column${ignored.length > 1 ? 's' : ''} ${ignored.map((k) => JSON.stringify(clip(k))).join(', ')} not mapped to an attribute: ignored`);
  }
  return { columns, present };
}

/**
 * Read the graph in one read transaction of `driver` (the caller's session: database and credentials chosen and
 * checked by the caller). Throws AppErrors with statuses: 400 for faults of the data (as the file importers), 422
 * for a query that writes, does not run, or returns too many rows, 504 past the timeout.
 */
export async function readNeo4jGraph(driver: Driver, spec: Neo4jReadSpec, opts: Neo4jGraphOptions, names: LimitNames): Promise<{ data: GraphData; report: ImportReport }> {
  const labelMode = spec.nodeLabel !== undefined;
  const queries = labelMode
    ? labelQueries(spec.nodeLabel!, spec.relationshipType!)
    : { nodesQuery: spec.nodesQuery!, relationshipsQuery: spec.relationshipsQuery! };
  const mapping = spec.mapping ?? {};
  const params: Record<string, unknown> = labelMode
    ? Object.fromEntries([...CUSTOMER_COLUMNS, ...TIE_COLUMNS].map((a) => [KEY_PARAM(a), (mapping as Partial<Record<MappedAttribute, string>>)[a] ?? a]))
    : { ...(spec.parameters ?? {}) };
  const neo4j = (await import('neo4j-driver')).default;
  const session = driver.session({ defaultAccessMode: neo4j.session.READ, ...(spec.database !== undefined ? { database: spec.database } : {}) });
  let phase: QueryName = 'nodesQuery';
  const started = Date.now();
  try {
    return await session.executeRead(async (tx) => {
      // The database this session reads (the default one unless named): every query must run there.
      const home = spec.database ?? (await tx.run('EXPLAIN RETURN 1').summary()).database?.name ?? '';
      const notes: string[] = [];
      phase = 'nodesQuery';
      notes.push(...(await checkReadOnly(tx, 'nodesQuery', queries.nodesQuery, params, home, labelMode)));
      phase = 'relationshipsQuery';
      notes.push(...(await checkReadOnly(tx, 'relationshipsQuery', queries.relationshipsQuery, params, home, labelMode)));

      // A fresh builder per attempt: the driver re-runs this function after a transient error.
      const builder = new GraphBuilder({
        name: opts.name, directed: spec.directed, source: 'neo4j', format: 'neo4j',
        defaultValue: opts.defaultValue, currency: opts.currency, stepDuration: opts.stepDuration, graphSource: opts.graphSource,
      });
      phase = 'nodesQuery';
      const nodeRows = await stream(tx, 'nodesQuery', queries.nodesQuery, params, spec.rowLimit, names, (keys) => {
        const plan = planColumns('nodesQuery', keys, CUSTOMER_COLUMNS, [], mapping, labelMode, notes);
        const id = plan.columns.get('id');
        return (r: Neo4jRecord, row: number) => {
          const attrs: CustomerAttributes = {};
          for (const a of CUSTOMER_COLUMNS) {
            if (a === 'id') continue;
            const c = plan.columns.get(a);
            if (c === undefined) continue;
            const v = r.get(c);
            if (a === 'label' || a === 'segment') attrs[a] = textOf(v) as string | null;
            else attrs[a] = numberOf(v) as number | null;
          }
          const raw = id === undefined ? undefined : r.get(id);
          const cid = idOf(raw);
          if (cid === null || cid === undefined) fail('nodesQuery', row, `missing customer id (${labelMode ? `property ${JSON.stringify(mapping.id ?? 'id')}` : `column ${JSON.stringify(id ?? 'id')}`} is null)`);
          if (typeof cid === 'object') fail('nodesQuery', row, `customer id must be a string or an integer, got ${(cid as { invalid: string }).invalid}`);
          wrapped('nodesQuery', row, () => builder.addCustomer(cid, attrs, row));
        };
      });
      if (nodeRows === 0) {
        throw new QueryError(labelMode ? 'nodeLabel' : 'nodesQuery', labelMode
          ? `no nodes with label ${JSON.stringify(spec.nodeLabel)}${spec.database ? ` in database ${JSON.stringify(spec.database)}` : ''}`
          : 'nodesQuery returned no rows: a graph needs customers');
      }
      builder.closeCustomers();
      phase = 'relationshipsQuery';
      const tieRows = await stream(tx, 'relationshipsQuery', queries.relationshipsQuery, params, spec.rowLimit, names, (keys) => {
        const plan = planColumns('relationshipsQuery', keys, TIE_COLUMNS, ['source', 'target'], mapping, labelMode, notes);
        return (r: Neo4jRecord, row: number) => {
          const attrs: TieAttributes = {};
          for (const a of TIE_COLUMNS) {
            const c = plan.columns.get(a);
            if (c === undefined) continue;
            const v = r.get(c);
            if (a === 'channel') attrs.channel = textOf(v) as string | null;
            else attrs[a] = numberOf(v) as number | null;
          }
          const s = idOf(r.get('source'));
          const t = idOf(r.get('target'));
          for (const [end, v] of [['source', s], ['target', t]] as const) {
            if (v === null || v === undefined) fail('relationshipsQuery', row, `missing ${end} (null)`);
            if (typeof v === 'object') fail('relationshipsQuery', row, `${end} must be a string or an integer customer id, got ${(v as { invalid: string }).invalid}`);
          }
          wrapped('relationshipsQuery', row, () => builder.addTie(s, t, attrs, row));
        };
      });
      builder.records = nodeRows + tieRows;
      const { data, report } = wrapped('relationshipsQuery', undefined, () => builder.finish());
      if (notes.length > 0) report.warnings = [...(report.warnings ?? []), ...notes];
      return { data, report };
    }, { timeout: spec.timeoutMs, metadata: { app: 'ripple', purpose: 'graphs/from-neo4j' } });
  } catch (e) {
    throw translate(e, phase, spec, names, Date.now() - started);
  } finally {
    await session.close().catch(() => {});
  }
}

/** Stream one query's rows into `onRow` (made from the columns it returns), at most `limit` of them. */
async function stream(
  tx: ManagedTransaction, which: QueryName, query: string, params: Record<string, unknown>, limit: number, names: LimitNames,
  make: (keys: readonly string[]) => (r: Neo4jRecord, row: number) => void,
): Promise<number> {
  const result = tx.run(query, params);
  const onRow = make((await result.keys()) as string[]);
  let rows = 0;
  for await (const r of result) {
    if (++rows > limit) {
      const message = `${which} returned more than ${limit} rows: raise ${names.rowLimit} (at most ${names.maxRows}) or narrow the query`;
      throw new AppError(message, { statusCode: 422, code: 'neo4j-row-limit', details: { errors: [{ path: 'body.rowLimit', message }] } });
    }
    onRow(r, rows);
  }
  return rows;
}

function fail(which: QueryName, row: number, problem: string): never {
  throw new ParseError(which, row, problem);
}

/** Builder errors name the query and the row (`nodesQuery:3: duplicate customer id "x"`), like a file and a line. */
function wrapped<T>(which: QueryName, row: number | undefined, work: () => T): T {
  try {
    return work();
  } catch (e) {
    if (e instanceof ParseError && e.file === 'neo4j') {
      const prefix = e.line === undefined ? 'neo4j: ' : `neo4j:${e.line}: `;
      const problem = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
      throw new ParseError(which, e.line ?? row, problem, e, e.field);
    }
    throw e;
  }
}

function firstLine(s: string): string {
  return clip(s.split('\n')[0].trim(), 400);
}

/** The driver's and server's errors as API errors; ours pass through. */
function translate(e: unknown, phase: QueryName, spec: Neo4jReadSpec, names: LimitNames, elapsedMs: number): unknown {
  if (e instanceof AppError) return e;
  const code = String((e as { code?: unknown } | null)?.code ?? '');
  const message = e instanceof Error ? e.message : String(e);
  if (/TransactionTimedOut/.test(code) || (/Transaction\.(Terminated|LockClientStopped)/.test(code) && /timeout/i.test(message))) {
    const seconds = spec.timeoutMs / 1000;
    return new AppError(`reading from Neo4j took longer than ${names.timeout} = ${seconds} s (stopped in ${phase} after ${(elapsedMs / 1000).toFixed(1)} s): raise ${names.timeout} (at most ${names.maxTimeout}) or narrow the queries`, {
      statusCode: 504, code: 'neo4j-timeout', expose: true, cause: e,
    });
  }
  if (code === 'Neo.ClientError.Statement.AccessMode' || code === 'Neo.ClientError.Security.Forbidden') return new NotReadOnlyError(phase, firstLine(message));
  if (code === 'Neo.ClientError.Database.DatabaseNotFound') return new QueryError('database', `Neo4j has no database ${JSON.stringify(spec.database ?? '(default)')}`);
  if (code.startsWith('Neo.ClientError.Statement.') || code.startsWith('Neo.ClientError.Procedure.')) return new QueryError(phase, `${phase}: ${firstLine(message)}`);
  return e;
}
