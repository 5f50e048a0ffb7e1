import { mkdtemp, readdir, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { InputError, PayloadTooLargeError } from '../errors.js';
import { GRAPH_FORMATS, type GraphFormat } from '../graph/model.js';
import { detectFormat } from '../graph/parse.js';
import { pidAlive } from '../store/file-lock.js';

/**
 * Raw uploads (`POST /graphs/import`, `PUT /graphs/:id/import`): the request stream is handed to the parser
 * as it arrives, never buffered whole. Bytes are counted as they pass; past the upload limit the parser gets a
 * PayloadTooLargeError (413) and the rest of the request is discarded by Node when the response is sent.
 */

/** Content types accepted for raw uploads; anything else is a 415. */
export const UPLOAD_CONTENT_TYPES = ['application/octet-stream', 'application/gzip', 'application/x-gzip', 'application/json', 'application/xml'];
/** Plus `application/*+xml` (GEXF, GraphML) and any `text/*` (edge lists, CSV). */
export const UPLOAD_CONTENT_PATTERNS = [/^application\/[\w.+-]*\+xml$/, /^text\/[\w.+-]+$/];

/** Register pass-through parsers for the upload content types (call inside the import routes' plugin). */
export function registerRawParsers(app: FastifyInstance, uploadLimit: number): void {
  app.removeContentTypeParser('application/json');
  app.removeContentTypeParser('text/plain');
  const passThrough = (req: FastifyRequest, payload: IncomingMessage, done: (err: Error | null, body?: unknown) => void) => {
    try {
      checkDeclaredLength(req, uploadLimit);
    } catch (err) {
      done(err as Error);
      return;
    }
    done(null, payload);
  };
  app.addContentTypeParser(UPLOAD_CONTENT_TYPES, passThrough);
  for (const re of UPLOAD_CONTENT_PATTERNS) app.addContentTypeParser(re, passThrough);
}

/** 413 at once when the request declares (content-length) more than `uploadLimit` bytes. */
export function checkDeclaredLength(req: FastifyRequest, uploadLimit: number): void {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > uploadLimit) {
    throw new PayloadTooLargeError(`upload is ${declared} bytes; the limit is ${uploadLimit} bytes (RIPPLE_UPLOAD_LIMIT)`);
  }
}

/** Bytes counted so far in one request: share one between the parts of a multipart upload. */
export interface ByteCounter {
  seen: number;
}

/**
 * The upload as an async iterable of chunks that fails with 413 past `limit` bytes (counted in `counter`, so
 * several parts of one request can share the limit). Stopping early does not
 * destroy the socket (so the 413 can still be sent).
 */
export async function* limitedBody(
  stream: AsyncIterable<Uint8Array> | NodeJS.ReadableStream,
  limit: number,
  counter: ByteCounter = { seen: 0 },
): AsyncGenerator<Uint8Array> {
  const readable = stream as IncomingMessage;
  const iterable: AsyncIterable<Uint8Array> =
    typeof readable.iterator === 'function' ? readable.iterator({ destroyOnReturn: false }) : (stream as AsyncIterable<Uint8Array>);
  for await (const chunk of iterable) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    counter.seen += bytes.byteLength;
    if (counter.seen > limit) throw new PayloadTooLargeError(`upload is larger than the limit of ${limit} bytes (RIPPLE_UPLOAD_LIMIT)`);
    yield bytes;
  }
}

const FORMAT_BY_TYPE = new Map<string, GraphFormat>([
  ['text/csv', 'csv'],
  ['application/csv', 'csv'],
  ['application/json', 'json'],
  ['application/gexf+xml', 'gexf'],
  ['application/graphml+xml', 'graphml'],
  ['text/tab-separated-values', 'edgelist'],
]);

/** The format: `?format=`, else the name's extension, else the content type; otherwise a 400 listing formats. */
export function uploadFormat(query: { format?: GraphFormat; name?: string }, contentType: string | undefined): GraphFormat {
  if (query.format) return query.format;
  const byName = query.name ? detectFormat(query.name) : undefined;
  if (byName) return byName;
  const byType = FORMAT_BY_TYPE.get((contentType ?? '').split(';')[0].trim().toLowerCase());
  if (byType) return byType;
  throw new InputError(`format is required: give ?format= (one of ${GRAPH_FORMATS.join(', ')}), a name with a known extension, or a specific content type`);
}

/** Spool directories of uploads: `ripple-spool-<pid>-XXXXXX` under the OS temp directory. */
const SPOOL_PREFIX = 'ripple-spool-';

/** A fresh spool directory for this process (removed by the caller in a finally; by start-up after a crash). */
export function makeSpoolDir(dir = tmpdir()): Promise<string> {
  return mkdtemp(join(dir, `${SPOOL_PREFIX}${process.pid}-`));
}

/**
 * Remove spool directories left by processes that died mid-upload (a kill, an OOM). Directories of live
 * processes — another server on this machine — are left alone. Returns the names removed.
 */
export async function cleanSpool(dir = tmpdir()): Promise<string[]> {
  const removed: string[] = [];
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!name.startsWith(SPOOL_PREFIX)) continue;
    const pid = Number(name.slice(SPOOL_PREFIX.length).split('-')[0]);
    if (pid === process.pid || pidAlive(pid)) continue;
    await rm(join(dir, name), { recursive: true, force: true }).catch(() => undefined);
    removed.push(name);
  }
  return removed;
}
