import type { CellRow } from './rows.js';
import { histogramChart, lineChart, type ChartOptions, type Series } from './svg.js';
import { histogramSpec, lineChartSpec, type VegaLiteSpec } from './vega.js';

/**
 * Charts of a grid study from its rows (pure): a panel is (graph, model grid point); in a panel each seed
 * strategy is a series.
 *  - `spread-vs-k`: mean reach vs k with 95% CI bands (panels where some strategy has several k);
 *  - `steps`: mean cumulative activations per step, each strategy at its largest k (voice: negative and
 *    positive holders);
 *  - `histogram`: the reach distribution of each strategy at its largest k;
 *  - `prevalence`: mean customers newly reached per step (each strategy at its largest k) with its 95% CI band;
 *  - `answer` (with `steps`, for opinion models whose grid has several brand responses): the negative and positive
 *    holders per step of every response — "no answer" and each answer — in one chart on one axis.
 * `logY` draws the y axes of the line charts on a log scale (points at 0 left out there).
 */

export interface ChartFile {
  /** Relative path under the output folder (charts/...). */
  file: string;
  svg: string;
  title: string;
  /** The same chart as a Vega-Lite spec (written beside the SVG as .vl.json). */
  vegaLite?: VegaLiteSpec;
}

export type ChartKind = 'spread-vs-k' | 'steps' | 'histogram' | 'prevalence';

/** The label of a model point without its `response=…` part: the panels an answer chart puts together. */
export function withoutResponse(label: string): string | null {
  const m = / response=(none|at \d+(?: eff [\d.]+)?(?: private)?)/.exec(label);
  return m ? label.replace(m[0], '') : null;
}

/** "no answer", "answer at 1 (eff 0.5)", "answer at 0 (eff 1, private)" from a response column or label part. */
export function answerName(label: string): string {
  const m = / response=(none|at (\d+)(?: eff ([\d.]+))?( private)?)/.exec(label);
  if (!m || m[1] === 'none') return 'no answer';
  const bits = [m[3] !== undefined ? `eff ${m[3]}` : '', m[4] ? 'private' : ''].filter((b) => b !== '');
  return `answer at ${m[2]}${bits.length ? ` (${bits.join(', ')})` : ''}`;
}

export function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'x';
}

function groupBy<T>(xs: readonly T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    const g = m.get(k);
    if (g) g.push(x);
    else m.set(k, [x]);
  }
  return m;
}

const num = (v: unknown): number => (typeof v === 'number' ? v : NaN);

/**
 * Answer vs no answer: for each (graph, model point without its response, strategy) whose rows have opinion
 * curves under two or more responses, one chart of negative and positive holders per step for every response.
 */
function answerCharts(rows: readonly CellRow[], study: string, logY: boolean): ChartFile[] {
  const out: ChartFile[] = [];
  const withCurves = rows.filter((r) => r.details.negativeSteps && r.details.positiveSteps && withoutResponse(String(r.columns.model_label)) !== null);
  const groups = groupBy(withCurves, (r) => [r.columns.graph, withoutResponse(String(r.columns.model_label)), r.columns.strategy].map(String).join('\u0000'));
  for (const group of groups.values()) {
    // The largest k of the strategy, per response.
    const byAnswer = groupBy(group, (r) => answerName(String(r.columns.model_label)));
    if (byAnswer.size < 2) continue;
    const first = group[0];
    const graph = String(first.columns.graph);
    const label = withoutResponse(String(first.columns.model_label))!;
    const strategy = String(first.columns.strategy);
    const series: Series[] = [];
    for (const [answer, rs] of byAnswer) {
      const row = rs.reduce((a, b) => (num(b.columns.k) > num(a.columns.k) ? b : a));
      series.push({ name: `${answer}: negative`, points: row.details.negativeSteps!.map((s) => ({ x: s.step, y: s.cumulativeMean })) });
      series.push({ name: `${answer}: positive`, points: row.details.positiveSteps!.map((s) => ({ x: s.step, y: s.cumulativeMean })) });
    }
    const title = `${study}: ${graph}, ${label}, ${strategy} — with and without an answer`;
    out.push(line(`charts/answer--${slug(graph)}--${slug(label)}--${slug(strategy)}.svg`, series, {
      title, xLabel: 'step', yLabel: 'mean holders of the opinion (cumulative)', logY,
    }));
  }
  return out;
}

