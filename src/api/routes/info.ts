import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { CompiledGraph } from '../../graph/compile.js';
import { graphInfo, type GraphInfo } from '../../graph/stats.js';
import type { RouteContext } from '../app.js';
import { json, problems } from '../openapi.js';
import { graphInfoSchema, graphParams } from '../schemas.js';

/**
 * graphInfo is O(n + arcs) (degrees, components): computed once per compiled graph. A compiled graph is one
 * version (CompiledCache), so the key is exact, and the entry goes when the cache drops the graph.
 */
const infoOf = new WeakMap<CompiledGraph, GraphInfo>();

function cachedInfo(graph: CompiledGraph): GraphInfo {
  let info = infoOf.get(graph);
  if (!info) infoOf.set(graph, (info = graphInfo(graph)));
  return info;
}

const infoRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, ctx) => {
  app.get('/graphs/:id/info', {
    schema: {
      operationId: 'getGraphInfo',
      tags: ['graphs'],
      summary: 'Graph statistics: degrees, components, density',
      description: 'Computed once per graph version (O(customers + arcs)), then cached.',
      params: graphParams,
      response: { 200: json(graphInfoSchema, 'The graph\'s statistics.'), ...problems([404]) },
    },
  }, async (req) => {
    const { summary, graph } = await ctx.cache.get(req.params.id);
    return { id: summary.id, name: summary.name, version: summary.version, ...cachedInfo(graph) };
  });
};

export default infoRoutes;
