import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CENTRALITY_METRICS } from '../../influence/centrality/types.js';
import { CONVERGENCE_MODES } from '../../influence/centrality/convergence.js';
import { centralityRequestSchema } from '../../influence/schemas.js';
import { createCentralityService } from '../../services/centrality.js';
import { parseOrThrow } from '../../validate.js';
import type { RouteContext } from '../app.js';
import { asyncQuery, budgetDeps, centralityWork, defined, runOrSubmit } from '../budget.js';
import { acceptedSchema } from '../job-schemas.js';
import { errorResponses, graphIdSchema, graphRefShape } from '../schemas.js';

/**
 * `GET /graphs/:id/centrality/:metric?top=`: one metric for every customer, the top ones listed (HTTP only: the
 * cache, the engine choice and the answer's shape are src/services/centrality.ts). Results are kept in a
 * CentralityCache keyed by (graph id, version, metric, options): a second read is a lookup, and
 * `GET /graphs/:id/customers/:customerId` shows the cached scores of that customer. With CENTRALITY_ENGINE=gds (or auto
 * on a big graph) and the Neo4j store, the metrics GDS covers are computed in the database (ctx.centralityEngines);
 * the answer is the same shape plus `engine: "gds"`, cached the same way.
 */

const shape = centralityRequestSchema.shape;
const bool = z.enum(['true', 'false', '1', '0']).transform((s) => s === 'true' || s === '1');
const int = z.string().regex(/^\d+$/, 'must be a whole number').transform(Number);

const querySchema = z.object({
  top: z.union([z.literal('all'), int]).optional().describe(shape.top.description ?? ''),
  weighted: bool.optional().describe(shape.weighted.description ?? ''),
  normalized: bool.optional().describe(shape.normalized.description ?? ''),
  k: int.optional().describe(shape.k.description ?? ''),
  seed: int.optional().describe(shape.seed.description ?? ''),
  alpha: z.string().regex(/^\d*\.?\d+$/, 'must be a number').transform(Number).optional().describe(shape.alpha.description ?? ''),
  convergence: shape.convergence,
  tolerance: z.string().regex(/^(\d*\.?\d+)([eE][-+]?\d+)?$/, 'must be a number').transform(Number).optional().describe(shape.tolerance.description ?? ''),
  maxIterations: int.optional().describe(shape.maxIterations.description ?? ''),
  async: asyncQuery,
});

const answerSchema = z
  .object({
    ...graphRefShape,
    version: z.number().int().meta({ deprecated: true }).describe('Deprecated: the same as `graphVersion` (the name every engine answer uses), kept for this release.'),
    metric: z.enum(CENTRALITY_METRICS),
    customers: z.number().int(),
    top: z.array(z.object({
      id: z.string(), score: z.number(), rank: z.number().int(),
      stderr: z.number().optional().describe('Sampled betweenness: standard error of the score from the sampled sources (finite-population corrected).'),
    })),
    iterations: z.number().int().optional().describe('Power iterations run (pagerank, eigenvector, katz, hub, authority).'),
    converged: z.boolean().optional().describe('False when an iterative method stopped at maxIterations (or stalled at the rounding floor) before its tolerance.'),
    residual: z.number().optional().describe('The last change of the scores in the stop rule\'s terms: relative L1 change (fixed-point), L1 change (networkx).'),
    tolerance: z.number().optional().describe('The tolerance the iteration stopped at (the rule\'s default unless given).'),
    convergence: z.enum(CONVERGENCE_MODES).optional().describe('The stop rule used: fixed-point (default) or networkx.'),
    sample: z.object({ k: z.number().int(), seed: z.number().int() }).optional().describe('Sampled betweenness: sources used and their seed (each top customer then has a `stderr`).'),
    modularity: z.number().optional(),
    communities: z.number().int().optional().describe('Louvain: scores are community indices.'),
    options: z.record(z.string(), z.unknown()).describe('The options that shaped the scores (unset = defaults).'),
    engine: z.literal('gds').optional().describe('Present when the scores were computed in Neo4j with GDS (CENTRALITY_ENGINE=gds|auto).'),
    cached: z.boolean().describe('True when the scores came from the cache.'),
    elapsedMs: z.number(),
  })
  .describe('Top customers by a centrality metric.')
  .meta({
    examples: [{
      graphId: 'g_0123456789abcdef', graphVersion: 1, version: 1, metric: 'pagerank', customers: 3000, iterations: 131, converged: true,
      residual: 8.7e-15, tolerance: 1e-14, convergence: 'fixed-point', options: {},
      top: [{ id: 'c42', score: 0.0061, rank: 1 }, { id: 'c7', score: 0.0058, rank: 2 }], cached: false, elapsedMs: 3.2,
    }],
  });

const centralityRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, ctx) => {
  // Read at each request: the engine setting of a running app can be replaced (app.ripple.centralityEngines).
  const service = createCentralityService({ cache: ctx.centrality, get engines() { return ctx.centralityEngines; }, pool: ctx.pool });
  app.get('/graphs/:id/centrality/:metric', {
    schema: {
      operationId: 'getCentrality',
      tags: ['influence'],
      summary: 'Top customers by a centrality metric (networkx definitions)',
      description:
        `Metrics: ${CENTRALITY_METRICS.join(', ')}. Results are cached per graph version and options. ` +
        'All-sources metrics (betweenness, closeness, harmonic: n × arcs) above the work budget, or `?async=true`, answer 202 with a job. ' +
        'With CENTRALITY_ENGINE=gds (or auto above 2M customers + arcs) on the Neo4j store, the metrics GDS covers run in the database ' +
        '(`engine: "gds"`); gds without the plugin, or on the file store, answers 503.',
      params: z.object({ id: graphIdSchema, metric: shape.metric }),
      querystring: querySchema,
      response: { 200: answerSchema, 202: acceptedSchema, ...errorResponses },
    },
  }, async (req, reply) => {
    const { async: forceAsync, ...q } = req.query;
    const request = parseOrThrow(centralityRequestSchema, { metric: req.params.metric, ...defined(q) }, 'query');
    const entry = await ctx.cache.get(req.params.id);
    const { summary, graph } = entry;
    const hit = !forceAsync ? service.cached(entry, request) : undefined;
    if (hit) return hit as never;
    // Before any job is queued: CENTRALITY_ENGINE=gds without GDS is an immediate 503, not a failed job.
    const engine = await service.engine(entry, request);
    return runOrSubmit(budgetDeps(ctx), req, reply, forceAsync, {
      kind: 'centrality',
      graphId: summary.id,
      graphVersion: summary.version,
      work: service.has(entry, request) ? 0 : centralityWork(graph, request.metric, request),
      graph: entry,
      // What a Redis worker runs (without this process's result cache); here, `run` below.
      op: { name: 'centrality', params: { request, engine } },
      run: ({ signal, progress }) =>
        service.compute(entry, request, engine, { signal, onProgress: (done, total) => progress(done / total, { sourcesDone: done, sources: total }) }),
    }) as never;
  });
};

export default centralityRoutes;
