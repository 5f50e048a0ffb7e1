/**
 * GraphStore on Neo4j (DESIGN §1, issue "Neo4j as the system of record"). See neo4j-cypher.ts for the
 * model and every query text; data only ever travels as parameters.
 *
 * Writes: a create or replace writes a whole new slot (customers with their out-tie arrays, then the TIE
 * relationships, in UNWIND batches of 50k rows, each batch its own `executeWrite`, which the driver retries on
 * transient errors; a tie batch is a row per source customer, and finds the customers it touches once, by the element
 * ids the customer batches returned; `tieWriters` tie batches at a time), then flips the
 * Graph's live slot in one transaction, then removes older slots in batches. Readers only follow the
 * live slot, so they see the old version or the new one, never a mix; a failed write removes its slot
 * and leaves nothing visible.
 *
 * Reads: one read transaction reads the customers, with their out-ties, in pages (index ranges of idx), each page one
 * row of columns (a list per attribute, ties as byte arrays: far fewer driver objects than a record per tie), into
 * preallocated columns (GraphDataAssembler), so at most one page is held twice; no relationship is traversed (slots
 * written by an older Ripple, without the arrays, are read from their relationships). If a concurrent replace removed
 * the slot under the reader (Neo4j reads are read-committed), the counts do not match and the read is
 * retried on the new live slot.
 */
import { randomBytes } from 'node:crypto';
import neo4j from 'neo4j-driver';
import { AppError, ConflictError, NotFoundError } from '../errors.js';
import type { GraphData, GraphSource } from '../graph/model.js';
import { AWAIT_INDEXES, Q, SCHEMA } from './neo4j-cypher.js';
import { isConnectionError, redactUri, StoreUnavailableError } from './neo4j-errors.js';
import { collect, type CypherDriver, type CypherSession, type CypherTx } from './neo4j-port.js';
import {
  columnsOf, customerBatches, customerPage, DEFAULT_BATCH, fromStored, GraphDataAssembler, pages, rawOf, tieBatches, TIE_PAGE, TIE_WRITERS, toNumber,
  wellFormed, type GraphMeta,
} from './neo4j-rows.js';
import type { GraphStore, GraphSummary } from './types.js';
import { raceTimeout } from '../timeout.js';

export interface Neo4jConfig {
  uri: string;
  user: string;
  password: string;
  /** Database name; the server default when absent. */
  database?: string;
}

/** pino-compatible subset. */
export interface StoreLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface Neo4jStoreOptions {
  /** Rows per write transaction (default 50 000). */
  batchSize?: number;
  /**
   * Tie batches written at once, each in its own transaction and session (default TIE_WRITERS). A failed batch fails
   * the write once the others in flight have settled.
   */
  tieWriters?: number;
  /** Rows per delete transaction when old slots are removed (default 50 000). */
  deleteBatchSize?: number;
  /** ready() gives up after this many ms (default 3000). */
  readyTimeoutMs?: number;
  /** Driver connection timeout in ms (default 10 000): how long start-up waits for an unreachable host. */
  connectionTimeoutMs?: number;
  /** How long the driver retries a transaction on transient errors, in ms (default 5000). */
  retryMs?: number;
  /**
   * Lease of a slot being written, in ms (default 60 000): the writer renews it every third of that while it writes;
   * a slot whose lease ran out belongs to a writer that died (kill -9, power loss) and the sweep removes it.
   */
  writeLeaseMs?: number;
  /** How often the sweep runs after start-up, in ms (default: the write lease; 0 = only at start-up). */
  sweepEveryMs?: number;
  /** A graph shell of an older Ripple (no lease recorded) is removed after this age (default 1 hour). */
  staleShellMs?: number;
  /**
   * Also remove slots whose write has not finished even when their lease is live. Only safe when no other
   * Ripple instance may be writing to the same database at that moment (default false).
   */
  reclaimPending?: boolean;
  /** Clock (ISO timestamps); injectable for tests. */
  now?: () => Date;
  logger?: StoreLogger;
}

const silent: StoreLogger = { info: () => {}, warn: () => {} };

export { isConnectionError, redactUri, StoreUnavailableError } from './neo4j-errors.js';

function describeError(e: unknown, secret: string | undefined): string {
  const text = e instanceof Error ? e.message : String(e);
  return secret ? text.split(secret).join('***') : text;
}

