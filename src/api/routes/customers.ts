import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFoundError } from '../../errors.js';
import { clip } from '../../graph/builder.js';
import { indexOf } from '../../graph/compile.js';
import { customerAt } from '../../graph/model.js';
import { degreeOf } from '../../graph/stats.js';
import type { RouteContext } from '../app.js';
import { json, problems } from '../openapi.js';
import { customerIdSchema, customerSchema, graphIdSchema } from '../schemas.js';

const customerRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, ctx) => {
  app.get('/graphs/:id/customers/:customerId', {
    schema: {
      operationId: 'getCustomer',
      tags: ['customers'],
      summary: 'One customer: attributes and degree',
      description: 'Customer ids are any text: URL-encode them (`__proto__`, `a/b` as `a%2Fb`).',
      params: z.object({ id: graphIdSchema, customerId: customerIdSchema }),
      response: { 200: json(customerSchema, 'The customer.'), ...problems([404]) },
    },
  }, async (req) => {
    const { summary, graph, data } = await ctx.cache.get(req.params.id);
    const i = indexOf(graph, req.params.customerId);
    if (i < 0) throw new NotFoundError(`customer ${JSON.stringify(clip(req.params.customerId))} is not in graph ${summary.id}`);
    const centrality = await ctx.centrality.scoresOf(summary.id, summary.version, i);
    return { graphId: summary.id, ...customerAt(data, i), degree: degreeOf(graph, i), ...(centrality.length ? { centrality } : {}) };
  });
};

export default customerRoutes;
