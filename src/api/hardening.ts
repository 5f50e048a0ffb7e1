import type { Socket } from 'node:net';
import { createHash } from 'node:crypto';
import fastifyCors from '@fastify/cors';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyUnderPressure, { type FastifyUnderPressureOptions as UnderPressureOptions } from '@fastify/under-pressure';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import { apiKeyHook, AuthFailures, presentedKey } from './auth.js';
import { problem, sendProblem } from './problem.js';
import { BodyRateWatch, hasBody, lingerAfterAnswer } from './slow-clients.js';

/**
 * The API's hard edges, as one plugin registered before the routes (its hooks reach every route):
 *
 * - security headers (@fastify/helmet) with a CSP that still lets `/docs` (Swagger UI) run: scripts from
 *   'self' only, inline styles and data: images allowed (Swagger UI uses both), no upgrade-insecure-requests
 *   (the server speaks plain HTTP behind a proxy or on a LAN);
 * - CORS for dashboards (@fastify/cors) from RIPPLE_CORS_ORIGINS; unset = no CORS headers at all;
 * - API keys (RIPPLE_API_KEYS, src/api/auth.ts), checked after CORS so that errors carry CORS headers;
 * - load shedding: @fastify/under-pressure (event-loop delay and utilisation, heap, RSS) plus a cap on
 *   requests in flight, both answering 503 problem+json with Retry-After; `/health` is never shed;
 * - a rate limit per API key (per client IP without keys), RIPPLE_RATE_LIMIT requests per minute: 429
 *   problem+json with Retry-After; `/health` is not counted.
 */
export interface HardeningOptions {
  config: Readonly<Config>;
}

/** Never shed, never rate limited: liveness must stay fast and truthful under load. */
const EXEMPT = new Set(['/health']);

const pathOf = (req: FastifyRequest) => {
  const q = req.url.indexOf('?');
  return q < 0 ? req.url : req.url.slice(0, q);
};

/** The caller's API key (as given, whether valid or not: auth runs before the limit), or undefined. */
const apiKeyOf = presentedKey;

/**
 * Rate-limit bucket: a digest of the API key (keys never sit in memory as map keys in clear), else the IP.
 * The key counts only when keys are configured (`useKey`): the auth hook has then checked it. Without
 * RIPPLE_API_KEYS any header value would be accepted, and a fresh one per request would escape the limit.
 */
export function rateLimitKey(req: FastifyRequest, useKey = true): string {
  const key = useKey ? apiKeyOf(req) : undefined;
  return key !== undefined && key.length > 0 ? 'key:' + createHash('sha256').update(key).digest('hex').slice(0, 32) : 'ip:' + req.ip;
}

/** Thrown by the rate limiter; the problem handler turns it into 429 problem+json (Retry-After is already set). */
export class RateLimitedError extends AppError {
  constructor(message: string) {
    super(message, { statusCode: 429, code: 'rate-limited' });
  }
}

