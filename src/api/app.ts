import { randomUUID } from 'node:crypto';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions, type RouteOptions } from 'fastify';
import { z } from 'zod';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from '../config.js';
import { MAX_ID_LENGTH } from '../graph/model.js';
import { CentralityEngines } from '../services/centrality-engines.js';
import { CompiledCache } from '../store/compiled-cache.js';
import { createStore } from '../store/index.js';
import { WorkerPool } from '../workers/pool.js';
import { JobManager } from '../jobs/index.js';
import { EmbeddedJobs, type JobService } from '../jobs/service.js';
import type { GraphStore } from '../store/types.js';
import { hardeningPlugin } from './hardening.js';
import { slicedPreSerialization, slicingSerializerCompiler } from './serialize.js';
import { swaggerOptions } from './openapi.js';
import { clientErrorHandler, httpServerOptions } from './slow-clients.js';
import { rewriteFormatCsv, tablesPlugin } from './tables.js';
import { errorHandler, notFoundHandler, trackRoutes } from './problem.js';
import centralityRoutes from './routes/centrality.js';
import { CentralityCache } from '../services/centrality.js';
import browseRoutes from './routes/browse.js';
import customerRoutes from './routes/customers.js';
import { pagePlugin } from './page.js';
import { csvPlugin } from './csv.js';
import scenarioRoutes from './routes/scenarios.js';
import influencerRoutes from './routes/influencers.js';
import jobRoutes from './routes/jobs.js';
import simulationRoutes from './routes/simulations.js';
import valueRoutes from './routes/value.js';
import graphRoutes from './routes/graphs.js';
import healthRoutes from './routes/health.js';
import importRoutes from './routes/import.js';
import fromNeo4jRoutes from './routes/from-neo4j.js';
import { neo4jImportService, type Neo4jImportService } from '../services/neo4j-import.js';
import infoRoutes from './routes/info.js';

/** What routes need, injected (tests pass a FileStore on a temp dir). */
export interface AppDeps {
  store?: GraphStore;
  cache?: CompiledCache;
  /** A pino logger (server.ts), or false/undefined for none. */
  logger?: FastifyBaseLogger | false;
  /** Worker threads for engine work; default: a pool of config.workers made (and closed) by the app. `null`: run in-thread. */
  pool?: WorkerPool | null;
  /**
   * The job queue (long work -> 202); default: one made (and closed) by the app — in this process, or in Redis
   * when config.redis.url is set (RIPPLE_REDIS_URL). A JobManager is used in-process.
   */
  jobs?: JobManager | JobService;
}

/** Passed to every route plugin. */
export interface RouteContext {
  config: Readonly<Config>;
  store: GraphStore;
  cache: CompiledCache;
  /** Engine work runs here (undefined: in the request's thread). */
  pool?: WorkerPool;
  jobs: JobService;
  /** Centrality results per (graph, version, metric, options): also shown on GET /graphs/:id/customers/:customerId. */
  centrality: CentralityCache;
  /** Where a centrality metric runs (CENTRALITY_ENGINE): locally, or in Neo4j with GDS. */
  centralityEngines: CentralityEngines;
  /** Bring your own graph: snapshots of a data team's Neo4j graph (POST /graphs/from-neo4j). */
  neo4jImport: Neo4jImportService;
}

declare module 'fastify' {
  interface FastifyInstance {
    ripple: RouteContext;
  }
}

export type App = FastifyInstance;

/**
 * Every API route's query string is a strict object: a parameter it does not declare is a 400 naming it
 * (`query.tpo: unknown parameter`), like an unknown body field, instead of being silently ignored. Routes
 * without a query schema accept none. Swagger UI's files, the OpenAPI document and the CORS preflight route
 * are left alone.
 */
function strictQuery(route: RouteOptions): void {
  if (route.url.startsWith('/docs') || route.url === '/openapi.json' || route.url === '*' || route.method === 'OPTIONS') return;
  const schema = (route.schema ??= {}) as { querystring?: unknown; hide?: boolean };
  if (schema.hide) return;
  const q = schema.querystring;
  if (q === undefined) schema.querystring = z.strictObject({});
  else if (q instanceof z.ZodObject) schema.querystring = q.strict();
}

function isContentTypeError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('FST_ERR_CTP_') || code === 'FST_ERR_ROUTE_MISSING_CONTENT_TYPE');
}

/**
 * The Ripple HTTP API as a Fastify instance (not listening): `inject()` into it in tests, `listen()` in
 * server.ts. A store or cache that buildApp creates itself is closed by `app.close()`; injected ones belong to
 * the caller.
 */
