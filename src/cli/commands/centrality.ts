import { Option, type Command } from 'commander';
import type { CompiledGraph } from '../../graph/compile.js';
import { CENTRALITY_METRICS, type CentralityResult } from '../../influence/centrality/types.js';
import { CONVERGENCE_MODES } from '../../influence/centrality/convergence.js';
import { centralityRequestSchema } from '../../influence/schemas.js';
import { centralityAnswer, computeWith, runCentrality } from '../../services/centrality.js';
import { CentralityEngines } from '../../services/centrality-engines.js';
import { CompiledCache } from '../../store/compiled-cache.js';
import { num, parseFlags, table, type CliContext } from '../context.js';
import { createProgress } from '../progress.js';
import { addGraphFlags, graphTarget, type GraphFlags } from './simulate.js';

interface Opts extends GraphFlags {
  metric?: string;
  top?: string;
  weighted?: boolean;
  normalized?: boolean;
  k?: string;
  seed?: string;
  alpha?: string;
  convergence?: string;
  tolerance?: string;
  maxIterations?: string;
  json?: boolean;
}

/**
 * `ripple centrality (GRAPH_ID | --file FILE) --metric M [--top K|all] [--json]`: prints
 * `{metric, top: [{id, score, rank}], ...}` (DESIGN §8), as `GET /graphs/:id/centrality/:metric`. With
 * CENTRALITY_ENGINE=gds (or auto on a big graph) and RIPPLE_STORE=neo4j, a stored graph's metric runs in Neo4j with GDS
 * (`engine: "gds"` in the JSON); gds with a --file graph, the file store or no GDS plugin is a one-line error.
 */
export default function register(program: Command, ctx: CliContext): void {
  addGraphFlags(program.command('centrality').description('a centrality metric for every customer (networkx definitions), top customers listed'))
    .addOption(new Option('--metric <metric>', 'the metric').choices(CENTRALITY_METRICS).makeOptionMandatory())
    .option('--top <k>', 'customers listed, or "all" (default 10)')
    .option('--weighted', 'use tie weights')
    .option('--no-normalized', 'raw scores (degree, betweenness)')
    .option('--k <n>', 'betweenness: sample this many sources')
    .option('--seed <s>', 'seed of the betweenness sample and of louvain')
    .option('--alpha <x>', 'pagerank damping (default 0.85); katz attenuation (default 0.1)')
    .addOption(new Option('--convergence <rule>', 'power iterations: run to the fixed point (default) or stop where networkx does').choices(CONVERGENCE_MODES))
    .option('--tolerance <x>', 'stop threshold of the power iterations (fixed-point: relative L1 change, default 1e-14; networkx: per customer, 1e-6)')
    .option('--max-iterations <n>', 'iteration cap of the power iterations (default 10000; networkx 100, katz 1000)')
    .option('--json', 'print one JSON document')
    .action(async (graphId: string | undefined, o: Opts) => {
      const req = parseFlags(centralityRequestSchema, {
        metric: o.metric,
        top: o.top === 'all' ? 'all' : num(o.top),
        weighted: o.weighted ? true : undefined,
        normalized: o.normalized === false ? false : undefined,
        k: num(o.k), seed: num(o.seed), alpha: num(o.alpha),
        convergence: o.convergence, tolerance: num(o.tolerance), maxIterations: num(o.maxIterations),
      }, {});
      const setting = ctx.config().centralityEngine;
      const target = graphTarget(graphId, o);
      let t0 = performance.now();
      const localRun = async (graph: CompiledGraph): Promise<CentralityResult> => {
        const bar = createProgress({ label: req.metric, total: graph.n, json: o.json, stream: ctx.stderr });
        t0 = performance.now();
        try {
          return await ctx.cancellable((signal) => runCentrality(graph, req, { pool: ctx.pool(), signal, onProgress: (d, t) => bar.update(d, t) }));
        } finally {
          bar.stop();
        }
      };
      let graph: CompiledGraph;
      let r: CentralityResult;
      let engine: 'local' | 'gds' = 'local';
      if (setting !== 'local' && target.id !== undefined && target.file === undefined) {
        // The store stays open while GDS runs in it.
        ({ graph, r, engine } = await ctx.withStore(async (store) => {
          const { summary, graph: g } = await new CompiledCache({ store }).get(target.id!);
          const engines = new CentralityEngines(setting, store);
          const e = await engines.choose(req.metric, req, { customers: g.n, arcs: g.m });
          t0 = performance.now();
          const result = e === 'gds' ? await computeWith(engines, e, summary, g, req, {}) : await localRun(g);
          return { graph: g, r: result, engine: e };
        }));
      } else {
        if (setting !== 'local') await new CentralityEngines(setting, undefined).choose(req.metric, req, { customers: 0, arcs: 0 }, false);
        ({ graph } = await ctx.loadGraph(target));
        r = await localRun(graph);
      }
      // The same answer as GET /graphs/:id/centrality/:metric (services/centrality.ts), plus elapsedMs.
      const result = {
        ...centralityAnswer(graph, req, r),
        elapsedMs: Math.round((performance.now() - t0) * 1000) / 1000,
      };
      ctx.output(Boolean(o.json), result, () => {
        const head = `${r.metric} over ${graph.n} customers${engine === 'gds' ? ' (Neo4j GDS)' : ''}${r.converged === false ? ' (did not converge)' : ''}` +
          (r.residual !== undefined ? `: ${r.iterations} iterations, residual ${r.residual.toExponential(1)} (${r.convergence}, tolerance ${r.tolerance})` : '') +
          (r.modularity !== undefined ? `: ${r.communities} communities, modularity ${r.modularity.toFixed(4)}` : '');
        const sampled = r.sample ? [`sampled: ${r.sample.k} sources (seed ${r.sample.seed}); ± is the standard error`] : [];
        const rows = result.top.map((t) => [t.rank, t.id, Number(t.score.toPrecision(6)), ...('stderr' in t ? [`± ${Number((t.stderr as number).toPrecision(3))}`] : [])]);
        return [head, ...sampled, table(['rank', 'customer', 'score', ...(r.sample ? ['stderr'] : [])], rows)].join('\n');
      });
    });
}
