import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CENTRALITY_METRICS } from '../../influence/centrality/types.js';
import { centralityRequestSchema } from '../../influence/schemas.js';
import { createCentralityService } from '../../services/centrality.js';
import { parseOrThrow } from '../../validate.js';
import type { RouteContext } from '../app.js';
import { asyncQuery, budgetDeps, centralityWork, defined, measuredCentralityWork, runOrSubmit } from '../budget.js';
import { accepted, json, preferHeader, problems } from '../openapi.js';
import { graphIdSchema } from '../schemas.js';
import { centralityResultSchema } from '../../influence/result-schemas.js';
import { acceptedSchema } from '../job-schemas.js';

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
        'All-sources metrics (betweenness, closeness, harmonic: sources × the arcs each source\'s search reaches, measured by a pilot of a few ' +
        'searches) above the work budget, or `?async=true`, answer 202 with a job; with `?async=false`, 422 naming what to lower. ' +
        'With CENTRALITY_ENGINE=gds (or auto above 2M customers + arcs) on the Neo4j store, the metrics GDS covers run in the database ' +
        '(`engine: "gds"`); gds without the plugin, or on the file store, answers 503.',
      params: z.object({ id: graphIdSchema, metric: shape.metric }),
      querystring: querySchema,
      headers: preferHeader,
      response: {
        200: json(centralityResultSchema, 'The metric for every customer, the `top` ones listed.', { csv: 'The ranking as a CSV table (`Accept: text/csv` or `?format=csv`).' }),
        202: accepted(acceptedSchema),
        ...problems([404, 409, 422]),
      },
    },
  }, async (req, reply) => {
    const { async: forceAsync, ...q } = req.query;
    const request = parseOrThrow(centralityRequestSchema, { metric: req.params.metric, ...defined(q) }, 'query');
    const entry = await ctx.cache.get(req.params.id);
    const { summary, graph } = entry;
    const hit = !forceAsync ? await service.cached(entry, request) : undefined;
    if (hit) return hit as never;
    // Before any job is queued: CENTRALITY_ENGINE=gds without GDS is an immediate 503, not a failed job.
    const engine = await service.engine(entry, request);
    return runOrSubmit(budgetDeps(ctx), req, reply, forceAsync, {
      kind: 'centrality',
      graphId: summary.id,
      graphVersion: summary.version,
      work: service.has(entry, request) ? 0 : centralityWork(graph, request.metric, request),
      // Over the budget by the static sources × arcs: a pilot of the searches measures what each source reaches.
      measure: () => measuredCentralityWork(graph, request),
      graph: entry,
      // What a Redis worker runs (without this process's result cache); here, `run` below.
      op: { name: 'centrality', params: { request, engine } },
      run: ({ signal, progress }) =>
        service.compute(entry, request, engine, { signal, onProgress: (done, total) => progress(done / total, { sourcesDone: done, sources: total }) }),
    }) as never;
  });
};

export default centralityRoutes;