export async function buildApp(config: Readonly<Config>, deps: AppDeps = {}): Promise<FastifyInstance> {
  const opts: FastifyServerOptions = {
    ...httpServerOptions(config), // headers, request and keep-alive timeouts (src/api/slow-clients.ts)
    clientErrorHandler, // 408/414/431/400 before a request exists: problem+json
    bodyLimit: config.bodyLimit,
    genReqId: () => randomUUID(),
    // A JSON body with a "__proto__" or "constructor" key is refused (ids as *values* are fine).
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    // Customer ids may be up to MAX_ID_LENGTH characters, percent-encoded in the path (up to 3 bytes each... x4 for
    // 4-byte UTF-8). Node's own header size limit (16 kB by default) still caps what a socket accepts.
    routerOptions: { maxParamLength: MAX_ID_LENGTH * 4 },
    // Router-level errors (bad URL encoding, over-long params) answer problem+json like everything else.
    frameworkErrors: (err, req, reply) => errorHandler(err, req, reply),
    // `?format=csv` = `Accept: text/csv` (src/api/tables.ts), decided before routing.
    rewriteUrl: rewriteFormatCsv,
  };
  const app = Fastify({ ...opts, loggerInstance: deps.logger || undefined, logger: deps.logger ? undefined : false }).withTypeProvider<ZodTypeProvider>();

  const ownStore = deps.store === undefined;
  const store = deps.store ?? (await createStore({ store: config.store, dataDir: config.dataDir, neo4j: config.neo4j, neo4jOptions: config.neo4jOptions, logger: deps.logger || undefined }));
  const cache = deps.cache ?? new CompiledCache({ store });
  const pool = deps.pool === undefined ? new WorkerPool({ workers: config.workers }) : (deps.pool ?? undefined);
  const jobs = deps.jobs instanceof JobManager ? new EmbeddedJobs(deps.jobs) : (deps.jobs ?? (await createJobService(config, app.log)));
  const ctx: RouteContext = {
    config, store, cache, pool, jobs, centrality: new CentralityCache(), centralityEngines: new CentralityEngines(config.centralityEngine, store),
    neo4jImport: neo4jImportService({ store, config }),
  };
  app.decorate('ripple', ctx);
  if (ownStore) app.addHook('onClose', async () => store.close());
  app.addHook('onClose', async () => ctx.neo4jImport.close()); // its drivers to the source servers, if any
  // Own jobs are cancelled before the server drains (their event streams end), own workers stopped last.
  if (deps.jobs === undefined) app.addHook('preClose', async () => jobs.close());
  if (deps.pool === undefined && pool) app.addHook('onClose', async () => pool.close());

  app.setValidatorCompiler(validatorCompiler);
  app.addHook('onRoute', strictQuery); // unknown query parameters are a 400, like unknown body fields
  // zod encode + JSON.stringify of the answers; a large one in slices that yield to the event loop (src/api/serialize.ts).
  app.setSerializerCompiler(slicingSerializerCompiler);
  app.addHook('preSerialization', slicedPreSerialization);
  const allowedMethods = trackRoutes(app);
  const notFound = notFoundHandler(allowedMethods);
  // A body method (QUERY, say) on no route fails Fastify's content-type checks before the not-found handler runs: it
  // is still "no such method here" (405 with Allow) or "no such resource" (404), not a 400 about its body.
  app.setErrorHandler((err: Error, req, reply) => (req.is404 && isContentTypeError(err) ? notFound(req, reply) : errorHandler(err, req, reply)));
  app.setNotFoundHandler(notFound);
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  await app.register(hardeningPlugin, { config }); // helmet, CORS, API keys, load shedding, rate limit: before every route
  await app.register(tablesPlugin); // Accept: text/csv on rankings, value and influencers (and their finished jobs); before csvPlugin

  await app.register(fastifySwagger, swaggerOptions(config)); // src/api/openapi.ts: components, problems, headers
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(csvPlugin); // Accept: text/csv on reports and results
  await app.register(healthRoutes, ctx);
  await app.register(graphRoutes, ctx);
  await app.register(importRoutes, ctx);
  await app.register(fromNeo4jRoutes, ctx);
  await app.register(customerRoutes, ctx);
  await app.register(browseRoutes, ctx);
  await app.register(scenarioRoutes, ctx);
  await app.register(simulationRoutes, ctx);
  await app.register(centralityRoutes, ctx);
  await app.register(influencerRoutes, ctx);
  await app.register(valueRoutes, ctx);
  await app.register(jobRoutes, ctx);
  await app.register(infoRoutes, ctx);
  await app.register(pagePlugin);
  return app;
}

/**
 * The app's own job service: in-process (the default), or BullMQ on Redis when RIPPLE_REDIS_URL is set. The Redis
 * one is loaded on demand, so the embedded mode does not even load BullMQ.
 */
export async function createJobService(config: Readonly<Config>, log: FastifyBaseLogger): Promise<JobService> {
  if (config.redis.url) {
    const { RedisJobs } = await import('../distributed/redis-jobs.js');
    const jobs = new RedisJobs({ url: config.redis.url, prefix: config.redis.prefix, ttlMs: config.jobs.ttlMs, maxQueued: config.jobs.maxQueued, chunks: config.redis.chunks, log });
    // Start serving either way: without Redis the job routes answer 503 and /ready says so until it is back.
    if (!(await jobs.connected(3000))) log.warn('Redis (RIPPLE_REDIS_URL) is not reachable yet: job routes answer 503 until it is');
    return jobs;
  }
  return new EmbeddedJobs(new JobManager({
    ttlMs: config.jobs.ttlMs, maxQueued: config.jobs.maxQueued, maxResultBytes: config.memory.jobResultsBytes, onInternalError: (job, err) => log.error({ err, jobId: job.id }, 'job failed'),
  }));
}
