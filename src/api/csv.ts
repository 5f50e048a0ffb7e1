import negotiate from '@fastify/accept-negotiator';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasCsv, reportCsv } from '../scenarios/csv.js';
import { problem } from './problem.js';

/**
 * `Accept: text/csv` on reports and results (DESIGN §9): a scenario report, a compare result or a simulation
 * result — answered directly, or as the result of a finished job (`GET /jobs/:id`) — comes back as tidy CSV
 * (src/scenarios/csv.ts). The JSON answer is unchanged for everyone else; negotiation follows the Accept header's
 * q-values (JSON wins a tie). A job that has not succeeded yet has no CSV: 406 with the reason.
 */

const ROUTES = new Set(['/graphs/:id/scenarios', '/graphs/:id/simulations', '/jobs/:jobId']);
const TYPES = ['application/json', 'text/csv'];

export function wantsCsv(req: FastifyRequest): boolean {
  const accept = req.headers.accept;
  return typeof accept === 'string' && accept.includes('csv') && negotiate(accept, TYPES) === 'text/csv';
}

async function csv(app: FastifyInstance): Promise<void> {
  app.addHook('onSend', async (req, reply, payload) => {
    if (reply.statusCode !== 200 || typeof payload !== 'string' || !ROUTES.has(req.routeOptions.url ?? '') || !wantsCsv(req)) return payload;
    let body: unknown;
    try {
      body = JSON.parse(payload);
    } catch {
      return payload;
    }
    const isJob = req.routeOptions.url === '/jobs/:jobId';
    const report = isJob ? (body as { result?: unknown }).result : body;
    if (!hasCsv(report)) {
      const state = isJob ? (body as { state?: string }).state : undefined;
      const p = problem(req, 406, isJob && state !== 'succeeded'
        ? `job is ${state}: its CSV is there once it has succeeded (ask again, or ask for application/json)`
        : 'this answer has no CSV form; ask for application/json', { code: 'not-acceptable' });
      reply.code(406).type('application/problem+json; charset=utf-8');
      return JSON.stringify(p);
    }
    const name = isJob ? `job-${(body as { id: string }).id}` : 'report';
    reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`);
    return reportCsv(report);
  });
}

export const csvPlugin = fp(csv, { name: 'ripple-csv' });
