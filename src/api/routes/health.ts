import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteContext } from '../app.js';
import { problem, sendProblem } from '../problem.js';
import { json, problems } from '../openapi.js';

const healthRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, ctx) => {
  app.get('/health', {
    schema: {
      operationId: 'getHealth',
      tags: ['health'],
      summary: 'Liveness: the process answers',
      description: 'Never shed, never rate limited, open without a key: for load balancers and orchestrators.',
      security: [], // open even with RIPPLE_API_KEYS set
      response: { 200: json(z.object({ status: z.literal('ok') }).meta({ examples: [{ status: 'ok' }] }), 'The process is alive.'), ...problems([], { open: true }) },
    },
  }, async () => ({ status: 'ok' as const }));

  app.get('/ready', {
    schema: {
      operationId: 'getReady',
      tags: ['health'],
      summary: 'Readiness: the graph store can serve, and so can the job store (Redis) when jobs are shared',
      description: '503 (with Retry-After when Redis is away) until the graph store, and the job store when RIPPLE_REDIS_URL is set, answer. Open without a key.',
      security: [],
      response: { 200: json(z.object({ status: z.literal('ready'), store: z.string() }).meta({ examples: [{ status: 'ready', store: 'file' }] }), 'Ready to serve: the graph store (and Redis, when jobs are shared) answers.'), ...problems([429, 503], { open: true }) },
    },
  }, async (req, reply) => {
    let ready = false;
    try {
      ready = await ctx.store.ready();
    } catch (err) {
      req.log.warn({ err }, 'store readiness check failed');
    }
    if (!ready) {
      reply.header('retry-after', String(ctx.config.pressure.retryAfterSeconds));
      return sendProblem(reply, problem(req, 503, `the ${ctx.store.kind} store is not ready`));
    }
    let jobsReady = false;
    try {
      jobsReady = await ctx.jobs.ready();
    } catch (err) {
      req.log.warn({ err }, 'job store readiness check failed');
    }
    if (!jobsReady) {
      reply.header('retry-after', '5');
      return sendProblem(reply, problem(req, 503, 'the job store (Redis) is not reachable'));
    }
    return { status: 'ready' as const, store: ctx.store.kind };
  });
};

export default healthRoutes;
