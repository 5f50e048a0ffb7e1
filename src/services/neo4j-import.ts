/**
 * Bring your own graph: a snapshot of a data team's Neo4j graph stored as a Ripple graph (in whatever store is
 * configured), with its source recorded so that it can be read again (POST /graphs/from-neo4j,
 * PUT /graphs/{id}/from-neo4j, `ripple import --from-neo4j`). The reading is src/io/neo4j-source.ts; this factory
 * chooses the connection — by default only the configured NEO4J_URI and database: a request cannot make the server
 * connect anywhere its configuration does not list (SSRF) — and stores the result.
 */
import type { Driver } from 'neo4j-driver';
import { canonicalBoltUri, type Config } from '../config.js';
import { AppError, ConflictError, InputError } from '../errors.js';
import { normaliseDuration } from '../graph/duration.js';
import type { ImportReport } from '../graph/model.js';
import { readNeo4jGraph, type LimitNames } from '../io/neo4j-source.js';
import { isConnectionError, redactUri } from '../store/neo4j-errors.js';
import type { GraphStore, GraphSummary } from '../store/types.js';
import { graphSourceSchema, type Neo4jImportRequest, type RecordedNeo4jSource } from './neo4j-source-schema.js';

/** Default `timeoutSeconds` of a read (at most RIPPLE_NEO4J_MAX_TIMEOUT). */
export const DEFAULT_TIMEOUT_SECONDS = 60;

export interface Neo4jImportDeps {
  store: Pick<GraphStore, 'create' | 'replace' | 'get'>;
  config: Pick<Readonly<Config>, 'neo4j' | 'neo4jSources'>;
  /** How errors name the limits to raise (HTTP body fields by default; the CLI names its flags). */
  names?: Partial<LimitNames>;
  now?: () => Date;
}

export type Neo4jImportResult = GraphSummary & { report: ImportReport };

export interface Neo4jImportService {
  /** Read a new graph and store it (a new id). */
  create(req: Neo4jImportRequest): Promise<Neo4jImportResult>;
  /** Read graph `id` again from its recorded source (`req` undefined), or from a new one (recorded in its place). */
  refresh(id: string, req: Neo4jImportRequest | undefined, opts?: { ifVersion?: number }): Promise<Neo4jImportResult>;
  close(): Promise<void>;
}

/** The source cannot be reached: 503 with Retry-After (the detail names the URI, never a password). */
export class SourceUnavailableError extends AppError {
  constructor(message: string, cause?: unknown) {
    super(message, { statusCode: 503, code: 'neo4j-source-unavailable', expose: true, cause, details: { retryAfterSeconds: 5 } });
  }
}

interface Connection {
  /** Canonical `scheme://host:port` (recorded, compared). */
  uri: string;
  /** What the driver connects to. */
  connectTo: string;
  user?: string;
  password?: string;
  database?: string;
}

function notAllowed(field: 'uri' | 'database', message: string): AppError {
  return new AppError(message, { statusCode: 422, code: 'neo4j-source-not-allowed', details: { errors: [{ path: `body.${field}`, message }] } });
}

