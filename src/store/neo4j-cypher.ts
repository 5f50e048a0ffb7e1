/**
 * Every Cypher text the Neo4j store runs. They are constants: data (graph ids, customer ids, names,
 * attribute values) travels only in `$parameters`, never in query text. Tests assert that each query
 * the store sends is one of these strings.
 *
 * Model (one stored version = one "slot"):
 *   (:Graph {id, name, directed, version, customers, ties, createdAt, updatedAt, defaultValue, currency,
 *            liveVersion, nextVersion, columns, channels})
 *   (:Customer {graphId, version, idx, id, label, followers, value, segment, activity,
 *               outIdx, outDst, outWeight, outP, outChannel})
 *   (:Customer)-[:TIE {weight, p, channel}]->(:Customer)
 *
 * The TIE relationships are the graph for Cypher, GDS and people. Ripple's own copy of each customer's out-ties, in
 * the order it reads them back, rides on the customer as little-endian byte arrays (neo4j-rows.ts OutTieColumns): the
 * ties' positions (`outIdx`), targets' idx (`outDst`), and `outWeight`/`outP`/`outChannel` when the graph has those
 * columns. A load then reads customers only (no relationship traversal, no property per tie), and a tie relationship
 * carries only the attributes it has (a property per tie for its position nearly doubled the server's cost of writing a
 * tie; measured in BENCHMARKS.md). Slots written before this layout have `TIE.idx` and no arrays; they are read through readTies.
 *
 * `version` on a Graph is the public version (1, 2, 3 … per successful write); `liveVersion` is the slot
 * number that its customers carry (`Customer.version`). Slots are allocated from `nextVersion`, so an
 * import that failed half-way never collides with the next one. `liveVersion` = 0: being created
 * (invisible); -1: being deleted (invisible). `pending` lists slots being written, `pendingUntil` their leases
 * (epoch ms: the writer renews its lease while it writes; a slot whose lease ran out belongs to a writer that died,
 * and the sweep removes it), `retiring` the old slots being removed after a flip. Strings that are not
 * well-formed UTF-16 (lone surrogates) also get a `<property>Raw` copy with their exact code units
 * (see neo4j-rows.ts). Integers sent from JavaScript arrive as floats, hence the
 * `toInteger(...)` around integer parameters.
 */

/**
 * Schema, created at start-up; every statement is idempotent (IF NOT EXISTS / IF EXISTS).
 * Customers are found by a plain range index on (graphId, version, idx), not by id: a range index holds keys up to
 * ~8 kB only, and an id may be 10 kB (DESIGN §1) — Neo4j refuses such a node under a constraint on `id` ("Property
 * value is too large to index"). The index is not a uniqueness constraint: (graphId, version, idx) is unique by
 * construction (one writer per slot, idx = position), the reader checks every position is filled exactly once, and a
 * constraint costs a locking unique seek per customer written (measured in BENCHMARKS.md). The first drops migrate
 * databases written by earlier versions (a constraint on id, a plain index on idx, the unique constraint on the slot).
 */
export const SCHEMA: readonly string[] = [
  'CREATE CONSTRAINT ripple_graph_id IF NOT EXISTS FOR (g:Graph) REQUIRE g.id IS UNIQUE',
  'DROP CONSTRAINT ripple_customer_key IF EXISTS',
  'DROP INDEX ripple_customer_idx IF EXISTS',
  'DROP CONSTRAINT ripple_customer_slot IF EXISTS',
  'CREATE INDEX ripple_customer_position IF NOT EXISTS FOR (c:Customer) ON (c.graphId, c.version, c.idx)',
];

/** Wait for the schema's indexes to come online (seconds as a parameter). */
export const AWAIT_INDEXES = 'CALL db.awaitIndexes(toInteger($seconds))';

/** The lease of pending slot i (0 when a database written by an older Ripple has none: expired). */
const LEASE_AT_I = 'coalesce(coalesce(g.pendingUntil, [])[i], 0)';
/** The leases, one per pending slot. */
const LEASES = `[i IN range(0, size(coalesce(g.pending, [])) - 1) | ${LEASE_AT_I}]`;
/** Remove $slot from `pending` and its lease from `pendingUntil`. */
const DROP_PENDING = `g.pendingUntil = [i IN range(0, size(coalesce(g.pending, [])) - 1) WHERE g.pending[i] <> toInteger($slot) | ${LEASE_AT_I}],
  g.pending = [s IN coalesce(g.pending, []) WHERE s <> toInteger($slot)]`;

/**
 * The customers a tie batch touches, as the list `cs` in `$nodes` order, each found by element id and checked to belong
 * to the slot; no row at all unless all of them are (`found` lists the positions that passed, in order).
 */
const TIE_ENDS = `UNWIND range(0, size($nodes) - 1) AS i
MATCH (c) WHERE elementId(c) = $nodes[i]
WITH i, c WHERE c.graphId = $graphId AND c.version = toInteger($slot)
WITH collect(c) AS cs, collect(i) AS found
WHERE found = range(0, size($nodes) - 1)`;

