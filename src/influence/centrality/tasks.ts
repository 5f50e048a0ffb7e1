import type { CompiledGraph } from '../../graph/compile.js';
import { betweennessPartial } from './betweenness.js';
import { closenessPartial } from './closeness.js';
import { pagerankShared, type PagerankOptions } from './pagerank.js';
import { helpSweeps } from './pagerank-sweeps.js';
import { centrality, type CentralityOptions } from './registry.js';
import type { SourceSet } from './types.js';

/**
 * Worker-pool task handlers for centrality (registered in src/workers/tasks.ts):
 * - `centrality-partial`: one all-sources kernel over a set of sources; returns `{ partial }`, the raw
 *   per-customer sums to be added up on the main thread (see compute.ts);
 * - `centrality`: a whole single-thread metric, run off the main thread so the event loop stays free;
 * - `pagerank-lead` / `pagerank-help`: PageRank's sweeps shared by several workers on one SharedArrayBuffer
 *   (pagerank-sweeps.ts): the lead drives the iteration and returns the result; helpers join its sweeps.
 */
interface Ctx {
  isCancelled(): boolean;
  progress(data: unknown): void;
}

export interface PartialPayload {
  measure: 'betweenness' | 'closeness' | 'harmonic';
  sources: SourceSet;
  weighted?: boolean;
  wfImproved?: boolean;
  /** Betweenness: also return the per-customer sums of squared dependencies (sampled sources: the standard error). */
  squares?: boolean;
}

export interface PartialProgress {
  done: number;
  total: number;
}

export function centralityPartialTask(graph: CompiledGraph, p: PartialPayload, ctx: Ctx): { partial: Float64Array; squares?: Float64Array } {
  const common = {
    weighted: p.weighted,
    isCancelled: () => ctx.isCancelled(),
    onProgress: (done: number, total: number) => ctx.progress({ done, total } satisfies PartialProgress),
  };
  if (p.measure === 'betweenness') {
    const squares = p.squares ? new Float64Array(graph.n) : undefined;
    const partial = betweennessPartial(graph, p.sources, { ...common, squares });
    return squares ? { partial, squares } : { partial };
  }
  return { partial: closenessPartial(graph, p.sources, { ...common, measure: p.measure, wfImproved: p.wfImproved }) };
}

export interface WholePayload {
  metric: string;
  options: Omit<CentralityOptions, 'signal' | 'onProgress'>;
}

export function centralityTask(graph: CompiledGraph, p: WholePayload, _ctx: Ctx) {
  return centrality(graph, p.metric, p.options);
}

export interface PagerankLeadPayload {
  buffer: SharedArrayBuffer;
  options: PagerankOptions;
}

export function pagerankLeadTask(graph: CompiledGraph, p: PagerankLeadPayload, _ctx: Ctx) {
  return pagerankShared(graph, p.options, p.buffer);
}

export function pagerankHelpTask(graph: CompiledGraph, p: { buffer: SharedArrayBuffer }, ctx: Ctx): { helped: true } {
  helpSweeps(graph, p.buffer, () => ctx.isCancelled());
  return { helped: true };
}