/** Adapt a neo4j-driver Driver to the narrow port the store uses. */
export function neo4jPort(driver: neo4j.Driver): CypherDriver {
  const wrap = (tx: neo4j.ManagedTransaction): CypherTx => ({
    run: (query, params) => tx.run(query, params),
  });
  return {
    session({ database, mode }): CypherSession {
      const s = driver.session({ database, defaultAccessMode: mode === 'read' ? neo4j.session.READ : neo4j.session.WRITE });
      return {
        executeRead: (work) => s.executeRead((tx) => work(wrap(tx))),
        executeWrite: (work) => s.executeWrite((tx) => work(wrap(tx))),
        close: () => s.close(),
      };
    },
    verifyConnectivity: ({ database }) => driver.verifyConnectivity({ database }).then(() => undefined),
    close: () => driver.close(),
  };
}

/**
 * Open the Neo4j store: connect, verify connectivity (a clear error naming the URI, without the password),
 * create constraints and indexes (idempotent), finish deletions a crash interrupted. Close it with close().
 */
export async function createNeo4jStore(cfg: Neo4jConfig, opts: Neo4jStoreOptions = {}): Promise<Neo4jStore> {
  const driver = neo4j.driver(cfg.uri, neo4j.auth.basic(cfg.user, cfg.password), {
    disableLosslessIntegers: true,
    userAgent: 'ripple',
    connectionTimeout: opts.connectionTimeoutMs ?? 10_000,
    // How long a managed transaction is retried on transient errors (deadlock, leader switch, database away) before
    // the error reaches the caller: bounded, so a request while Neo4j is down answers 503 within seconds.
    maxTransactionRetryTime: opts.retryMs ?? 5_000,
  });
  const store = new Neo4jStore(neo4jPort(driver), { uri: cfg.uri, database: cfg.database, secret: cfg.password }, opts);
  try {
    await store.init();
  } catch (e) {
    await driver.close().catch(() => {});
    throw e;
  }
  return store;
}

export class Neo4jStore implements GraphStore {
  readonly kind = 'neo4j';
  private readonly batch: number;
  private readonly deleteBatch: number;
  private readonly tieWriters: number;
  private readonly log: StoreLogger;
  private readonly now: () => Date;
  private closed = false;
  private readonly leaseMs: number;
  private sweepTimer: ReturnType<typeof setInterval> | undefined;
  private sweeping: Promise<void> | null = null;
  /** Set when the database stopped answering; the next call checks connectivity first and fails fast (503). */
  private down = false;

  constructor(
    private readonly driver: CypherDriver,
    private readonly where: { uri: string; database?: string; secret?: string },
    private readonly opts: Neo4jStoreOptions = {},
  ) {
    this.batch = opts.batchSize ?? DEFAULT_BATCH;
    this.deleteBatch = opts.deleteBatchSize ?? DEFAULT_BATCH;
    this.tieWriters = Math.max(1, Math.floor(opts.tieWriters ?? TIE_WRITERS));
    this.log = opts.logger ?? silent;
    this.now = opts.now ?? (() => new Date());
    this.leaseMs = opts.writeLeaseMs ?? 60_000;
  }

  private until(): number {
    return this.now().getTime() + this.leaseMs;
  }

  private get target(): string {
    return `${redactUri(this.where.uri)}${this.where.database ? ` (database ${JSON.stringify(this.where.database)})` : ''}`;
  }

  /** Connectivity, schema, and the start-up sweep. Called once by createNeo4jStore. */
  async init(): Promise<void> {
    try {
      await this.driver.verifyConnectivity({ database: this.where.database });
    } catch (e) {
      throw new StoreUnavailableError(`cannot connect to Neo4j at ${this.target}: ${describeError(e, this.where.secret)}`, e);
    }
    for (const statement of SCHEMA) await this.write((tx) => collect(tx, statement, {}));
    await this.write((tx) => collect(tx, AWAIT_INDEXES, { seconds: 300 }));
    await this.sweep();
    const every = this.opts.sweepEveryMs ?? this.leaseMs;
    if (every > 0) {
      this.sweepTimer = setInterval(() => {
        if (this.sweeping || this.down) return;
        this.sweeping = this.sweep()
          .catch((e) => this.log.warn({ err: e }, 'neo4j: sweep failed'))
          .finally(() => {
            this.sweeping = null;
          });
      }, every);
      this.sweepTimer.unref();
    }
  }

