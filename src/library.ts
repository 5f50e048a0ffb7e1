/**
 * Ripple as a TypeScript library: the engine the API and the CLI call, without a server.
 *
 * ```ts
 * import { buildGraph, simulate, scenario, compare, rankCentrality, findInfluencers, rankValues } from 'ripple';
 * const graph = buildGraph({ ties: [{ source: 'a', target: 'b' }, { source: 'b', target: 'c' }] });
 * const result = await simulate(graph, { model: 'ic', seeds: ['a'], p: 0.5, runs: 1000, seed: 7 });
 * ```
 *
 * Every function takes a {@link CompiledGraph} (from {@link buildGraph}, {@link loadGraph} or `compile(parseGraph(…))`)
 * and a request with the same fields and defaults as the HTTP API (validated by the same zod schemas: a bad field
 * throws an `InputError` naming it). Work runs in the calling thread unless `{ pool: new WorkerPool() }` is passed;
 * the numbers are the same either way for the same seed.
 */
import { InputError } from './errors.js';
import { GraphBuilder } from './graph/builder.js';
import { compile, type CompiledGraph } from './graph/compile.js';
import type { CustomerAttributes, GraphData, GraphFormat, ImportReport, TieAttributes } from './graph/model.js';
import { readGraphFile } from './io/read-graph-file.js';
import { centrality, topScores, type CentralityOptions } from './influence/centrality/index.js';
import type { CentralityResult } from './influence/centrality/types.js';
import { isCompare, runScenarioRequest, type CompareResult, type ScenarioContext } from './scenarios/compare.js';
import type { ScenarioReport } from './scenarios/report.js';
import type { ScenarioRequestInput, VariantInput } from './scenarios/schema.js';

/** A customer in {@link GraphInput}: an id and optional attributes (DESIGN §1). */
export interface CustomerInput extends CustomerAttributes {
  id: string;
}

/** A tie in {@link GraphInput}: `source -> target` (both directions when the graph is undirected). */
export interface TieInput extends TieAttributes {
  source: string;
  target: string;
}

/** A graph held in memory: what {@link buildGraph} compiles. */
export interface GraphInput {
  name?: string;
  /** Default false: every tie is two arcs. */
  directed?: boolean;
  /** Value of customers without one (default 1). */
  defaultValue?: number;
  currency?: string;
  /** Optional; when given, ties may only name these customers (as in Ripple JSON). */
  customers?: readonly CustomerInput[];
  ties: readonly TieInput[];
}

/**
 * Build a graph from ties (and customers) in memory, with the import rules of every other door: self-loops
 * dropped, duplicate ties merged (first kept), ids checked. Returns the compiled form the engine runs on;
 * `buildGraphData` gives the column data and the import report as well.
 */
export function buildGraph(input: GraphInput): CompiledGraph {
  return compile(buildGraphData(input).data);
}

/** {@link buildGraph} without compiling: the column data and what the import did. */
export function buildGraphData(input: GraphInput): { data: GraphData; report: ImportReport } {
  const b = new GraphBuilder({
    name: input.name ?? 'graph',
    directed: input.directed ?? false,
    source: 'graph input',
    format: 'json',
    defaultValue: input.defaultValue,
    currency: input.currency,
  });
  if (input.customers !== undefined) {
    for (const c of input.customers) b.addCustomer(c.id, c);
    b.closeCustomers(); // as in Ripple JSON: with a customer list, ties may only name listed customers
  }
  for (const t of input.ties) b.addTie(t.source, t.target, t);
  return b.finish();
}

/** Read and compile a graph file (edge list, CSV, Ripple JSON, GEXF, GraphML; gzip detected by its bytes). */
export async function loadGraph(
  path: string,
  opts: { format?: GraphFormat; directed?: boolean; name?: string; customersFile?: string } = {},
): Promise<CompiledGraph> {
  const { data } = await readGraphFile(path, opts);
  return compile(data);
}

/** One customer of a centrality ranking. */
export interface RankedScore {
  id: string;
  score: number;
  rank: number;
}

/** {@link rankCentrality}'s answer: the metric's details and the top customers (ties broken by index). */
export type CentralityRanking = Omit<CentralityResult, 'scores'> & { top: RankedScore[] };

/**
 * Rank customers by a centrality metric with networkx's definitions (`degree`, `in-degree`, `out-degree`,
 * `weighted-degree`, `pagerank`, `betweenness`, `closeness`, `harmonic`, `eigenvector`, `hub`, `authority`,
 * `kcore`, `louvain`). `top` defaults to 10; `top: 'all'` ranks everyone. `centrality()` gives the raw scores.
 */
export function rankCentrality(
  graph: CompiledGraph,
  metric: string,
  opts: CentralityOptions & { top?: number | 'all' } = {},
): CentralityRanking {
  const { top = 10, ...options } = opts;
  if (top !== 'all' && (!Number.isInteger(top) || top < 1)) throw new InputError(`top: must be a positive integer or 'all' (got ${String(top)})`);
  const { scores, ...details } = centrality(graph, metric, options);
  const k = top === 'all' ? graph.n : top;
  return { ...details, top: topScores(scores, k).map((t) => ({ id: graph.ids[t.index], score: t.score, rank: t.rank })) };
}

/**
 * What one customer's complaint (or praise) does (DESIGN §6): the voice model from `customer`, with
 * reach, negative and positive holders, impressions, time to peak and money, each with a 95% CI.
 * Fields and defaults as `POST /graphs/:id/scenarios` (`experience` negative, `p` 0.05, `runs` 2000, `seed` 1…).
 */
export async function scenario(graph: CompiledGraph, request: Omit<ScenarioRequestInput, 'variants'>, ctx: ScenarioContext = {}): Promise<ScenarioReport> {
  if ('variants' in request && request.variants !== undefined) throw new InputError('scenario: use compare() for variants');
  const answer = await runScenarioRequest(graph, request, ctx);
  if (isCompare(answer)) throw new Error('scenario: unexpected compare answer');
  return answer;
}

/**
 * Compare mode: each variant overrides fields of the base request and all run on the same random streams, so
 * the paired differences (each against the first variant) are not noise.
 */
export async function compare(
  graph: CompiledGraph,
  request: Omit<ScenarioRequestInput, 'variants'> & { variants: VariantInput[] },
  ctx: ScenarioContext = {},
): Promise<CompareResult> {
  const answer = await runScenarioRequest(graph, request, ctx);
  if (!isCompare(answer)) throw new Error('compare: unexpected single answer');
  return answer;
}
