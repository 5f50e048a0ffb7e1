import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fastifyMultipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, InputError } from '../../errors.js';
import { normaliseDuration } from '../../graph/duration.js';
import { detectFormat, parseGraph, type ByteInput, type ParseOptions } from '../../graph/parse.js';
import { parseOffThread } from '../../io/parse-off-thread.js';
import type { GraphData, GraphFormat, ImportReport } from '../../graph/model.js';
import type { RouteContext } from '../app.js';
import { json, problems } from '../openapi.js';
import { UPLOAD_CONSUMES, graphParams, importQuerySchema, importResultSchema } from '../schemas.js';
import { type ByteCounter, checkDeclaredLength, limitedBody, makeSpoolDir, registerRawParsers, uploadFormat } from '../upload.js';

/** Decompressed bytes may be this many times the (possibly gzip-compressed) upload limit. */
export const DECOMPRESSED_FACTOR = 4;
/** Uploads declaring at most this many bytes parse in-thread (tens of ms at most); XML costs ~30× more per byte. */
const INLINE_BYTES = 1 << 20;
const INLINE_XML_BYTES = 32 << 10;

const uploadDescription =
  'Send the file as the raw request body (`curl --data-binary @file -H "content-type: application/octet-stream"`), ' +
  'optionally gzip-compressed (detected by its magic bytes). Formats: edgelist, csv, json, gexf, graphml. ' +
  'The body is streamed into the parser, never held whole; past RIPPLE_UPLOAD_LIMIT the answer is 413. ' +
  'Or send `multipart/form-data` (`curl -F ties=@ties.csv -F customers=@customers.csv`) with the file part `ties` ' +
  '(required, any format, optionally gzip) and the file part `customers` (optional, csv format only: ' +
  '`id,label,followers,value,segment,activity`; ties may then only name its customers), in either order and ' +
  'nothing else (400). RIPPLE_UPLOAD_LIMIT counts the bytes of both parts together. The format comes from ' +
  '`?format=`, else `?name=`\'s extension, else the ties file name\'s extension, else its part content type.';

const binaryFile = { type: 'string', format: 'binary' } as const;
const rawBodySchema = {
  ...binaryFile,
  description: 'The graph file as raw bytes (edge list, CSV, Ripple JSON, GEXF or GraphML), optionally gzip-compressed.',
  examples: ['# SNAP edge list\n1 2\n2 3\n3 1\n'],
};
const multipartBodySchema = {
  type: 'object',
  description: 'A graph file and, with the csv format, a separate customers CSV (parts in either order).',
  properties: {
    ties: { ...binaryFile, description: 'The graph file (any format, optionally gzip-compressed).' },
    customers: { ...binaryFile, description: 'csv format only: customers `id[,label,followers,value,segment,activity]`.' },
  },
  required: ['ties'],
  additionalProperties: false,
  examples: [{ ties: 'source,target\nc1,c2\nc2,c3\n', customers: 'id,label,followers,value\nc1,Ann,120,300\nc2,Bo,40,80\nc3,Cy,5,20\n' }],
};
/**
 * The upload body: validation accepts anything (the stream is read by the handler); the OpenAPI document gets
 * one schema per content type (raw bytes, or the two multipart file parts).
 */
const importBodySchema = z.any().meta({
  content: Object.fromEntries([
    ...UPLOAD_CONSUMES.map((type) => [type, { schema: rawBodySchema }]),
    ['multipart/form-data', { schema: multipartBodySchema }],
  ]),
});

const MULTIPART_PARTS = ['ties', 'customers'];

async function drain(part: MultipartFile): Promise<void> {
  if (part.file.readableEnded) return;
  part.file.resume();
  await new Promise<void>((resolve, reject) => {
    part.file.once('end', resolve);
    part.file.once('error', reject);
  });
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of chunks) parts.push(c);
  return Buffer.concat(parts);
}

