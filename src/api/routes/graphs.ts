import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { graphFromRippleDoc } from '../../graph/parsers/json.js';
import { normaliseDuration, stepDurationSchema } from '../../graph/duration.js';
import type { RouteContext } from '../app.js';
import { DeferredJson, deferringValidatorCompiler, JsonBodies } from '../json-body.js';
import { nextCursorSchema, pageQueryShape, paginate, sortByCreation } from '../pagination.js';
import { json, problems } from '../openapi.js';
import { GRAPH_SUMMARY_EXAMPLE, graphParams, graphSummaryResponseSchema, importResultSchema, replaceQuerySchema, rippleJsonSchema } from '../schemas.js';

const graphListSchema = z
  .object({ graphs: z.array(graphSummaryResponseSchema), nextCursor: nextCursorSchema })
  .describe('Stored graphs, oldest first, a page at a time.')
  .meta({ id: 'GraphList', examples: [{ graphs: [GRAPH_SUMMARY_EXAMPLE] }] });

const graphPatchSchema = z
  .strictObject({
    name: z.string().min(1).max(1000).optional().describe('New name.'),
    stepDuration: stepDurationSchema.nullable().optional(),
  })
  .describe('The fields to change; the others stay.')
  .meta({ id: 'GraphPatch', examples: [{ stepDuration: 'PT2H' }] });

/** Graph CRUD with Ripple JSON bodies. Raw uploads are in import.ts. */
const graphRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, ctx) => {
  const { store, cache, jobs, centrality, config } = ctx;
  // A large Ripple JSON body is parsed, validated and built off the event loop (src/api/json-body.ts).
  const bodies = new JsonBodies(app, { resourceLimits: { maxOldGenerationSizeMb: config.importHeapMb } });

  /**
   * The body is already validated by the schema; the parser checks it again in depth (one code path for all
   * imports) on the parsed document itself, and lists unknown keys it ignored in `report.warnings`. A large body
   * arrives unparsed (DeferredJson) and goes through the same three steps on the JSON body thread.
   */
  const parseBody = async (body: z.infer<typeof rippleJsonSchema>) => {
    const raw: unknown = body;
    if (raw instanceof DeferredJson) return bodies.graph(raw);
    return graphFromRippleDoc(body, { name: body.name, fallbackName: body.name, source: 'request body' });
  };

  app.get('/graphs', {
    schema: {
      operationId: 'listGraphs',
      tags: ['graphs'],
      summary: 'List stored graphs, oldest first, a page at a time',
      description: 'Cursor pagination: pass `nextCursor` back as `cursor` for the next page; `limit` sets the page size.',
      querystring: z.object(pageQueryShape),
      response: { 200: json(graphListSchema, 'A page of graphs; `nextCursor` when there are more.'), ...problems() },
    },
  }, async (req) => {
    const { page, nextCursor } = paginate(sortByCreation(await store.list()), req.query);
    return nextCursor === undefined ? { graphs: page } : { graphs: page, nextCursor };
  });

  app.post('/graphs', {
    config: { offThreadJson: true },
    validatorCompiler: deferringValidatorCompiler,
    schema: {
      operationId: 'createGraph',
      tags: ['graphs'],
      summary: 'Create a graph from a Ripple JSON body',
      description: 'For large graphs or other formats use POST /graphs/import (raw upload, streamed).',
      body: rippleJsonSchema,
      response: { 201: { ...json(importResultSchema, 'Created: the stored graph and its import report.'), headers: { Location: { type: 'string', description: 'The new graph: `/graphs/{id}`.' } } }, ...problems([413, 415, 507]) },
    },
  }, async (req, reply) => {
    const { data, report } = await parseBody(req.body);
    const summary = await store.create(data);
    reply.code(201).header('location', `/graphs/${encodeURIComponent(summary.id)}`);
    return { ...summary, report };
  });

  app.get('/graphs/:id', {
    schema: {
      operationId: 'getGraph',
      tags: ['graphs'],
      summary: 'One graph\'s summary',
      description: 'Counts of customers and ties, the version (1, plus one per replace) and the step duration when set.',
      params: graphParams,
      response: { 200: json(graphSummaryResponseSchema, 'The graph\'s summary.'), ...problems([404]) },
    },
  }, async (req) => store.get(req.params.id));

  app.put('/graphs/:id', {
    config: { offThreadJson: true },
    validatorCompiler: deferringValidatorCompiler,
    schema: {
      operationId: 'replaceGraph',
      tags: ['graphs'],
      summary: 'Replace a graph with a Ripple JSON body (a new version, atomically)',
      description: 'Readers see the old version or the new one, never a mix. `?ifVersion=N` replaces only if the stored version is N (else 409). Jobs already running keep the version they started on.',
      params: graphParams,
      querystring: replaceQuerySchema,
      body: rippleJsonSchema,
      response: { 200: json(importResultSchema, 'Replaced: the new version and its import report.'), ...problems([404, 409, 413, 415, 507]) },
    },
  }, async (req) => {
    await store.get(req.params.id); // 404 before parsing
    const { data, report } = await parseBody(req.body);
    const summary = await store.replace(req.params.id, data, { ifVersion: req.query.ifVersion });
    cache.invalidate(req.params.id);
    return { ...summary, report };
  });

  app.patch('/graphs/:id', {
    schema: {
      operationId: 'updateGraph',
      tags: ['graphs'],
      summary: 'Change a graph\'s name or step duration (a new version, atomically)',
      description:
        'Only the fields given change: `name`, and `stepDuration` (ISO 8601, e.g. `PT2H`: how long one step of a cascade is; `null` ' +
        'removes it, and time is in steps again). The customers and ties stay as they are; the version goes up by one.',
      params: graphParams,
      querystring: replaceQuerySchema,
      body: graphPatchSchema,
      response: { 200: json(graphSummaryResponseSchema, 'Changed: the new version\'s summary.'), ...problems([404, 409, 413, 415, 507]) },
    },
  }, async (req) => {
    const { data } = await store.load(req.params.id);
    const next = { ...data, name: req.body.name ?? data.name };
    if (req.body.stepDuration === null) delete next.stepDuration;
    else if (req.body.stepDuration !== undefined) next.stepDuration = normaliseDuration(req.body.stepDuration);
    const summary = await store.replace(req.params.id, next, { ifVersion: req.query.ifVersion });
    cache.invalidate(req.params.id);
    centrality.invalidate(req.params.id);
    return summary;
  });

  app.delete('/graphs/:id', {
    schema: {
      operationId: 'deleteGraph',
      tags: ['graphs'],
      summary: 'Delete a graph',
      description: 'The graph and its cached results go; its queued and running jobs are cancelled.',
      params: graphParams,
      response: { 204: z.undefined().describe('Deleted (its queued and running jobs are cancelled).'), ...problems([404, 507]) },
    },
  }, async (req, reply) => {
    await store.delete(req.params.id);
    cache.invalidate(req.params.id);
    centrality.invalidate(req.params.id);
    // Its queued and running jobs would only fail later. Best effort: the graph is gone whatever Redis says.
    await jobs.cancelGraph(req.params.id).catch((err: unknown) => req.log.warn({ err }, 'could not cancel the jobs of a deleted graph'));
    return reply.code(204).send();
  });
};

export default graphRoutes;