  private async withSession<T>(mode: 'read' | 'write', work: (s: CypherSession) => Promise<T>): Promise<T> {
    if (this.closed) throw new StoreUnavailableError('the Neo4j store is closed');
    if (this.down) {
      // Fail fast while the database is away (no driver retry loop per request); recover as soon as it answers.
      if (!(await this.ready())) throw this.unavailable(undefined);
      this.down = false;
      this.log.info({ uri: redactUri(this.where.uri) }, 'neo4j: the database answers again');
    }
    const s = this.driver.session({ database: this.where.database, mode });
    try {
      return await work(s);
    } catch (e) {
      if (isConnectionError(e)) {
        if (!this.down) this.log.warn({ err: e }, 'neo4j: the database is not reachable');
        this.down = true;
        throw this.unavailable(e);
      }
      throw e;
    } finally {
      await s.close().catch(() => {});
    }
  }

  private unavailable(cause: unknown): StoreUnavailableError {
    const why = cause === undefined ? 'it does not answer' : describeError(cause, this.where.secret);
    return new StoreUnavailableError(`Neo4j at ${this.target} is unavailable: ${why}`, cause);
  }

  private write<T>(work: (tx: CypherTx) => Promise<T>): Promise<T> {
    return this.withSession('write', (s) => s.executeWrite(work));
  }

  private read<T>(work: (tx: CypherTx) => Promise<T>): Promise<T> {
    return this.withSession('read', (s) => s.executeRead(work));
  }

  async create(data: GraphData): Promise<GraphSummary> {
    // Same form as the file store's ids (`g_` + 16 hex digits), so a client sees one id shape whatever the store.
    const id = `g_${randomBytes(8).toString('hex')}`;
    const stamp = this.now().toISOString();
    await this.write((tx) =>
      collect(tx, Q.createShell, { id, name: wellFormed(data.name), nameRaw: rawOf(data.name), directed: data.directed, now: stamp, until: this.until() }),
    );
    try {
      return await this.writeSlot(id, 1, data, null);
    } catch (e) {
      await this.discard(id, 1, true);
      throw e;
    }
  }

  async replace(id: string, data: GraphData, opts: { ifVersion?: number } = {}): Promise<GraphSummary> {
    const rows = await this.write((tx) => collect(tx, Q.allocate, { id, until: this.until() }));
    if (rows.length === 0) throw new NotFoundError(`graph ${JSON.stringify(id)} not found`);
    const slot = toNumber(rows[0].get('slot'));
    const version = toNumber(rows[0].get('version'));
    if (opts.ifVersion !== undefined && opts.ifVersion !== version) {
      await this.discard(id, slot, false);
      throw new ConflictError(`graph ${JSON.stringify(id)} is at version ${version}, not ${opts.ifVersion}`);
    }
    try {
      return await this.writeSlot(id, slot, data, opts.ifVersion ?? null);
    } catch (e) {
      await this.discard(id, slot, false);
      throw e;
    }
  }

  /** Write every customer and tie of `slot`, then make it live; older slots are removed afterwards. */
  private async writeSlot(id: string, slot: number, data: GraphData, ifVersion: number | null): Promise<GraphSummary> {
    // Renew the slot's lease while writing: if this process dies, renewals stop and the sweep removes the slot.
    const renew = setInterval(() => {
      this.write((tx) => collect(tx, Q.renew, { id, slot, until: this.until() })).catch((e) =>
        this.log.warn({ err: e, graphId: id, slot }, 'neo4j: renewing the write lease failed'),
      );
    }, Math.max(50, Math.floor(this.leaseMs / 3)));
    renew.unref();
    try {
      return await this.writeSlotLeased(id, slot, data, ifVersion);
    } finally {
      clearInterval(renew);
    }
  }

