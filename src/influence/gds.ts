/**
 * Optional centrality inside Neo4j with the Graph Data Science plugin (CENTRALITY_ENGINE=local|gds|auto).
 * Project the live version of a stored graph, stream one algorithm, drop the projection — always, also on
 * error. Scores are post-processed to the local (networkx) definitions of src/influence/centrality:
 *
 * Checked against a real Neo4j 5.26 + GDS 2.13 (test/gds-neo4j.test.ts: karate, email-Eu-core, ego-Facebook):
 * - pagerank: GDS scores are rescaled to sum 1. GDS does not spread the rank of dangling customers (no out-ties)
 *   as networkx does, but with a uniform teleport both vectors solve x = d·Pᵀx + c·1 for some constant c, so they
 *   are proportional and the rescaled scores are networkx's. What differs is when each stops: the local engine at
 *   its fixed point by default, GDS when every |Δ| < tolerance (an early stop). Run to tolerance 1e-12, they agree
 *   to 1e-6 of the top score.
 * - betweenness: raw GDS counts (GDS halves them on undirected projections, as networkx does) times
 *   1/((n-1)(n-2)) directed, 2/((n-1)(n-2)) undirected; 0 for n <= 2. Exact (all sources) only.
 * - closeness: GDS with useWassermanFaust. GDS, like networkx, uses the distances TO the customer on a
 *   directed graph: the projection is as stored. harmonic: GDS divides by n-1, networkx does not: multiplied back.
 * - eigenvector: NOT handed to GDS. GDS 2.13's eigenvector agreed on karate and email-Eu-core (1e-6 of the top score
 *   at tolerance 1e-12) but not on ego-Facebook: 9.4e-4 of the top score at the defaults, and run to 1000 iterations
 *   it ends on another vector (ego node 0 at 0), while the local one (networkx's (A + I) iteration) converges in 83.
 * - hub/authority: gds.hits (GDS >= 2.5), each rescaled to sum 1 like networkx. GDS runs HITS only on a directed
 *   projection: an undirected graph is projected as both arcs of every tie.
 * - kcore: undirected projection (a reciprocated directed pair counts 2, like networkx's in+out degree).
 * - integer settings (maxIterations, hitsIterations) are cast with toInteger in Cypher: a JavaScript number
 *   arrives as a float, which GDS refuses.
 * The other metrics (degree family, louvain) always run locally.
 *
 * No neo4j-driver here (engine code): the caller passes a transaction runner with the same narrow shape
 * as the store's port. Every query text is a constant; names and ids are parameters.
 */
import { AppError, InputError } from '../errors.js';
import type { CentralityMetric, CentralityResult } from './centrality/types.js';

import type { CentralityEngine } from './centrality/engine-setting.js';
export { CENTRALITY_ENGINES, parseCentralityEngine, type CentralityEngine } from './centrality/engine-setting.js';

/** `auto` uses GDS when customers + arcs reach this size (default 2 million). */
export const GDS_AUTO_THRESHOLD = 2_000_000;

export interface GdsRecord { get(key: string): unknown }
export interface GdsTx { run(query: string, params: Record<string, unknown>): AsyncIterable<GdsRecord> }
/** One transaction's worth of work against the database that holds the graph. */
export type GdsRunner = <T>(work: (tx: GdsTx) => Promise<T>) => Promise<T>;

/** Where the graph lives: the store's id, the live slot and its size. */
export interface GdsGraphRef {
  graphId: string;
  slot: number;
  directed: boolean;
  customers: number;
  ties: number;
}

export const GDS_NOT_INSTALLED =
  'Neo4j GDS is not installed: start Neo4j with the plugin (npm run neo4j:start, or NEO4J_PLUGINS=\'["graph-data-science"]\' in docker-compose.yml) or set CENTRALITY_ENGINE=local';

