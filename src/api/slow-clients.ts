import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.js';

/**
 * Slow clients (a socket trickling its headers or its body) must not hold the server's capacity:
 *
 * - headers: Node's `headersTimeout` (RIPPLE_HEADERS_TIMEOUT) — a request line and headers not received in time
 *   are answered 408 and the socket closed; the whole request, body included, within `requestTimeout`
 *   (RIPPLE_REQUEST_TIMEOUT). Node checks both every `connectionsCheckingInterval`, set here to at most 1 s;
 * - bodies: while a request is still receiving its body it does not count against RIPPLE_MAX_IN_FLIGHT but
 *   against its own cap, RIPPLE_MAX_RECEIVING (503 past it), and must keep arriving at RIPPLE_BODY_MIN_RATE
 *   bytes per second averaged over every RIPPLE_BODY_TIMEOUT window, else it is answered 408 and its socket
 *   closed (like Apache's mod_reqtimeout `minrate`): a trickle is cut after one window. When the receiving cap
 *   is full, the slowest body below the minimum rate is cut at once to make room for the newcomer, so trickles
 *   cannot keep other clients' bodies out either;
 * - every framework-level client error (header overflow, a request line too long, a malformed request) answers
 *   problem+json instead of Fastify's plain JSON;
 * - an answer sent before its request body has arrived (a 413 at the gzip ratio or the upload limit, a 415, a 400 on
 *   a bad gzip header, a 401) is followed by a bounded read-and-discard of the rest of the body (lingerAfterAnswer),
 *   not by closing the connection under the client's feet.
 */

/** Options for Node's http server (Fastify's `http` option, plus its own requestTimeout/keepAliveTimeout). */
export function httpServerOptions(config: Readonly<Config>) {
  const { headersTimeout, requestTimeout, keepAliveTimeout } = config.slowClients;
  const headers = requestTimeout > 0 ? Math.min(headersTimeout, requestTimeout) : headersTimeout;
  return {
    http: { headersTimeout: headers, connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(headers / 2))) },
    requestTimeout,
    keepAliveTimeout,
  };
}

function rawProblem(status: number, detail: string, code: string, instance = '', requestId = ''): string {
  const body = JSON.stringify({ type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail, instance, requestId, code });
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}

/**
 * Fastify's `clientErrorHandler`: errors Node raises before a request exists (no request id yet) as
 * problem+json. A header block over Node's limit (16 kB) is 431, or 414 when the request line alone does not fit.
 */
export function clientErrorHandler(err: Error & { code?: string; rawPacket?: unknown }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  let out: string;
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    out = rawProblem(408, 'the request was not received in time (RIPPLE_HEADERS_TIMEOUT, RIPPLE_REQUEST_TIMEOUT)', 'request-timeout');
  } else if (err.code === 'HPE_HEADER_OVERFLOW') {
    const raw = Buffer.isBuffer(err.rawPacket) ? err.rawPacket : undefined;
    const lineEnd = raw ? raw.indexOf('\r\n') : -1;
    // Node's limit counts the request line with the headers; a request line past 8 kB is the URL's fault.
    out = lineEnd < 0 || lineEnd > 8192
      ? rawProblem(414, 'the request line (method and URL) is longer than the server accepts (16 kB with the headers)', 'uri-too-long')
      : rawProblem(431, 'the request headers are larger than the server accepts (16 kB)', 'header-fields-too-large');
  } else {
    out = rawProblem(400, `malformed HTTP request (${err.code ?? 'parse error'})`, 'bad-request');
  }
  if (socket.writable) socket.write(out);
  socket.destroy();
}

/** A request that declares a body (Content-Length > 0 or a Transfer-Encoding). */
export function hasBody(req: FastifyRequest): boolean {
  const te = req.headers['transfer-encoding'];
  if (te !== undefined && te !== '') return true;
  const cl = Number(req.headers['content-length']);
  return Number.isFinite(cl) && cl > 0;
}

interface Receiving {
  req: FastifyRequest;
  socket: Socket;
  windowStart: number;
  bytesAtStart: number;
  /** When the request started receiving, and the socket's bytes then (its lifetime rate). */
  since: number;
  bytesSince: number;
  /** Called when the watch cuts this request, before its socket is destroyed. */
  onCut?: () => void;
}

/** Age in ms before a body's lifetime rate is judged when the receiving cap is full. */
const EVICT_MIN_AGE_MS = 100;

/**
 * Watches requests that are receiving a body; one timer (unref'd) for all of them. A request whose body
 * arrived at less than `minRate` bytes/s over the last `windowMs` is answered 408 problem+json and its socket closed.
 */
export class BodyRateWatch {
  private readonly receiving = new Set<Receiving>();
  private timer: NodeJS.Timeout | undefined;
  cut = 0;