  private async writeSlotLeased(id: string, slot: number, data: GraphData, ifVersion: number | null): Promise<GraphSummary> {
    // Element ids of the slot's customers by idx: the tie batches find their endpoints by them (no index seek).
    const nodes = new Array<string>(data.ids.length);
    for (const b of customerBatches(data, this.batch)) {
      const row = await this.write(async (tx) => (await collect(tx, Q.writeCustomers, { graphId: id, slot, ...b }))[0]);
      const n = toNumber(row?.get('n'));
      const ids = row?.get('nodes');
      if (n !== b.ids.length || !Array.isArray(ids) || ids.length !== n) throw new AppError(`neo4j: wrote ${n} of ${b.ids.length} customers in a batch`);
      for (let k = 0; k < n; k++) nodes[b.base + k] = String(ids[k]);
    }
    // Tie batches go in `tieWriters` transactions at a time (sessions of their own; Neo4j takes the end nodes' locks at
    // commit, in order, and the driver retries a transient failure such as a deadlock).
    await eachConcurrently(tieBatches(data, this.batch), this.tieWriters, async (b) => {
      const params = { graphId: id, slot, nodes: b.nodes.map((i) => nodes[i]), src: b.src, dst: b.dst, weight: b.weight, p: b.p, channel: b.channel };
      const query = b.weight || b.p || b.channel ? Q.writeTiesWithAttributes : Q.writeTies;
      const n = await this.write(async (tx) => toNumber((await collect(tx, query, params))[0]?.get('n')));
      if (n !== b.ties) throw new AppError(`neo4j: wrote ${n} of ${b.ties} ties in a batch (missing customers)`);
    });
    const flipped = await this.write((tx) =>
      collect(tx, Q.flip, {
        id, slot, ifVersion,
        name: wellFormed(data.name), nameRaw: rawOf(data.name), directed: data.directed,
        customers: data.ids.length, ties: data.src.length, defaultValue: data.defaultValue,
        currency: data.currency === undefined ? null : wellFormed(data.currency), currencyRaw: rawOf(data.currency),
        stepDuration: data.stepDuration ?? null,
        // The recorded origin of a snapshot (POST /graphs/from-neo4j), as JSON text: a property cannot hold a map.
        source: data.source === undefined ? null : JSON.stringify(data.source),
        columns: columnsOf(data), channels: data.channels.map(wellFormed),
        channelsRaw: data.channels.some((c) => rawOf(c) !== null) ? data.channels.map((c) => rawOf(c) ?? '') : null,
        now: this.now().toISOString(),
      }),
    );
    if (flipped.length === 0) {
      const probe = await this.read((tx) => collect(tx, Q.probe, { id }));
      const live = probe.length ? toNumber(probe[0].get('liveVersion')) : -1;
      if (live < 0) throw new NotFoundError(`graph ${JSON.stringify(id)} not found (deleted during the write)`);
      const now = toNumber(probe[0].get('version'));
      throw new ConflictError(
        ifVersion !== null && now !== ifVersion
          ? `graph ${JSON.stringify(id)} is at version ${now}, not ${ifVersion}`
          : `graph ${JSON.stringify(id)} could not be updated (now version ${now})`,
      );
    }
    const previous = toNumber(flipped[0].get('previous'));
    if (previous > 0) {
      // The new version is already live, so a failure here is logged, not thrown (the slot stays in `retiring`
      // and the next sweep finishes it).
      await this.retire(id, previous).catch((e) => this.log.warn({ err: e, graphId: id }, 'neo4j: removing the old version failed'));
    }
    return toSummary(flipped[0].get('graph'));
  }

  /** Remove a slot that will never become live; for a create, also the invisible Graph node. */
  private async discard(id: string, slot: number, shell: boolean): Promise<void> {
    try {
      await this.purge(id, slot, slot + 1);
      await this.write((tx) => collect(tx, shell ? Q.dropNode : Q.release, { id, slot }));
    } catch (e) {
      this.log.warn({ err: e, graphId: id, slot }, 'neo4j: cleaning up a failed write failed');
    }
  }

  /** Remove an old slot after a flip, then forget it from `retiring`. */
  private async retire(id: string, slot: number): Promise<void> {
    await this.purge(id, slot, slot + 1);
    await this.write((tx) => collect(tx, Q.retired, { id, slot }));
  }

