/**
 * A FAKE Neo4j for unit tests — NOT Neo4j and not a Cypher interpreter. It knows the store's fixed query
 * catalogue (src/store/neo4j-cypher.ts) and implements each query's intended effect on an in-memory model
 * of the same nodes and relationships, with transactions (a write works on a copy, committed on success),
 * streaming results, and a log of every (query, params) sent. It lets the
 * tests check the store's logic (batching, slots, flip, clean-up, retries, mapping) and that no data ever
 * reaches query text. Whether the Cypher itself does what the fake does is checked only by the contract
 * suite against a real Neo4j (NEO4J_URI).
 *
 * Use it only for what a real server cannot show on demand: the recorded (query, params), and failures injected at
 * a chosen query (transient errors, a dropped connection mid-read, a concurrent replace between two reads). Anything
 * a real server can show runs against one (CI starts it; locally `eval "$(npm run -s neo4j:start)"`).
 */
import { AWAIT_INDEXES, Q, SCHEMA } from '../src/store/neo4j-cypher.js';
import type { CypherDriver, CypherRecord, CypherSession, CypherTx } from '../src/store/neo4j-port.js';

type Props = Record<string, unknown>;
interface Tie { a: string; b: string; graphId: string; version: number; props: Props }
export interface FakeState {
  graphs: Map<string, Props>;
  /** key(graphId, version, idx) -> customer properties */
  customers: Map<string, Props>;
  ties: Tie[];
}

const key = (graphId: unknown, version: unknown, idx: unknown) => JSON.stringify([graphId, Number(version), Number(idx)]);
const int = (v: unknown) => (v === null || v === undefined ? null : Math.trunc(Number(v)));
const at = (list: unknown, k: number) => (Array.isArray(list) ? (list[k] ?? null) : null);
const withoutNulls = (p: Props): Props => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== null && v !== undefined));

type Handler = (s: FakeState, p: Props) => Props[];

/** One lease per pending slot (0 where none is recorded), as the Cypher's list comprehension reads them. */
function leases(g: Props): number[] {
  const pending = (g.pending as number[] | undefined) ?? [];
  const until = (g.pendingUntil as number[] | undefined) ?? [];
  return pending.map((_, i) => until[i] ?? 0);
}

function dropPending(g: Props, slot: number): void {
  const pending = (g.pending as number[] | undefined) ?? [];
  const until = leases(g);
  g.pendingUntil = until.filter((_, i) => pending[i] !== slot);
  g.pending = pending.filter((x) => x !== slot);
}

/** Q.writeTies / Q.writeTiesWithAttributes: every node of the batch found by element id and in the slot, or nothing. */
function writeTies(s: FakeState, p: Props): Props[] {
  const nodes = p.nodes as string[];
  const version = int(p.slot)!;
  const ok = nodes.every((e) => {
    const c = s.customers.get(e);
    return c !== undefined && c.graphId === p.graphId && c.version === version;
  });
  if (!ok) return [{ n: 0 }];
  let n = 0;
  (p.src as number[]).forEach((a, k) => {
    (p.dst as number[][])[k].forEach((b, j) => {
      s.ties.push({ a: nodes[a], b: nodes[b], graphId: p.graphId as string, version, props: withoutNulls({
        weight: at(at(p.weight, k), j), p: at(at(p.p, k), j), channel: at(at(p.channel, k), j),
      }) });
      n++;
    });
  });
  return [{ n }];
}