/** Which engine computes `metric`: local unless GDS is asked for (or `auto` and big) and can do it. */
export function chooseEngine(
  setting: CentralityEngine,
  metric: CentralityMetric,
  size: { customers: number; arcs: number },
  gds: { available: boolean; threshold?: number },
): 'local' | 'gds' {
  if (setting === 'local' || !GDS_METRICS.has(metric)) return 'local';
  if (setting === 'gds') {
    if (!gds.available) throw new AppError(GDS_NOT_INSTALLED, { statusCode: 503, code: 'gds-unavailable', expose: true });
    return 'gds';
  }
  return gds.available && size.customers + size.arcs >= (gds.threshold ?? GDS_AUTO_THRESHOLD) ? 'gds' : 'local';
}

export const GDS_VERSION = 'RETURN gds.version() AS version';

/**
 * Cypher projection of one slot; `$both` projects each tie as two arcs (an undirected graph for a directed-only
 * algorithm), `$undirected` = ['*'] or []. A customer without out-ties is projected alone.
 */
export const GDS_PROJECT = `MATCH (s:Customer {graphId: $graphId, version: toInteger($slot)})
OPTIONAL MATCH (s)-[t:TIE]->(d:Customer)
WITH s, d, toFloat(coalesce(t.weight, 1.0)) AS w
UNWIND CASE WHEN d IS NULL THEN [[s, null]] WHEN $both THEN [[s, d], [d, s]] ELSE [[s, d]] END AS arc
WITH gds.graph.project($name, arc[0], arc[1], {relationshipProperties: {weight: w}}, {undirectedRelationshipTypes: $undirected}) AS g
RETURN g.nodeCount AS nodes, g.relationshipCount AS relationships`;

export const GDS_DROP = 'CALL gds.graph.drop($name, false) YIELD graphName RETURN graphName';

interface GdsMetric {
  query: string;
  /**
   * Projection: as stored (an undirected graph undirected), undirected, or `directed` — as stored, but an undirected
   * graph as both arcs of each tie (for algorithms GDS runs only on directed projections: HITS).
   */
  orientation: 'natural' | 'undirected' | 'directed';
  config(opts: GdsOptions): Record<string, unknown>;
  post(scores: Float64Array, ref: GdsGraphRef): void;
}

export interface GdsOptions {
  weighted?: boolean;
  alpha?: number;
  maxIterations?: number;
  tolerance?: number;
}

/**
 * The config map as GDS gets it. JavaScript numbers travel as Cypher floats, and GDS refuses a float where it wants an
 * integer ("The value of `maxIterations` must be of type `Integer` but was `Double`"): those keys are cast in Cypher.
 */
const call = (proc: string, ints: readonly string[]) =>
  ints.length === 0
    ? `CALL ${proc}($name, $config)`
    : `WITH $config AS c CALL ${proc}($name, c {.*, ${ints.map((k) => `${k}: toInteger(c.${k})`).join(', ')}})`;

const stream = (proc: string, value = 'score', ints: readonly string[] = []) =>
  `${call(proc, ints)} YIELD nodeId, ${value} RETURN gds.util.asNode(nodeId).idx AS idx, ${value} AS score`;
const hitsStream = (value: 'hub' | 'auth') =>
  `${call('gds.hits.stream', ['hitsIterations'])} YIELD nodeId, values RETURN gds.util.asNode(nodeId).idx AS idx, values.${value} AS score`;

const weight = (o: GdsOptions) => (o.weighted ? { relationshipWeightProperty: 'weight' } : {});
const iterate = (o: GdsOptions, tol = 1e-6) => ({ maxIterations: o.maxIterations ?? 100, tolerance: o.tolerance ?? tol });
const scaleSum = (s: Float64Array) => {
  let t = 0;
  for (const x of s) t += x;
  if (t > 0) for (let i = 0; i < s.length; i++) s[i] /= t;
};

