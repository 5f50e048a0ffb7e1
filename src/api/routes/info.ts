import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { CompiledGraph } from '../../graph/compile.js';
import { graphInfo, type GraphInfo } from '../../graph/stats.js';
import type { RouteContext } from '../app.js';
import { errorResponses, graphInfoSchema, graphParams } from '../schemas.js';

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
      params: graphParams,
      response: { 200: graphInfoSchema, ...errorResponses },
    },
  }, async (req) => {
    const { summary, graph } = await ctx.cache.get(req.params.id);
    return { id: summary.id, name: summary.name, version: summary.version, ...cachedInfo(graph) };
  });
};

export default infoRoutes;
