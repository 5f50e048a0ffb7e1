import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { neo4jImportSchema, neo4jRefreshSchema } from '../../services/neo4j-source-schema.js';
import type { RouteContext } from '../app.js';
import { json, problems } from '../openapi.js';
import { graphParams, importResultSchema, replaceQuerySchema } from '../schemas.js';

const description =
  'Reads a graph kept in Neo4j in its own labels and relationship types (not Ripple\'s schema) and stores a snapshot of it, ' +
  'its source recorded in `source`. Either `nodeLabel` + `relationshipType`, or `nodesQuery` (one row per customer: `id` + ' +
  'mapped columns) + `relationshipsQuery` (one row per tie: `source`, `target` + mapped columns), as GDS Cypher projections; ' +
  '`mapping` says which property or column is each Ripple attribute. Both queries run with `parameters` in one read ' +
  'transaction, at most `rowLimit` rows each (422 beyond), within `timeoutSeconds` (504 beyond); a query that writes, calls ' +
  'a procedure, LOADs CSV or USEs another database is refused (422) before it runs. The server reads only its configured ' +
  'NEO4J_URI and database unless RIPPLE_NEO4J_SOURCES / RIPPLE_NEO4J_SOURCE_DATABASES allow the `uri` / `database` named ' +
  '(422 otherwise). Duplicate customer ids, null ids and ties to customers the nodes query did not return are a 400 naming ' +
  'the query and the row, as a file import names the file and the line; self-loops and repeated ties are counted in the report.';

/** Bring your own graph: HTTP only; the reading and the checks are src/services/neo4j-import.ts. */
const fromNeo4jRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, ctx) => {
  const { neo4jImport, cache, centrality } = ctx;

  app.post('/graphs/from-neo4j', {
    schema: {
      operationId: 'importGraphFromNeo4j',
      tags: ['graphs'],
      summary: 'Create a graph from a Neo4j graph in its own labels, or from two read-only Cypher queries',
      description,
      body: neo4jImportSchema,
      response: {
        201: { ...json(importResultSchema, 'Created: the stored snapshot (with its `source`) and its import report.'), headers: { Location: { type: 'string', description: 'The new graph: `/graphs/{id}`.' } } },
        ...problems([413, 415, 422, 502, 504, 507]),
      },
    },
  }, async (req, reply) => {
    const result = await neo4jImport.create(req.body);
    reply.code(201).header('location', `/graphs/${encodeURIComponent(result.id)}`);
    return result;
  });

  app.put('/graphs/:id/from-neo4j', {
    schema: {
      operationId: 'refreshGraphFromNeo4j',
      tags: ['graphs'],
      summary: 'Read a graph again from Neo4j (a new version, atomically)',
      description:
        'Without a body (or with `{}`): reads the graph\'s recorded `source` again — a new version of the same snapshot, keeping the ' +
        'graph\'s name and step duration. With a body (as for POST /graphs/from-neo4j): reads that source instead and records it. ' +
        '`?ifVersion=N` replaces only if the stored version is N (else 409); a graph with no recorded Neo4j source and no body is a 409. ' +
        'The same checks and limits as POST /graphs/from-neo4j apply.',
      params: graphParams,
      querystring: replaceQuerySchema,
      body: neo4jRefreshSchema.nullish(),
      response: { 200: json(importResultSchema, 'Replaced: the new version (with its `source`) and its import report.'), ...problems([404, 409, 413, 415, 422, 502, 504, 507]) },
    },
  }, async (req) => {
    const body = req.body === undefined || req.body === null || Object.keys(req.body).length === 0 ? undefined : req.body;
    const result = await neo4jImport.refresh(req.params.id, body, { ifVersion: req.query.ifVersion });
    cache.invalidate(req.params.id);
    centrality.invalidate(req.params.id);
    return result;
  });
};

export default fromNeo4jRoutes;