async function hardening(app: FastifyInstance, { config }: HardeningOptions): Promise<void> {
  await app.register(fastifyHelmet, {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    // Dashboards on other origins read the API with CORS; CORP same-origin would block their no-cors loads only.
    crossOriginResourcePolicy: { policy: config.corsOrigins.length > 0 ? 'cross-origin' : 'same-origin' },
  });

  if (config.corsOrigins.length > 0) {
    const any = config.corsOrigins.includes('*');
    await app.register(fastifyCors, {
      origin: any ? '*' : [...config.corsOrigins],
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['content-type', 'content-encoding', 'authorization', 'x-api-key', 'last-event-id'],
      exposedHeaders: ['x-request-id', 'location', 'retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'],
      maxAge: 600,
    });
  }

  // Authentication after CORS (its onRequest hook runs first, so a 401 or 429 still carries the CORS headers a
  // browser needs to read it; preflights pass) and before load shedding and the rate limit (which trusts the key).
  if (config.apiKeys.length > 0) app.addHook('onRequest', apiKeyHook(config.apiKeys, new AuthFailures(config.authFailLimit)));

  // Graceful shutdown: answers still in flight when close() starts tell the client to drop the connection, so
  // the server does not wait out keep-alive timeouts before it can stop.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // An answer sent before the request body has arrived (an early 413, 415, 400, 401, 503): the connection is not
  // closed under the client's feet (its further data would be answered with a reset that can erase our answer);
  // the rest of the body is read and discarded within RIPPLE_LINGER_TIMEOUT and RIPPLE_LINGER_BYTES instead.
  const linger = { timeoutMs: config.slowClients.lingerTimeout, maxBytes: config.slowClients.lingerBytes };
  app.addHook('onSend', async (req, reply) => {
    if (closing) {
      reply.header('connection', 'close');
      return;
    }
    if (req.raw.complete === false && hasBody(req)) {
      reply.removeHeader('connection'); // set by Fastify on a body parser error: Node would then close at once
      reply.raw.once('finish', () => lingerAfterAnswer(req.raw, linger));
    }
  });

  const { pressure } = config;
  const retryAfter = pressure.retryAfterSeconds;
  const shed = (req: FastifyRequest, reply: FastifyReply, why: string) => {
    reply.header('retry-after', String(retryAfter));
    req.log.warn({ reason: why }, 'load shed');
    return problem(req, 503, `the server is overloaded (${why}); retry in ${retryAfter} s`, { code: 'overloaded' });
  };

  // Requests receiving a body are watched for a minimum rate whatever the load-shedding settings (src/api/slow-clients.ts).
  const { maxReceiving, bodyTimeout, bodyMinRate } = config.slowClients;
  const watch = new BodyRateWatch(bodyTimeout, bodyMinRate);
  app.addHook('onClose', async () => watch.close());
  // Requests being served right now (decremented when the response closes, sent or aborted). A request with a body
  // counts as "receiving" until its body has arrived (cap RIPPLE_MAX_RECEIVING), then as in flight: a slow upload
  // holds no slot of RIPPLE_MAX_IN_FLIGHT, and is cut by the body rate watch.
  let inFlight = 0;
  let receiving = 0;
  const capInFlight = pressure.enabled && pressure.maxInFlight > 0;
  const capReceiving = pressure.enabled && maxReceiving > 0;
  app.addHook('onRequest', async (req, reply) => {
    if (EXEMPT.has(pathOf(req))) return undefined;
    const body = hasBody(req);
    if (capInFlight && inFlight >= pressure.maxInFlight) return sendProblem(reply, shed(req, reply, `${inFlight} requests in flight, the limit is ${pressure.maxInFlight}`));
    if (body && capReceiving && receiving >= maxReceiving && !watch.evictSlowest()) {
      return sendProblem(reply, shed(req, reply, `${receiving} requests receiving a body, the limit is ${maxReceiving} (RIPPLE_MAX_RECEIVING)`));
    }
    let state: 'receiving' | 'in-flight' | 'done' = body ? 'receiving' : 'in-flight';
    if (body) receiving++;
    else inFlight++;
    const socket = req.raw.socket as Socket | null;
    // The request is over for the counts as soon as the server knows: the body rate watch cut it, the client's socket
    // ended or closed, or the response closed — whichever comes first (once).
    const release = () => {
      if (state === 'done') return;
      unwatch();
      req.raw.off('end', bodyDone);
      socket?.off('end', release);
      socket?.off('close', release);
      if (state === 'receiving') receiving--;
      else inFlight--;
      state = 'done';
    };
    const unwatch = body ? watch.add(req, release) : () => {};
    const bodyDone = () => {
      unwatch();
      socket?.off('end', release);
      if (state !== 'receiving') return;
      receiving--;
      inFlight++;
      state = 'in-flight';
    };
    if (body) {
      req.raw.once('end', bodyDone);
      // A client that half-closes or drops mid-body is no longer receiving (socket events; an injected request has none).
      if (socket && typeof socket.once === 'function') {
        socket.once('end', release);
        socket.once('close', release);
      }
    }
    reply.raw.once('close', release);
    return undefined;
  });
  app.decorate('inFlight', () => inFlight);
  app.decorate('receiving', () => receiving);

  if (pressure.enabled) {
    await app.register(fastifyUnderPressure, {
      maxEventLoopDelay: pressure.maxEventLoopDelay,
      maxEventLoopUtilization: pressure.maxEventLoopUtilization,
      eventLoopUtilizationMode: 'interval',
      maxHeapUsedBytes: pressure.maxHeapUsedBytes,
      maxRssBytes: pressure.maxRssBytes,
      sampleInterval: 250,
      retryAfter,
      // Returning a value makes under-pressure send it and stop the request there (its types say void).
      pressureHandler: ((req: FastifyRequest, reply: FastifyReply, type: string, value: number | undefined) => {
        if (EXEMPT.has(pathOf(req))) return undefined;
        // under-pressure reports Infinity when a 250 ms sample window held no delay reading (one stall longer than
        // the window, e.g. a synchronous compile): not evidence of sustained overload above the threshold.
        if (type === 'eventLoopDelay' && !Number.isFinite(value)) return undefined;
        const shown = typeof value === 'number' ? (type === 'eventLoopUtilization' ? value.toFixed(2) : String(Math.round(value))) : '';
        reply.code(503).type('application/problem+json; charset=utf-8');
        return shed(req, reply, `${type} ${shown}`.trim());
      }) as unknown as UnderPressureOptions['pressureHandler'],
    });
  }

  if (config.rateLimit > 0) {
    await app.register(fastifyRateLimit, {
      global: true,
      max: config.rateLimit,
      timeWindow: 60_000,
      keyGenerator: (req) => rateLimitKey(req, config.apiKeys.length > 0),
      allowList: (req) => EXEMPT.has(pathOf(req)),
      errorResponseBuilder: (_req, ctx) =>
        new RateLimitedError(`rate limit of ${ctx.max} requests per minute exceeded (RIPPLE_RATE_LIMIT); retry in ${Math.max(1, Math.ceil(ctx.ttl / 1000))} s`),
    });
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Requests in flight, their body received (RIPPLE_MAX_IN_FLIGHT counts these). */
    inFlight?: () => number;
    /** Requests still receiving their body (RIPPLE_MAX_RECEIVING counts these). */
    receiving?: () => number;
  }
}

/** Register with `await app.register(hardeningPlugin, { config })` before the routes. */
export const hardeningPlugin = fp(hardening, { name: 'ripple-hardening', fastify: '5.x' });
export default hardeningPlugin;