/** Raw streamed uploads. Their own plugin so the pass-through content-type parsers stay here. */
const importRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, ctx) => {
  const { store, cache, config } = ctx;
  registerRawParsers(app, config.uploadLimit);
  // Encapsulated in this plugin: multipart/form-data is only parsed by the import routes. Busboy's own size
  // cap is one byte above ours so that limitedBody (shared with raw uploads) is the one that answers 413; a
  // part beyond the two file parts still reaches the handler (and is a 400 there).
  await app.register(fastifyMultipart, {
    limits: { fileSize: config.uploadLimit + 1, files: 3, fields: 1, parts: 3, fieldSize: 1024 },
  });

  type ImportQuery = { format?: GraphFormat; name?: string; directed?: boolean; parallelTies?: 'merge' | 'count' };

  /**
   * Parse off the event loop (a worker thread with a capped heap, src/io/parse-off-thread.ts) whenever the
   * work could be long: any upload of unknown length or declaring more than INLINE_BYTES (XML: INLINE_XML_BYTES,
   * as a DOM costs far more per byte). Small uploads parse in-thread, which saves the worker's start-up.
   */
  const parse = (req: FastifyRequest, input: ByteInput, opts: ParseOptions) => {
    const declared = Number(req.headers['content-length']);
    const xml = opts.format === 'gexf' || opts.format === 'graphml';
    const small = Number.isFinite(declared) && declared <= (xml ? INLINE_XML_BYTES : INLINE_BYTES);
    if (small) return parseGraph(input, opts);
    return parseOffThread(input, { ...opts, maxHeapMb: config.importHeapMb });
  };
  type Parsed = { data: GraphData; report: ImportReport };

  async function parseUpload(req: FastifyRequest, reply: FastifyReply, query: ImportQuery, name: string): Promise<Parsed> {
    const abort = new AbortController();
    const onClose = () => {
      if (!reply.raw.writableFinished) abort.abort();
    };
    reply.raw.once('close', onClose);
    try {
      if (req.isMultipart()) return await parseMultipart(req, query, name, abort.signal);
      const format = uploadFormat(query, req.headers['content-type']);
      const body = (req.body ?? req.raw) as NodeJS.ReadableStream;
      return await parse(req, limitedBody(body, config.uploadLimit), {
        format,
        name,
        directed: query.directed,
        parallelTies: query.parallelTies,
        source: query.name ?? 'upload',
        maxBytes: config.uploadLimit * DECOMPRESSED_FACTOR,
        maxRatio: config.maxGzipRatio,
        maxXmlElements: config.maxXmlElements,
        maxXmlDepth: config.maxXmlDepth,
        signal: abort.signal,
      });
    } finally {
      reply.raw.off('close', onClose);
    }
  }

  /**
   * multipart/form-data: parts `ties` (required) and `customers` (optional, csv only), either order. The CSV
   * parser reads the customers file whole before the ties, so:
   * - customers first: it is buffered (it counts against the upload limit, so memory stays bounded) and the
   *   ties part is then streamed straight into the parser;
   * - ties first with a non-csv format: streamed straight into the parser (no customers part may follow);
   * - ties first with csv: spooled to a temp file under os.tmpdir() (removed in a finally, or at the next
   *   start-up if the process died meanwhile: cleanSpool) until we know
   *   whether a customers part follows; then the customers part is streamed into the parser and the ties are
   *   read back from the file.
   * Any further part (a second ties, another name, a field) is a 400; nothing is stored on any failure
   * since the caller stores only what this returns.
   */
  async function parseMultipart(req: FastifyRequest, query: ImportQuery, name: string, signal: AbortSignal): Promise<Parsed> {
    checkDeclaredLength(req, config.uploadLimit);
    const limit = config.uploadLimit;
    const counter: ByteCounter = { seen: 0 };
    const base = { name, directed: query.directed, parallelTies: query.parallelTies, maxBytes: limit * DECOMPRESSED_FACTOR, maxRatio: config.maxGzipRatio, maxXmlElements: config.maxXmlElements, maxXmlDepth: config.maxXmlDepth, signal };
    let customers: { bytes: Uint8Array; source: string } | undefined;
    let spooled: { dir: string; path: string; source: string; format: GraphFormat } | undefined;
    let result: Parsed | undefined;
    let tiesFormat: GraphFormat | undefined;
    const seen = new Set<'ties' | 'customers'>();
    const declaredFormat = query.format ?? (query.name ? detectFormat(query.name) : undefined);
    const formatOf = (part: MultipartFile): GraphFormat =>
      declaredFormat ?? detectFormat(part.filename ?? '') ?? uploadFormat(query, part.mimetype);
    const noCustomersUnlessCsv = (format: GraphFormat, source: string) => {
      if (format !== 'csv') throw new InputError(`${source}: a customers part is only read with the csv format (format is ${format})`);
    };
    try {
      for await (const part of req.parts()) {
        if (part.type !== 'file' || !MULTIPART_PARTS.includes(part.fieldname)) {
          throw new InputError(`unexpected multipart part ${JSON.stringify(part.fieldname)}: only the file parts ties and customers are read`);
        }
        const fieldname = part.fieldname as 'ties' | 'customers';
        if (seen.has(fieldname)) throw new InputError(`multipart part ${fieldname} given twice`);
        seen.add(fieldname);
        const partSource = part.filename || part.fieldname;
        if (fieldname === 'customers') {
          const known = tiesFormat ?? declaredFormat;
          if (known) noCustomersUnlessCsv(known, partSource);
          if (spooled) {
            result = await parse(req, createReadStream(spooled.path), {
              ...base, format: 'csv', source: spooled.source,
              customers: limitedBody(part.file, limit, counter), customersSource: partSource,
            });
            await drain(part);
          } else {
            customers = { bytes: await collect(limitedBody(part.file, limit, counter)), source: partSource };
          }
          continue;
        }
        // ties
        const format = formatOf(part);
        tiesFormat = format;
        const source = query.name ?? partSource;
        if (customers) noCustomersUnlessCsv(format, customers.source);
        if (customers || format !== 'csv') {
          result = await parse(req, limitedBody(part.file, limit, counter), {
            ...base, format, source,
            ...(customers ? { customers: customers.bytes, customersSource: customers.source } : {}),
          });
          await drain(part);
        } else {
          const dir = await makeSpoolDir();
          spooled = { dir, path: join(dir, 'ties'), source, format };
          await pipeline(Readable.from(limitedBody(part.file, limit, counter)), createWriteStream(spooled.path));
        }
      }
      if (spooled && !result) {
        result = await parse(req, createReadStream(spooled.path), { ...base, format: spooled.format, source: spooled.source });
      }
      if (!result) throw new InputError('multipart upload without a ties part: send the graph file as the part ties');
      return result;
    } catch (err) {
      // Busboy's errors for a malformed body are plain Errors ("Unexpected end of multipart data", "Multipart:
      // Boundary not found", "Part terminated early ..."): the client's fault, so a 400 rather than a 500.
      if (err instanceof Error && !(err instanceof AppError) && !('statusCode' in err) && /multipart/i.test(err.message)) {
        throw new InputError(`malformed multipart body: ${err.message}`);
      }
      throw err;
    } finally {
      if (spooled) await rm(spooled.dir, { recursive: true, force: true });
    }
  }

  app.post('/graphs/import', {
    bodyLimit: config.uploadLimit,
    schema: {
      operationId: 'importGraph',
      tags: ['graphs'],
      summary: 'Create a graph from a raw or multipart upload (any format, streamed)',
      description: uploadDescription,
      querystring: importQuerySchema.omit({ ifVersion: true }),
      consumes: [...UPLOAD_CONSUMES, 'multipart/form-data'],
      body: importBodySchema,
      response: { 201: { ...json(importResultSchema, 'Created: the stored graph and its import report.'), headers: { Location: { type: 'string', description: 'The new graph: `/graphs/{id}`.' } } }, ...problems([413, 415, 507]) },
    },
  }, async (req, reply) => {
    const { data, report } = await parseUpload(req, reply, req.query, req.query.name ?? '');
    if (data.name === '') data.name = 'upload';
    if (req.query.stepDuration !== undefined) data.stepDuration = normaliseDuration(req.query.stepDuration);
    const summary = await store.create(data);
    reply.code(201).header('location', `/graphs/${encodeURIComponent(summary.id)}`);
    return { ...summary, report };
  });

  app.put('/graphs/:id/import', {
    bodyLimit: config.uploadLimit,
    schema: {
      operationId: 'replaceGraphImport',
      tags: ['graphs'],
      summary: 'Replace a graph with a raw or multipart upload (a new version, atomically)',
      description: `${uploadDescription} Without ?name= the graph keeps its name.`,
      params: graphParams,
      querystring: importQuerySchema,
      consumes: [...UPLOAD_CONSUMES, 'multipart/form-data'],
      body: importBodySchema,
      response: { 200: json(importResultSchema, 'Replaced: the new version and its import report.'), ...problems([404, 409, 413, 415, 507]) },
    },
  }, async (req, reply) => {
    const before = await store.get(req.params.id); // 404 before reading the upload
    const { data, report } = await parseUpload(req, reply, req.query, req.query.name ?? before.name);
    if (req.query.stepDuration !== undefined) data.stepDuration = normaliseDuration(req.query.stepDuration);
    const summary = await store.replace(req.params.id, data, { ifVersion: req.query.ifVersion });
    cache.invalidate(req.params.id);
    return { ...summary, report };
  });
};

export default importRoutes;
