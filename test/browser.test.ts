import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/api/app.js';
import { loadDemoIfEmpty } from '../src/api/demo.js';
import { pageDir } from '../src/api/page.js';
import { loadConfig } from '../src/config.js';
import { readGraphFile } from '../src/io/read-graph-file.js';
import { FileStore } from '../src/store/file-store.js';
import { pairedDifference } from '../src/scenarios/paired.js';
import { money, num, pct, range } from '../web/src/format.js';

/**
 * The scenario explorer in a real browser: Debian's Chromium driven by playwright-core (no browser download).
 * It runs the README's demo scenario by keyboard alone and must show the API's numbers; compare, cancel, the
 * exports and the API key prompt are checked too, with no console errors. Screenshots of each view go to
 * test-results/browser/ for review. Skipped, with one line, when /usr/bin/chromium is absent (CI installs it:
 * .ci/setup.d/chromium.sh).
 */

/*
 * The callbacks of page.evaluate / $$eval run in the browser. The project compiles without the DOM library (it
 * would change Node's own types, e.g. fetch bodies), so the few browser globals they touch are declared here, loosely.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;
declare const sessionStorage: any;
declare const localStorage: any;
type El = any;
/* eslint-enable @typescript-eslint/no-explicit-any */

const CHROMIUM = process.env.RIPPLE_CHROMIUM ?? '/usr/bin/chromium';
const here = dirname(fileURLToPath(import.meta.url));
const SHOTS = resolve(here, '..', 'test-results', 'browser');
const FACEBOOK = resolve(process.env.RIPPLE_SHARED_DATA ?? resolve(here, '../../shared/data'), 'ego-facebook/facebook_combined.txt');
const available = existsSync(CHROMIUM) && pageDir() !== undefined;
if (!existsSync(CHROMIUM)) console.log(`browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);
else if (!pageDir()) console.log('browser tests skipped: the page is not built (npm run build)');

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The README's worked example: one complaint from c0006, answered at step 1. */
const README_SCENARIO = { customer: 'c0006', experience: 'negative', response: { atStep: 1, effectiveness: 0.6, public: true } };

interface Served {
  app: FastifyInstance;
  store: FileStore;
  url: string;
  dir: string;
  graphId: string;
}

async function serve(env: Record<string, string> = {}): Promise<Served> {
  const dir = mkdtempSync(join(tmpdir(), 'ripple-browser-'));
  const config = loadConfig({ RIPPLE_DATA_DIR: dir, LOG_LEVEL: 'silent', RIPPLE_WORKERS: '1', ...env });
  const store = await FileStore.open(dir);
  const demo = await loadDemoIfEmpty(store);
  const app = await buildApp(config, { store });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { app, store, dir, url: `http://127.0.0.1:${port}`, graphId: demo!.id };
}

async function stop(s: Served | undefined): Promise<void> {
  if (!s) return;
  await s.app.close();
  await s.store.close();
  rmSync(s.dir, { recursive: true, force: true });
}

async function launch(): Promise<BrowserContext> {
  const profile = mkdtempSync(join(tmpdir(), 'ripple-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1400, height: 1000 }, acceptDownloads: true,
  });
  const close = ctx.close.bind(ctx);
  ctx.close = async (...args) => {
    await close(...args);
    rmSync(profile, { recursive: true, force: true, maxRetries: 5 });
  };
  return ctx;
}

/**
 * Console errors, uncaught page errors and any request the page makes to another host than Ripple's (the page must
 * work offline: no CDN, no font or analytics host), collected per page.
 */
function watch(page: Page, origin: string): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => {
    const url = new URL(r.url());
    if ((url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'ws:' || url.protocol === 'wss:') && url.origin !== origin) {
      errors.push(`request to another host: ${r.url()}`);
    }
  });
  return errors;
}

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

const activeId = (page: Page) => page.evaluate(() => document.activeElement?.id || document.activeElement?.textContent?.trim() || '');

/** Press Tab until the element with `id` has the focus (at most `max` presses): the page must be reachable by keyboard. */
async function tabTo(page: Page, id: string, max = 40): Promise<void> {
  for (let i = 0; i < max; i++) {
    if ((await page.evaluate(() => document.activeElement?.id)) === id) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`#${id} was not reached with Tab (focus is on ${await activeId(page)})`);
}

async function figures(page: Page, container = '#figures'): Promise<Record<string, { value: string; ci: string }>> {
  return page.$$eval(`${container} .figure`, (els: El[]) => Object.fromEntries(els.map((e: El) => [
    e.dataset.figure as string, { value: e.querySelector('.value')!.textContent!, ci: e.querySelector('.ci')!.textContent!.replace(/^95%: /, '') },
  ])));
}

interface Mc { mean: number; ci95: [number, number] }
interface Ranked { id: string; frequency: number; label?: string }
interface Report {
  reach: Mc; negative: Mc; positive: Mc; impressions: Mc; money: { currency: string; atRisk: Mc; earned: Mc; net: Mc }; valuesAreDefaults?: boolean;
  passers: Ranked[]; amplifiers: Ranked[]; negativeSteps: { step: number; cumulativeCi95?: [number, number]; newCi95?: [number, number] }[];
}

/** What the page must show for an API report (the page's own formatting functions, applied to the API's numbers). */
function expected(r: Report): Record<string, { value: string; ci: string }> {
  const fm = (x: number) => money(x, r.money.currency, r.valuesAreDefaults === true);
  const pick: [string, Mc, (x: number) => string][] = [
    ['reach', r.reach, num], ['negative', r.negative, num], ['positive', r.positive, num], ['impressions', r.impressions, num],
    ['atRisk', r.money.atRisk, fm], ['earned', r.money.earned, fm], ['net', r.money.net, fm],
  ];
  return Object.fromEntries(pick.map(([k, m, f]) => [k, { value: f(m.mean), ci: range(m.ci95, f) }]));
}

