/**
 * The customer graph as data (DESIGN §1), held column-wise so that a 10-million-tie import stays in
 * bounded memory: no object per tie, no object per customer. Index i in every customer column is
 * the customer `ids[i]`; index j in every tie column is tie j. Absent numeric values are NaN.
 *
 * An undirected tie is stored once (src, dst) and becomes two arcs when compiled (see compile.ts).
 */
export interface GraphData {
  name: string;
  directed: boolean;
  /** Value of customers whose `value` is not given (DESIGN §1: 1 unless set). */
  defaultValue: number;
  currency?: string;
  /** How long one step is, ISO 8601 (`PT2H`; see graph/duration.ts); absent: time is in steps. */
  stepDuration?: string;
  /**
   * Where the graph was read from, when it is a snapshot of another system (`{ type: "neo4j", … }`: see
   * src/services/neo4j-import.ts), kept so that it can be refreshed. Plain JSON; never credentials. Absent for uploads.
   */
  source?: GraphSource;
  /** Customer index -> id. Ids are arbitrary non-empty strings: never object keys, file names or query text. */
  ids: string[];
  labels: (string | null)[] | null;
  segments: (string | null)[] | null;
  /** Audience outside the graph (integer >= 0); NaN = not given (counts as 0). */
  followers: Float64Array | null;
  /** Customer lifetime value (>= 0); NaN = not given (takes `defaultValue`). */
  value: Float64Array | null;
  /** Chance (0..1) that a customer who hears something passes it on; NaN = not given (1). */
  activity: Float64Array | null;
  /** Tie endpoints as customer indices. */
  src: Int32Array;
  dst: Int32Array;
  /** Tie weight (> 0); null = all 1, NaN = not given (1). */
  weight: Float64Array | null;
  /** Explicit activation probability (0..1); null = none given, NaN = not given for this tie. */
  p: Float64Array | null;
  /** Index into `channels`; -1 = none. Null when no tie has a channel. */
  channel: Int32Array | null;
  channels: string[];
}

/** What an import saw, returned with every successful import. */
export interface ImportReport {
  format: ImportFormat;
  customers: number;
  ties: number;
  /** Lines (or records/elements) read. */
  records: number;
  selfLoopsDropped: number;
  duplicatesMerged: number;
  /** Things the import did that the user may not expect (ignored columns, a count header line). */
  warnings?: string[];
}

/** How parallel ties (the same pair on several lines) are read: kept once (`merge`) or counted into the tie's weight. */
export const PARALLEL_TIES = ['merge', 'count'] as const;
export const PARALLEL_TIES_DESCRIPTION =
  'Parallel ties (the same pair on several lines, e.g. repeated co-authorship): `merge` keeps one (default); `count` keeps one whose ' +
  'weight is their number c, so `weighted-cascade` gives c(u,v)/d(v) and `parallel` gives 1 − (1 − p)^c (Kempe et al. 2003).';

export const GRAPH_FORMATS = ['edgelist', 'csv', 'json', 'gexf', 'graphml'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];
/** What an import report names as its input: a file format, or `neo4j` (a snapshot of a data team's Neo4j graph). */
export const IMPORT_FORMATS = [...GRAPH_FORMATS, 'neo4j'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** The origin of a snapshot graph, as plain JSON (`type` says which system; the rest is that system's). */
export interface GraphSource {
  readonly type: string;
  readonly [key: string]: unknown;
}

export interface CustomerAttributes {
  label?: string | null;
  followers?: number | null;
  value?: number | null;
  segment?: string | null;
  activity?: number | null;
}

export interface TieAttributes {
  weight?: number | null;
  p?: number | null;
  channel?: string | null;
}

/** A customer as an object — for APIs that return one customer, never for bulk storage. */
export interface Customer extends CustomerAttributes {
  id: string;
}

/**
 * Safe ranges of numeric attributes (DESIGN §1 plus bounds): outside them an import is refused with the file,
 * line and field. Chosen so that no sum, mean or variance the engine computes over them can overflow a double
 * (values and impressions are summed over up to 2^31 customers and squared for variances: (1e15 · 2^31)² ≈
 * 5e48), and so that weights survive the float32 compute form (CSR, DESIGN §2) without under- or overflow
 * (float32 holds 1.2e-38 .. 3.4e38; weighted-cascade sums up to 2^31 of them in float64).
 */
export const MAX_VALUE = 1e15;
export const MAX_FOLLOWERS = 1e12;
export const MIN_WEIGHT = 1e-30;
export const MAX_WEIGHT = 1e30;

/** Longest customer id accepted (UTF-16 code units). Longer ids are a clear 400, not a memory hazard. */
export const MAX_ID_LENGTH = 16_384;

export function tieCount(g: GraphData): number {
  return g.src.length;
}

export function customerCount(g: GraphData): number {
  return g.ids.length;
}

/** Arcs of the compiled form: an undirected tie is two arcs. */
export function arcCount(g: GraphData): number {
  return g.directed ? g.src.length : 2 * g.src.length;
}

/** The customer at index i as a plain object (attributes that were not given are omitted). */
export function customerAt(g: GraphData, i: number): Customer {
  const c: Customer = { id: g.ids[i] };
  const label = g.labels?.[i];
  if (label != null) c.label = label;
  const segment = g.segments?.[i];
  if (segment != null) c.segment = segment;
  if (g.followers && !Number.isNaN(g.followers[i])) c.followers = g.followers[i];
  if (g.value && !Number.isNaN(g.value[i])) c.value = g.value[i];
  if (g.activity && !Number.isNaN(g.activity[i])) c.activity = g.activity[i];
  return c;
}
