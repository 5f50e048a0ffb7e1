import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFoundError } from '../../errors.js';
import { clip } from '../../graph/builder.js';
import { browseCustomers, CUSTOMER_SORTS, DEFAULT_CUSTOMER_LIMIT, MAX_CUSTOMER_LIMIT, neighbourhood } from '../../graph/browse.js';
import { indexOf } from '../../graph/compile.js';
import { EXPORT_FORMATS, EXPORT_MEDIA, exportGraph } from '../../graph/export.js';
import type { RouteContext } from '../app.js';
import { json, problems } from '../openapi.js';
import { customerIdSchema, graphIdSchema, graphParams, rippleJsonSchema } from '../schemas.js';
import { nextCursorSchema } from '../pagination.js';

/** Browsing a graph: its customers a page at a time (search, filter, sort), and the whole graph as a file. */

const customerRowSchema = z.object({
  id: z.string(),
  label: z.string().nullable(),
  segment: z.string().nullable(),
  value: z.number().describe('The customer\'s value, or the graph\'s default value when none was given.'),
  valueIsDefault: z.boolean().describe('True when the customer has no value of its own (`value` is the graph\'s default).'),
  followers: z.number().describe('Audience outside the graph (0 when not given).'),
  degree: z.number().int().describe('Friends: arcs in and out (an undirected tie counts once).'),
});

const ROW_EXAMPLE = { id: 'c0006', label: 'Customer 6', segment: 'loyal', value: 812.4, valueIsDefault: false, followers: 1450, degree: 206 };

const customerPageSchema = z
  .object({
    graphId: z.string(),
    graphVersion: z.number().int(),
    customers: z.array(customerRowSchema),
    total: z.number().int().describe('Customers matching the filters, all pages together.'),
    nextCursor: nextCursorSchema,
  })
  .meta({ id: 'CustomerPage', examples: [{ graphId: 'g_0123456789abcdef', graphVersion: 1, customers: [ROW_EXAMPLE], total: 1 }] });

const neighbourhoodSchema = z.object({
  graphId: z.string(),
  graphVersion: z.number().int(),
  center: z.string(),
  customers: z.array(customerRowSchema.extend({ depth: z.number().int().describe('0: the customer; 1: a friend; 2: a friend of a friend.') })),
  ties: z.array(z.object({ source: z.string(), target: z.string() })),
  truncated: z.boolean().describe('True when `limit` left customers out.'),
}).meta({ id: 'Neighbourhood', examples: [{
  graphId: 'g_0123456789abcdef', graphVersion: 1, center: 'c0006',
  customers: [{ ...ROW_EXAMPLE, depth: 0 }, { id: 'c0005', label: null, segment: 'occasional', value: 54.14, valueIsDefault: false, followers: 5737, degree: 181, depth: 1 }],
  ties: [{ source: 'c0005', target: 'c0006' }], truncated: false,
}] });

const browseRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, ctx) => {
  app.get('/graphs/:id/customers', {
    schema: {
      operationId: 'listCustomers',
      tags: ['customers'],
      summary: 'Browse customers: search, filter by segment and value, sort, a page at a time',
      description: 'Filters combine (AND); `total` counts every match. A cursor is bound to its filters, sort and graph version: a stale or foreign one is a 400.',
      params: graphParams,
      querystring: z.object({
        search: z.string().max(1000).optional().describe('Text found (case-insensitive) in the id, the label or the segment.'),
        segment: z.string().max(1000).optional().describe('Only this segment (exact).'),
        minValue: z.coerce.number().min(0).optional().describe('Only customers whose value (or the graph default) is at least this.'),
        sort: z.enum(CUSTOMER_SORTS).optional().describe('Order: `id` (default), `label`, `value`, `followers`, `degree`; `-` first for descending. Ties keep graph order.'),
        limit: z.coerce.number().int().min(1).max(MAX_CUSTOMER_LIMIT).optional().describe(`Customers per page (1..${MAX_CUSTOMER_LIMIT}, default ${DEFAULT_CUSTOMER_LIMIT}).`),
        cursor: z.string().min(1).max(2048).optional().describe('`nextCursor` of the previous page (same filters and sort).'),
      }),
      response: {
        200: json(customerPageSchema, 'A page of customers; `nextCursor` when there are more.'),
        ...problems([404]),
      },
    },
  }, async (req) => {
    const { summary, graph, data } = await ctx.cache.get(req.params.id);
    return { graphId: summary.id, graphVersion: summary.version, ...browseCustomers(data, graph, summary.version, req.query) };
  });

  app.get('/graphs/:id/customers/:customerId/neighbourhood', {
    schema: {
      operationId: 'getNeighbourhood',
      tags: ['customers'],
      summary: 'A customer and its friends (optionally their friends), with the ties among them: for drawing',
      description: 'Nearest first, then best connected, up to `limit` customers; `truncated` says when some were left out.',
      params: z.object({ id: graphIdSchema, customerId: customerIdSchema }),
      querystring: z.object({
        depth: z.coerce.number().int().min(1).max(2).default(1).describe('1: friends; 2: also friends of friends.'),
        limit: z.coerce.number().int().min(1).max(2000).default(150).describe('At most this many customers (nearest, then best connected, first).'),
      }),
      response: {
        200: json(neighbourhoodSchema, 'The customer, its neighbours and the ties among them.'),
        ...problems([404]),
      },
    },
  }, async (req) => {
    const { summary, graph, data } = await ctx.cache.get(req.params.id);
    const i = indexOf(graph, req.params.customerId);
    if (i < 0) throw new NotFoundError(`customer ${JSON.stringify(clip(req.params.customerId))} is not in graph ${summary.id}`);
    return { graphId: summary.id, graphVersion: summary.version, ...neighbourhood(data, graph, i, { depth: req.query.depth as 1 | 2, limit: req.query.limit }) };
  });

  app.get('/graphs/:id/export', {
    schema: {
      operationId: 'exportGraph',
      tags: ['graphs'],
      summary: 'The whole graph as a file: Ripple JSON, CSV, GEXF or GraphML (streamed)',
      description:
        'Every format reads back with POST /graphs/import. CSV is two files: `table=ties` (default: `source,target,weight,p,channel`) and ' +
        '`table=customers` (`id,label,followers,value,segment,activity`); send both to the import as multipart to keep customers without ties. ' +
        'The graph\'s `defaultValue` and `currency` are kept in JSON only. Text that XML cannot carry (control characters, lone surrogates) ' +
        'makes GEXF and GraphML a 422.',
      params: graphParams,
      querystring: z.object({
        format: z.enum(EXPORT_FORMATS).default('json').describe('json (default), csv, gexf or graphml.'),
        table: z.enum(['ties', 'customers']).default('ties').describe('CSV only: which file.'),
      }),
      response: {
        200: {
          description: 'The file, as an attachment (`Content-Disposition`); `X-Graph-Version` says which version it is.',
          headers: { 'X-Graph-Version': { type: 'integer', minimum: 1, description: 'The graph version exported.' } },
          content: {
            'application/json': { schema: rippleJsonSchema },
            'text/csv': { schema: z.string().describe('CSV (format=csv): the ties or the customers table.').meta({ examples: ['source,target,weight,p,channel\na,b,,,\n'] }) },
            'application/gexf+xml': { schema: z.string().describe('GEXF 1.3 (format=gexf).') },
            'application/graphml+xml': { schema: z.string().describe('GraphML (format=graphml).') },
          },
        },
        ...problems([404, 422]),
      },
    },
  }, async (req, reply) => {
    const { summary, data } = await ctx.cache.get(req.params.id);
    const { format, table } = req.query;
    const chunks = exportGraph(data, format, table); // a 422 for XML happens here, before the headers
    const ext = format === 'csv' ? `${table}.csv` : format;
    const base = (data.name.replace(/[^\w.-]+/g, '_').replace(/^[._]+|[._]+$/g, '') || summary.id).slice(0, 100);
    reply
      .type(EXPORT_MEDIA[format])
      .header('content-disposition', `attachment; filename="${base}.${ext}"`)
      .header('x-graph-version', String(summary.version));
    return reply.send(Readable.from(chunks) as never);
  });
};

export default browseRoutes;