  constructor(
    private readonly windowMs: number,
    private readonly minRate: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get size(): number {
    return this.receiving.size;
  }

  /**
   * Start watching; returns the function that stops watching this request (idempotent). `onCut` runs when the watch
   * cuts it, before the socket is destroyed: the server's own counts drop then, not when the close event comes round.
   */
  add(req: FastifyRequest, onCut?: () => void): () => void {
    const socket = req.raw.socket as Socket | undefined;
    // Injected requests (tests) have no real socket to measure.
    if (this.minRate <= 0 || !socket || typeof socket.bytesRead !== 'number' || typeof socket.destroy !== 'function') return () => {};
    const t = this.now();
    const entry: Receiving = { req, socket, windowStart: t, bytesAtStart: socket.bytesRead, since: t, bytesSince: socket.bytesRead, onCut };
    this.receiving.add(entry);
    this.timer ??= setInterval(() => this.check(), Math.max(50, Math.min(1000, Math.floor(this.windowMs / 4)))).unref();
    return () => {
      this.receiving.delete(entry);
      if (this.receiving.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    };
  }

  /**
   * The receiving cap is full: cut the slowest body (lifetime rate below the minimum, at least 100 ms old) to
   * make room, so that trickles cannot keep honest clients out. False when every body arrives fast enough
   * (then the server is really busy, and the newcomer gets 503).
   */
  evictSlowest(): boolean {
    const t = this.now();
    let worst: Receiving | undefined;
    let worstRate = Infinity;
    for (const e of this.receiving) {
      const age = t - e.since;
      if (age < EVICT_MIN_AGE_MS) continue;
      const rate = ((e.socket.bytesRead - e.bytesSince) * 1000) / age;
      if (rate < this.minRate && rate < worstRate) {
        worst = e;
        worstRate = rate;
      }
    }
    if (!worst) return false;
    this.cutOne(worst, worstRate, t - worst.since, 'to make room for other clients');
    return true;
  }

  private cutOne(e: Receiving, rate: number, elapsed: number, why = ''): void {
    this.receiving.delete(e);
    this.cut++;
    e.onCut?.();
    const detail = `the request body arrived at ${Math.round(rate)} bytes/s over ${Math.round(elapsed)} ms; at least ${this.minRate} bytes/s are required (RIPPLE_BODY_MIN_RATE, RIPPLE_BODY_TIMEOUT)${why ? `; cut ${why}` : ''}`;
    e.req.log.warn({ rate: Math.round(rate) }, 'slow request body cut');
    if (e.socket.destroyed) return;
    const headersSent = (e.req.raw as unknown as { res?: { headersSent?: boolean } }).res?.headersSent;
    if (!headersSent && e.socket.writable) e.socket.write(rawProblem(408, detail, 'body-too-slow', e.req.url.split('?')[0], String(e.req.id)));
    e.socket.destroy();
  }

  private check(): void {
    const t = this.now();
    for (const e of this.receiving) {
      const elapsed = t - e.windowStart;
      if (elapsed < this.windowMs) continue;
      const got = e.socket.bytesRead - e.bytesAtStart;
      const rate = (got * 1000) / elapsed;
      if (rate >= this.minRate) {
        e.windowStart = t;
        e.bytesAtStart = e.socket.bytesRead;
        continue;
      }
      this.cutOne(e, rate, elapsed);
    }
    if (this.receiving.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.receiving.clear();
  }
}

/** After a lingering read hit its bound and the server half-closed: ms left for the client to close before a destroy. */
const LINGER_GRACE_MS = 2000;

/**
 * Called once an answer has been sent while its request body is still arriving (the request was refused early).
 * Closing the connection now would make the kernel answer the client's further data with a TCP reset, which can
 * erase the answer from the client's buffers before it reads it (RFC 9112 §9.6, "lingering close"): the client sees
 * ECONNRESET instead of the 413. So the rest of the body is read and discarded — never parsed, never
 * decompressed, so a gzip bomb stays bounded by what was sent — for at most `timeoutMs` and `maxBytes`. If the body
 * ends within them, the connection stays usable (keep-alive); past either bound the server half-closes (FIN after the
 * answer), keeps discarding for a short grace, then destroys the socket.
 */
export function lingerAfterAnswer(req: IncomingMessage, opts: { timeoutMs: number; maxBytes: number }): void {
  const socket = req.socket as Socket | null;
  // Injected requests (tests) have no real socket to linger on.
  if (req.complete || req.destroyed || !socket || socket.destroyed || typeof socket.end !== 'function') return;
  let bytes = 0;
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    req.off('data', onData);
  };
  const giveUp = () => {
    if (done) return;
    finish();
    if (socket.destroyed) return;
    // Keep reading (the stream stays flowing) so that the client's data in flight meets an open socket, not a reset.
    socket.end();
    const grace = setTimeout(() => socket.destroy(), LINGER_GRACE_MS).unref();
    socket.once('close', () => clearTimeout(grace));
  };
  const onData = (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > opts.maxBytes) giveUp();
  };
  const timer = setTimeout(giveUp, opts.timeoutMs).unref();
  req.once('end', finish);
  req.once('close', finish);
  req.once('error', finish);
  // Whatever still reads the body (a gunzip, a multipart parser that gave up) lets go of it first.
  req.unpipe();
  req.on('data', onData);
  req.resume();
}