const handlers = new Map<string, Handler>([
  [Q.createShell, (s, p) => {
    if (s.graphs.has(p.id as string)) throw new Error('Neo.ClientError.Schema.ConstraintValidationFailed (Graph.id)');
    s.graphs.set(p.id as string, {
      id: p.id, name: p.name, nameRaw: p.nameRaw, directed: p.directed, version: 0, liveVersion: 0, nextVersion: 1,
      pending: [1], pendingUntil: [int(p.until)], customers: 0, ties: 0, createdAt: p.now, updatedAt: p.now,
    });
    if (p.nameRaw === null) delete s.graphs.get(p.id as string)!.nameRaw;
    return [{ id: p.id }];
  }],
  [Q.allocate, (s, p) => {
    const g = s.graphs.get(p.id as string);
    if (!g || (g.liveVersion as number) <= 0) return [];
    const slot = (g.nextVersion as number) + 1;
    g.nextVersion = slot;
    g.pendingUntil = [...leases(g), int(p.until)];
    g.pending = [...((g.pending as number[] | undefined) ?? []), slot];
    return [{ slot, version: g.version }];
  }],
  [Q.renew, (s, p) => {
    const g = s.graphs.get(p.id as string);
    if (!g) return [];
    const pending = (g.pending as number[] | undefined) ?? [];
    g.pendingUntil = leases(g).map((u, i) => (pending[i] === int(p.slot) ? int(p.until) : u));
    return [{ id: p.id }];
  }],
  [Q.retired, (s, p) => {
    const g = s.graphs.get(p.id as string);
    if (!g) return [];
    g.retiring = ((g.retiring as number[] | undefined) ?? []).filter((x) => x !== int(p.slot));
    return [{ id: p.id }];
  }],
  [Q.release, (s, p) => {
    const g = s.graphs.get(p.id as string);
    if (!g) return [];
    dropPending(g, int(p.slot)!);
    return [{ id: p.id }];
  }],
  [Q.writeCustomers, (s, p) => {
    const ids = p.ids as string[];
    const version = int(p.slot);
    const nodes: string[] = [];
    for (let k = 0; k < ids.length; k++) {
      for (const c of s.customers.values()) {
        if (c.graphId === p.graphId && c.version === version && c.id === ids[k]) throw new Error('fake neo4j: a slot holds the same customer id twice');
      }
      const idx = int(p.base)! + k;
      // The fake's element id is the node's key.
      nodes.push(key(p.graphId, version, idx));
      s.customers.set(key(p.graphId, version, idx), withoutNulls({
        graphId: p.graphId, version, idx, id: ids[k], idRaw: at(p.idsRaw, k), label: at(p.labels, k), labelRaw: at(p.labelsRaw, k),
        segment: at(p.segments, k), segmentRaw: at(p.segmentsRaw, k),
        followers: int(at(p.followers, k)), value: at(p.values, k), activity: at(p.activity, k),
        outIdx: at(p.outIdx, k), outDst: at(p.outDst, k), outWeight: at(p.outWeight, k), outP: at(p.outP, k), outChannel: at(p.outChannel, k),
      }));
    }
    return [{ n: ids.length, nodes }];
  }],
  [Q.writeTies, (s, p) => writeTies(s, p)],
  [Q.writeTiesWithAttributes, (s, p) => writeTies(s, p)],
  [Q.flip, (s, p) => {
    const g = s.graphs.get(p.id as string);
    const slot = int(p.slot)!;
    if (!g) return [];
    const live = g.liveVersion as number;
    if (!(live >= 0 && (p.ifVersion === null || g.version === int(p.ifVersion)))) return [];
    const before = g.version as number;
    Object.assign(g, {
      liveVersion: slot, version: before + 1, name: p.name, nameRaw: p.nameRaw, directed: p.directed, customers: int(p.customers), ties: int(p.ties),
      defaultValue: p.defaultValue, currency: p.currency, currencyRaw: p.currencyRaw, stepDuration: p.stepDuration, source: p.source, columns: p.columns, channels: p.channels,
      channelsRaw: p.channelsRaw, updatedAt: p.now, createdAt: before === 0 ? p.now : g.createdAt,
      retiring: [...((g.retiring as number[] | undefined) ?? []), ...(live > 0 ? [live] : [])],
    });
    dropPending(g, slot);
    for (const k of ['nameRaw', 'currency', 'currencyRaw', 'stepDuration', 'source', 'channelsRaw']) if (g[k] === null) delete g[k]; // SET x = null removes x
    return [{ previous: live, graph: { ...g } }];
  }],
  [Q.get, (s, p) => {
    const g = s.graphs.get(p.id as string);
    return g && (g.liveVersion as number) > 0 ? [{ graph: { ...g } }] : [];
  }],
  [Q.probe, (s, p) => {
    const g = s.graphs.get(p.id as string);
    return g ? [{ liveVersion: g.liveVersion, version: g.version }] : [];
  }],
  [Q.list, (s) =>
    [...s.graphs.values()]
      .filter((g) => (g.liveVersion as number) > 0)
      .sort((x, y) => (String(x.createdAt) < String(y.createdAt) ? -1 : String(x.createdAt) > String(y.createdAt) ? 1 : String(x.id) < String(y.id) ? -1 : 1))
      .map((g) => ({ graph: { id: g.id, name: g.name, nameRaw: g.nameRaw ?? null, directed: g.directed, version: g.version, customers: g.customers, ties: g.ties, createdAt: g.createdAt, updatedAt: g.updatedAt, stepDuration: g.stepDuration ?? null, source: g.source ?? null } })),
  ],
  [Q.readCustomers, (s, p) => {
    const cs = [...s.customers.values()].filter((c) => c.graphId === p.graphId && c.version === int(p.slot) && (c.idx as number) >= int(p.from)! && (c.idx as number) < int(p.to)!);
    const col = (k: string) => cs.map((c) => c[k] ?? null);
    return [{
      idx: col('idx'), id: col('id'), idRaw: col('idRaw'), label: col('label'), labelRaw: col('labelRaw'), segment: col('segment'), segmentRaw: col('segmentRaw'),
      followers: col('followers'), value: col('value'), activity: col('activity'),
      outIdx: col('outIdx'), outDst: col('outDst'), outWeight: col('outWeight'), outP: col('outP'), outChannel: col('outChannel'),
    }];
  }],
  [Q.readTies, (s, p) => {
    const ts = s.ties.filter((t) => {
      const i = s.customers.get(t.a)?.idx as number;
      return t.graphId === p.graphId && t.version === int(p.slot) && i >= int(p.from)! && i < int(p.to)!;
    });
    const col = (k: string) => ts.map((t) => t.props[k] ?? null);
    return [{ src: ts.map((t) => s.customers.get(t.a)!.idx), dst: ts.map((t) => s.customers.get(t.b)!.idx), idx: col('idx'), weight: col('weight'), p: col('p'), channel: col('channel') }];
  }],
  [Q.hide, (s, p) => {
    const g = s.graphs.get(p.id as string);
    if (!g || (g.liveVersion as number) <= 0) return [];
    g.liveVersion = -1;
    return [{ id: p.id }];
  }],
  [Q.dropNode, (s, p) => {
    const g = s.graphs.get(p.id as string);
    if (!g || (g.liveVersion as number) > 0) return [{ n: 0 }];
    s.graphs.delete(p.id as string);
    return [{ n: 1 }];
  }],
  [Q.purgeTies, (s, p) => {
    const inRange = (t: Tie) => t.graphId === p.graphId && t.version >= int(p.from)! && t.version < int(p.to)!;
    let left = int(p.batch)!;
    const before = s.ties.length;
    s.ties = s.ties.filter((t) => !(inRange(t) && left-- > 0));
    return [{ n: before - s.ties.length }];
  }],
  [Q.purgeCustomers, (s, p) => {
    let n = 0;
    for (const [k, c] of [...s.customers]) {
      if (n >= int(p.batch)!) break;
      if (c.graphId === p.graphId && (c.version as number) >= int(p.from)! && (c.version as number) < int(p.to)!) {
        s.customers.delete(k);
        s.ties = s.ties.filter((t) => t.a !== k && t.b !== k); // DETACH
        n++;
      }
    }
    return [{ n }];
  }],
  [Q.sweepList, (s) => [...s.graphs.values()].map((g) => ({
    id: g.id, liveVersion: g.liveVersion, createdAt: g.createdAt, pending: g.pending ?? [], pendingUntil: leases(g), retiring: g.retiring ?? [],
  }))],
  [AWAIT_INDEXES, () => []],
  ...SCHEMA.map((q): [string, Handler] => [q, () => []]),
]);