export const GDS_METRICS: ReadonlyMap<CentralityMetric, GdsMetric> = new Map<CentralityMetric, GdsMetric>([
  ['pagerank', { query: stream('gds.pageRank.stream', 'score', ['maxIterations']), orientation: 'natural',
    config: (o) => ({ dampingFactor: o.alpha ?? 0.85, ...iterate(o), ...weight(o) }), post: scaleSum }],
  ['betweenness', { query: stream('gds.betweenness.stream'), orientation: 'natural',
    config: (o) => ({ ...weight(o) }),
    post: (s, ref) => {
      const n = ref.customers;
      const f = n <= 2 ? 0 : (ref.directed ? 1 : 2) / ((n - 1) * (n - 2));
      for (let i = 0; i < s.length; i++) s[i] *= f;
    } }],
  ['closeness', { query: stream('gds.closeness.stream'), orientation: 'natural',
    config: () => ({ useWassermanFaust: true }), post: () => {} }],
  ['harmonic', { query: stream('gds.closeness.harmonic.stream'), orientation: 'natural',
    config: () => ({}), post: (s, ref) => {
      for (let i = 0; i < s.length; i++) s[i] *= Math.max(0, ref.customers - 1);
    } }],
  ['hub', { query: hitsStream('hub'),
    orientation: 'directed', config: (o) => ({ hitsIterations: o.maxIterations ?? 100 }), post: scaleSum }],
  ['authority', { query: hitsStream('auth'),
    orientation: 'directed', config: (o) => ({ hitsIterations: o.maxIterations ?? 100 }), post: scaleSum }],
  ['kcore', { query: stream('gds.kcore.stream', 'coreValue'), orientation: 'undirected', config: () => ({}), post: () => {} }],
]);

/** The installed GDS version, or null when the plugin is absent. */
export async function gdsVersion(run: GdsRunner): Promise<string | null> {
  try {
    return await run(async (tx) => {
      for await (const r of tx.run(GDS_VERSION, {})) return String(r.get('version'));
      return null;
    });
  } catch {
    return null;
  }
}

let counter = 0;

/**
 * Compute one metric in the database. `nameSeed` makes the projection name unique per call (pass a
 * random UUID); the projection is dropped in `finally`.
 */
export async function gdsCentrality(
  run: GdsRunner, ref: GdsGraphRef, metric: CentralityMetric, opts: GdsOptions = {}, nameSeed = `${process.pid}`,
): Promise<CentralityResult> {
  const spec = GDS_METRICS.get(metric);
  if (!spec) throw new InputError(`centrality: ${metric} is not computed with GDS (use CENTRALITY_ENGINE=local)`);
  const both = spec.orientation === 'directed' && !ref.directed;
  const undirected = spec.orientation === 'undirected' || (!ref.directed && !both) ? ['*'] : [];
  const name = `ripple-${nameSeed}-${++counter}`;
  const scores = new Float64Array(ref.customers);
  try {
    await run(async (tx) => {
      scores.fill(0); // a retried transaction starts over
      let nodes = -1;
      for await (const r of tx.run(GDS_PROJECT, { graphId: ref.graphId, slot: ref.slot, both, undirected, name })) nodes = Number(r.get('nodes'));
      if (nodes !== ref.customers) {
        throw new AppError(`gds: projected ${nodes} customers, expected ${ref.customers} (the graph changed; retry)`, { statusCode: 409, code: 'conflict', expose: true });
      }
      for await (const r of tx.run(spec.query, { name, config: spec.config(opts) })) {
        const i = Number(r.get('idx'));
        const s = Number(r.get('score'));
        if (Number.isInteger(i) && i >= 0 && i < scores.length) scores[i] = Number.isFinite(s) ? s : 0;
      }
    });
  } finally {
    // Projections live in GDS's in-memory catalog, outside transactions: drop in a transaction of its own
    // (failIfMissing=false, so a projection that never happened is fine). A failed drop must not hide the
    // first error.
    await run(async (tx) => {
      for await (const _ of tx.run(GDS_DROP, { name })) void _;
    }).catch(() => {});
  }
  spec.post(scores, ref);
  return { metric, scores };
}
