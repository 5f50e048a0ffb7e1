import { z } from 'zod';
import { stepDurationSchema } from '../graph/duration.js';
import { MAX_VALUE } from '../graph/model.js';

/**
 * "Bring your own graph" (POST /graphs/from-neo4j, `ripple import --from-neo4j`): the request, validated once at the
 * door by this schema (HTTP body and CLI flags alike), and the source a snapshot records (GraphSummary.source).
 */

/** Ripple attributes that can be read from a node (customer) or a relationship (tie). */
export const CUSTOMER_COLUMNS = ['id', 'label', 'value', 'followers', 'segment', 'activity'] as const;
export const TIE_COLUMNS = ['weight', 'p', 'channel'] as const;
export type MappedAttribute = (typeof CUSTOMER_COLUMNS)[number] | (typeof TIE_COLUMNS)[number];

const propertyName = z.string().min(1).max(256);
// eslint-disable-next-line no-control-regex
const schemaName = z.string().min(1).max(256).refine((s) => !/[\u0000-\u001f]/.test(s), 'must not hold control characters');
const cypher = z.string().min(1).max(100_000);

export const neo4jMappingSchema = z
  .strictObject({
    id: propertyName.optional().describe('Customer id (a string or an integer property; default `id`).'),
    label: propertyName.optional().describe('Customer label (default `label`).'),
    value: propertyName.optional().describe('Customer lifetime value (default `value`).'),
    followers: propertyName.optional().describe('Audience outside the graph (default `followers`).'),
    segment: propertyName.optional().describe('Segment (default `segment`).'),
    activity: propertyName.optional().describe('Activity 0..1 (default `activity`).'),
    weight: propertyName.optional().describe('Tie weight, read from the relationship (default `weight`).'),
    p: propertyName.optional().describe('Tie activation probability, read from the relationship (default `p`).'),
    channel: propertyName.optional().describe('Tie channel, read from the relationship (default `channel`).'),
  })
  .describe(
    'Where each Ripple attribute comes from: a property name (with `nodeLabel`/`relationshipType`) or a column the query returns ' +
    '(with `nodesQuery`/`relationshipsQuery`). Each defaults to its own name; a property or column that is absent leaves the ' +
    'attribute at its default, but a column named here that the query does not return is an error.',
  )
  .meta({ id: 'Neo4jMapping', examples: [{ id: 'customerId', label: 'name', value: 'ltv', weight: 'strength' }] });

export type Neo4jMapping = z.infer<typeof neo4jMappingSchema>;

const neo4jImportShape = {
  name: z.string().min(1).max(1000).optional().describe('Graph name (default: the label and type, or `neo4j`). A refresh keeps the graph\'s name unless given.'),
  nodeLabel: schemaName.optional().describe('Customers are the nodes with this label (with `relationshipType`).'),
  relationshipType: schemaName.optional().describe('Ties are the relationships of this type between two `nodeLabel` nodes.'),
  nodesQuery: cypher.optional().describe('Instead of a label: a read-only Cypher query returning one row per customer, column `id` (+ mapped columns), as a GDS Cypher projection.'),
  relationshipsQuery: cypher.optional().describe('With `nodesQuery`: a read-only Cypher query returning one row per tie, columns `source` and `target` (customer ids) (+ mapped columns).'),
  parameters: z.record(z.string(), z.unknown()).optional().describe('Cypher parameters of both queries (`$name` in the text); data is never spliced into a query.'),
  mapping: neo4jMappingSchema.optional(),
  directed: z.boolean().optional().describe('Default true: a relationship a→b is the arc a→b. False: each tie is two arcs.'),
  defaultValue: z.number().min(0).max(MAX_VALUE).optional().describe('Value of customers without one (default 1).'),
  currency: z.string().max(16).optional(),
  stepDuration: stepDurationSchema.optional().describe('How long one step is (ISO 8601, e.g. `PT2H`). A refresh keeps the graph\'s unless given.'),
  rowLimit: z.number().int().min(1).optional().describe('Most rows each query may return (default and maximum: RIPPLE_NEO4J_MAX_ROWS); more is a 422 naming it.'),
  timeoutSeconds: z.number().positive().optional().describe('Longest the read may take, both queries together (default 60; at most RIPPLE_NEO4J_MAX_TIMEOUT); past it a 504.'),
  uri: z.string().min(1).max(2048).optional().describe('Another Neo4j server (`bolt://host:7687`), only if the server\'s RIPPLE_NEO4J_SOURCES lists it (credentials come from that configuration, never the request). Default: the configured NEO4J_URI.'),
  database: z.string().min(1).max(63).optional().describe('Another database, only if RIPPLE_NEO4J_SOURCE_DATABASES allows it. Default: NEO4J_DATABASE, else the server\'s default.'),
};

type ImportShape = z.infer<z.ZodObject<typeof neo4jImportShape>>;

