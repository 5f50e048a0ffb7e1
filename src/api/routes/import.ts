import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { parseGraph } from '../../graph/parse.js';
import type { GraphData, GraphFormat, ImportReport } from '../../graph/model.js';
import type { RouteContext } from '../app.js';
import { UPLOAD_CONSUMES, errorResponses, graphParams, importQuerySchema, importResultSchema, uploadBodySchema } from '../schemas.js';
import { limitedBody, registerRawParsers, uploadFormat } from '../upload.js';

/** Decompressed bytes may be this many times the (possibly gzip-compressed) upload limit. */
export const DECOMPRESSED_FACTOR = 4;

const uploadDescription =
  'Send the file as the raw request body (`curl --data-binary @file -H "content-type: application/octet-stream"`), ' +
  'optionally gzip-compressed (detected by its magic bytes). Formats: edgelist, csv, json, gexf, graphml. ' +
  'The body is streamed into the parser, never held whole; past RIPPLE_UPLOAD_LIMIT the answer is 413.';

/** Raw streamed uploads. Their own plugin so the pass-through content-type parsers stay here. */
const importRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, ctx) => {
  const { store, cache, config } = ctx;
  registerRawParsers(app, config.uploadLimit);

  async function parseUpload(
    req: FastifyRequest,
    reply: FastifyReply,
    query: { format?: GraphFormat; name?: string; directed?: boolean },
    name: string,
  ): Promise<{ data: GraphData; report: ImportReport }> {
    const format = uploadFormat(query, req.headers['content-type']);
    const abort = new AbortController();
    const onClose = () => {
      if (!reply.raw.writableFinished) abort.abort();
    };
    reply.raw.once('close', onClose);
    try {
      const body = (req.body ?? req.raw) as NodeJS.ReadableStream;
      return await parseGraph(limitedBody(body, config.uploadLimit), {
        format,
        name,
        directed: query.directed,
        source: query.name ?? 'upload',
        maxBytes: config.uploadLimit * DECOMPRESSED_FACTOR,
        signal: abort.signal,
      });
    } finally {
      reply.raw.off('close', onClose);
    }
  }

  app.post('/graphs/import', {
    bodyLimit: config.uploadLimit,
    schema: {
      operationId: 'importGraph',
      tags: ['graphs'],
      summary: 'Create a graph from a raw upload (any format, streamed)',
      description: uploadDescription,
      querystring: importQuerySchema.omit({ ifVersion: true }),
      consumes: UPLOAD_CONSUMES,
      body: uploadBodySchema,
      response: { 201: importResultSchema, ...errorResponses },
    },
  }, async (req, reply) => {
    const { data, report } = await parseUpload(req, reply, req.query, req.query.name ?? '');
    if (data.name === '') data.name = 'upload';
    const summary = await store.create(data);
    reply.code(201).header('location', `/graphs/${encodeURIComponent(summary.id)}`);
    return { ...summary, report };
  });

  app.put('/graphs/:id/import', {
    bodyLimit: config.uploadLimit,
    schema: {
      operationId: 'replaceGraphImport',
      tags: ['graphs'],
      summary: 'Replace a graph with a raw upload (a new version, atomically)',
      description: `${uploadDescription} Without ?name= the graph keeps its name.`,
      params: graphParams,
      querystring: importQuerySchema,
      consumes: UPLOAD_CONSUMES,
      body: uploadBodySchema,
      response: { 200: importResultSchema, ...errorResponses },
    },
  }, async (req, reply) => {
    const before = await store.get(req.params.id); // 404 before reading the upload
    const { data, report } = await parseUpload(req, reply, req.query, req.query.name ?? before.name);
    const summary = await store.replace(req.params.id, data, { ifVersion: req.query.ifVersion });
    cache.invalidate(req.params.id);
    return { ...summary, report };
  });
};

export default importRoutes;