/** A line chart as SVG and as Vega-Lite. */
function line(file: string, series: Series[], o: ChartOptions): ChartFile {
  return { file, title: o.title, svg: lineChart(series, o), vegaLite: lineChartSpec(series, o) };
}

export function gridCharts(rows: readonly CellRow[], kinds: readonly ChartKind[], opts: { study: string; logY?: boolean }): ChartFile[] {
  const out: ChartFile[] = [];
  const logY = opts.logY === true;
  if (kinds.includes('steps')) out.push(...answerCharts(rows, opts.study, logY));
  const panels = groupBy(rows, (r) => `${String(r.columns.graph)}\u0000${String(r.columns.model_label)}`);
  for (const panelRows of panels.values()) {
    const graph = String(panelRows[0].columns.graph);
    const label = String(panelRows[0].columns.model_label);
    // Models with opinion curves (voice) chart the holders of each opinion instead of one activation curve.
    const opinions = panelRows[0].details.negativeSteps !== undefined;
    const base = `${slug(graph)}--${slug(label)}`;
    const byStrategy = groupBy(panelRows, (r) => String(r.columns.strategy));
    const last = [...byStrategy.entries()].map(([name, rs]) => ({ name, row: rs.reduce((a, b) => (num(b.columns.k) > num(a.columns.k) ? b : a)) }));
    if (kinds.includes('spread-vs-k') && [...byStrategy.values()].some((rs) => rs.length >= 2)) {
      const series: Series[] = [...byStrategy.entries()].map(([name, rs]) => ({
        name,
        points: rs
          .map((r) => ({ x: num(r.columns.k), y: num(r.columns.reach_mean), lo: num(r.columns.reach_ci_lo), hi: num(r.columns.reach_ci_hi) }))
          .sort((a, b) => a.x - b.x),
      }));
      const title = `${opts.study}: ${graph}, ${label} — spread vs k`;
      out.push(line(`charts/spread-vs-k--${base}.svg`, series, { title, xLabel: 'seed set size k', yLabel: 'expected reach (customers), 95% CI', logY }));
    }
    if (kinds.includes('steps')) {
      const series: Series[] = [];
      for (const { name, row } of last) {
        const k = num(row.columns.k);
        const tag = byStrategy.get(name)!.length > 1 ? ` (k=${k})` : '';
        if (opinions && row.details.negativeSteps && row.details.positiveSteps) {
          series.push({ name: `${name}${tag} negative`, points: row.details.negativeSteps.map((s) => ({ x: s.step, y: s.cumulativeMean })) });
          series.push({ name: `${name}${tag} positive`, points: row.details.positiveSteps.map((s) => ({ x: s.step, y: s.cumulativeMean })) });
        } else {
          series.push({ name: `${name}${tag}`, points: row.details.steps.map((s) => ({ x: s.step, y: s.cumulativeMean })) });
        }
      }
      const title = `${opts.study}: ${graph}, ${label} — activations per step`;
      out.push(line(`charts/steps--${base}.svg`, series, { title, xLabel: 'step', yLabel: opinions ? 'mean holders of the opinion (cumulative)' : 'mean active customers (cumulative)', logY }));
    }
    if (kinds.includes('prevalence')) {
      const series: Series[] = last.map(({ name, row }) => ({
        name: `${name}${byStrategy.get(name)!.length > 1 ? ` (k=${num(row.columns.k)})` : ''}`,
        points: row.details.steps.map((s) => ({ x: s.step, y: s.newMean, ...(s.newCi95 ? { lo: s.newCi95[0], hi: s.newCi95[1] } : {}) })),
      }));
      const title = `${opts.study}: ${graph}, ${label} — newly reached per step`;
      out.push(line(`charts/prevalence--${base}.svg`, series, { title, xLabel: 'step', yLabel: 'mean customers newly reached, 95% CI', logY }));
    }
    if (kinds.includes('histogram')) {
      for (const { name, row } of last) {
        const title = `${opts.study}: ${graph}, ${label}, ${name} k=${num(row.columns.k)} — reach distribution (${num(row.columns.runs)} runs)`;
        const o = { title, xLabel: 'customers reached in a run', yLabel: 'share of runs' };
        out.push({
          file: `charts/histogram--${base}--${slug(name)}.svg`, title,
          svg: histogramChart(row.details.histogram, o), vegaLite: histogramSpec(row.details.histogram, o),
        });
      }
    }
  }
  return out;
}
