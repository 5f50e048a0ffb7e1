import './style.css';
import { ApiError, cancelJob, getJson, onKeyNeeded, request, runAsJob, type JobView } from './api.js';
import { barChart, COLORS, DASHES, intervalChart, lineChart, type Series } from './charts.js';
import { saveSvg, savePng, saveText } from './download.js';
import { durationSeconds, esc, money, num, pct, range, shortTime } from './format.js';
import { layout, neighbourhoodSvg, place, reachColor, show } from './graph-view.js';
import { compareCsv, compareCurve, compareRows, compareTableHtml, headlineChart, type CompareRow, type Setting } from './model-compare.js';
import { figuresHtml, modelCharts, modelFigures, type ModelRun } from './model-view.js';
import { markInvalid, paramField, paramValues, type FormOf } from './model-form.js';
import { modelSchemas, PAGE_MODELS, pageModel, paramLabel, type Param, type PageModel } from './models.js';
import { legendHtml, traceView } from './trace-view.js';
import type { CompareResult, CustomerRow, GraphSummary, MeanCi, Neighbourhood, Ranked, ScenarioReport, SimulationResult, Step } from './types.js';

/** The scenario explorer: pick a graph, a customer, an experience and an answer; Run; read and export the report. */

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const ui = {
  form: $<HTMLFormElement>('scenario'),
  graph: $<HTMLSelectElement>('graph'),
  graphInfo: $('graph-info'),
  model: $<HTMLSelectElement>('model'),
  modelHint: $('model-hint'),
  modelParams: $('model-params'),
  modelAbout: $('model-about'),
  modelFields: $('model-fields'),
  modelReport: $('model-report'),
  modelSummary: $('model-summary'),
  modelFigures: $('model-figures'),
  modelChart: $('model-chart'),
  modelChartTitle: $('model-chart-title'),
  modelTable: $('model-table'),
  figModelOpinion: $('fig-model-opinion'),
  modelOpinionChart: $('model-opinion-chart'),
  modelOpinionTable: $('model-opinion-table'),
  figModelNeighbourhood: $('fig-model-neighbourhood'),
  modelNeighbourhood: $('model-neighbourhood'),
  modelNeighbourhoodNote: $('model-neighbourhood-note'),
  modelTraceCaption: $('model-trace-caption'),
  modelLegend: $('model-legend'),
  modelNeighbourhoodTable: $('model-neighbourhood-table'),
  tabCompare: $('tab-compare'),
  compareHint: $('compare-hint'),
  modelSettings: $('model-settings'),
  settingAName: $<HTMLInputElement>('setting-a-name'),
  settingAText: $('setting-a-text'),
  settingBName: $<HTMLInputElement>('setting-b-name'),
  settingBFields: $('setting-b-fields'),
  settingBCopy: $<HTMLButtonElement>('setting-b-copy'),
  modelCompareOut: $('model-compare-out'),
  modelCompareSummary: $('model-compare-summary'),
  modelCompareTable: $('model-compare-table'),
  modelCompareCurve: $('model-compare-curve'),
  modelCompareCurveTitle: $('model-compare-curve-title'),
  modelCompareChart: $('model-compare-chart'),
  customer: $<HTMLInputElement>('customer'),
  options: $<HTMLDataListElement>('customer-options'),
  card: $('customer-card'),
  experience: $<HTMLSelectElement>('experience'),
  answer: $<HTMLSelectElement>('answer'),
  effectiveness: $<HTMLInputElement>('effectiveness'),
  public: $<HTMLInputElement>('public'),
  p: $<HTMLInputElement>('p'),
  runs: $<HTMLInputElement>('runs'),
  seed: $<HTMLInputElement>('seed'),
  run: $<HTMLButtonElement>('run'),
  progress: $('progress'),
  progressBar: $<HTMLProgressElement>('progress-bar'),
  progressLabel: $('progress-label'),
  cancel: $<HTMLButtonElement>('cancel'),
  status: $('status'),
  results: $('results'),
  empty: $('empty'),
  report: $('report'),
  summary: $('summary'),
  figures: $('figures'),
  spread: $('spread'),
  passers: $('passers'),
  passersTable: $('passers-table'),
  neighbourhood: $('neighbourhood'),
  legend: $('legend'),
  neighbourhoodTable: $('neighbourhood-table'),
  variants: $('variants'),
  addVariant: $<HTMLButtonElement>('add-variant'),
  compare: $<HTMLButtonElement>('compare'),
  compareOut: $('compare-out'),
  compareSummary: $('compare-summary'),
  compareTable: $('compare-table'),
  compareChart: $('compare-chart'),
  keyDialog: $<HTMLDialogElement>('key-dialog'),
  keyForm: $<HTMLFormElement>('key-form'),
  keyInput: $<HTMLInputElement>('api-key'),
  keyError: $('key-error'),
};

interface State {
  graphs: GraphSummary[];
  graph?: GraphSummary;
  customer?: CustomerRow & { friends: number };
  report?: ScenarioReport;
  reportJob?: string;
  compare?: CompareResult;
  compareJob?: string;
  neighbourhood?: Neighbourhood;
  runningJob?: string;
  /** The catalogue model chosen (not the voice scenario): its parameters as /openapi.json gives them. */
  params?: Param[];
  modelRun?: ModelRun;
  modelJob?: string;
  /** Two settings of a catalogue model, compared (the compare view). */
  modelCompare?: { settings: [Setting, Setting]; rows: CompareRow[] };
  svgs: Record<string, string>;
}
const state: State = { graphs: [], svgs: {} };

const MAX_VARIANTS = 4;
const ANSWER_STEPS = [0, 1, 2, 3, 4, 6, 8];

// ---------------------------------------------------------------- API key (kept for this tab only)