export const KNOWN_QUERIES: ReadonlySet<string> = new Set(handlers.keys());

export function clone(s: FakeState): FakeState {
  return {
    graphs: new Map([...s.graphs].map(([k, v]) => [k, structuredClone(v)])),
    customers: new Map([...s.customers].map(([k, v]) => [k, { ...v }])),
    ties: s.ties.map((t) => ({ ...t, props: { ...t.props } })),
  };
}

export interface FakeCall { query: string; params: Props; mode: 'read' | 'write' }

export class FakeNeo4j implements CypherDriver {
  state: FakeState = { graphs: new Map(), customers: new Map(), ties: [] };
  readonly calls: FakeCall[] = [];
  openSessions = 0;
  closed = false;
  /** Throw from a query to simulate a failure (return an Error to throw it). */
  failWhen: ((call: FakeCall, nth: number) => Error | undefined) | null = null;
  /** Runs before a read query streams (to simulate a concurrent writer). */
  beforeRead: ((call: FakeCall, state: FakeState) => void) | null = null;
  connectivity: () => Promise<void> = async () => {};
  private writeLock: Promise<void> = Promise.resolve();

  private run(s: FakeState, mode: 'read' | 'write', query: string, params: Props): AsyncIterable<CypherRecord> {
    const call: FakeCall = { query, params, mode };
    this.calls.push(call);
    const handler = handlers.get(query);
    if (!handler) throw new Error(`fake neo4j: unknown query text:\n${query}`);
    const nth = this.calls.filter((c) => c.query === query).length;
    const err = this.failWhen?.(call, nth);
    if (err) throw err;
    if (mode === 'read') this.beforeRead?.(call, this.state);
    const rows = handler(mode === 'read' ? this.state : s, params);
    return (async function* () {
      for (const row of rows) yield { get: (k: string) => (Object.prototype.hasOwnProperty.call(row, k) ? (row[k] ?? null) : null) };
    })();
  }

  session({ mode }: { database?: string; mode: 'read' | 'write' }): CypherSession {
    this.openSessions++;
    const tx = (s: FakeState, m: 'read' | 'write'): CypherTx => ({ run: (q, p) => this.run(s, m, q, p) });
    return {
      executeRead: async (work) => work(tx(this.state, 'read')),
      executeWrite: (work) => {
        if (mode !== 'write') throw new Error('fake neo4j: write in a read session');
        // One write transaction at a time (Neo4j would lock the nodes involved): work on a copy, commit on success.
        const next = this.writeLock.then(async () => {
          const copy = clone(this.state);
          const out = await work(tx(copy, 'write'));
          this.state = copy;
          return out;
        });
        this.writeLock = next.then(() => undefined, () => undefined);
        return next;
      },
      close: async () => {
        this.openSessions--;
      },
    };
  }

  verifyConnectivity(): Promise<void> {
    return this.connectivity();
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