export const Q = {
  /** An invisible shell for a graph being created: slot 1 is reserved for its first version. */
  createShell: `CREATE (g:Graph {id: $id, name: $name, nameRaw: $nameRaw, directed: $directed, version: 0, liveVersion: 0,
  nextVersion: 1, pending: [1], pendingUntil: [toInteger($until)], customers: 0, ties: 0, createdAt: $now, updatedAt: $now})
RETURN g.id AS id`,

  /**
   * Reserve a new slot for a replace (recorded in `pending` until it is flipped or released, with its lease in
   * `pendingUntil`, epoch ms, renewed while the write runs); returns the visible version for an early ifVersion check. Setting and removing `_lock` first takes the
   * node's write lock before anything is read (the Neo4j manual's idiom against lost updates).
   */
  allocate: `MATCH (g:Graph {id: $id})
SET g._lock = true REMOVE g._lock
WITH g WHERE g.liveVersion > 0
WITH g, g.nextVersion + 1 AS slot
SET g.nextVersion = slot, g.pendingUntil = ${LEASES} + toInteger($until), g.pending = coalesce(g.pending, []) + slot
RETURN slot, g.version AS version`,

  /** Extend the lease of a slot being written (the writer is alive). */
  renew: `MATCH (g:Graph {id: $id})
SET g._lock = true REMOVE g._lock
SET g.pendingUntil = [i IN range(0, size(coalesce(g.pending, [])) - 1) |
  CASE WHEN g.pending[i] = toInteger($slot) THEN toInteger($until) ELSE ${LEASE_AT_I} END]
RETURN g.id AS id`,

  /** Forget a slot that will not be flipped (its data is purged separately). */
  release: `MATCH (g:Graph {id: $id})
SET g._lock = true REMOVE g._lock
SET ${DROP_PENDING}
RETURN g.id AS id`,

  /** An old slot is removed (its purge finished): forget it. */
  retired: `MATCH (g:Graph {id: $id})
SET g._lock = true REMOVE g._lock
SET g.retiring = [s IN coalesce(g.retiring, []) WHERE s <> toInteger($slot)]
RETURN g.id AS id`,

  /**
   * One batch of customers (column arrays; null columns give null attributes, which are not stored), each with its
   * out-tie byte arrays. Returns the element ids of the new nodes in batch order, so the ties can find them without an
   * index seek.
   */
  writeCustomers: `UNWIND range(0, size($ids) - 1) AS k
CREATE (c:Customer {graphId: $graphId, version: toInteger($slot), idx: toInteger($base) + k, id: $ids[k], idRaw: $idsRaw[k],
  label: $labels[k], labelRaw: $labelsRaw[k], segment: $segments[k], segmentRaw: $segmentsRaw[k],
  followers: toInteger($followers[k]), value: $values[k], activity: $activity[k],
  outIdx: $outIdx[k], outDst: $outDst[k], outWeight: $outWeight[k], outP: $outP[k], outChannel: $outChannel[k]})
RETURN count(c) AS n, collect(elementId(c)) AS nodes`,

  /**
   * One batch of ties between customers of the same slot (neo4j-rows.ts TieBatch): first each customer the batch touches
   * (`$nodes`, element ids as writeCustomers returned them), found by element id and checked to belong to the slot
   * (graphId, version) — a node deleted and its id reused meanwhile fails the check — once per batch, not once per tie
   * end; the batch writes nothing unless every one is found, checked and in order. Then one row per source customer
   * (`$src[k]`, a position in `$nodes`) with its targets (`$dst[k]`, positions): a tie costs the server a list lookup
   * and the relationship. (Position needs no check: only this writer creates the slot's customers, all of them before
   * any tie.) Ties without attributes; writeTiesWithAttributes for graphs with weight, p or channel columns.
   */
  writeTies: `${TIE_ENDS}
UNWIND range(0, size($src) - 1) AS k
WITH cs, k, cs[toInteger($src[k])] AS a
UNWIND $dst[k] AS d
WITH a, cs[toInteger(d)] AS b
CREATE (a)-[:TIE]->(b)
RETURN count(*) AS n`,

  /** writeTies with the tie attributes, lists parallel to `$dst` (`$weight[k][j]`; a column the graph lacks is null). */
  writeTiesWithAttributes: `${TIE_ENDS}
UNWIND range(0, size($src) - 1) AS k
WITH cs, k, cs[toInteger($src[k])] AS a
UNWIND range(0, size($dst[k]) - 1) AS j
WITH a, cs[toInteger($dst[k][j])] AS b, k, j
CREATE (a)-[:TIE {weight: $weight[k][j], p: $p[k][j], channel: $channel[k][j]}]->(b)
RETURN count(*) AS n`,

  /**
   * Make a fully written slot the live version, in one transaction, under the Graph node's write lock
   * (so concurrent replaces get distinct, increasing versions; the last flip wins). Honours ifVersion.
   * Returns the slot it replaced, which the store then removes; until that is done it is listed in `retiring`, so a
   * crash half-way through the removal is finished by the next sweep.
   */
  flip: `MATCH (g:Graph {id: $id})
SET g._lock = true REMOVE g._lock
WITH g WHERE g.liveVersion >= 0 AND ($ifVersion IS NULL OR g.version = toInteger($ifVersion))
WITH g, g.liveVersion AS previous, g.version AS before
SET g.liveVersion = toInteger($slot), g.version = before + 1, g.name = $name, g.nameRaw = $nameRaw, g.directed = $directed,
  g.customers = toInteger($customers), g.ties = toInteger($ties), g.defaultValue = $defaultValue,
  g.currency = $currency, g.currencyRaw = $currencyRaw, g.stepDuration = $stepDuration, g.source = $source, g.columns = $columns, g.channels = $channels,
  g.channelsRaw = $channelsRaw, ${DROP_PENDING},
  g.retiring = coalesce(g.retiring, []) + CASE WHEN previous > 0 THEN [previous] ELSE [] END, g.updatedAt = $now, g.createdAt = CASE WHEN before = 0 THEN $now ELSE g.createdAt END
RETURN previous, g {.*} AS graph`,

  /** A visible graph with everything needed to read it back. */
  get: `MATCH (g:Graph {id: $id}) WHERE g.liveVersion > 0 RETURN g {.*} AS graph`,

  /** Any graph node, visible or not (to tell "not found" from "conflict" after a refused flip). */
  probe: `MATCH (g:Graph {id: $id}) RETURN g.liveVersion AS liveVersion, g.version AS version`,

  list: `MATCH (g:Graph) WHERE g.liveVersion > 0
RETURN g {.id, .name, .nameRaw, .directed, .version, .customers, .ties, .createdAt, .updatedAt, .stepDuration, .source} AS graph
ORDER BY g.createdAt, g.id`,

  /**
   * Customers of one slot with from <= idx < to (index range seek), with their out-ties, as one row of columns: the
   * driver decodes one list per attribute instead of a record per customer. List comprehensions keep nulls (collect()
   * would drop them).
   */
  readCustomers: `MATCH (c:Customer {graphId: $graphId, version: toInteger($slot)}) WHERE c.idx >= toInteger($from) AND c.idx < toInteger($to)
WITH collect(c) AS cs
RETURN [c IN cs | c.idx] AS idx, [c IN cs | c.id] AS id, [c IN cs | c.idRaw] AS idRaw, [c IN cs | c.label] AS label,
  [c IN cs | c.labelRaw] AS labelRaw, [c IN cs | c.segment] AS segment, [c IN cs | c.segmentRaw] AS segmentRaw,
  [c IN cs | c.followers] AS followers, [c IN cs | c.value] AS value, [c IN cs | c.activity] AS activity,
  [c IN cs | c.outIdx] AS outIdx, [c IN cs | c.outDst] AS outDst, [c IN cs | c.outWeight] AS outWeight,
  [c IN cs | c.outP] AS outP, [c IN cs | c.outChannel] AS outChannel`,

  /**
   * Slots written before ties rode on their customers (no out-tie arrays; each TIE has its position as `idx`): the ties
   * leaving the customers with from <= idx < to, as one row of columns; no server-side sort is needed.
   */
  readTies: `MATCH (a:Customer {graphId: $graphId, version: toInteger($slot)}) WHERE a.idx >= toInteger($from) AND a.idx < toInteger($to)
MATCH (a)-[t:TIE]->(b:Customer)
WITH collect(a.idx) AS src, collect(b.idx) AS dst, collect(t) AS ts
RETURN src, dst, [t IN ts | t.idx] AS idx, [t IN ts | t.weight] AS weight, [t IN ts | t.p] AS p, [t IN ts | t.channel] AS channel`,

  /** Hide a graph before its data is removed (a crash half-way leaves it invisible; start-up finishes it). */
  hide: `MATCH (g:Graph {id: $id}) WHERE g.liveVersion > 0 SET g.liveVersion = -1 RETURN g.id AS id`,

  /** Remove a graph node once its customers are gone (only when hidden or never made visible). */
  dropNode: `MATCH (g:Graph {id: $id}) WHERE g.liveVersion <= 0 DELETE g RETURN count(*) AS n`,

  /** One batch of ties of slots from <= version < to. */
  purgeTies: `MATCH (c:Customer {graphId: $graphId}) WHERE c.version >= toInteger($from) AND c.version < toInteger($to)
MATCH (c)-[t:TIE]->()
WITH t LIMIT toInteger($batch)
DELETE t
RETURN count(*) AS n`,

  /** One batch of customers of slots from <= version < to (their ties are gone by then; DETACH for safety). */
  purgeCustomers: `MATCH (c:Customer {graphId: $graphId}) WHERE c.version >= toInteger($from) AND c.version < toInteger($to)
WITH c LIMIT toInteger($batch)
DETACH DELETE c
RETURN count(*) AS n`,

  /** Sweep: graphs whose deletion or creation did not finish, slots of writes that died, old slots not yet removed. */
  sweepList: `MATCH (g:Graph)
RETURN g.id AS id, g.liveVersion AS liveVersion, g.createdAt AS createdAt, coalesce(g.pending, []) AS pending,
  ${LEASES} AS pendingUntil, coalesce(g.retiring, []) AS retiring`,
} as const;

export type QueryName = keyof typeof Q;
