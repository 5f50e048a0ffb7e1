import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteContext } from '../app.js';
import { problem, sendProblem } from '../problem.js';
import { errorResponses } from '../schemas.js';

const healthRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, ctx) => {
  app.get('/health', {
    schema: {
      operationId: 'getHealth',
      tags: ['health'],
      summary: 'Liveness: the process answers',
      security: [], // open even with RIPPLE_API_KEYS set
      response: { 200: z.object({ status: z.literal('ok') }).meta({ examples: [{ status: 'ok' }] }), ...errorResponses },
    },
  }, async () => ({ status: 'ok' as const }));

  app.get('/ready', {
    schema: {
      operationId: 'getReady',
      tags: ['health'],
      summary: 'Readiness: the graph store can serve, and so can the job store (Redis) when jobs are shared',
      security: [],
      response: { 200: z.object({ status: z.literal('ready'), store: z.string() }).meta({ examples: [{ status: 'ready', store: 'file' }] }), ...errorResponses },
    },
  }, async (req, reply) => {
    let ready = false;
    try {
      ready = await ctx.store.ready();
    } catch (err) {
      req.log.warn({ err }, 'store readiness check failed');
    }
    if (!ready) return sendProblem(reply, problem(req, 503, `the ${ctx.store.kind} store is not ready`));
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
