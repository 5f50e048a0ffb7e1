/**
 * A dashboard-style program on the generated client (issue 16): no casts, no `any`, no `'job' in data`.
 * Its types come from /openapi.json: `npm run build && node dist/scripts/gen-client.js --out examples/dashboard/ripple-api.d.ts`
 * (test/openapi.test.ts does it, then type-checks this file with tsc). It lists the graphs, runs a scenario as a job
 * (`Prefer: respond-async`), follows the job from its `Location` to the typed result, and turns a Problem into a message.
 */
import createClient from 'openapi-fetch';
import type { components, paths } from './ripple-api.js';

type Schemas = components['schemas'];
export type Problem = Schemas['Problem'];
export type Job = Schemas['Job'];
export type GraphSummary = Schemas['GraphSummary'];
export type ScenarioReport = Schemas['ScenarioReport'];
export type CompareReport = Schemas['CompareReport'];

/** A problem answer as an Error a dashboard can show: its detail, the fields at fault, the request id for support. */
export class RippleProblem extends Error {
  readonly status: number;
  readonly fields: string[];
  readonly requestId: string;
  constructor(p: Problem) {
    super(`${p.title}: ${p.detail}`);
    this.status = p.status;
    this.fields = (p.errors ?? []).map((e) => `${e.path}: ${e.message}`);
    this.requestId = p.requestId;
  }
}

export function ripple(baseUrl: string, apiKey?: string) {
  // JSON answers and problem+json errors (the CSV and event-stream forms are other media types).
  return createClient<paths, 'application/json' | 'application/problem+json'>({ baseUrl, headers: apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` } });
}
export type Ripple = ReturnType<typeof ripple>;

/** Every graph, page after page. */
export async function listGraphs(client: Ripple): Promise<GraphSummary[]> {
  const out: GraphSummary[] = [];
  let cursor: string | undefined;
  do {
    const { data, error } = await client.GET('/graphs', { params: { query: { limit: 100, cursor } } });
    if (error) throw new RippleProblem(error);
    out.push(...data.graphs);
    cursor = data.nextCursor;
  } while (cursor !== undefined);
  return out;
}

/** The job id from a 202's Location (`/jobs/{jobId}`). */
function jobIdFrom(response: Response): string {
  const location = response.headers.get('location') ?? '';
  const m = /^\/jobs\/([^/?#]+)$/.exec(location);
  if (!m) throw new Error(`expected a 202 with Location: /jobs/{jobId}, got ${response.status} ${location}`);
  return decodeURIComponent(m[1]);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Poll a job (after Retry-After seconds) until it is done; its result is typed by its kind. */
export async function follow(client: Ripple, jobId: string, onProgress: (job: Job) => void = () => {}): Promise<Job> {
  for (;;) {
    const { data, error, response } = await client.GET('/jobs/{jobId}', { params: { path: { jobId } } });
    if (error) throw new RippleProblem(error);
    onProgress(data);
    if (data.state === 'succeeded' || data.state === 'failed' || data.state === 'cancelled') return data;
    await sleep(1000 * Math.max(0.2, Number(response.headers.get('retry-after') ?? '1')));
  }
}

/** "What if this customer complains?" as a job, followed to its report. */
export async function whatIfComplains(client: Ripple, graphId: string, customer: string): Promise<ScenarioReport | CompareReport> {
  const { error, response } = await client.POST('/graphs/{id}/scenarios', {
    params: { path: { id: graphId }, header: { prefer: 'respond-async' } },
    body: { customer, experience: 'negative', runs: 2000, seed: 1, response: { atStep: 1, effectiveness: 0.6, public: true } },
  });
  if (error) throw new RippleProblem(error);
  const job = await follow(client, jobIdFrom(response));
  if (job.kind !== 'scenario') throw new Error(`job ${job.id} is a ${job.kind} job`);
  if (job.state !== 'succeeded' || job.result === undefined) throw new Error(`scenario job ${job.state}: ${job.error?.detail ?? ''}`);
  return job.result; // ScenarioReport | CompareReport, by the job's kind
}

/** One line per graph, and the money at risk if its first customer complains. */
export async function dashboard(baseUrl: string, apiKey?: string): Promise<string[]> {
  const client = ripple(baseUrl, apiKey);
  const lines: string[] = [];
  for (const g of await listGraphs(client)) {
    lines.push(`${g.name} (v${g.version}): ${g.customers} customers, ${g.ties} ties`);
    const { data: page, error } = await client.GET('/graphs/{id}/customers', { params: { path: { id: g.id }, query: { limit: 1 } } });
    if (error) throw new RippleProblem(error);
    const first = page.customers[0];
    if (first === undefined) continue;
    try {
      const report = await whatIfComplains(client, g.id, first.id);
      if ('variants' in report) lines.push(`  ${report.variants.length} variants`);
      else lines.push(`  if ${first.id} complains: ${report.money.atRisk.mean.toFixed(0)} ${report.money.currency} at risk (${report.money.atRisk.ci95[0].toFixed(0)}–${report.money.atRisk.ci95[1].toFixed(0)})`);
    } catch (err) {
      if (err instanceof RippleProblem) lines.push(`  ${err.message}${err.fields.length ? ` [${err.fields.join('; ')}]` : ''} (request ${err.requestId})`);
      else throw err;
    }
  }
  return lines;
}
