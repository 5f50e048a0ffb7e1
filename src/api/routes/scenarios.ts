import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { prepareParsedRiskiest, prepareParsedScenario, riskiestRequestSchema, scenarioRequestSchema, SCENARIO_DEFAULTS } from '../../scenarios/index.js';
import type { CompiledGraph } from '../../graph/compile.js';
import type { RouteContext } from '../app.js';
import { asyncQuery, budgetDeps, checkMemory, measuredScenarioWork, measuredValueRankingWork, runOrSubmit, scenarioMemory } from '../budget.js';
import { topK } from '../../graph/top-k.js';
import { accepted, json, preferHeader, problems } from '../openapi.js';
import { graphParams } from '../schemas.js';
import { acceptedSchema } from '../job-schemas.js';
import { compareResultSchema, riskiestResultSchema, scenarioReportSchema } from '../../scenarios/report-schema.js';

/** `POST /graphs/:id/scenarios` (single or compare) and `POST /graphs/:id/scenarios/riskiest` (DESIGN §6, §8). */

// The answers' schemas live with the code that writes them (src/scenarios/report-schema.ts).
export { COMPARE_EXAMPLE, REPORT_EXAMPLE, RISKIEST_EXAMPLE, compareResultSchema, riskiestResultSchema, scenarioReportSchema } from '../../scenarios/report-schema.js';

/** 422 when a scenario (× its variants, × candidates for riskiest) would hold or answer more than the memory budget. */
function checkScenarioMemory(g: CompiledGraph, body: { runs?: number; precision?: number; maxRuns?: number; maxSteps?: number; horizon?: number; variants?: unknown[] }, config: RouteContext['config'], times: number): void {
  const defaults = { runs: SCENARIO_DEFAULTS.runs, maxRuns: SCENARIO_DEFAULTS.maxRuns, maxSteps: SCENARIO_DEFAULTS.maxSteps };
  const one = scenarioMemory(g, body, defaults, config.workers);
  const est = { memory: one.memory * times, result: one.result * times };
  const lower = [
    { path: body.precision !== undefined ? 'body.maxRuns' : 'body.runs', advice: 'fewer runs hold fewer per-run values' },
    { path: body.maxSteps === undefined && body.horizon !== undefined ? 'body.horizon' : 'body.maxSteps', advice: 'fewer steps give shorter step curves' },
    ...(body.variants ? [{ path: 'body.variants', advice: 'fewer variants' }] : []),
  ];
  checkMemory(est, config.memory, times > 1 ? `this ranking of ${times} candidates` : 'this scenario', lower);
}

/** The static work, in arcs examined: runs × arcs per scenario run (maxRuns in precision mode) × variants; the pilot (measuredScenarioWork) replaces it. */
function scenarioWork(g: CompiledGraph, body: { runs?: number; precision?: number; maxRuns?: number; variants?: unknown[] }): number {
  const runs = body.precision !== undefined ? (body.maxRuns ?? SCENARIO_DEFAULTS.maxRuns) : (body.runs ?? SCENARIO_DEFAULTS.runs);
  return runs * Math.max(1, g.m) * Math.max(1, body.variants?.length ?? 1);
}

const runsField = (body: { precision?: number }) => (body.precision !== undefined ? 'body.maxRuns' : 'body.runs');

/** The request bodies, named once at load (a schema's id is registered once per process, not per app). */
const scenarioBodySchema = scenarioRequestSchema.meta({ id: 'ScenarioRequest' });
const riskiestBodySchema = riskiestRequestSchema.meta({ id: 'RiskiestRequest' });

const scenarioRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, ctx) => {
  app.post('/graphs/:id/scenarios', {
    schema: {
      operationId: 'runScenario',
      tags: ['scenarios'],
      summary: 'What if this customer complains (or praises)? Reach, impressions and money, optionally compared',
      description:
        'The voice model (DESIGN §3) from the given customer(s), turned into reach, impressions, time to peak and money with 95% CIs. ' +
        'With `variants`, each variant overrides fields of the base and all run on the same random streams; `differences` give the paired ' +
        'difference of each variant to the first. Unknown customer: 404. Large work (or `?async=true`) answers 202 with a job.',
      params: graphParams,
      querystring: z.object({ async: asyncQuery }),
      headers: preferHeader,
      body: scenarioBodySchema,
      response: {
        200: json(z.union([scenarioReportSchema, compareResultSchema]), 'A ScenarioReport, or with `variants` a CompareReport.', { csv: 'The result as a tidy CSV table (`Accept: text/csv` or `?format=csv`).' }),
        202: accepted(acceptedSchema),
        ...problems([404, 406, 409, 413, 415, 422]),
      },
    },
  }, async (req, reply) => {
    const entry = await ctx.cache.get(req.params.id);
    const { summary, graph, data } = entry;
    const body = req.body;
    checkScenarioMemory(graph, body, ctx.config, 1);
    // Validated and resolved once, here: 400 / unknown customer 404 before any work or job.
    const prepared = prepareParsedScenario(graph, body, data.currency, data.stepDuration);
    return runOrSubmit(budgetDeps(ctx), req, reply, req.query.async, {
      kind: 'scenario',
      graphId: summary.id,
      graphVersion: summary.version,
      work: scenarioWork(graph, body),
      // The first runs of each variant, measured (cascades that die out cost far less than runs × arcs; a public answer more).
      measure: () => measuredScenarioWork(graph, prepared.simulations, scenarioWork(graph, { ...body, variants: undefined }), runsField(body)),
      measureAlways: true,
      graph: entry,
      op: { name: 'scenario', params: body },
      prepared,
    }) as Promise<never>;
  });

  app.post('/graphs/:id/scenarios/riskiest', {
    schema: {
      operationId: 'riskiestCustomers',
      tags: ['scenarios'],
      summary: 'Whose complaint would hurt most? Candidates ranked by money at risk',
      description:
        'Runs the negative scenario for each candidate — the given `candidates`, or the `top` customers by network value — and ranks them by ' +
        'expected money at risk, with 95% CIs. Unknown candidate: 404.',
      params: graphParams,
      querystring: z.object({ async: asyncQuery }),
      headers: preferHeader,
      body: riskiestBodySchema,
      response: {
        200: json(riskiestResultSchema, 'The candidates, riskiest first.'),
        202: accepted(acceptedSchema),
        ...problems([404, 409, 413, 415, 422]),
      },
    },
  }, async (req, reply) => {
    const entry = await ctx.cache.get(req.params.id);
    const { summary, graph, data } = entry;
    const body = req.body;
    const candidates = body.candidates?.length ?? Math.min(body.top, graph.n);
    checkScenarioMemory(graph, body, ctx.config, candidates);
    const work = scenarioWork(graph, body) * candidates + (body.candidates ? 0 : body.rrSets * Math.max(1, graph.m / Math.max(1, graph.n)));
    // Validated and resolved once, here: 400 / unknown candidate 404 before any work or job.
    const prepared = prepareParsedRiskiest(graph, body, data.currency, data.stepDuration);
    // Given candidates: a pilot of up to 8 of them (evenly spaced), extrapolated to all. Without: the value ranking's RR
    // sets measured (as GET /value is) plus a pilot of 8 stand-ins for the candidates it will pick — the customers with
    // the most followers in the graph, whose voices carry furthest (so the pilot errs on the side of a job).
    const given = prepared.candidates;
    const measure = given && given.simulations.length > 0 ? () => {
      const step = Math.max(1, Math.floor(given.simulations.length / 8));
      const sample = given.simulations.filter((_, i) => i % step === 0).slice(0, 8);
      const m = measuredScenarioWork(graph, sample, scenarioWork(graph, body), runsField(body));
      const scale = given.simulations.length / sample.length;
      return { work: m.work * scale, basis: `${sample.length} of the ${given.simulations.length} candidates: ${m.basis}`, lower: (budget: number) => m.lower(budget / scale) };
    } : !given && candidates > 0 ? () => {
      const outDegree = new Float64Array(graph.n);
      for (let v = 0; v < graph.n; v++) outDegree[v] = graph.outOffsets[v + 1] - graph.outOffsets[v];
      const standIns = Array.from(topK(outDegree, Math.min(8, candidates)), (v) => graph.ids[v]);
      const sample = prepareParsedRiskiest(graph, { ...body, candidates: standIns }, data.currency, data.stepDuration).candidates!.simulations;
      const m = measuredScenarioWork(graph, sample, scenarioWork(graph, body), runsField(body));
      const scale = candidates / sample.length;
      const { template } = prepared;
      const uniform = template.probability === 'uniform';
      const rr = measuredValueRankingWork(graph, {
        model: 'ic', probability: template.probability, p: uniform ? Math.min(1, template.p * template.negativityBias) : template.p, rrSets: body.rrSets, seed: template.seed,
      });
      return {
        work: m.work * scale + rr.work,
        basis: `the ranking's ${rr.basis}; ${sample.length} stand-in candidates (the most followed): ${m.basis}`,
        lower: (budget: number) => [...m.lower(Math.max(0, budget - rr.work) / scale), { path: 'body.top', advice: 'fewer candidates' }, ...rr.lower(budget).map((l) => ({ ...l, path: l.path.replace('query.', 'body.') }))],
      };
    } : undefined;
    return runOrSubmit(budgetDeps(ctx), req, reply, req.query.async, {
      kind: 'scenario-riskiest',
      graphId: summary.id,
      graphVersion: summary.version,
      work,
      measure,
      measureAlways: measure !== undefined,
      graph: entry,
      op: { name: 'scenario-riskiest', params: body },
      prepared,
    }) as Promise<never>;
  });
};

export default scenarioRoutes;
