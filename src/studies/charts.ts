import type { CellRow } from './rows.js';
import { histogramChart, lineChart, type ChartOptions, type Series } from './svg.js';
import { histogramSpec, lineChartSpec, type VegaLiteSpec } from './vega.js';

/**
 * Charts of a grid study from its rows (pure): a panel is (graph, model grid point); in a panel each seed
 * strategy is a series.
 *  - `spread-vs-k`: mean reach vs k with 95% CI bands (panels where some strategy has several k);
 *  - `steps`: mean cumulative activations per step, each strategy at its largest k (voice: negative and
 *    positive holders);
 *  - `histogram`: the reach distribution of each strategy at its largest k.
 */

export interface ChartFile {
  /** Relative path under the output folder (charts/...). */
  file: string;
  svg: string;
  title: string;
  /** The same chart as a Vega-Lite spec (written beside the SVG as .vl.json). */
  vegaLite?: VegaLiteSpec;
}

export type ChartKind = 'spread-vs-k' | 'steps' | 'histogram';

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

/** A line chart as SVG and as Vega-Lite. */
function line(file: string, series: Series[], o: ChartOptions): ChartFile {
  return { file, title: o.title, svg: lineChart(series, o), vegaLite: lineChartSpec(series, o) };
}

export function gridCharts(rows: readonly CellRow[], kinds: readonly ChartKind[], opts: { study: string }): ChartFile[] {
  const out: ChartFile[] = [];
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
      out.push(line(`charts/spread-vs-k--${base}.svg`, series, { title, xLabel: 'seed set size k', yLabel: 'expected reach (customers), 95% CI' }));
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
      out.push(line(`charts/steps--${base}.svg`, series, { title, xLabel: 'step', yLabel: opinions ? 'mean holders of the opinion (cumulative)' : 'mean active customers (cumulative)' }));
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