/** Exactly one way to say what to read: a label and a type, or two queries. `optional`: neither (a refresh). */
function checkMode(v: ImportShape, ctx: z.RefinementCtx, optional: boolean): void {
  const byLabel = v.nodeLabel !== undefined || v.relationshipType !== undefined;
  const byQuery = v.nodesQuery !== undefined || v.relationshipsQuery !== undefined;
  if (byLabel && byQuery) {
    ctx.addIssue({ code: 'custom', path: ['nodesQuery'], message: 'give nodeLabel and relationshipType, or nodesQuery and relationshipsQuery, not both' });
    return;
  }
  if (!byLabel && !byQuery) {
    if (optional && Object.keys(v).length === 0) return;
    ctx.addIssue({
      code: 'custom', path: ['nodeLabel'],
      message: optional
        ? 'give nodeLabel and relationshipType, or nodesQuery and relationshipsQuery (or send no body to read the recorded source again)'
        : 'give nodeLabel and relationshipType, or nodesQuery and relationshipsQuery',
    });
    return;
  }
  if (byLabel) {
    for (const k of ['nodeLabel', 'relationshipType'] as const) if (v[k] === undefined) ctx.addIssue({ code: 'custom', path: [k], message: `is required with ${k === 'nodeLabel' ? 'relationshipType' : 'nodeLabel'}` });
    if (v.parameters !== undefined) ctx.addIssue({ code: 'custom', path: ['parameters'], message: 'parameters are only used by nodesQuery and relationshipsQuery' });
  } else {
    for (const k of ['nodesQuery', 'relationshipsQuery'] as const) if (v[k] === undefined) ctx.addIssue({ code: 'custom', path: [k], message: `is required with ${k === 'nodesQuery' ? 'relationshipsQuery' : 'nodesQuery'}` });
  }
}

export const neo4jImportSchema = z
  .strictObject(neo4jImportShape)
  .superRefine((v, ctx) => checkMode(v, ctx, false))
  .describe(
    'A graph read from Neo4j in its own labels and relationship types: `nodeLabel` + `relationshipType`, or `nodesQuery` + ' +
    '`relationshipsQuery` (read-only Cypher, run with `parameters` in a read transaction, with a row limit and a timeout), ' +
    'plus `mapping` of properties or columns to Ripple\'s attributes.',
  )
  .meta({
    id: 'Neo4jImportRequest',
    examples: [
      { name: 'CRM graph', nodeLabel: 'Person', relationshipType: 'KNOWS', mapping: { id: 'customerId', value: 'ltv' } },
      {
        name: 'Loyal customers',
        nodesQuery: 'MATCH (p:Person) WHERE p.segment = $segment RETURN p.customerId AS id, p.ltv AS value',
        relationshipsQuery: 'MATCH (a:Person)-[k:KNOWS]->(b:Person) WHERE a.segment = $segment AND b.segment = $segment RETURN a.customerId AS source, b.customerId AS target, k.strength AS weight',
        parameters: { segment: 'loyal' },
      },
    ],
  });

export type Neo4jImportRequest = z.infer<typeof neo4jImportSchema>;

/** PUT /graphs/{id}/from-neo4j: no body (or `{}`) reads the recorded source again; else a whole new request. */
export const neo4jRefreshSchema = z
  .strictObject(neo4jImportShape)
  .superRefine((v, ctx) => checkMode(v, ctx, true))
  .describe('Empty (or no body): read the graph\'s recorded source again. Otherwise a whole new source, as for POST /graphs/from-neo4j, recorded in its place.')
  .meta({ id: 'Neo4jRefreshRequest', examples: [{}, { nodeLabel: 'Person', relationshipType: 'FOLLOWS' }] });

/** What a snapshot graph records about its Neo4j source (never credentials): enough to read it again. */
export const graphSourceSchema = z
  .looseObject({
    type: z.string().describe('Which system the graph is a snapshot of: `neo4j`.'),
    uri: z.string().optional().describe('The Neo4j server (no credentials).'),
    database: z.string().optional().describe('The database, when the request named one.'),
    nodeLabel: z.string().optional(),
    relationshipType: z.string().optional(),
    nodesQuery: z.string().optional(),
    relationshipsQuery: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    mapping: neo4jMappingSchema.optional(),
    directed: z.boolean().optional(),
    defaultValue: z.number().optional(),
    currency: z.string().optional(),
    rowLimit: z.number().int().optional(),
    timeoutSeconds: z.number().optional(),
    importedAt: z.string().describe('When the snapshot was read (ISO 8601).'),
  })
  .describe('Where the graph was read from: PUT /graphs/{id}/from-neo4j reads it again.')
  .meta({
    id: 'GraphSource',
    examples: [{ type: 'neo4j', uri: 'bolt://127.0.0.1:7687', nodeLabel: 'Person', relationshipType: 'KNOWS', mapping: { id: 'customerId' }, directed: true, rowLimit: 10000000, timeoutSeconds: 60, importedAt: '2025-01-01T12:00:00.000Z' }],
  });

export type RecordedNeo4jSource = z.infer<typeof graphSourceSchema>;