  /** Delete the ties, then the customers, of slots from <= version < to, one batch per transaction. */
  private async purge(graphId: string, from: number, to: number): Promise<void> {
    for (const query of [Q.purgeTies, Q.purgeCustomers]) {
      for (;;) {
        const n = await this.write(async (tx) => toNumber((await collect(tx, query, { graphId, from, to, batch: this.deleteBatch }))[0]?.get('n')));
        if (!(n > 0)) break;
      }
    }
  }

  async list(): Promise<GraphSummary[]> {
    const rows = await this.read((tx) => collect(tx, Q.list, {}));
    return rows.map((r) => toSummary(r.get('graph')));
  }

  async get(id: string): Promise<GraphSummary> {
    const rows = await this.read((tx) => collect(tx, Q.get, { id }));
    if (rows.length === 0) throw new NotFoundError(`graph ${JSON.stringify(id)} not found`);
    return toSummary(rows[0].get('graph'));
  }

  async load(id: string): Promise<{ summary: GraphSummary; data: GraphData }> {
    for (let attempt = 1; ; attempt++) {
      const got = await this.read(async (tx) => {
        const rows = await collect(tx, Q.get, { id });
        if (rows.length === 0) return null;
        const g = rows[0].get('graph') as Record<string, unknown>;
        const slot = toNumber(g.liveVersion);
        const meta = toMeta(g);
        const asm = new GraphDataAssembler(meta);
        // Customers carry their out-ties: pages sized so that one holds about TIE_PAGE ties on average.
        for (const [from, to] of pages(meta.customers, customerPage(meta.customers, meta.ties))) {
          for (const r of await collect(tx, Q.readCustomers, { graphId: id, slot, from, to })) asm.customers(r);
        }
        if (meta.ties > 0 && !asm.tiesOnCustomers && asm.counts.customers === meta.customers) {
          // A slot written before ties rode on their customers: read the relationships (each has its position).
          const perPage = Math.max(1, Math.ceil(meta.customers / Math.ceil(meta.ties / TIE_PAGE)));
          for (const [from, to] of pages(meta.customers, perPage)) {
            for (const r of await collect(tx, Q.readTies, { graphId: id, slot, from, to })) asm.ties(r);
          }
        }
        return { g, asm };
      });
      if (got === null) throw new NotFoundError(`graph ${JSON.stringify(id)} not found`);
      if (got.asm.complete || attempt >= 3) return { summary: toSummary(got.g), data: got.asm.finish() };
      // The slot was being removed by a concurrent replace or delete: read the live one again.
    }
  }

  async delete(id: string): Promise<void> {
    const rows = await this.write((tx) => collect(tx, Q.hide, { id }));
    if (rows.length === 0) throw new NotFoundError(`graph ${JSON.stringify(id)} not found`);
    await this.purge(id, 0, 2 ** 31 - 1);
    await this.write((tx) => collect(tx, Q.dropNode, { id }));
  }

  /**
   * Finish what a crash interrupted: hidden graphs (deleted half-way), creates and replaces whose write lease ran out
   * (the writer died; with `reclaimPending`, every unfinished write), old slots whose removal after a flip did not
   * finish, and shells of an older Ripple (no lease) older than `staleShellMs`. Runs at start-up and every
   * `sweepEveryMs`.
   */
  async sweep(): Promise<void> {
    const rows = await this.read((tx) => collect(tx, Q.sweepList, {}));
    const nowMs = this.now().getTime();
    const staleBefore = nowMs - (this.opts.staleShellMs ?? 3_600_000);
    for (const r of rows) {
      const id = r.get('id') as string;
      const live = toNumber(r.get('liveVersion'));
      const created = Date.parse(String(r.get('createdAt')));
      const pending = (r.get('pending') as unknown[]).map(toNumber);
      const leases = (r.get('pendingUntil') as unknown[]).map(toNumber);
      const dead = (i: number) => this.opts.reclaimPending === true || !(leases[i] > nowMs);
      if (live < 0 || (live === 0 && (pending.length === 0 ? created < staleBefore : pending.every((_, i) => dead(i))))) {
        this.log.info({ graphId: id }, 'neo4j: removing a graph left unfinished');
        await this.purge(id, 0, 2 ** 31 - 1);
        await this.write((tx) => collect(tx, Q.dropNode, { id }));
        continue;
      }
      if (live <= 0) continue;
      for (let i = 0; i < pending.length; i++) {
        const slot = pending[i];
        if (slot === live || !dead(i)) continue;
        this.log.info({ graphId: id, slot }, 'neo4j: removing a version whose write did not finish');
        await this.purge(id, slot, slot + 1);
        await this.write((tx) => collect(tx, Q.release, { id, slot }));
      }
      for (const slot of (r.get('retiring') as unknown[]).map(toNumber)) {
        if (slot === live) continue;
        this.log.info({ graphId: id, slot }, 'neo4j: finishing the removal of an old version');
        await this.retire(id, slot);
      }
    }
  }

