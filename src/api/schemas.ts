import { z } from 'zod';
import { GRAPH_FORMATS, MAX_ID_LENGTH } from '../graph/model.js';

/** Zod schemas shared by the routes: they validate requests, shape responses and write the OpenAPI text. */

export const problemSchema = z
  .object({
    type: z.string().describe('A URI identifying the problem type ("about:blank": see `title` and `code`).'),
    title: z.string().describe('Short summary of the problem type (the HTTP reason phrase).'),
    status: z.number().int().describe('HTTP status code.'),
    detail: z.string().describe('What went wrong, for this occurrence.'),
    instance: z.string().describe('The request path.'),
    requestId: z.string().describe('Id of the request, also in the x-request-id header and the server log.'),
    code: z.string().describe('Stable machine-readable error code, e.g. `not-found`, `bad-input`.'),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .describe('Field errors for validation problems: `path` like `body.ties[3].p` or `query.format`.'),
  })
  .describe('RFC 9457 problem details (application/problem+json).');

/** Error responses every route documents. */
export const errorResponses = {
  '4xx': problemSchema,
  '5xx': problemSchema,
} as const;

export const customerIdSchema = z.string().min(1).max(MAX_ID_LENGTH);
export const graphIdSchema = z.string().min(1).max(256).describe('Graph id, as returned by POST /graphs (e.g. `g_0123456789abcdef`).');
export const graphParams = z.object({ id: graphIdSchema });

export const graphSummarySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    directed: z.boolean(),
    version: z.number().int().describe('Starts at 1; every replace adds 1.'),
    customers: z.number().int().describe('Number of customers (nodes).'),
    ties: z.number().int().describe('Number of ties (an undirected tie counts once).'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .describe('A stored graph.');

export const importReportSchema = z
  .object({
    format: z.enum(GRAPH_FORMATS),
    customers: z.number().int(),
    ties: z.number().int(),
    records: z.number().int().describe('Lines, records or elements read.'),
    selfLoopsDropped: z.number().int(),
    duplicatesMerged: z.number().int(),
    warnings: z.array(z.string()).optional(),
  })
  .describe('What the import saw.');

export const importResultSchema = graphSummarySchema.extend({ report: importReportSchema }).describe('The stored graph and its import report.');

const unit = z.number().min(0).max(1);

/** Ripple JSON (DESIGN §1). The parser validates again, in depth; this schema gives field paths and the docs. */
export const rippleJsonSchema = z
  .object({
    name: z.string().min(1).max(1000).describe('Graph name (metadata; any text).'),
    directed: z.boolean().optional().describe('Default false: each tie is two arcs.'),
    defaultValue: z.number().min(0).optional().describe('Value of customers without `value` (default 1).'),
    currency: z.string().max(16).optional(),
    customers: z
      .array(
        z.object({
          id: customerIdSchema,
          label: z.string().nullish(),
          followers: z.number().int().min(0).nullish().describe('Audience outside the graph.'),
          value: z.number().min(0).nullish().describe('Customer lifetime value.'),
          segment: z.string().nullish(),
          activity: unit.nullish().describe('Chance of passing a message on (default 1).'),
        }),
      )
      .optional()
      .describe('Optional: when given, every tie must name a listed customer.'),
    ties: z.array(
      z.object({
        source: customerIdSchema,
        target: customerIdSchema,
        weight: z.number().positive().nullish(),
        p: unit.nullish().describe('Explicit activation probability.'),
        channel: z.string().nullish(),
      }),
    ),
  })
  .describe('A graph in Ripple JSON.');

const booleanText = z
  .enum(['true', 'false', '1', '0'])
  .transform((s) => s === 'true' || s === '1');

export const importQuerySchema = z.object({
  format: z.enum(GRAPH_FORMATS).optional().describe('Input format; default: from the name\'s extension or the content type.'),
  name: z.string().min(1).max(1000).optional().describe('Graph name (required on POST unless the format carries one).'),
  directed: booleanText.optional().describe('Edge lists and CSV are undirected unless true; JSON/GEXF/GraphML use their own flag unless given.'),
  ifVersion: z.coerce.number().int().min(1).optional().describe('Replace only if the stored version is this one (else 409).'),
});

export const replaceQuerySchema = z.object({
  ifVersion: z.coerce.number().int().min(1).optional().describe('Replace only if the stored version is this one (else 409).'),
});

const degreeStatsSchema = z.object({ min: z.number(), max: z.number(), mean: z.number(), median: z.number() });

export const graphInfoSchema = graphSummarySchema
  .pick({ id: true, name: true, version: true })
  .extend({
    customers: z.number().int(),
    ties: z.number().int(),
    arcs: z.number().int().describe('Arcs of the compute form: an undirected tie is two.'),
    directed: z.boolean(),
    degree: z.object({ in: degreeStatsSchema, out: degreeStatsSchema, total: degreeStatsSchema }),
    isolated: z.number().int(),
    components: z.object({ count: z.number().int(), largest: z.number().int() }).describe('Weakly connected components.'),
    density: z.number(),
  })
  .describe('Graph statistics.');

export const customerSchema = z
  .object({
    graphId: z.string(),
    id: z.string(),
    label: z.string().nullish(),
    followers: z.number().nullish(),
    value: z.number().nullish(),
    segment: z.string().nullish(),
    activity: z.number().nullish(),
    degree: z.object({ in: z.number().int(), out: z.number().int(), total: z.number().int() }),
  })
  .describe('A customer: the attributes given at import (absent ones omitted) and its degree.');
