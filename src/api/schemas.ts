import { z } from 'zod';
import { stepDurationSchema } from '../graph/duration.js';
import { graphSourceSchema } from '../services/neo4j-source-schema.js';
import { GRAPH_FORMATS, IMPORT_FORMATS, PARALLEL_TIES, PARALLEL_TIES_DESCRIPTION, MAX_FOLLOWERS, MAX_ID_LENGTH, MAX_VALUE, MAX_WEIGHT, MIN_WEIGHT } from '../graph/model.js';

/** Zod schemas shared by the routes: they validate requests, shape responses and write the OpenAPI text. */

const fieldErrorSchema = z
  .object({
    path: z.string().describe('Where: `body.ties[3].p`, `query.format`, `params.id`.'),
    message: z.string().describe('What is wrong there.'),
  })
  .meta({ id: 'FieldError' });

const problemShape = {
  type: z.string().describe('A URI identifying the problem type ("about:blank": see `title` and `code`).'),
  title: z.string().describe('Short summary of the problem type (the HTTP reason phrase).'),
  status: z.number().int().min(400).max(599).describe('HTTP status code.'),
  detail: z.string().describe('What went wrong, for this occurrence.'),
  instance: z.string().describe('The request path.'),
  requestId: z.string().describe('Id of the request, also in the x-request-id header and the server log.'),
  code: z.string().describe('Stable machine-readable error code, e.g. `not-found`, `bad-input`, `validation`.'),
};

const PROBLEM_EXAMPLE = {
  type: 'about:blank', title: 'Not Found', status: 404, detail: 'no graph "g_0123456789abcdef"',
  instance: '/graphs/g_0123456789abcdef', requestId: '5f0c6c1e-8d0e-4c4b-9a59-2f5e0f1d9b1a', code: 'not-found',
};

/** RFC 9457 problem details: every error answer of the API (src/api/problem.ts writes them). */
export const problemSchema = z
  .object({
    ...problemShape,
    errors: z.array(fieldErrorSchema).optional().describe('Field errors, when the problem is about fields (validation, memory budget): each with its path.'),
  })
  .describe('RFC 9457 problem details (application/problem+json).')
  .meta({ id: 'Problem', examples: [PROBLEM_EXAMPLE] });

/** A problem that lists the fields at fault (a 400 from validation, a 422 naming what to lower). */
export const validationProblemSchema = z
  .object({ ...problemShape, errors: z.array(fieldErrorSchema).min(1).describe('One entry per field at fault.') })
  .describe('Problem details with the fields at fault: a validation error (400) or a request over a budget (422).')
  .meta({
    id: 'ValidationProblem',
    examples: [{
      type: 'about:blank', title: 'Bad Request', status: 400, detail: 'body.ties[0].p: Too big: expected number to be <=1',
      instance: '/graphs', requestId: '5f0c6c1e-8d0e-4c4b-9a59-2f5e0f1d9b1a', code: 'validation',
      errors: [{ path: 'body.ties[0].p', message: 'Too big: expected number to be <=1' }],
    }],
  });

export type ProblemBody = z.infer<typeof problemSchema>;

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
    stepDuration: z.string().optional().describe('How long one step is (ISO 8601, e.g. `PT2H`), when the graph says; reports then give times as durations too. Set at import or with PATCH.'),
    source: graphSourceSchema.optional().describe('Where the graph is a snapshot of, when it was read from Neo4j (POST /graphs/from-neo4j); PUT /graphs/{id}/from-neo4j reads it again. A replace by upload or JSON removes it.'),
  })
  .describe('A stored graph.');

/** Examples for the OpenAPI text (typed clients and /docs show them). */
export const GRAPH_SUMMARY_EXAMPLE = {
  id: 'g_0123456789abcdef', name: 'Demo customers', directed: false, version: 1, customers: 4, ties: 2,
  createdAt: '2025-01-01T12:00:00.000Z', updatedAt: '2025-01-01T12:00:00.000Z',
};
const IMPORT_REPORT_EXAMPLE = { format: 'json' as const, customers: 4, ties: 2, records: 6, selfLoopsDropped: 0, duplicatesMerged: 0 };

export const importReportSchema = z
  .object({
    format: z.enum(IMPORT_FORMATS).describe('The input format, or `neo4j` for a graph read from Neo4j.'),
    customers: z.number().int(),
    ties: z.number().int(),
    records: z.number().int().describe('Lines, records or elements read.'),
    selfLoopsDropped: z.number().int(),
    duplicatesMerged: z.number().int(),
    warnings: z.array(z.string()).optional(),
  })
  .describe('What the import saw.')
  .meta({ id: 'ImportReport', examples: [IMPORT_REPORT_EXAMPLE] });

export const importResultSchema = graphSummarySchema
  .extend({ report: importReportSchema })
  .describe('The stored graph and its import report.')
  .meta({ id: 'ImportResult', examples: [{ ...GRAPH_SUMMARY_EXAMPLE, report: IMPORT_REPORT_EXAMPLE }] });

/** One graph summary, named and with an example (the bare schema stays unnamed so that it can be extended). */
export const graphSummaryResponseSchema = graphSummarySchema.meta({ id: 'GraphSummary', examples: [GRAPH_SUMMARY_EXAMPLE] });

const unit = z.number().min(0).max(1);

/**
 * Ripple JSON (DESIGN §1). The parser validates again, in depth; this schema gives field paths and the docs.
 * Objects are loose: unknown keys reach the parser, which ignores them and lists them in `report.warnings`
 * (as an import of the same file would).
 */