  /** Run `work` in a write transaction of this database (for GDS: src/influence/gds.ts `GdsRunner`). */
  readonly runInDatabase = <T>(work: (tx: CypherTx) => Promise<T>): Promise<T> => this.write(work);

  /** The live slot and size of a graph, for GDS projections (`GdsGraphRef`). */
  async liveRef(id: string): Promise<{ graphId: string; slot: number; version: number; directed: boolean; customers: number; ties: number }> {
    const rows = await this.read((tx) => collect(tx, Q.get, { id }));
    if (rows.length === 0) throw new NotFoundError(`graph ${JSON.stringify(id)} not found`);
    const g = rows[0].get('graph') as Record<string, unknown>;
    return {
      graphId: id, slot: toNumber(g.liveVersion), version: toNumber(g.version), directed: g.directed === true,
      customers: toNumber(g.customers), ties: toNumber(g.ties),
    };
  }

  async ready(): Promise<boolean> {
    if (this.closed) return false;
    const reachable = this.driver.verifyConnectivity({ database: this.where.database }).then(() => true, () => false);
    return raceTimeout(reachable, this.opts.readyTimeoutMs ?? 3000, () => false);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweepTimer);
    await this.sweeping;
    await this.driver.close();
  }
}

/**
 * Run `work` on each item, at most `width` at a time, in order of the items; the first failure is thrown once every
 * started piece of work has settled (so nothing is still writing when the caller cleans up).
 */
async function eachConcurrently<T>(items: Iterable<T>, width: number, work: (item: T) => Promise<void>): Promise<void> {
  const it = items[Symbol.iterator]();
  let failure: { error: unknown } | null = null;
  const lane = async () => {
    for (let r = it.next(); !r.done && failure === null; r = it.next()) {
      try {
        await work(r.value);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: width }, lane));
  if (failure !== null) throw (failure as { error: unknown }).error;
}

function toSummary(v: unknown): GraphSummary {
  const g = v as Record<string, unknown>;
  return {
    id: String(g.id),
    name: fromStored(g.name, g.nameRaw) ?? '',
    directed: g.directed === true,
    version: toNumber(g.version),
    customers: toNumber(g.customers),
    ties: toNumber(g.ties),
    createdAt: String(g.createdAt),
    updatedAt: String(g.updatedAt),
    ...(typeof g.stepDuration === 'string' ? { stepDuration: g.stepDuration } : {}),
    ...sourceOf(g.source),
  };
}

/** The recorded source (a JSON text property), when there is one and it reads as an object with a `type`. */
function sourceOf(v: unknown): { source?: GraphSource } {
  if (typeof v !== 'string') return {};
  try {
    const s = JSON.parse(v) as unknown;
    return s !== null && typeof s === 'object' && !Array.isArray(s) && typeof (s as { type?: unknown }).type === 'string' ? { source: s as GraphSource } : {};
  } catch {
    return {};
  }
}

function toMeta(g: Record<string, unknown>): GraphMeta {
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
  const dv = g.defaultValue == null ? 1 : toNumber(g.defaultValue);
  const raw = Array.isArray(g.channelsRaw) ? g.channelsRaw : null;
  const currency = fromStored(g.currency, g.currencyRaw);
  return {
    name: fromStored(g.name, g.nameRaw) ?? '',
    directed: g.directed === true,
    customers: toNumber(g.customers),
    ties: toNumber(g.ties),
    defaultValue: dv,
    ...(currency !== null ? { currency } : {}),
    ...(typeof g.stepDuration === 'string' ? { stepDuration: g.stepDuration } : {}),
    ...sourceOf(g.source),
    columns: list(g.columns),
    channels: list(g.channels).map((c, i) => (raw && raw[i] ? fromStored(c, raw[i]) ?? c : c)),
  };
}
