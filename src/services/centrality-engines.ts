/**
 * Which engine computes a centrality metric (CENTRALITY_ENGINE=local|gds|auto), shared by the API route and the
 * CLI. `gds` runs the metric inside Neo4j with the Graph Data Science plugin (src/influence/gds.ts) when the store
 * is the Neo4j store; everything else runs locally on the compiled graph.
 *
 * GDS is used only when it reproduces the local definition for the requested options: sampled or unnormalised
 * betweenness, and weighted closeness, harmonic or HITS, stay local, as do the metrics GDS does not cover
 * (degree family, weighted-degree, eigenvector, louvain), whatever the setting.
 *
 * No neo4j-driver here: the store is recognised by its `runInDatabase`/`liveRef` methods.
 */
import { randomUUID } from 'node:crypto';
import { AppError, ConflictError } from '../errors.js';
import type { CentralityMetric, CentralityResult } from '../influence/centrality/types.js';
import {
  chooseEngine, GDS_AUTO_THRESHOLD, GDS_METRICS, gdsCentrality, gdsVersion, type CentralityEngine, type GdsGraphRef, type GdsRunner,
} from '../influence/gds.js';
import type { GraphStore } from '../store/types.js';

/** A store that can run GDS: the Neo4j store. */
export interface GdsHost {
  runInDatabase: GdsRunner;
  liveRef(id: string): Promise<GdsGraphRef & { version?: number }>;
}

export function gdsHost(store: GraphStore | undefined): GdsHost | undefined {
  const s = store as Partial<GdsHost> | undefined;
  return s && typeof s.runInDatabase === 'function' && typeof s.liveRef === 'function' ? (s as GdsHost) : undefined;
}

/** The request options that shape centrality scores (as in the route's cache key). */
export interface CentralityRequestOptions {
  weighted?: boolean;
  normalized?: boolean;
  k?: number;
  seed?: number;
  alpha?: number;
}

/** True when GDS computes `metric` with these options to the same definition as the local engine. */
export function gdsCovers(metric: CentralityMetric, o: CentralityRequestOptions): boolean {
  if (!GDS_METRICS.has(metric)) return false;
  if (metric === 'betweenness' && (o.k !== undefined || o.normalized === false)) return false;
  if (o.weighted && (metric === 'closeness' || metric === 'harmonic' || metric === 'hub' || metric === 'authority')) return false;
  return true;
}

export const GDS_NEEDS_NEO4J =
  'CENTRALITY_ENGINE=gds needs the Neo4j store (RIPPLE_STORE=neo4j) and a stored graph: set CENTRALITY_ENGINE=local or auto';

/** How long a "GDS is not installed" answer is trusted before the database is asked again. */
const RECHECK_MS = 60_000;

export interface CentralityEngineOptions {
  /** `auto` uses GDS from this many customers + arcs (default GDS_AUTO_THRESHOLD, 2 million). */
  threshold?: number;
  /** Clock for the availability re-check (tests). */
  now?: () => number;
}

/** Picks the engine per request and runs GDS; one per app (or CLI command), holding the GDS availability check. */
export class CentralityEngines {
  readonly setting: CentralityEngine;
  private readonly host: GdsHost | undefined;
  private readonly threshold: number;
  private readonly now: () => number;
  private availability: { until: number; version: Promise<string | null> } | undefined;
  /** GDS computations started (for tests). */
  gdsRuns = 0;

  constructor(setting: CentralityEngine, store: GraphStore | undefined, opts: CentralityEngineOptions = {}) {
    this.setting = setting;
    this.host = gdsHost(store);
    this.threshold = opts.threshold ?? GDS_AUTO_THRESHOLD;
    this.now = opts.now ?? (() => Date.now());
  }

  /** The installed GDS version, or null (cached; a negative answer is asked again after a minute). */
  gdsVersion(): Promise<string | null> {
    const host = this.host;
    if (!host) return Promise.resolve(null);
    const t = this.now();
    if (this.availability && t < this.availability.until) return this.availability.version;
    const version = gdsVersion(host.runInDatabase);
    const entry = { until: t + RECHECK_MS, version };
    this.availability = entry;
    // A positive answer stays; a negative one expires (the database may have been down, or gained the plugin).
    void version.then((v) => {
      if (v !== null) entry.until = Number.POSITIVE_INFINITY;
    });
    return version;
  }

  /**
   * `local` or `gds` for this request. Throws 503 `gds-unavailable` when CENTRALITY_ENGINE=gds and GDS would be
   * needed but the store is not Neo4j (or the graph is not stored) or the plugin is missing.
   */
  async choose(metric: CentralityMetric, options: CentralityRequestOptions, size: { customers: number; arcs: number }, stored = true): Promise<'local' | 'gds'> {
    if (this.setting === 'local' || !gdsCovers(metric, options)) return 'local';
    if (!this.host || !stored) {
      if (this.setting === 'gds') throw new AppError(GDS_NEEDS_NEO4J, { statusCode: 503, code: 'gds-unavailable', expose: true });
      return 'local';
    }
    if (this.setting === 'auto' && size.customers + size.arcs < this.threshold) return 'local'; // no need to ask the database
    const available = (await this.gdsVersion()) !== null;
    return chooseEngine(this.setting, metric, size, { available, threshold: this.threshold });
  }

  /**
   * Compute `metric` in Neo4j on the live version of `graphId`, which must be `version` (the one whose ids the caller
   * maps the scores to): a ConflictError (409) if a replace made another version live before or during the run.
   */
  async gds(graphId: string, version: number, metric: CentralityMetric, options: CentralityRequestOptions): Promise<CentralityResult> {
    const host = this.host;
    if (!host) throw new AppError(GDS_NEEDS_NEO4J, { statusCode: 503, code: 'gds-unavailable', expose: true });
    const changed = () => new ConflictError(`graph ${JSON.stringify(graphId)} changed while its ${metric} was computed in Neo4j; retry`);
    const ref = await host.liveRef(graphId);
    if (ref.version !== undefined && ref.version !== version) throw changed();
    this.gdsRuns++;
    const r = await gdsCentrality(host.runInDatabase, ref, metric, { weighted: options.weighted, alpha: options.alpha }, randomUUID());
    const after = await host.liveRef(graphId);
    if (after.slot !== ref.slot || (after.version !== undefined && after.version !== version)) throw changed();
    return r;
  }
}