onKeyNeeded((retry) => new Promise<string>((resolve) => {
  ui.keyError.textContent = retry ? 'That key was not accepted. Try another.' : '';
  ui.keyInput.value = '';
  ui.keyDialog.showModal();
  const done = () => {
    const key = ui.keyInput.value.trim();
    if (!key) return;
    ui.keyForm.removeEventListener('submit', done);
    resolve(key);
  };
  ui.keyForm.addEventListener('submit', done);
}));

// ---------------------------------------------------------------- time

function stepSeconds(): number | undefined {
  return durationSeconds(state.report?.stepDuration ?? state.graph?.stepDuration);
}

function stepLabel(step: number, withStep = true): string {
  const s = stepSeconds();
  if (s === undefined) return `step ${step}`;
  return withStep ? `${shortTime(step * s)} (step ${step})` : shortTime(step * s);
}

function fillAnswers(): void {
  const keep = ui.answer.value;
  const s = stepSeconds();
  ui.answer.replaceChildren(new Option('No answer', 'none'));
  for (const k of ANSWER_STEPS) {
    const text = k === 0 ? 'Right away, before it spreads' : s === undefined ? `After ${k} step${k === 1 ? '' : 's'}` : `Within ${shortTime(k * s)} (after step ${k})`;
    ui.answer.append(new Option(text, String(k)));
  }
  ui.answer.value = [...ui.answer.options].some((o) => o.value === keep) ? keep : 'none';
  for (const sel of ui.variants.querySelectorAll<HTMLSelectElement>('select')) fillVariantAnswer(sel, sel.value || sel.dataset.value || 'none');
}

// ---------------------------------------------------------------- graph and customer