/** A scenario through the API, waiting for its job when the work is above the synchronous budget. */
async function scenario(app: FastifyInstance, graphId: string, body: object, route = 'scenarios'): Promise<unknown> {
  const res = await app.inject({ method: 'POST', url: `/graphs/${graphId}/${route}`, payload: body });
  if (res.statusCode === 200) return res.json();
  expect(res.statusCode).toBe(202);
  const id = (res.json() as { job: { id: string } }).job.id;
  for (;;) {
    const job = (await app.inject({ url: `/jobs/${id}` })).json() as { state: string; result?: unknown };
    if (job.state === 'succeeded') return job.result;
    if (job.state !== 'queued' && job.state !== 'running') throw new Error(`job ${id} ${job.state}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Sim {
  reach: Mc;
  compartments?: Record<string, number>[];
  compartmentsCi95?: Record<string, [number, number]>[];
  consensus?: { share: Mc; step: Mc | null; forWins?: Mc };
  finalShares?: { for: Mc; against: Mc };
  withinHorizon?: Mc;
  reachByTime?: { time: number; mean: number }[];
}
interface Traced {
  trace?: { run: number; reach: number; events: { from: string | null; to: string; time: number; state: string }[]; truncated: boolean };
  samples?: { reach: number[] } & Record<string, (number | null)[]>;
  finalMeanOpinion?: Mc;
}

/** The rows of a table, each cell's text. */
const tableRows = (page: Page, container: string) =>
  page.$$eval(`${container} tbody tr`, (rows: El[]) => rows.map((r: El) => [...r.querySelectorAll('td')].map((td: El) => td.textContent as string)));

/** "Customer 5 (c0005)" -> "c0005"; a bare id stays. */
const idOf = (cell: string) => /\(([^()]+)\)$/.exec(cell)?.[1] ?? cell;

/** A difference as the page writes it: "+12.3", "−4.5" (the page's num, with a sign). */
const signed = (x: number) => (x > 0 ? `+${num(x)}` : x < 0 ? `−${num(-x)}` : num(0));

interface Schema { $ref?: string; properties?: Record<string, { default?: unknown; maximum?: number; exclusiveMinimum?: number; description?: string; const?: string }>; oneOf?: Schema[] }

/** A model's request schema as /openapi.json publishes it (the page reads the same document). */
async function requestSchema(app: FastifyInstance, model: string): Promise<NonNullable<Schema['properties']>> {
  const doc = (await app.inject({ url: '/openapi.json' })).json() as { components: { schemas: Record<string, Schema> } };
  const deref = (s: Schema): Schema => (s.$ref ? deref(doc.components.schemas[s.$ref.split('/').pop()!]) : s);
  const variant = doc.components.schemas.SimulationRequest.oneOf!.map(deref).find((v) => v.properties?.model?.const === model);
  return variant!.properties!;
}

describe.skipIf(!available)('scenario explorer in Chromium', () => {
  let served: Served;
  let ctx: BrowserContext;

  beforeAll(async () => {
    served = await serve();
    ctx = await launch();
  }, 60_000);
  afterAll(async () => {
    await ctx?.close();
    await stop(served);
  });

  it('runs the README demo scenario by keyboard alone and shows the same numbers as the API', async () => {
    const page = await ctx.newPage();
    const errors = watch(page, served.url);
    await page.goto(served.url + '/');
    await expect.poll(() => page.locator('#graph option').count()).toBe(1);
    // Every control is reached with Tab and named as the issue asks.
    for (const name of ['Graph', 'Customer', 'Experience', 'Answer']) await expect(page.getByLabel(name, { exact: true }).count()).resolves.toBe(1);
    await expect(page.getByRole('button', { name: 'Run', exact: true }).count()).resolves.toBe(1);

    await tabTo(page, 'customer');
    await page.keyboard.type('c0006');
    await page.keyboard.press('Tab');
    await expect.poll(() => page.locator('#customer-card').textContent()).toContain('206'); // friends
    expect(await activeId(page)).toBe('experience');
    await page.keyboard.press('Tab');
    expect(await activeId(page)).toBe('answer');
    await page.keyboard.press('ArrowDown'); // right away
    await page.keyboard.press('ArrowDown'); // after step 1
    expect(await page.locator('#answer').inputValue()).toBe('1');
    await tabTo(page, 'run');
    await page.keyboard.press('Enter');
    await page.locator('#report').waitFor({ state: 'visible', timeout: 60_000 });
    expect(await activeId(page)).toBe('results'); // focus moves to the results for screen readers and keyboards

    const api = await served.app.inject({ method: 'POST', url: `/graphs/${served.graphId}/scenarios`, payload: README_SCENARIO });
    expect(api.statusCode).toBe(200);
    const report = api.json() as Report;
    expect(await figures(page)).toEqual(expected(report));
    expect(report.money.atRisk.mean).toBeGreaterThan(300); // the README's ≈ €424: a real run, not zeros
    // The loss reads with the summary's minus sign (U+2212), not a hyphen: "−€423", as in "net −€423 (−€437 to −€409)".
    const net = (await figures(page)).net;
    expect(net.value).toMatch(/^−€\d/);
    expect(`${net.value} ${net.ci}`).not.toContain('-');

    // The neighbourhood is drawn (WebGL through SwiftShader here, else SVG) and listed as a table too.
    expect(['webgl', 'svg']).toContain(await page.locator('#neighbourhood').getAttribute('data-renderer'));
    expect(await page.locator('#neighbourhood-table tbody tr').count()).toBeGreaterThan(100);
    // Spread over time: both opinions with their 95% bands, cumulative and new per step.
    expect(report.negativeSteps[1].cumulativeCi95![1]).toBeGreaterThan(report.negativeSteps[1].cumulativeCi95![0]);
    expect(await page.locator('#spread svg polyline').count()).toBe(2);
    expect(await page.locator('#spread svg polygon').count()).toBe(2);
    await page.locator('input[name="curve"][value="new"]').check();
    expect(await page.locator('#spread svg text').first().textContent()).toBe('Customers newly reached, by time');
    expect(await page.locator('#spread svg polygon').count()).toBe(2);
    await page.locator('input[name="curve"][value="cumulative"]').check();
    // Who passes it on: the API's passers (share of runs in which each told someone new), beside how often reached.
    expect(report.passers.length).toBe(10);
    const passerRows = await page.$$eval('#passers-table tbody tr', (rows: El[]) => rows.map((r: El) => [...r.querySelectorAll('td')].map((td: El) => td.textContent as string)));
    const reachedIn = new Map(report.amplifiers.map((a) => [a.id, a.frequency]));
    expect(passerRows.map((r) => r.slice(0, 2))).toEqual(report.passers.map((p) => [p.label ? `${p.label} (${p.id})` : p.id, pct(p.frequency)]));
    // "Reached in" comes from the amplifiers, else from the friends the page asked about (reachOf).
    passerRows.forEach((r, i) => {
      const id = report.passers[i].id;
      if (reachedIn.has(id)) expect(r[2]).toBe(pct(reachedIn.get(id)!));
      else expect(r[2]).toMatch(/^(\d+(\.\d+)?%|—)$/);
    });
    await shot(page, 'report');

    // Exports, by keyboard: the report as CSV, each chart as PNG and SVG.
    const download = async (selector: string) => {
      const wait = page.waitForEvent('download');
      await page.locator(selector).focus();
      await page.keyboard.press('Enter');
      const d = await wait;
      return { name: d.suggestedFilename(), bytes: readFileSync((await d.path())!) };
    };
    const csv = await download('#csv');
    expect(csv.name).toMatch(/\.csv$/);
    expect(csv.bytes.toString('utf8').split('\n')[0]).toMatch(/^[a-z]/i);
    for (const which of ['spread', 'passers', 'neighbourhood']) {
      const svg = await download(`button[data-export="${which}"][data-kind="svg"]`);
      expect(svg.name).toBe(`ripple-c0006-${which}.svg`);
      expect(svg.bytes.toString('utf8')).toMatch(/^<\?xml[^>]*>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[\s\S]*<\/svg>$/);
      const png = await download(`button[data-export="${which}"][data-kind="png"]`);
      expect(png.name).toBe(`ripple-c0006-${which}.png`);
      expect(png.bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      expect(png.bytes.length).toBeGreaterThan(2000);
    }
    expect(errors).toEqual([]);
    await page.close();
  });

  it('runs the catalogue models through the page (Model): an opinion model, a threshold model, SEIR and CTIC show the API\'s figures', async () => {
    const page = await ctx.newPage();
    const errors = watch(page, served.url);
    await page.goto(served.url + '/');
    await expect.poll(() => page.locator('#graph option').count()).toBe(1);
    const model = page.getByLabel('Model', { exact: true });
    expect(await model.inputValue()).toBe('voice'); // the scenario stays the default
    const offered = await page.$$eval('#model option', (os: El[]) => os.map((o: El) => o.value as string));
    for (const m of ['voice', 'voter', 'qvoter', 'majority', 'sznajd', 'hk', 'threshold', 'kertesz', 'profile', 'profile-threshold', 'si', 'sir', 'sis', 'seir', 'seis', 'swir', 'ctic']) expect(offered).toContain(m);
    await page.getByLabel('Customer', { exact: true }).fill('c0006');
    await page.getByLabel('Customer', { exact: true }).press('Tab');
    await page.locator('#scenario details summary').press('Enter');
    await page.getByLabel('Runs', { exact: true }).fill('400');
    const n = 3000;

    // Q-voter: the form is the API's schema (defaults, ranges, descriptions); the scenario's own fields step aside.
    await model.selectOption('qvoter');
    const voterSchema = await requestSchema(served.app, 'qvoter');
    const forShare = page.getByLabel('For share', { exact: true });
    await forShare.waitFor({ state: 'visible' });
    expect(await page.getByLabel('Experience', { exact: true }).isHidden()).toBe(true);
    expect(await page.getByLabel('Answer', { exact: true }).isHidden()).toBe(true);
    expect(await forShare.inputValue()).toBe(String(voterSchema.forShare.default));
    expect(await forShare.getAttribute('max')).toBe(String(voterSchema.forShare.maximum));
    expect(await page.getByLabel('Max steps', { exact: true }).inputValue()).toBe(String(voterSchema.maxSteps.default));
    expect(await page.locator('#param-forShare-hint').textContent()).toContain(voterSchema.forShare.description!);
    expect(await page.getByLabel('q', { exact: true }).inputValue()).toBe(String(voterSchema.q.default));
    await forShare.fill('0.45');
    await page.getByRole('button', { name: 'Run', exact: true }).press('Enter');
    await page.locator('#model-report').waitFor({ state: 'visible', timeout: 60_000 });
    expect(await page.locator('#report').isHidden()).toBe(true);
    const voter = await scenario(served.app, served.graphId, { model: 'qvoter', seeds: ['c0006'], runs: 400, seed: 1, forShare: 0.45 }, 'simulations') as Sim;
    const shown = await figures(page, '#model-figures');
    expect(shown.for).toEqual({ value: pct(voter.finalShares!.for.mean), ci: range(voter.finalShares!.for.ci95, pct) });
    expect(shown.against).toEqual({ value: pct(voter.finalShares!.against.mean), ci: range(voter.finalShares!.against.ci95, pct) });
    expect(shown.consensus).toEqual({ value: pct(voter.consensus!.share.mean), ci: range(voter.consensus!.share.ci95, pct) });
    expect(shown.consensusTime).toEqual({ value: `${num(voter.consensus!.step!.mean)} steps`, ci: range(voter.consensus!.step!.ci95) });
    expect(shown.forWins).toEqual({ value: pct(voter.consensus!.forWins!.mean), ci: range(voter.consensus!.forWins!.ci95, pct) });
    // A real run: every run settles, mostly against (45% start "for"), some for.
    expect(voter.consensus!.share.mean).toBe(1);
    expect(voter.finalShares!.for.mean).toBeGreaterThan(0);
    expect(voter.finalShares!.for.mean).toBeLessThan(0.45);
    // The opinion shares per step: two series told apart by colour and dash, each with its 95% band, and a legend.
    const lines = await page.$$eval('#model-chart svg polyline', (ls: El[]) => ls.map((l: El) => `${l.getAttribute('stroke')} ${l.getAttribute('stroke-dasharray') ?? 'solid'}`));
    expect(lines).toHaveLength(2);
    expect(new Set(lines.map((l) => l.split(' ')[0])).size).toBe(2);
    expect(new Set(lines.map((l) => l.split(' ').slice(1).join(' '))).size).toBe(2);
    expect(await page.locator('#model-chart svg polygon').count()).toBe(2);
    const chartText = await page.locator('#model-chart svg').textContent();
    expect(chartText).toContain('For the brand');
    expect(chartText).toContain('Against');
    // The table under the chart: step 0's shares and intervals are the API's.
    const ci0 = voter.compartmentsCi95![0].for;
    expect(await page.locator('#model-table tbody tr').first().textContent()).toContain(`${pct(voter.compartments![0].for / n)} (${range([ci0[0] / n, ci0[1] / n], pct)})`);
    expect(ci0[1] - ci0[0]).toBe(0); // step 0 is fixed: floor(45% of the others) and c0006 hold "for"
    const mid = voter.compartmentsCi95![10].for;
    expect(mid[1]).toBeGreaterThan(mid[0]); // later the runs differ: a band
    await shot(page, 'model-qvoter');

    // Granovetter's threshold with thresholds drawn per run: adopters with their interval.
    await model.selectOption('threshold');
    const threshold = page.getByLabel('Threshold', { exact: true });
    await threshold.waitFor({ state: 'visible' });
    expect(await threshold.inputValue()).toBe(String((await requestSchema(served.app, 'threshold')).threshold.default));
    await page.getByLabel('Thresholds', { exact: true }).selectOption('uniform');
    await page.getByRole('button', { name: 'Run', exact: true }).press('Enter');
    await expect.poll(() => page.locator('#model-summary').textContent(), { timeout: 60_000 }).toContain('Granovetter');
    const thr = await scenario(served.app, served.graphId, { model: 'threshold', seeds: ['c0006'], runs: 400, seed: 1, thresholds: 'uniform' }, 'simulations') as Sim;
    const t = await figures(page, '#model-figures');
    expect(t.reach).toEqual({ value: num(thr.reach.mean), ci: range(thr.reach.ci95) });
    expect(t.share).toEqual({ value: pct(thr.reach.mean / n), ci: range([thr.reach.ci95[0] / n, thr.reach.ci95[1] / n], pct) });
    expect(thr.reach.ci95[1]).toBeGreaterThan(thr.reach.ci95[0]);
    await shot(page, 'model-threshold');
    // A value out of range: the API says no, and the page shows its problem detail and marks the field.
    await threshold.fill('2');
    await page.getByRole('button', { name: 'Run', exact: true }).press('Enter');
    const bad = await served.app.inject({ method: 'POST', url: `/graphs/${served.graphId}/simulations`, payload: { model: 'threshold', seeds: ['c0006'], runs: 400, seed: 1, threshold: 2 } });
    expect(bad.statusCode).toBe(400);
    await expect.poll(() => page.locator('#status').textContent()).toBe(`Could not run it: ${(bad.json() as { detail: string }).detail}`);
    expect(await threshold.getAttribute('aria-invalid')).toBe('true');
    expect(await activeId(page)).toBe('param-threshold');

    // SEIR: who is in which state at each step, with bands; the peak of those passing it on, as the API's curve has it.
    await model.selectOption('seir');
    await page.getByLabel('Beta', { exact: true }).waitFor({ state: 'visible' });
    await page.getByRole('button', { name: 'Run', exact: true }).press('Enter');
    await expect.poll(() => page.locator('#model-summary').textContent(), { timeout: 60_000 }).toContain('Susceptible–exposed–infected–recovered');
    const seir = await scenario(served.app, served.graphId, { model: 'seir', seeds: ['c0006'], runs: 400, seed: 1 }, 'simulations') as Sim;
    const e = await figures(page, '#model-figures');
    expect(e.reach).toEqual({ value: num(seir.reach.mean), ci: range(seir.reach.ci95) });
    const infected = seir.compartments!.map((row) => row.infected);
    const peak = infected.indexOf(Math.max(...infected));
    expect(e.peak).toEqual({ value: num(infected[peak]), ci: range(seir.compartmentsCi95![peak].infected) });
    expect(e.peakTime.value).toBe(`${num(seir.compartments![peak].step)} step${seir.compartments![peak].step === 1 ? '' : 's'}`);
    // Three states reached (exposed, infected, recovered), each its own colour and dash; the not-yet-reached are the rest.
    const states = await page.$$eval('#model-chart svg polyline', (ls: El[]) => ls.map((l: El) => `${l.getAttribute('stroke')} ${l.getAttribute('stroke-dasharray') ?? 'solid'}`));
    expect(states).toHaveLength(3);
    expect(new Set(states).size).toBe(3);
    await shot(page, 'model-seir');

    // CTIC: reach by time, in hours (its time unit), and within the horizon.
    await model.selectOption('ctic');
    await page.getByLabel('Horizon', { exact: true }).waitFor({ state: 'visible' });
    await page.getByLabel('Horizon', { exact: true }).fill('PT12H');
    await page.getByRole('button', { name: 'Run', exact: true }).press('Enter');
    await expect.poll(() => page.locator('#model-summary').textContent(), { timeout: 60_000 }).toContain('Continuous-time');
    const ct = await scenario(served.app, served.graphId, { model: 'ctic', seeds: ['c0006'], runs: 400, seed: 1, horizon: 'PT12H' }, 'simulations') as Sim;
    const c = await figures(page, '#model-figures');
    expect(c.within).toEqual({ value: num(ct.withinHorizon!.mean), ci: range(ct.withinHorizon!.ci95) });
    expect(c.reach).toEqual({ value: num(ct.reach.mean), ci: range(ct.reach.ci95) });
    const axis = await page.locator('#model-chart svg').textContent();
    expect(axis).toContain('12 h');
    expect(await page.locator('#model-table tbody tr').last().textContent()).toBe(`12 h${num(ct.reachByTime!.at(-1)!.mean)}`);
    await shot(page, 'model-ctic');

    // Back to the scenario: its fields return.
    await model.selectOption('voice');
    expect(await page.getByLabel('Experience', { exact: true }).isVisible()).toBe(true);
    expect(await page.locator('#model-params').isHidden()).toBe(true);
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    await page.close();
  });

  it('runs SIR, profile and HK, colours the neighbourhood by the traced run, and compares two settings of SIR on common random numbers', async () => {
    const page = await ctx.newPage();
    const errors = watch(page, served.url);
    await page.goto(served.url + '/');
    await expect.poll(() => page.locator('#graph option').count()).toBe(1);
    const model = page.getByLabel('Model', { exact: true });
    await page.getByLabel('Customer', { exact: true }).fill('c0006');
    await page.getByLabel('Customer', { exact: true }).press('Tab');
    await page.locator('#scenario details summary').press('Enter');
    await page.getByLabel('Runs', { exact: true }).fill('400');
    const hood = (await served.app.inject({ url: `/graphs/${served.graphId}/customers/c0006/neighbourhood?limit=150` })).json() as { customers: { id: string }[]; ties: { source: string; target: string }[] };
    const shown = new Set(hood.customers.map((c) => c.id));
    const run = (body: object) => scenario(served.app, served.graphId, { seeds: ['c0006'], runs: 400, seed: 1, ...body }, 'simulations') as Promise<Sim & Traced>;
    const runButton = page.getByRole('button', { name: 'Run', exact: true });

    // SIR: the API's figures; its compartments come without intervals, and the page says so instead of inventing one.
    await model.selectOption('sir');
    const sirSchema = await requestSchema(served.app, 'sir');
    await expect.poll(() => page.getByLabel('Beta', { exact: true }).inputValue()).toBe(String(sirSchema.beta.default));
    await runButton.press('Enter');
    await expect.poll(() => page.locator('#model-summary').textContent(), { timeout: 60_000 }).toContain('Susceptible–infected–recovered');
    const sir = await run({ model: 'sir', trace: true });
    const f = await figures(page, '#model-figures');
    expect(f.reach).toEqual({ value: num(sir.reach.mean), ci: range(sir.reach.ci95) });
    expect(sir.compartmentsCi95).toBeUndefined();
    const infected = sir.compartments!.map((row) => row.infected);
    expect(f.peak).toEqual({ value: num(Math.max(...infected)), ci: 'no interval in the answer' });
    // The neighbourhood of the traced run (run 0, the same stream as the API's run 0): reached = an "infected" event.
    expect(['webgl', 'svg']).toContain(await page.locator('#model-neighbourhood').getAttribute('data-renderer'));
    const reachedIds = new Set(sir.trace!.events.filter((e) => e.state === 'infected' && shown.has(e.to)).map((e) => e.to));
    expect(reachedIds.size).toBeGreaterThan(1); // a real run: c0006 and some friends
    const sirRows = await tableRows(page, '#model-neighbourhood-table');
    expect(sirRows).toHaveLength(shown.size);
    expect(new Set(sirRows.filter((r) => r[1] !== '—').map((r) => idOf(r[0])))).toEqual(reachedIds);
    const firstTold = sir.trace!.events.find((e) => e.from === 'c0006' && shown.has(e.to))!;
    expect(sirRows.find((r) => idOf(r[0]) === firstTold.to)!.slice(1, 3)).toEqual([`step ${firstTold.time}`, expect.stringContaining('c0006')]);
    expect(await page.locator('#model-trace-caption').textContent()).toContain(`the run reached ${num(sir.trace!.reach)} customers in all`);
    const legend = await page.locator('#model-legend').textContent();
    // The legend's shades run from the first friend reached to the last (the customer itself is drawn apart).
    const times = sir.trace!.events.filter((e) => e.state === 'infected' && shown.has(e.to) && e.to !== 'c0006').map((e) => e.time);
    for (const words of [`reached at step ${Math.min(...times)}`, `… at step ${Math.max(...times)}`, 'not reached in this run', 'who reached whom']) expect(legend).toContain(words);
    // The drawing exports as SVG: the same colours, and the ties of who reached whom drawn dark.
    const svgDownload = page.waitForEvent('download');
    await page.locator('button[data-export="model-neighbourhood"][data-kind="svg"]').click();
    const hoodSvg = await svgDownload;
    expect(hoodSvg.suggestedFilename()).toBe('ripple-c0006-sir-neighbourhood.svg');
    const svgText = readFileSync((await hoodSvg.path())!, 'utf8');
    const treeTies = sir.trace!.events.filter((e) => e.from !== null && shown.has(e.from) && shown.has(e.to) && hood.ties.some((t) => (t.source === e.from && t.target === e.to) || (t.source === e.to && t.target === e.from))).length;
    expect(svgText.match(/stroke="#1d2733"/g)?.length ?? 0).toBe(treeTies);
    await shot(page, 'model-sir');

    // Compare two settings of SIR: B halves beta. Same runs and seed; the difference is paired run by run on the samples.
    await page.locator('#tab-compare').click();
    expect(await page.locator('#tab-compare').textContent()).toBe('Compare settings');
    const bBeta = page.getByLabel('Beta, setting B', { exact: true });
    expect(await bBeta.inputValue()).toBe(String(sirSchema.beta.default)); // B starts as a copy of A
    const half = Number(sirSchema.beta.default) / 2;
    // The same validation as a run: the API refuses beta 2, and the page marks B's field.
    await bBeta.fill('2');
    await page.getByRole('button', { name: 'Compare', exact: true }).press('Enter');
    const bad = await served.app.inject({ method: 'POST', url: `/graphs/${served.graphId}/simulations`, payload: { model: 'sir', seeds: ['c0006'], runs: 400, seed: 1, beta: 2 } });
    expect(bad.statusCode).toBe(400);
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 30_000 }).toBe(`Could not run it: ${(bad.json() as { detail: string }).detail}`);
    expect(await bBeta.getAttribute('aria-invalid')).toBe('true');
    await bBeta.fill(String(half));
    await page.getByLabel('Name of setting B', { exact: true }).fill('half the beta');
    await page.getByRole('button', { name: 'Compare', exact: true }).press('Enter');
    await page.locator('#model-compare-out').waitFor({ state: 'visible', timeout: 60_000 });
    const [sa, sb] = await Promise.all([run({ model: 'sir', samples: true }), run({ model: 'sir', samples: true, beta: half })]);
    const d = pairedDifference(Float64Array.from(sa.samples!.reach), Float64Array.from(sb.samples!.reach));
    const reachRow = (await tableRows(page, '#model-compare-table'))[0];
    expect(reachRow[0]).toBe(`${num(sa.reach.mean)}${range(sa.reach.ci95)}`);
    expect(reachRow[1]).toContain(`${num(sb.reach.mean)}${range(sb.reach.ci95)}`);
    expect(reachRow[1]).toContain(`${signed(d.mean)} (${signed(d.ci95[0])} – ${signed(d.ci95[1])})`);
    expect(d.ci95[1]).toBeLessThan(0); // half the beta reaches fewer, and the paired interval says so
    expect(await page.locator('#model-compare-summary').textContent()).toContain(`half the beta changes beta ${sirSchema.beta.default} → ${half}`);
    expect(await page.locator('#model-compare-curve svg polyline').count()).toBe(2);
    const cmpCsv = page.waitForEvent('download');
    await page.locator('#model-compare-csv').click();
    const csv = readFileSync((await (await cmpCsv).path())!, 'utf8').split('\n');
    expect(csv).toContain(`half the beta,difference,reach,,,,${d.mean},${d.ci95[0]},${d.ci95[1]},customers,A: as in the form`);
    await shot(page, 'model-compare');
    await page.locator('#tab-report').click();

    // Profile: adopters with their interval, and the neighbourhood of the traced run.
    await model.selectOption('profile');
    await page.getByLabel('Profile', { exact: true }).waitFor({ state: 'visible' });
    await runButton.press('Enter');
    await expect.poll(() => page.locator('#model-summary').textContent(), { timeout: 60_000 }).toContain('Profile');
    const prof = await run({ model: 'profile', trace: true });
    expect((await figures(page, '#model-figures')).reach).toEqual({ value: num(prof.reach.mean), ci: range(prof.reach.ci95) });
    const adopted = new Set(prof.trace!.events.filter((e) => e.state === 'adopting' && shown.has(e.to)).map((e) => e.to));
    expect(new Set((await tableRows(page, '#model-neighbourhood-table')).filter((r) => r[1] !== '—').map((r) => idOf(r[0])))).toEqual(adopted);

    // Hegselmann–Krause, 10 runs (about 0.1 s each here): the mean opinion, and each friend's side at the end of run 0.
    await page.getByLabel('Runs', { exact: true }).fill('10');
    await model.selectOption('hk');
    const eps = page.getByLabel('Epsilon', { exact: true });
    await eps.waitFor({ state: 'visible' });
    expect(await eps.inputValue()).toBe(String((await requestSchema(served.app, 'hk')).epsilon.default));
    await runButton.press('Enter');
    await expect.poll(() => page.locator('#model-summary').textContent(), { timeout: 60_000 }).toContain('Hegselmann');
    const hk = await scenario(served.app, served.graphId, { model: 'hk', seeds: ['c0006'], runs: 10, seed: 1, trace: true }, 'simulations') as Sim & Traced;
    const h = await figures(page, '#model-figures');
    const twoPlaces = (x: number) => x.toFixed(2).replace(/^-(?=.*[1-9])/, '−').replace(/^-/, '');
    expect(h.meanOpinion).toEqual({ value: twoPlaces(hk.finalMeanOpinion!.mean), ci: range(hk.finalMeanOpinion!.ci95, twoPlaces) });
    const side = new Map<string, string>();
    for (const e of hk.trace!.events) side.set(e.to, e.state);
    const forShown = [...shown].filter((id) => side.get(id) === 'for').length;
    expect(await page.locator('#model-trace-caption').textContent()).toContain(`${num(forShown)} of the ${num(shown.size)} customers shown are for the brand`);
    const hkRows = await tableRows(page, '#model-neighbourhood-table');
    for (const r of hkRows) expect(r[1]).toBe(side.get(idOf(r[0])) ?? 'against');
    expect(await page.locator('#model-legend').textContent()).toContain('won over to for');
    await shot(page, 'model-hk');
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    await page.close();
  });

  it('compares up to four answers with paired differences, as the API does', async () => {
    const page = await ctx.newPage();
    const errors = watch(page, served.url);
    await page.goto(served.url + '/');
    await expect.poll(() => page.locator('#graph option').count()).toBe(1);
    await page.getByLabel('Customer', { exact: true }).fill('c0006');
    await page.getByLabel('Customer', { exact: true }).press('Tab');
    // The tabs follow the ARIA pattern: arrow keys move between them.
    await page.locator('#tab-report').focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.locator('#tab-compare').getAttribute('aria-selected')).toBe('true');
    await page.getByRole('button', { name: 'Add an answer' }).press('Enter');
    await page.getByLabel('Answer 3', { exact: true }).selectOption('0');
    await page.getByLabel('Name of answer 3', { exact: true }).fill('before it spreads');
    await page.getByRole('button', { name: 'Add an answer' }).press('Enter');
    expect(await page.getByRole('button', { name: 'Add an answer' }).isDisabled()).toBe(true); // four at most
    await page.getByRole('button', { name: 'Remove answer 4' }).press('Enter');
    await page.getByRole('button', { name: 'Compare', exact: true }).press('Enter');
    await page.locator('#compare-out').waitFor({ state: 'visible', timeout: 60_000 });

    const names = await page.$$eval('#variants .variant input', (els: El[]) => els.map((e: El) => e.value as string));
    expect(names).toHaveLength(3);
    const api = await served.app.inject({
      method: 'POST', url: `/graphs/${served.graphId}/scenarios`,
      payload: {
        customer: 'c0006', experience: 'negative', p: 0.05, runs: 2000, seed: 1, amplifiers: 10,
        variants: [
          { name: names[0], response: null },
          { name: names[1], response: { atStep: 1, effectiveness: 0.6, public: true } },
          { name: names[2], response: { atStep: 0, effectiveness: 0.6, public: true } },
        ],
      },
    });
    expect(api.statusCode).toBe(200);
    const cmp = api.json() as { variants: Report[]; differences: { negative: Mc }[] };
    const cells = await page.$$eval('table.compare tbody tr', (rows: El[]) => rows.map((r: El) => [...r.querySelectorAll('td')].map((td: El) => [...td.children].map((c: El) => c.textContent).join(' ').replace(/\s+/g, ' ').trim() as string)));
    // Row 2 is "Negative": each column shows the variant's mean and interval; later columns the paired difference.
    const neg = cells[1];
    expect(neg[0]).toBe(`${num(cmp.variants[0].negative.mean)} ${range(cmp.variants[0].negative.ci95)}`);
    for (let i = 1; i < 3; i++) {
      const d = cmp.differences[i - 1].negative;
      expect(neg[i]).toContain(`${num(cmp.variants[i].negative.mean)} ${range(cmp.variants[i].negative.ci95)}`);
      expect(neg[i]).toContain(num(d.mean));
      expect(d.ci95[1]).toBeLessThan(0); // answering lowers the complaint's reach, and the paired interval says so
    }
    expect(await page.locator('.diff.better').count()).toBeGreaterThan(0);
    await shot(page, 'compare');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows progress for a long run and cancels it', async () => {
    const page = await ctx.newPage();
    const errors = watch(page, served.url);
    await page.goto(served.url + '/');
    await expect.poll(() => page.locator('#graph option').count()).toBe(1);
    await page.getByLabel('Customer', { exact: true }).fill('c0006');
    await page.locator('#scenario details summary').press('Enter');
    await page.getByLabel('Runs', { exact: true }).fill('1000000');
    await page.getByRole('button', { name: 'Run', exact: true }).press('Enter');
    await page.locator('#progress').waitFor({ state: 'visible' });
    await expect.poll(() => page.locator('#progress-bar').evaluate((e: El) => e.value as number), { timeout: 30_000 }).toBeGreaterThan(0);
    await shot(page, 'progress');
    await page.getByRole('button', { name: 'Cancel' }).press('Enter');
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 30_000 }).toBe('Cancelled.');
    expect(await page.locator('#progress').isHidden()).toBe(true);
    const jobs = (await served.app.inject({ url: '/jobs?state=cancelled' })).json() as { jobs: { kind: string }[] };
    expect(jobs.jobs.some((j) => j.kind === 'scenario')).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('gives the answer and the curves in hours when the graph says how long a step is', async () => {
    const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
    const created = await served.app.inject({
      method: 'POST', url: '/graphs',
      payload: {
        name: 'two-hour steps', directed: false, customers: ids.map((id) => ({ id, value: 100 })),
        ties: [['a', 'b'], ['a', 'c'], ['b', 'd'], ['c', 'd'], ['d', 'e'], ['e', 'f']].map(([source, target]) => ({ source, target })),
      },
    });
    expect(created.statusCode).toBe(201);
    const id = (created.json() as { id: string }).id;
    try {
      expect((await served.app.inject({ method: 'PATCH', url: `/graphs/${id}`, payload: { stepDuration: 'PT2H' } })).statusCode).toBe(200);
      const page = await ctx.newPage();
      const errors = watch(page, served.url);
      await page.goto(`${served.url}/?graph=${id}`);
      await expect.poll(() => page.locator('#graph').inputValue()).toBe(id);
      await expect.poll(() => page.locator('#graph-info').textContent()).toContain('one step = 2 h');
      const answers = await page.$$eval('#answer option', (os: El[]) => os.map((o: El) => o.textContent as string));
      expect(answers.slice(0, 4)).toEqual(['No answer', 'Right away, before it spreads', 'Within 2 h (after step 1)', 'Within 4 h (after step 2)']);
      await page.getByLabel('Customer', { exact: true }).fill('a');
      await page.getByLabel('Customer', { exact: true }).press('Tab');
      await page.getByLabel('Answer', { exact: true }).selectOption('1');
      await page.locator('#scenario details summary').press('Enter');
      await page.getByLabel('Chance per friend (p)', { exact: true }).fill('0.3');
      await page.getByRole('button', { name: 'Run', exact: true }).press('Enter');
      await page.locator('#report').waitFor({ state: 'visible', timeout: 60_000 });
      const api = await scenario(served.app, id, {
        customer: 'a', experience: 'negative', response: { atStep: 1, effectiveness: 0.6, public: true }, p: 0.3, runs: 2000, seed: 1,
      }) as Report & { summary: string; stepDuration: string | null; assumptions: { response: { at?: string } } };
      expect(api.stepDuration).toBe('PT2H');
      expect(api.assumptions.response.at).toBe('PT2H');
      expect(await figures(page)).toEqual(expected(api));
      expect(await page.locator('#summary').textContent()).toBe(api.summary);
      // The spread's time axis is in hours, not steps.
      const axis = await page.locator('#spread svg').textContent();
      expect(axis).toContain('time since the customer spoke up');
      expect(axis).toContain('2 h');
      await shot(page, 'hours');
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      await served.app.inject({ method: 'DELETE', url: `/graphs/${id}` });
    }
  });

  it.skipIf(!existsSync(FACEBOOK))('works on ego-Facebook', async () => {
    const { data } = await readGraphFile(FACEBOOK, { format: 'edgelist', name: 'ego-Facebook' });
    const fb = await served.store.create(data);
    try {
      const page = await ctx.newPage();
      const errors = watch(page, served.url);
      await page.goto(`${served.url}/?graph=${fb.id}`);
      await expect.poll(() => page.locator('#graph').inputValue()).toBe(fb.id);
      await page.getByLabel('Customer', { exact: true }).fill('0');
      await page.getByLabel('Customer', { exact: true }).press('Tab');
      await expect.poll(() => page.locator('#customer-card').textContent()).toContain('347');
      await page.getByRole('button', { name: 'Run', exact: true }).press('Enter');
      await page.locator('#report').waitFor({ state: 'visible', timeout: 60_000 });
      const api = await scenario(served.app, fb.id, { customer: '0', experience: 'negative', response: null, p: 0.05, runs: 2000, seed: 1 });
      expect(await figures(page)).toEqual(expected(api as Report));
      await shot(page, 'ego-facebook');
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      await served.store.delete(fb.id);
    }
  });
});
if (!existsSync(FACEBOOK)) console.log('browser test on ego-Facebook skipped: ../shared/data/ego-facebook is absent');

describe.skipIf(!available)('scenario explorer with API keys', () => {
  let served: Served;
  let ctx: BrowserContext;
  beforeAll(async () => {
    served = await serve({ RIPPLE_API_KEYS: 'k-one,k-two' });
    ctx = await launch();
  }, 60_000);
  afterAll(async () => {
    await ctx?.close();
    await stop(served);
  });

  it('asks for a key, says when it is wrong, and keeps it for the tab only', async () => {
    const page = await ctx.newPage();
    const errors = watch(page, served.url);
    await page.goto(served.url + '/');
    const dialog = page.getByRole('dialog', { name: 'API key' });
    await dialog.waitFor({ state: 'visible' });
    await shot(page, 'api-key');
    await page.locator('#api-key').fill('wrong');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#key-error').textContent()).toContain('not accepted');
    await page.locator('#api-key').fill('k-two');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#graph option').count()).toBe(1);
    expect(await dialog.isVisible()).toBe(false);
    expect(await page.evaluate(() => [sessionStorage.getItem('ripple.apiKey'), localStorage.length])).toEqual(['k-two', 0]);
    // A reload in the same tab keeps it; another tab asks again.
    await page.reload();
    await expect.poll(() => page.locator('#graph option').count()).toBe(1);
    const other = await ctx.newPage();
    await other.goto(served.url + '/');
    await other.getByRole('dialog', { name: 'API key' }).waitFor({ state: 'visible' });
    await other.close();
    // The only console errors are the browser's own lines for the expected 401 answers.
    expect(errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
    await page.close();
  });
});