export const rippleJsonSchema = z
  .looseObject({
    name: z.string().min(1).max(1000).describe('Graph name (metadata; any text).'),
    directed: z.boolean().optional().describe('Default false: each tie is two arcs.'),
    defaultValue: z.number().min(0).max(MAX_VALUE).optional().describe('Value of customers without `value` (default 1).'),
    currency: z.string().max(16).optional(),
    stepDuration: z.string().max(64).nullish().describe('How long one step is, ISO 8601 (`PT2H`, `PT30M`, `P1D`): weeks, days, hours, minutes, seconds.'),
    customers: z
      .array(
        z.looseObject({
          id: customerIdSchema,
          label: z.string().nullish(),
          followers: z.number().int().min(0).max(MAX_FOLLOWERS).nullish().describe(`Audience outside the graph (0..${MAX_FOLLOWERS}).`),
          value: z.number().min(0).max(MAX_VALUE).nullish().describe(`Customer lifetime value (0..${MAX_VALUE}).`),
          segment: z.string().nullish(),
          activity: unit.nullish().describe('Chance of passing a message on (default 1).'),
        }),
      )
      .optional()
      .describe('Optional: when given, every tie must name a listed customer.'),
    ties: z.array(
      z.looseObject({
        source: customerIdSchema,
        target: customerIdSchema,
        weight: z.number().min(MIN_WEIGHT).max(MAX_WEIGHT).nullish().describe(`Tie weight (${MIN_WEIGHT}..${MAX_WEIGHT}, default 1).`),
        p: unit.nullish().describe('Explicit activation probability.'),
        channel: z.string().nullish(),
      }),
    ),
  })
  .describe('A graph in Ripple JSON.')
  .meta({
    id: 'RippleGraph',
    examples: [{
      name: 'Demo customers',
      directed: false,
      customers: [{ id: 'a', label: 'Alice', followers: 10, value: 5, segment: 'loyal', activity: 0.5 }, { id: 'b' }, { id: 'c', value: 2 }],
      ties: [{ source: 'a', target: 'b' }, { source: 'b', target: 'c', weight: 2, p: 0.1, channel: 'email' }],
    }],
  });

const booleanText = z
  .enum(['true', 'false', '1', '0'])
  .transform((s) => s === 'true' || s === '1');

/** A positive whole number in a query string: decimal digits only (no `0x10`, `1e1`, ` 5`). */
const versionText = z.string().regex(/^[1-9]\d{0,15}$/, 'must be a whole number >= 1 (decimal digits)').transform(Number);

export const importQuerySchema = z.object({
  format: z.enum(GRAPH_FORMATS).optional().describe('Input format; default: from the name\'s extension or the content type.'),
  name: z.string().min(1).max(1000).optional().describe('Graph name (required on POST unless the format carries one).'),
  directed: booleanText.optional().describe('Edge lists and CSV are undirected unless true; JSON/GEXF/GraphML use their own flag unless given.'),
  ifVersion: versionText.optional().describe('Replace only if the stored version is this one (else 409).'),
  parallelTies: z.enum(PARALLEL_TIES).optional().describe(`${PARALLEL_TIES_DESCRIPTION} Edge lists, CSV, JSON, GEXF and GraphML alike.`),
  stepDuration: stepDurationSchema.optional().describe('How long one step is (ISO 8601, e.g. `PT2H`); overrides what the file says. Change it later with PATCH /graphs/:id.'),
});

/** Content types the import routes accept (plus any text/* and application/*+xml). */
export const UPLOAD_CONSUMES = ['application/octet-stream', 'text/plain', 'text/csv', 'application/gzip', 'application/json', 'application/xml', 'application/gexf+xml', 'application/graphml+xml'];

export const replaceQuerySchema = z.object({
  ifVersion: versionText.optional().describe('Replace only if the stored version is this one (else 409).'),
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
  .describe('Graph statistics.')
  .meta({
    id: 'GraphInfo',
    examples: [{
      id: 'g_0123456789abcdef', name: 'Demo customers', version: 1, customers: 4, ties: 2, arcs: 4, directed: false,
      degree: { in: { min: 0, max: 2, mean: 1, median: 1 }, out: { min: 0, max: 2, mean: 1, median: 1 }, total: { min: 0, max: 4, mean: 2, median: 2 } },
      isolated: 1, components: { count: 2, largest: 3 }, density: 0.333,
    }],
  });

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
    centrality: z
      .array(z.object({ metric: z.string(), score: z.number(), rank: z.number().int(), options: z.record(z.string(), z.unknown()).optional() }))
      .optional()
      .describe('Scores of this customer in centrality results already computed for this graph version (GET /graphs/{id}/centrality/{metric}).'),
  })
  .describe('A customer: the attributes given at import (absent ones omitted), its degree and its cached centrality scores.')
  .meta({
    id: 'Customer',
    examples: [{
      graphId: 'g_0123456789abcdef', id: 'a', label: 'Alice', followers: 10, value: 5, segment: 'loyal', activity: 0.5,
      degree: { in: 1, out: 1, total: 2 }, centrality: [{ metric: 'pagerank', score: 0.31, rank: 1 }],
    }],
  });

/** Which graph version an engine result was computed on (the engine's result schemas use it too). */
export { graphRefShape } from '../diffusion/result-schema.js';