async function loadGraphs(): Promise<void> {
  const graphs: GraphSummary[] = [];
  let cursor: string | null = null;
  do {
    const page: { graphs: GraphSummary[]; nextCursor?: string | null } = await getJson(`/graphs?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    graphs.push(...page.graphs);
    cursor = page.nextCursor ?? null;
  } while (cursor && graphs.length < 10_000);
  state.graphs = graphs;
  ui.graph.replaceChildren(...graphs.map((g) => new Option(`${g.name} (${num(g.customers)} customers)`, g.id)));
  if (graphs.length === 0) {
    ui.graphInfo.textContent = 'No graphs yet: import one with POST /graphs/import (see the README).';
    return;
  }
  const wanted = new URLSearchParams(location.search).get('graph');
  ui.graph.value = graphs.some((g) => g.id === wanted) ? wanted! : graphs[0].id;
  await selectGraph();
}

async function selectGraph(): Promise<void> {
  state.graph = state.graphs.find((g) => g.id === ui.graph.value);
  state.customer = undefined;
  ui.card.replaceChildren();
  if (!state.graph) return;
  const g = state.graph;
  const step = g.stepDuration ? `one step = ${shortTime(durationSeconds(g.stepDuration) ?? 0)}` : 'time in steps (the graph sets no step duration)';
  ui.graphInfo.textContent = `${num(g.customers)} customers, ${num(g.ties)} ties, version ${g.version}; ${step}.`;
  fillAnswers();
  await searchCustomers('');
}

let searchSeq = 0;
async function searchCustomers(text: string): Promise<void> {
  if (!state.graph) return;
  const seq = ++searchSeq;
  const q = new URLSearchParams({ limit: '12', sort: '-degree' });
  if (text.trim()) q.set('search', text.trim());
  const page = await getJson<{ customers: CustomerRow[] }>(`/graphs/${encodeURIComponent(state.graph.id)}/customers?${q}`);
  if (seq !== searchSeq) return;
  ui.options.replaceChildren(...page.customers.map((c) => {
    const o = new Option(c.id, c.id);
    o.label = [c.label, c.segment, `${c.degree} friends`].filter(Boolean).join(' · ');
    return o;
  }));
}

async function pickCustomer(): Promise<boolean> {
  const id = ui.customer.value.trim();
  if (!state.graph || !id) {
    state.customer = undefined;
    ui.card.replaceChildren();
    return false;
  }
  if (state.customer?.id === id) return true;
  try {
    const c = await getJson<{ id: string; label?: string; segment?: string; value?: number; followers?: number; degree: { total: number } }>(
      `/graphs/${encodeURIComponent(state.graph.id)}/customers/${encodeURIComponent(id)}`);
    const row: CustomerRow & { friends: number } = {
      id: c.id, label: c.label ?? null, segment: c.segment ?? null, value: c.value ?? NaN, valueIsDefault: c.value === undefined,
      followers: c.followers ?? 0, degree: c.degree.total, friends: c.degree.total,
    };
    state.customer = row;
    ui.customer.setCustomValidity('');
    ui.card.innerHTML = `<strong>${esc(row.label ?? row.id)}</strong>${row.segment ? ` <span class="tag">${esc(row.segment)}</span>` : ''}
      <dl><div><dt>Value</dt><dd>${row.valueIsDefault ? 'not given' : esc(num(row.value))}</dd></div>
      <div><dt>Friends</dt><dd>${esc(num(row.friends))}</dd></div>
      <div><dt>Followers</dt><dd>${esc(num(row.followers))}</dd></div></dl>`;
    return true;
  } catch (e) {
    state.customer = undefined;
    ui.card.innerHTML = `<span class="error">${esc(e instanceof ApiError && e.status === 404 ? `No customer “${id}” in this graph.` : String((e as Error).message))}</span>`;
    return false;
  }
}

// ---------------------------------------------------------------- requests

function responseFor(answer: string): { atStep: number; effectiveness: number; public: boolean } | null {
  if (answer === 'none') return null;
  return { atStep: Number(answer), effectiveness: clampNumber(ui.effectiveness, 0, 1, 0.6), public: ui.public.checked };
}

function clampNumber(input: HTMLInputElement, lo: number, hi: number, fallback: number): number {
  const v = Number(input.value);
  return Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : fallback;
}

function baseRequest(): Record<string, unknown> {
  return {
    customer: state.customer!.id,
    experience: ui.experience.value,
    p: clampNumber(ui.p, 0, 1, 0.05),
    runs: Math.round(clampNumber(ui.runs, 1, 1_000_000, 2000)),
    seed: Math.round(clampNumber(ui.seed, 0, 4_294_967_295, 1)),
    amplifiers: 10,
  };
}

async function withProgress<T>(what: string, path: string, body: unknown, onError?: (e: unknown) => void): Promise<{ result: T; jobId: string } | undefined> {
  ui.run.disabled = true;
  ui.compare.disabled = true;
  ui.progress.hidden = false;
  ui.progressBar.value = 0;
  ui.progressLabel.textContent = `${what}…`;
  ui.status.textContent = `${what}…`;
  try {
    const out = await runAsJob<T>(path, body, {
      onJob: (id) => {
        state.runningJob = id;
      },
      onProgress: (job: JobView) => {
        ui.progressBar.value = job.progress;
        const eta = job.etaMs !== null && job.etaMs > 1000 ? `, about ${Math.round(job.etaMs / 1000)} s left` : '';
        ui.progressLabel.textContent = `${what}: ${Math.round(100 * job.progress)}%${eta}`;
      },
    });
    ui.status.textContent = 'Done.';
    return out;
  } catch (e) {
    ui.status.textContent = e instanceof ApiError && e.code === 'cancelled' ? 'Cancelled.' : `Could not run it: ${(e as Error).message}`;
    onError?.(e);
    return undefined;
  } finally {
    state.runningJob = undefined;
    ui.progress.hidden = true;
    ui.run.disabled = false;
    ui.compare.disabled = false;
  }
}

/** Neighbourhoods fetched, by graph, version and customer (the scenario and the model runs draw the same one). */
const neighbourhoods = new Map<string, Neighbourhood>();

async function loadNeighbourhood(): Promise<Neighbourhood | undefined> {
  const id = state.customer!.id;
  const g = state.graph!;
  const key = JSON.stringify([g.id, g.version, id]);
  const known = neighbourhoods.get(key);
  if (known) return known;
  try {
    const n = await getJson<Neighbourhood>(`/graphs/${encodeURIComponent(g.id)}/customers/${encodeURIComponent(id)}/neighbourhood?limit=150`);
    neighbourhoods.set(key, n);
    return n;
  } catch {
    return undefined;
  }
}

async function runScenario(): Promise<void> {
  if (!(await pickCustomer())) {
    ui.status.textContent = 'Pick a customer of this graph first.';
    ui.customer.focus();
    return;
  }
  const n = await loadNeighbourhood();
  const body: Record<string, unknown> = { ...baseRequest(), response: responseFor(ui.answer.value) };
  // How often each friend drawn is reached: the colours of the neighbourhood.
  if (n) body.reachOf = n.customers.map((c) => c.id).filter((c) => c !== state.customer!.id);
  const out = await withProgress<ScenarioReport>('Running', `/graphs/${encodeURIComponent(state.graph!.id)}/scenarios`, body);
  if (!out) return;
  state.report = out.result;
  state.reportJob = out.jobId;
  state.neighbourhood = n;
  renderReport();
  selectTab('report');
  ui.results.focus();
}

// ---------------------------------------------------------------- catalogue models (how does sentiment settle, how does it spread)

const VOICE_HINT = 'What if this customer complains or praises, and the brand answers?';

function fillModels(): void {
  for (const group of PAGE_MODELS) {
    const og = document.createElement('optgroup');
    og.label = group.group;
    for (const m of group.models) og.append(new Option(m.question, m.name));
    ui.model.append(og);
  }
  const wanted = new URLSearchParams(location.search).get('model');
  if (wanted && pageModel(wanted)) ui.model.value = wanted;
}

let modelSeq = 0;
/** Show the voice scenario's fields, or the chosen model's parameters read from the API's own document. */
async function selectModel(): Promise<void> {
  const name = ui.model.value;
  const pm = pageModel(name);
  const seq = ++modelSeq;
  for (const el of document.querySelectorAll<HTMLElement>('.voice-only')) el.hidden = pm !== undefined;
  showCompareFor(pm);
  if (!pm) {
    ui.modelParams.hidden = true;
    ui.modelHint.textContent = VOICE_HINT;
    state.params = undefined;
    return;
  }
  ui.modelHint.textContent = pm.seedRole;
  ui.modelParams.hidden = false;
  ui.modelAbout.textContent = 'Reading the model’s parameters…';
  ui.modelFields.replaceChildren();
  state.params = undefined;
  const models = await modelSchemas();
  if (seq !== modelSeq) return;
  const m = models.get(name);
  if (!m) {
    ui.modelAbout.textContent = `This server does not offer the model ${name}.`;
    return;
  }
  ui.modelAbout.textContent = m.about;
  state.params = m.params;
  ui.modelFields.replaceChildren(...m.params.map((p) => paramField(p)));
  copySettingA();
}

async function runModel(): Promise<void> {
  if (!(await pickCustomer())) {
    ui.status.textContent = 'Pick a customer of this graph first.';
    ui.customer.focus();
    return;
  }
  const name = ui.model.value;
  const pm = pageModel(name)!;
  if (!state.params) await selectModel();
  const graph = state.graph!;
  // `trace: true`: run 0 of these runs (stream (seed, 0), counted with the others) comes back event by event, for the neighbourhood.
  const body = { ...modelBase(name), ...paramValues(state.params ?? []), trace: true };
  const [n, out] = await Promise.all([loadNeighbourhood(), withProgress<SimulationResult>('Running', `/graphs/${encodeURIComponent(graph.id)}/simulations`, body, markInvalid)]);
  if (!out) return;
  const m = (await modelSchemas()).get(name);
  state.modelRun = modelRunOf(pm, m?.title ?? name, out.result);
  state.modelJob = out.jobId;
  renderModel(m?.about ?? '');
  renderModelNeighbourhood(n);
  selectTab('report');
  ui.results.focus();
}

/** The request fields every run of a catalogue model from the chosen customer shares (the compare's two settings too). */
function modelBase(name: string): Record<string, unknown> {
  return {
    model: name,
    seeds: [state.customer!.id],
    runs: Math.round(clampNumber(ui.runs, 1, 1_000_000, 2000)),
    seed: Math.round(clampNumber(ui.seed, 0, 4_294_967_295, 1)),
  };
}

function modelRunOf(pm: PageModel, title: string, result: SimulationResult): ModelRun {
  const graph = state.graph!;
  return {
    model: pm.name, family: pm.family, title, result, customers: graph.customers,
    stepSeconds: durationSeconds(graph.stepDuration), unitSeconds: durationSeconds(result.timeUnit),
  };
}

/** A customer of the neighbourhood as the tables write it: "Customer 5 (c0005)", or the id. */
function nameIn(n: Neighbourhood): (id: string) => string {
  const labels = new Map(n.customers.map((c) => [c.id, c.label]));
  return (id) => {
    const l = labels.get(id) ?? (state.customer?.id === id ? state.customer.label : null);
    return l ? `${l} (${id})` : id;
  };
}

/** The neighbourhood coloured by the traced run: who was reached when and by whom, or who ends for or against. */
function renderModelNeighbourhood(n: Neighbourhood | undefined): void {
  const run = state.modelRun!;
  const trace = run.result.trace;
  delete state.svgs['model-neighbourhood'];
  if (!n || !trace) {
    ui.modelNeighbourhood.textContent = n ? 'The answer has no traced run.' : 'The neighbourhood could not be loaded.';
    ui.modelTraceCaption.textContent = '';
    ui.modelLegend.replaceChildren();
    ui.modelNeighbourhoodTable.replaceChildren();
    return;
  }
  const unit = run.unitSeconds ?? 3600;
  const s = run.stepSeconds;
  const when = run.family === 'ctic'
    ? (t: number) => shortTime(Math.round(t * unit))
    : (t: number) => (s === undefined ? `step ${t}` : `${shortTime(Math.round(t * s))} (step ${t})`);
  const name = nameIn(n);
  const view = traceView(n, trace, run.family, when, name);
  const { graph, placed } = place(n, (id) => view.looks.get(id) ?? { color: '#e6eaee', frequency: 0, tip: name(id) }, view.centerColor, view.tree);
  const opinions = run.family === 'opinion' || run.family === 'hk';
  ui.modelNeighbourhoodNote.textContent = opinions
    ? `(run ${trace.run} of these runs: each customer's opinion at the end)`
    : `(run ${trace.run} of these runs: who was reached, when and by whom)`;
  const title = `${opinions ? 'Opinions at the end of one run' : 'Who was reached in one run'}: friends of ${name(n.center)}${n.truncated ? ` (the ${n.customers.length - 1} best connected)` : ''}`;
  state.svgs['model-neighbourhood'] = neighbourhoodSvg(graph, placed, title);
  ui.modelNeighbourhood.dataset.renderer = show(ui.modelNeighbourhood, graph, state.svgs['model-neighbourhood']);
  ui.modelTraceCaption.textContent = view.caption;
  ui.modelLegend.innerHTML = legendHtml(view.legend);
  ui.modelNeighbourhoodTable.innerHTML = `<table><thead><tr>${view.head.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead><tbody>${view.rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

function renderModel(about: string): void {
  const run = state.modelRun!;
  const r = run.result;
  ui.empty.hidden = true;
  ui.report.hidden = true;
  ui.modelReport.hidden = false;
  const who = r.seeds.map((id) => labelOf(id, state.customer && id === state.customer.id ? state.customer.label : null)).join(', ');
  ui.modelSummary.textContent = `${run.title} from ${who} on ${state.graph?.name ?? 'this graph'}: ${num(r.runs)} runs, seed ${r.seed}. ${about}`;
  ui.modelFigures.innerHTML = figuresHtml(modelFigures(run));
  const [main, extra] = modelCharts(run);
  ui.modelChartTitle.textContent = main.title;
  ui.modelChart.innerHTML = main.svg;
  ui.modelTable.innerHTML = main.table;
  state.svgs.model = main.svg;
  ui.figModelOpinion.hidden = !extra;
  if (extra) {
    ui.modelOpinionChart.innerHTML = extra.svg;
    ui.modelOpinionTable.innerHTML = extra.table;
    state.svgs['model-opinion'] = extra.svg;
  } else delete state.svgs['model-opinion'];
}

// ---------------------------------------------------------------- the report

const FIGURES: { key: string; title: string; pick: (r: ScenarioReport) => MeanCi; money?: boolean }[] = [
  { key: 'reach', title: 'Customers reached', pick: (r) => r.reach },
  { key: 'negative', title: 'Negative', pick: (r) => r.negative },
  { key: 'positive', title: 'Positive', pick: (r) => r.positive },
  { key: 'impressions', title: 'Impressions', pick: (r) => r.impressions },
  { key: 'atRisk', title: 'Money at risk', pick: (r) => r.money.atRisk, money: true },
  { key: 'earned', title: 'Money earned', pick: (r) => r.money.earned, money: true },
  { key: 'net', title: 'Net', pick: (r) => r.money.net, money: true },
];

function moneyOf(r: ScenarioReport) {
  return (x: number) => money(x, r.money.currency, r.valuesAreDefaults === true);
}

function renderReport(): void {
  const r = state.report!;
  ui.empty.hidden = true;
  ui.report.hidden = false;
  ui.modelReport.hidden = true;
  ui.summary.textContent = r.summary ?? '';
  const fm = moneyOf(r);
  ui.figures.innerHTML = FIGURES.map((f) => {
    const v = f.pick(r);
    const fmt = f.money ? fm : num;
    return `<div class="figure" role="listitem" data-figure="${f.key}"><h3>${esc(f.title)}</h3><p class="value">${esc(fmt(v.mean))}</p><p class="ci">95%: ${esc(range(v.ci95, fmt))}</p></div>`;
  }).join('');
  renderSpread();
  renderPassers();
  renderNeighbourhood();
}

function curve(steps: Step[], kind: 'cumulative' | 'new'): Series['points'] {
  return steps.map((s) => {
    const y = kind === 'cumulative' ? s.cumulativeMean : s.newMean;
    const ci = kind === 'cumulative' ? s.cumulativeCi95 : s.newCi95;
    return { x: s.step, y, ...(ci ? { lo: ci[0], hi: ci[1] } : {}) };
  });
}

/** The last step where anything still happens (plus one), so the curves do not trail a long flat tail. */
function visibleSteps(r: ScenarioReport): number {
  let last = 1;
  r.steps.forEach((s, i) => {
    if (s.newMean > 0.01 || (r.negativeSteps[i]?.newMean ?? 0) !== 0 || (r.positiveSteps[i]?.newMean ?? 0) !== 0) last = s.step;
  });
  return Math.min(r.steps.length - 1, last + 1);
}

function renderSpread(): void {
  const r = state.report!;
  const kind = (document.querySelector<HTMLInputElement>('input[name="curve"]:checked')?.value ?? 'cumulative') as 'cumulative' | 'new';
  const upto = visibleSteps(r);
  const cut = (s: Step[]) => s.filter((x) => x.step <= upto);
  const series: Series[] = [
    { name: 'Negative (complaint)', color: COLORS.negative, points: curve(cut(r.negativeSteps), kind) },
    { name: 'Positive (praise)', color: COLORS.positive, dash: DASHES.dashed, points: curve(cut(r.positiveSteps), kind) },
  ];
  const s = stepSeconds();
  state.svgs.spread = lineChart(series, {
    title: kind === 'cumulative' ? 'Customers holding each opinion, by time' : 'Customers newly reached, by time',
    xTitle: s === undefined ? 'step (one round of passing it on)' : 'time since the customer spoke up',
    yTitle: 'customers',
    xLabel: s === undefined ? undefined : (x) => stepLabel(x, false),
  });
  ui.spread.innerHTML = state.svgs.spread;
}

function labelOf(id: string, label?: string | null): string {
  const l = label ?? state.neighbourhood?.customers.find((c) => c.id === id)?.label;
  return l ? `${l} (${id})` : id;
}

function renderPassers(): void {
  const r = state.report!;
  const passers: Ranked[] = r.passers ?? [];
  state.svgs.passers = barChart(passers.slice(0, 10).map((a) => ({ label: labelOf(a.id, a.label), value: a.frequency })), {
    title: 'Who passes it on (share of runs)', color: r.experience === 'negative' ? COLORS.negative : COLORS.positive,
    empty: 'Nobody but the customer passed it on in these runs.',
  });
  ui.passers.innerHTML = state.svgs.passers;
  // Who passed it on next to how often they were reached: a customer can only pass on what reached it.
  const reached = new Map(r.amplifiers.map((a) => [a.id, a.frequency]));
  const body = passers.map((a) => {
    const rf = reached.get(a.id) ?? r.reachOf?.find((x) => x.id === a.id)?.frequency;
    return `<tr><td>${esc(labelOf(a.id, a.label))}</td><td>${pct(a.frequency)}</td><td>${rf === undefined ? '—' : pct(rf)}</td></tr>`;
  }).join('');
  ui.passersTable.innerHTML = `<table><thead><tr><th scope="col">Customer</th><th scope="col">Passed it on in</th><th scope="col">Reached in</th></tr></thead><tbody>${body}</tbody></table>`;
}

function renderNeighbourhood(): void {
  const r = state.report!;
  const n = state.neighbourhood;
  if (!n) {
    ui.neighbourhood.textContent = 'The neighbourhood could not be loaded.';
    return;
  }
  const freq = new Map<string, number>((r.reachOf ?? r.amplifiers).map((a) => [a.id, a.frequency]));
  const { graph, placed, scale } = layout(n, freq, r.experience);
  const title = `Friends of ${labelOf(n.center)}${n.truncated ? ` (the ${n.customers.length - 1} best connected)` : ''}`;
  state.svgs.neighbourhood = neighbourhoodSvg(graph, placed, title);
  const how = show(ui.neighbourhood, graph, state.svgs.neighbourhood);
  ui.neighbourhood.dataset.renderer = how;
  const stops = [0, 0.25, 0.5, 0.75, 1];
  ui.legend.innerHTML = `<span>reached in</span>${stops.map((f) => `<span class="swatch" style="background:${reachColor(f, r.experience)}"></span><span>${pct(f * scale)}</span>`).join('')}<span>of runs</span>`;
  const rows = placed.filter((p) => !p.center).sort((a, b) => b.frequency - a.frequency);
  ui.neighbourhoodTable.innerHTML = `<table><thead><tr><th scope="col">Customer</th><th scope="col">Reached in</th></tr></thead><tbody>${rows.map((p) => `<tr><td>${esc(p.label === p.id ? p.id : `${p.label} (${p.id})`)}</td><td>${pct(p.frequency)}</td></tr>`).join('')}</tbody></table>`;
}

// ---------------------------------------------------------------- compare

function addVariant(name = '', answer = 'none'): void {
  const rows = ui.variants.querySelectorAll('.variant').length;
  if (rows >= MAX_VARIANTS) return;
  const i = rows + 1;
  const div = document.createElement('div');
  div.className = 'variant';
  div.innerHTML = `<label for="vname-${i}">Name of answer ${i}</label><input id="vname-${i}" type="text" maxlength="200" value="${esc(name)}">
    <label for="vanswer-${i}">Answer ${i}</label><select id="vanswer-${i}"></select>
    <button type="button" class="remove" aria-label="Remove answer ${i}">Remove</button>`;
  const sel = div.querySelector('select')!;
  fillVariantAnswer(sel, answer);
  sel.addEventListener('change', () => {
    const nameInput = div.querySelector('input')!;
    if (!nameInput.dataset.edited) nameInput.value = sel.selectedOptions[0].text;
  });
  div.querySelector('input')!.addEventListener('input', (e) => ((e.target as HTMLInputElement).dataset.edited = '1'));
  div.querySelector('.remove')!.addEventListener('click', () => {
    div.remove();
    renumberVariants();
  });
  ui.variants.append(div);
  renumberVariants();
}

function fillVariantAnswer(sel: HTMLSelectElement, value: string): void {
  sel.replaceChildren(...[...ui.answer.options].map((o) => new Option(o.text, o.value)));
  sel.dataset.value = value;
  sel.value = [...sel.options].some((o) => o.value === value) ? value : 'none';
  const name = sel.parentElement?.querySelector('input');
  if (name && !name.dataset.edited && !name.value) name.value = sel.selectedOptions[0]?.text ?? '';
}

function renumberVariants(): void {
  const rows = [...ui.variants.querySelectorAll('.variant')];
  rows.forEach((row, k) => {
    const i = k + 1;
    const [l1, l2] = row.querySelectorAll('label');
    const input = row.querySelector('input')!;
    const sel = row.querySelector('select')!;
    input.id = `vname-${i}`;
    sel.id = `vanswer-${i}`;
    l1.htmlFor = input.id;
    l1.textContent = `Name of answer ${i}`;
    l2.htmlFor = sel.id;
    l2.textContent = `Answer ${i}`;
    const rm = row.querySelector<HTMLButtonElement>('.remove')!;
    rm.setAttribute('aria-label', `Remove answer ${i}`);
    rm.disabled = rows.length <= 2;
  });
  ui.addVariant.disabled = rows.length >= MAX_VARIANTS;
}

async function runCompare(): Promise<void> {
  if (ui.model.value !== 'voice') return runModelCompare();
  if (!(await pickCustomer())) {
    ui.status.textContent = 'Pick a customer of this graph first.';
    ui.customer.focus();
    return;
  }
  const variants = [...ui.variants.querySelectorAll('.variant')].map((row, k) => {
    const sel = row.querySelector('select')!;
    const name = row.querySelector('input')!.value.trim() || sel.selectedOptions[0]?.text || `answer ${k + 1}`;
    return { name, response: responseFor(sel.value) };
  });
  const names = new Set(variants.map((v) => v.name));
  if (names.size !== variants.length) {
    ui.status.textContent = 'Give each answer its own name.';
    return;
  }
  const out = await withProgress<CompareResult>('Comparing', `/graphs/${encodeURIComponent(state.graph!.id)}/scenarios`, { ...baseRequest(), variants });
  if (!out) return;
  state.compare = out.result;
  state.compareJob = out.jobId;
  renderCompare();
}

function renderCompare(): void {
  const c = state.compare!;
  ui.compareOut.hidden = false;
  ui.compareSummary.textContent = c.summary ?? '';
  const first = c.variants[0];
  const fm = moneyOf(first);
  const rows: { title: string; pick: (r: ScenarioReport) => MeanCi; diff: (d: CompareResult['differences'][number]) => MeanCi; fmt: (x: number) => string; lowerIsBetter: boolean | null }[] = [
    { title: 'Customers reached', pick: (r) => r.reach, diff: (d) => d.reach, fmt: num, lowerIsBetter: null },
    { title: 'Negative', pick: (r) => r.negative, diff: (d) => d.negative, fmt: num, lowerIsBetter: true },
    { title: 'Positive', pick: (r) => r.positive, diff: (d) => d.positive, fmt: num, lowerIsBetter: false },
    { title: 'Impressions', pick: (r) => r.impressions, diff: (d) => d.impressions, fmt: num, lowerIsBetter: null },
    { title: 'Money at risk', pick: (r) => r.money.atRisk, diff: (d) => d.money.atRisk, fmt: fm, lowerIsBetter: true },
    { title: 'Money earned', pick: (r) => r.money.earned, diff: (d) => d.money.earned, fmt: fm, lowerIsBetter: false },
    { title: 'Net', pick: (r) => r.money.net, diff: (d) => d.money.net, fmt: fm, lowerIsBetter: false },
  ];
  const signed = (x: number, f: (x: number) => string) => (x > 0 ? `+${f(x)}` : f(x));
  const head = `<tr><th scope="col">Figure</th>${c.variants.map((v, i) => `<th scope="col">${esc(v.name)}${i === 0 ? ' <small>(baseline)</small>' : ''}</th>`).join('')}</tr>`;
  const body = rows.map((row) => {
    const cells = c.variants.map((v, i) => {
      const m = row.pick(v);
      let diff = '';
      if (i > 0) {
        const d = row.diff(c.differences[i - 1]);
        // Reach and impressions count both opinions: neither direction is better in itself.
        const sure = row.lowerIsBetter !== null && (d.ci95[0] > 0 || d.ci95[1] < 0);
        const better = sure && (row.lowerIsBetter ? d.mean < 0 : d.mean > 0);
        diff = `<div class="diff ${sure ? (better ? 'better' : 'worse') : ''}">${esc(signed(d.mean, row.fmt))} <small>(${esc(range(d.ci95, (x) => signed(x, row.fmt)))})</small></div>`;
      }
      return `<td><div>${esc(row.fmt(m.mean))}</div><small>${esc(range(m.ci95, row.fmt))}</small>${diff}</td>`;
    }).join('');
    return `<tr><th scope="row">${esc(row.title)}</th>${cells}</tr>`;
  }).join('');
  ui.compareTable.innerHTML = `<table class="compare"><caption>Each answer, with its 95% interval; below it, the paired difference to the baseline and its 95% interval (green: better, red: worse, plain: not clearly different).</caption><thead>${head}</thead><tbody>${body}</tbody></table>`;
  state.svgs.compare = intervalChart(c.variants.map((v) => ({ label: v.name, mean: v.money.atRisk.mean, lo: v.money.atRisk.ci95[0], hi: v.money.atRisk.ci95[1] })), {
    title: 'Money at risk per answer (95% interval)', color: COLORS.negative, format: fm,
  });
  ui.compareChart.innerHTML = state.svgs.compare;
}

// ---------------------------------------------------------------- compare two settings of a catalogue model

/** Setting B's fields in the compare view (ids `b-param-NAME`, named "Beta, setting B"). */
const B_FORM: FormOf = { prefix: 'b-param', suffix: 'setting B', brief: true };

const VOICE_COMPARE_HINT = 'Up to four answers to the same complaint (the scenario model), on the same random streams: differences are paired run by run, against the first.';

/** The compare view of the model chosen: the scenario's answers, or two settings of a catalogue model. */
function showCompareFor(pm: PageModel | undefined): void {
  const voice = pm === undefined;
  ui.tabCompare.textContent = voice ? 'Compare answers' : 'Compare settings';
  ui.variants.hidden = !voice;
  ui.addVariant.hidden = !voice;
  ui.modelSettings.hidden = voice;
  ui.compareOut.hidden = !voice || !state.compare;
  ui.modelCompareOut.hidden = voice || state.modelCompare?.settings[0].run.model !== pm?.name;
  ui.compareHint.textContent = voice
    ? VOICE_COMPARE_HINT
    : `Two settings of this model from the same customer, with the same runs and seed: run r of both draws from the same random stream (common random numbers), so the page pairs them run by run. A is the form on the left; change what you want to try in B (e.g. half the beta, another initial share, ε). The API compares the scenario's answers only: each setting's figures are its answer, the differences are the page's.`;
  if (voice) ui.settingBFields.replaceChildren();
}

/** The value of a parameter as the form holds it ('' = the default). */
function formValue(p: Param, prefix: string): unknown {
  const el = document.getElementById(`${prefix}-${p.name}`) as HTMLInputElement | HTMLSelectElement | null;
  if (!el) return undefined;
  return el instanceof HTMLInputElement && el.type === 'checkbox' ? el.checked : el.value;
}

/** B's fields, filled with A's values (the form's). */
function copySettingA(): void {
  const params = state.params ?? [];
  ui.settingBFields.replaceChildren(...params.map((p) => paramField(p, B_FORM, formValue(p, 'param'))));
  describeSettingA();
}

/** What A is, in words: the form's parameter values. */
function describeSettingA(): void {
  const params = state.params ?? [];
  const values = paramValues(params);
  ui.settingAText.textContent = params.length === 0 ? '' : `A runs the form on the left: ${params.map((p) => `${paramLabel(p.name)} ${String(values[p.name] ?? p.default ?? 'default')}`).join(', ')}.`;
}

/** The parameters that B changes, "beta 0.1 → 0.05", each value as sent or else its default. */
function changes(params: readonly Param[], a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const v = (x: Record<string, unknown>, p: Param) => String(p.name in x ? x[p.name] : (p.default ?? 'default'));
  return params.filter((p) => v(a, p) !== v(b, p)).map((p) => `${p.name} ${v(a, p)} → ${v(b, p)}`);
}

async function runModelCompare(): Promise<void> {
  const name = ui.model.value;
  const pm = pageModel(name)!;
  if (!(await pickCustomer())) {
    ui.status.textContent = 'Pick a customer of this graph first.';
    ui.customer.focus();
    return;
  }
  if (!state.params) await selectModel();
  const params = state.params ?? [];
  const names: [string, string] = [ui.settingAName.value.trim() || 'A', ui.settingBName.value.trim() || 'B'];
  if (names[0] === names[1]) {
    ui.status.textContent = 'Give each setting its own name.';
    return;
  }
  const a = paramValues(params);
  const b = paramValues(params, B_FORM);
  // Same customer, runs and seed: the streams are common. `samples`: every run's values, to pair them.
  const base = { ...modelBase(name), samples: true };
  const path = `/graphs/${encodeURIComponent(state.graph!.id)}/simulations`;
  const ra = await withProgress<SimulationResult>(`Comparing: ${names[0]}`, path, { ...base, ...a }, (e) => markInvalid(e));
  if (!ra) return;
  const rb = await withProgress<SimulationResult>(`Comparing: ${names[1]}`, path, { ...base, ...b }, (e) => markInvalid(e, B_FORM));
  if (!rb) return;
  const title = (await modelSchemas()).get(name)?.title ?? name;
  const settings: [Setting, Setting] = [
    { name: names[0], run: modelRunOf(pm, title, ra.result), params: a },
    { name: names[1], run: modelRunOf(pm, title, rb.result), params: b },
  ];
  state.modelCompare = { settings, rows: compareRows(settings[0].run, settings[1].run) };
  renderModelCompare(changes(params, a, b));
}

function renderModelCompare(changed: string[]): void {
  const { settings, rows } = state.modelCompare!;
  const [A, B] = settings;
  const names: [string, string] = [A.name, B.name];
  ui.compareOut.hidden = true;
  ui.modelCompareOut.hidden = false;
  const r = A.run.result;
  const who = r.seeds.map((id) => labelOf(id, state.customer && id === state.customer.id ? state.customer.label : null)).join(', ');
  const what = changed.length > 0 ? `${B.name} changes ${changed.join(', ')}` : `${B.name} is the same as ${A.name}: every difference is 0`;
  ui.modelCompareSummary.textContent = `${A.run.title} from ${who} on ${state.graph?.name ?? 'this graph'}: ${A.name} against ${B.name} (${what}), ${num(r.runs)} runs each, seed ${r.seed}, on the same random streams.`;
  ui.modelCompareTable.innerHTML = compareTableHtml(rows, names, Math.min(r.runs, B.run.result.runs));
  const curve = compareCurve(A.run, B.run, names);
  ui.modelCompareCurveTitle.textContent = curve.title;
  ui.modelCompareCurve.innerHTML = curve.svg;
  state.svgs['model-compare-curve'] = curve.svg;
  state.svgs['model-compare'] = headlineChart(rows, A.run.family, names);
  ui.modelCompareChart.innerHTML = state.svgs['model-compare'];
}

// ---------------------------------------------------------------- tabs, exports, wiring

function selectTab(which: 'report' | 'compare'): void {
  for (const name of ['report', 'compare'] as const) {
    const tab = $(`tab-${name}`);
    const on = name === which;
    tab.setAttribute('aria-selected', String(on));
    tab.tabIndex = on ? 0 : -1;
    $(`view-${name}`).hidden = !on;
  }
}

async function downloadCsv(jobId: string | undefined, name: string): Promise<void> {
  if (!jobId) {
    ui.status.textContent = 'Run it first.';
    return;
  }
  const res = await request(`/jobs/${encodeURIComponent(jobId)}`, { accept: 'text/csv' });
  saveText(await res.text(), name, 'text/csv');
}

function fileBase(): string {
  return `ripple-${(state.customer?.id ?? 'scenario').replace(/[^\w.-]+/g, '_').slice(0, 40)}`;
}

function wire(): void {
  ui.graph.addEventListener('change', () => void selectGraph().catch(report));
  ui.model.addEventListener('change', () => void selectModel().catch(report));
  let timer: number | undefined;
  ui.customer.addEventListener('input', () => {
    clearTimeout(timer);
    timer = window.setTimeout(() => void searchCustomers(ui.customer.value).catch(report), 150);
  });
  ui.customer.addEventListener('change', () => void pickCustomer());
  ui.experience.addEventListener('change', () => {
    ui.answer.disabled = ui.experience.value === 'positive';
  });
  ui.form.addEventListener('submit', (e) => {
    e.preventDefault();
    void (ui.model.value === 'voice' ? runScenario() : runModel()).catch(report);
  });
  ui.cancel.addEventListener('click', () => {
    if (state.runningJob) void cancelJob(state.runningJob).catch(report);
  });
  for (const r of document.querySelectorAll<HTMLInputElement>('input[name="curve"]')) r.addEventListener('change', () => state.report && renderSpread());
  const tabs = [$('tab-report'), $('tab-compare')];
  tabs.forEach((t, i) => {
    t.addEventListener('click', () => selectTab(i === 0 ? 'report' : 'compare'));
    t.addEventListener('keydown', (e) => {
      if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
      const next = tabs[(i + 1) % 2];
      selectTab(next === tabs[0] ? 'report' : 'compare');
      next.focus();
    });
  });
  ui.addVariant.addEventListener('click', () => addVariant('', '1'));
  ui.compare.addEventListener('click', () => void runCompare().catch(report));
  $('csv').addEventListener('click', () => void downloadCsv(state.reportJob, `${fileBase()}-report.csv`).catch(report));
  $('model-csv').addEventListener('click', () => void downloadCsv(state.modelJob, `${fileBase()}-${state.modelRun?.model ?? 'model'}.csv`).catch(report));
  $('compare-csv').addEventListener('click', () => void downloadCsv(state.compareJob, `${fileBase()}-comparison.csv`).catch(report));
  $('model-compare-csv').addEventListener('click', () => {
    const c = state.modelCompare;
    if (c) saveText(compareCsv(c.settings, c.rows), `${fileBase()}-${c.settings[0].run.model}-comparison.csv`, 'text/csv');
  });
  ui.settingBCopy.addEventListener('click', () => copySettingA());
  ui.modelFields.addEventListener('input', () => describeSettingA());
  ui.modelFields.addEventListener('change', () => describeSettingA());
  for (const b of document.querySelectorAll<HTMLButtonElement>('button[data-export]')) {
    b.addEventListener('click', () => {
      const which = b.dataset.export!;
      const svg = state.svgs[which];
      if (!svg) return;
      const model = which.startsWith('model-compare') ? state.modelCompare?.settings[0].run.model : state.modelRun?.model;
      const chart = which.startsWith('model') ? which.replace('model', model ?? 'model') : which;
      const name = `${fileBase()}-${chart}.${b.dataset.kind}`;
      if (b.dataset.kind === 'svg') saveSvg(svg, name);
      else void savePng(svg, name).catch(report);
    });
  }
  fillAnswers();
  fillModels();
  void selectModel().catch(report);
  addVariant('No answer', 'none');
  addVariant('', '1');
}

function report(e: unknown): void {
  ui.status.textContent = `Something went wrong: ${(e as Error).message ?? String(e)}`;
}

wire();
loadGraphs().catch(report);