export function neo4jImportService(deps: Neo4jImportDeps): Neo4jImportService {
  const { config, store } = deps;
  const sources = config.neo4jSources;
  const now = deps.now ?? (() => new Date());
  const names: LimitNames = {
    rowLimit: 'rowLimit', timeout: 'timeoutSeconds',
    maxRows: `RIPPLE_NEO4J_MAX_ROWS = ${sources.maxRows}`, maxTimeout: `RIPPLE_NEO4J_MAX_TIMEOUT = ${sources.maxTimeoutSeconds} s`,
    ...deps.names,
  };
  const drivers = new Map<string, Promise<Driver>>();
  let closed = false;

  /** The server and database to read, as the configuration allows; never one a request makes up. */
  function connection(req: Neo4jImportRequest): Connection {
    const configured = config.neo4j.uri === undefined ? undefined : canonicalBoltUri(config.neo4j.uri);
    let conn: Connection;
    if (req.uri === undefined || (configured !== undefined && canonicalBoltUri(req.uri) === configured)) {
      if (config.neo4j.uri === undefined || configured === undefined) {
        // The same rule as a URI the configuration does not list: here it lists none (a 422, not a server error).
        throw new AppError('no Neo4j to read from: this server has no NEO4J_URI (an operator sets NEO4J_URI, NEO4J_USER and NEO4J_PASSWORD)', {
          statusCode: 422, code: 'neo4j-source-not-configured', details: { errors: [{ path: 'body', message: 'no Neo4j configured' }] },
        });
      }
      if (req.uri !== undefined && /\/\/[^/]*@/.test(req.uri)) throw new InputError('body.uri: credentials do not go in the request: the server\'s configuration holds them', { errors: [{ path: 'body.uri', message: 'has credentials' }] });
      conn = { uri: configured, connectTo: config.neo4j.uri, user: config.neo4j.user, password: config.neo4j.password };
    } else {
      const canon = canonicalBoltUri(req.uri);
      if (canon === undefined) throw new InputError('body.uri: not a bolt:// or neo4j:// URI (bolt://host:7687)', { errors: [{ path: 'body.uri', message: 'not a bolt:// or neo4j:// URI' }] });
      if (/\/\/[^/]*@/.test(req.uri)) throw new InputError('body.uri: credentials do not go in the request: the server\'s configuration holds them', { errors: [{ path: 'body.uri', message: 'has credentials' }] });
      const listed = sources.uris.find((s) => s.uri === canon);
      if (!listed) {
        throw notAllowed('uri', `body.uri: this server reads only from its own Neo4j${sources.uris.length > 0 ? ' and the servers RIPPLE_NEO4J_SOURCES lists' : ''}; ${canon} is not one of them (an operator can add it to RIPPLE_NEO4J_SOURCES)`);
      }
      conn = { uri: canon, connectTo: canon, user: listed.user ?? config.neo4j.user, password: listed.password ?? config.neo4j.password };
    }
    if (req.database !== undefined && req.database !== config.neo4j.database) {
      const ok = sources.databases === '*' ? req.database.toLowerCase() !== 'system' : sources.databases.includes(req.database);
      if (!ok) throw notAllowed('database', `body.database: this server reads only ${config.neo4j.database ? `database ${JSON.stringify(config.neo4j.database)}` : 'the default database'}${sources.databases === '*' || sources.databases.length === 0 ? '' : ` and ${sources.databases.map((d) => JSON.stringify(d)).join(', ')}`}; ${JSON.stringify(req.database)} is not allowed (an operator can list it in RIPPLE_NEO4J_SOURCE_DATABASES)`);
    }
    const database = req.database ?? config.neo4j.database;
    return { ...conn, ...(database !== undefined ? { database } : {}) };
  }

  function driverFor(conn: Connection): Promise<Driver> {
    if (closed) throw new SourceUnavailableError('the Neo4j source reader is closed');
    const key = `${conn.connectTo}\u0000${conn.user ?? ''}`;
    let d = drivers.get(key);
    if (!d) {
      d = import('neo4j-driver').then(({ default: neo4j }) =>
        neo4j.driver(conn.connectTo, conn.user !== undefined && conn.password !== undefined ? neo4j.auth.basic(conn.user, conn.password) : undefined, {
          // Integers as BigInt: ids beyond 2^53 stay exact (written in decimal).
          useBigInt: true,
          userAgent: 'ripple-from-neo4j',
          connectionTimeout: 10_000,
          maxTransactionRetryTime: 3_000,
        }),
      );
      drivers.set(key, d);
    }
    return d;
  }

  function limits(req: Neo4jImportRequest): { rowLimit: number; timeoutSeconds: number } {
    const rowLimit = req.rowLimit ?? sources.maxRows;
    const timeoutSeconds = req.timeoutSeconds ?? Math.min(DEFAULT_TIMEOUT_SECONDS, sources.maxTimeoutSeconds);
    const errors: { path: string; message: string }[] = [];
    if (rowLimit > sources.maxRows) errors.push({ path: 'body.rowLimit', message: `at most ${sources.maxRows} (RIPPLE_NEO4J_MAX_ROWS)` });
    if (timeoutSeconds > sources.maxTimeoutSeconds) errors.push({ path: 'body.timeoutSeconds', message: `at most ${sources.maxTimeoutSeconds} (RIPPLE_NEO4J_MAX_TIMEOUT)` });
    if (errors.length > 0) throw new InputError(`${errors[0].path}: ${errors[0].message}`, { errors });
    return { rowLimit, timeoutSeconds };
  }

  async function read(req: Neo4jImportRequest, graph: { name?: string; stepDuration?: string }) {
    const conn = connection(req);
    const { rowLimit, timeoutSeconds } = limits(req);
    const directed = req.directed ?? true;
    const source: RecordedNeo4jSource = {
      type: 'neo4j',
      uri: conn.uri,
      ...(req.database !== undefined ? { database: req.database } : {}),
      ...(req.nodeLabel !== undefined ? { nodeLabel: req.nodeLabel, relationshipType: req.relationshipType } : { nodesQuery: req.nodesQuery, relationshipsQuery: req.relationshipsQuery }),
      ...(req.parameters !== undefined ? { parameters: req.parameters } : {}),
      ...(req.mapping !== undefined ? { mapping: req.mapping } : {}),
      directed,
      ...(req.defaultValue !== undefined ? { defaultValue: req.defaultValue } : {}),
      ...(req.currency !== undefined ? { currency: req.currency } : {}),
      rowLimit,
      timeoutSeconds,
      importedAt: now().toISOString(),
    };
    const name = req.name ?? graph.name ?? (req.nodeLabel !== undefined ? `${req.nodeLabel}/${req.relationshipType}` : 'neo4j');
    const stepDuration = req.stepDuration !== undefined ? normaliseDuration(req.stepDuration) : graph.stepDuration;
    const driver = await driverFor(conn);
    const where = `${redactUri(conn.uri)}${conn.database ? ` (database ${JSON.stringify(conn.database)})` : ''}`;
    try {
      return await readNeo4jGraph(driver, {
        nodeLabel: req.nodeLabel, relationshipType: req.relationshipType, nodesQuery: req.nodesQuery, relationshipsQuery: req.relationshipsQuery,
        parameters: req.parameters, mapping: req.mapping, directed, rowLimit, timeoutMs: Math.max(1, Math.round(timeoutSeconds * 1000)), database: conn.database,
      }, {
        name, defaultValue: req.defaultValue, currency: req.currency, stepDuration, graphSource: source,
      }, names);
    } catch (e) {
      if (e instanceof AppError) throw e;
      const code = String((e as { code?: unknown } | null)?.code ?? '');
      const text = e instanceof Error ? e.message : String(e);
      const clean = conn.password ? text.split(conn.password).join('***') : text;
      if (isConnectionError(e)) throw new SourceUnavailableError(`Neo4j at ${where} is unavailable: ${clean}`, e);
      if (code.startsWith('Neo.ClientError.Security.')) {
        throw new AppError(`Neo4j at ${where} refused this server's credentials (${code.replace('Neo.ClientError.Security.', '')}): an operator must fix NEO4J_USER/NEO4J_PASSWORD or RIPPLE_NEO4J_SOURCES`, { statusCode: 502, code: 'neo4j-source-refused', expose: true, cause: e });
      }
      throw e;
    }
  }

  return {
    async create(req) {
      const { data, report } = await read(req, {});
      const summary = await store.create(data);
      return { ...summary, report };
    },

    async refresh(id, req, opts = {}) {
      const current = await store.get(id);
      let request = req;
      if (request === undefined) {
        const recorded = graphSourceSchema.safeParse(current.source);
        if (!recorded.success || recorded.data.type !== 'neo4j') {
          throw new ConflictError(`graph ${JSON.stringify(id)} has no Neo4j source to read again: send one (nodeLabel and relationshipType, or nodesQuery and relationshipsQuery) in the body`);
        }
        const s = recorded.data;
        request = {
          uri: s.uri, database: s.database, nodeLabel: s.nodeLabel, relationshipType: s.relationshipType, nodesQuery: s.nodesQuery,
          relationshipsQuery: s.relationshipsQuery, parameters: s.parameters, mapping: s.mapping, directed: s.directed, defaultValue: s.defaultValue,
          currency: s.currency, rowLimit: s.rowLimit, timeoutSeconds: s.timeoutSeconds,
        };
        for (const k of Object.keys(request) as (keyof Neo4jImportRequest)[]) if (request[k] === undefined) delete request[k];
      }
      // The graph keeps its name and step duration unless the request gives them.
      const { data, report } = await read(request, { name: current.name, stepDuration: current.stepDuration });
      const summary = await store.replace(id, data, { ifVersion: opts.ifVersion });
      return { ...summary, report };
    },

    async close() {
      closed = true;
      const all = [...drivers.values()];
      drivers.clear();
      await Promise.all(all.map(async (d) => (await d.catch(() => undefined))?.close()));
    },
  };
}
