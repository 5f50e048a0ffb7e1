import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { graphInfo } from '../../graph/stats.js';
import type { RouteContext } from '../app.js';
import { errorResponses, graphInfoSchema, graphParams } from '../schemas.js';

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
    return { id: summary.id, name: summary.name, version: summary.version, ...graphInfo(graph) };
  });
};

export default infoRoutes;
