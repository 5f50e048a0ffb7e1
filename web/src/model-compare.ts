import { pairedDifference } from '../../src/scenarios/paired.js';
import { COLORS, DASHES, intervalChart, lineChart, type Series } from './charts.js';
import { esc, num, range, shortTime } from './format.js';
import { look, modelFigures, opinion, stepTime, type Figure, type ModelRun } from './model-view.js';
import type { Family } from './types.js';

/**
 * Two settings of one catalogue model side by side ("what if the brand's answer halves β"). The API compares
 * variants of the voice scenario only, so the page sends the two simulations with the same customer, runs and seed
 * and `samples: true`: run r of both draws from the same random stream (seed, r) — common random numbers — and the
 * page pairs the runs' values itself, with the function the API's own compare uses (src/scenarios/paired.ts). Each
 * setting's figures are the API's answer; only the differences are the page's, and they say so.
 */

export interface Setting {
  name: string;
  run: ModelRun;
  /** The model's parameters sent (the rest of the request is the same for both). */
  params: Record<string, unknown>;
}

export interface DiffCell {
  mean: number;
  ci95: [number, number];
  /** Runs paired (all runs, or those where both settings have a value: consensus time, time to reach). */
  pairs: number;
  relative: { mean: number; ci95: [number, number] } | null;
  text: string;
  ciText: string;
  /** The interval leaves out 0. */
  sure: boolean;
  /** Higher is better (true), lower is better (false), neither (null). */
  higherIsBetter: boolean | null;
}

export interface CompareRow {
  key: string;
  title: string;
  a: Figure;
  b: Figure;
  diff?: DiffCell;
  /** Why there is no paired difference. */
  note?: string;
  unit: string;
}

type Column = (number | null)[];

/** A per-run column of a setting's samples, as numbers (null: the run has none — never reached consensus, the target…). */
function column(run: ModelRun, name: string): Column | undefined {
  return run.result.samples?.[name];
}

/** How each figure is paired: its per-run values from the samples, or none (the API answers only their mean). */
interface Pairing {
  values: (run: ModelRun) => Column | undefined;
  /** Only runs where both have a value (the others did not reach it). */
  both?: boolean;
  higherIsBetter: boolean | null;
}

const col = (name: string, f: (x: number) => number = (x) => x) => (run: ModelRun) => column(run, name)?.map((x) => (x === null ? null : f(x)));
const happened = (name: string) => (run: ModelRun) => column(run, name)?.map((x) => (x === null ? 0 : 1));
const perShare = (name: string) => (run: ModelRun) => column(run, name)?.map((x) => (x === null ? null : x / Math.max(1, run.customers)));

const PAIRINGS: Record<Family, Record<string, Pairing>> = {
  opinion: {
    for: { values: col('forShare'), higherIsBetter: true },
    against: { values: col('forShare', (x) => 1 - x), higherIsBetter: false },
    consensus: { values: happened('consensusStep'), higherIsBetter: null },
    consensusTime: { values: col('consensusStep'), both: true, higherIsBetter: null },
    forWins: {
      values: (run) => {
        const c = column(run, 'consensusStep');
        const f = column(run, 'forShare');
        return c && f ? c.map((x, i) => (x !== null && f[i] === 1 ? 1 : 0)) : undefined;
      },
      higherIsBetter: true,
    },
  },
  hk: {
    meanOpinion: { values: col('meanOpinion'), higherIsBetter: true },
    consensus: { values: happened('consensusStep'), higherIsBetter: null },
    consensusTime: { values: col('consensusStep'), both: true, higherIsBetter: null },
  },
  threshold: {
    reach: { values: col('reach'), higherIsBetter: null },
    share: { values: perShare('reach'), higherIsBetter: null },
  },
  epidemic: {
    reach: { values: col('reach'), higherIsBetter: null },
  },
  ctic: {
    within: { values: col('withinHorizon'), higherIsBetter: null },
    reach: { values: col('reach'), higherIsBetter: null },
    timeToReach: { values: col('timeToReach'), both: true, higherIsBetter: null },
    reachesTarget: { values: happened('timeToReach'), higherIsBetter: null },
  },
};

/** The unit each figure is written in (the CSV's `unit`). */
function unitOf(key: string, run: ModelRun): string {
  const units: Record<string, string> = {
    for: 'share', against: 'share', share: 'share', consensus: 'share of runs', forWins: 'share of runs', reachesTarget: 'share of runs',
    consensusTime: 'steps', peakTime: 'step', meanOpinion: 'opinion', timeToReach: run.result.timeUnit ?? 'time units',
  };
  return units[key] ?? 'customers';
}

const signed = (x: number, f: (x: number) => string) => (x > 0 ? `+${f(x)}` : x < 0 ? `−${f(-x)}` : f(0));

/** A difference as a person reads it: shares in percentage points, times in steps or hours, opinions to two decimals. */
function diffFormat(key: string, run: ModelRun): (x: number) => string {
  const unit = unitOf(key, run);
  if (unit.startsWith('share')) return (x) => signed(x, (v) => `${num(100 * v)} pp`);
  if (key === 'meanOpinion') return (x) => signed(x, opinion);
  if (key === 'consensusTime') return (x) => signed(x, (v) => stepTime(v, run.stepSeconds));
  if (key === 'timeToReach') return (x) => signed(x, (v) => shortTime(Math.round(v * (run.unitSeconds ?? 3600))));
  return (x) => signed(x, num);
}

/**
 * The rows of the comparison: every figure of both settings (the API's numbers, as the report shows them), and where
 * the runs' values allow it, the paired difference B − A with its 95% interval.
 */
export function compareRows(a: ModelRun, b: ModelRun): CompareRow[] {
  const fa = modelFigures(a);
  const fb = new Map(modelFigures(b).map((f) => [f.key, f]));
  const pairings = PAIRINGS[a.family];
  return fa.filter((f) => fb.has(f.key)).map((f) => {
    const row: CompareRow = { key: f.key, title: f.title, a: f, b: fb.get(f.key)!, unit: unitOf(f.key, a) };
    const p = pairings[f.key];
    if (!p) return { ...row, note: 'not paired: the answer has no per-run values of it' };
    const va = p.values(a);
    const vb = p.values(b);
    if (!va || !vb || va.length !== vb.length) return { ...row, note: 'the runs’ values are missing' };
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = 0; i < va.length; i++) {
      const x = va[i];
      const y = vb[i];
      if (x === null || y === null) continue;
      xs.push(x);
      ys.push(y);
    }
    if (xs.length < 2) return { ...row, note: p.both ? 'fewer than two runs where both reach it' : 'fewer than two runs' };
    const d = pairedDifference(Float64Array.from(xs), Float64Array.from(ys));
    const fmt = diffFormat(f.key, a);
    const cell: DiffCell = {
      mean: d.mean, ci95: d.ci95, pairs: xs.length, relative: d.relative, text: fmt(d.mean), ciText: range(d.ci95, fmt),
      sure: d.ci95[0] > 0 || d.ci95[1] < 0, higherIsBetter: p.higherIsBetter,
    };
    return { ...row, diff: cell, ...(p.both ? { note: `over the ${num(xs.length)} runs where both reach it` } : {}) };
  });
}

/** The comparison as an HTML table: each setting's figure with its interval; under B's, the paired difference. */
export function compareTableHtml(rows: CompareRow[], names: [string, string], runs: number): string {
  const head = `<tr><th scope="col">Figure</th><th scope="col">${esc(names[0])} <small>(baseline)</small></th><th scope="col">${esc(names[1])}</th></tr>`;
  const cell = (f: Figure) => `<div>${esc(f.value)}</div><small>${esc(f.ci !== undefined ? f.ci : (f.note ?? ''))}</small>`;
  const body = rows.map((r) => {
    let diff = '';
    if (r.diff) {
      const d = r.diff;
      const cls = d.sure && d.higherIsBetter !== null ? ((d.mean > 0) === d.higherIsBetter ? 'better' : 'worse') : d.sure ? 'clear' : '';
      diff = `<div class="diff ${cls}" data-diff="${esc(r.key)}">${esc(d.text)} <small>(${esc(d.ciText)})</small>${r.note ? ` <small>${esc(r.note)}</small>` : ''}</div>`;
    } else if (r.note) diff = `<div class="diff none"><small>${esc(r.note)}</small></div>`;
    return `<tr data-figure="${esc(r.key)}"><th scope="row">${esc(r.title)}</th><td>${cell(r.a)}</td><td>${cell(r.b)}${diff}</td></tr>`;
  }).join('');
  const caption = `Each setting's figures are the API's answer, with their 95% interval. Below B's: the difference B − A, paired run by run over the ${num(runs)} runs on the same random streams (same seed: common random numbers), with its 95% interval — computed by the page from the runs' values (\`samples\`), as the API's compare does for the scenario (green: better for the brand, red: worse, bold: clearly different, plain: not clearly different).`;
  return `<table class="compare model-compare"><caption>${esc(caption)}</caption><thead>${head}</thead><tbody>${body}</tbody></table>`;
}

/** The headline figure of a family (the interval chart's): what a strategist compares first. */
const HEADLINE: Record<Family, string> = { opinion: 'for', hk: 'meanOpinion', threshold: 'reach', epidemic: 'reach', ctic: 'within' };

export function headlineChart(rows: CompareRow[], family: Family, names: [string, string]): string {
  const r = rows.find((x) => x.key === HEADLINE[family]) ?? rows[0];
  const f = family === 'hk' ? opinion : r.unit === 'share' ? (x: number) => `${num(100 * x)}%` : num;
  const items = [r.a, r.b].map((fig, i) => ({ label: names[i], mean: fig.raw?.mean ?? 0, lo: fig.raw?.ci95?.[0] ?? fig.raw?.mean ?? 0, hi: fig.raw?.ci95?.[1] ?? fig.raw?.mean ?? 0 }));
  return intervalChart(items, { title: `${r.title} (95% interval)`, color: COLORS.accent, format: f });
}

/** The curve a strategist follows for each family: "for" share, mean opinion, adopters, those passing it on, reach by time. */
const CURVE: Record<Family, string> = { opinion: 'for', hk: 'meanOpinion', threshold: 'adopting', epidemic: 'infected', ctic: 'reached' };

/** Both settings' headline curve over time, with their bands (A solid, B dashed). */
export function compareCurve(a: ModelRun, b: ModelRun, names: [string, string]): { title: string; svg: string } {
  const family = a.family;
  const key = CURVE[family];
  const styles = [{ color: COLORS.accent, dash: DASHES.solid }, { color: COLORS.amber, dash: DASHES.dashed }];
  const s = a.stepSeconds;
  const xTitle = family === 'ctic' || s !== undefined ? 'time since the customer spoke up' : 'step (one round of passing it on)';
  if (family === 'ctic') {
    const unit = a.unitSeconds ?? 3600;
    const series: Series[] = [a, b].map((run, i) => ({ name: names[i], ...styles[i], points: (run.result.reachByTime ?? []).map((p) => ({ x: p.time, y: p.mean })) }));
    const title = 'Customers reached by each time (mean per run)';
    return { title, svg: lineChart(series, { title, xTitle, yTitle: 'customers', xLabel: (x) => shortTime(Math.round(x * unit)) }) };
  }
  const opinions = family === 'opinion';
  const per = (run: ModelRun) => (opinions ? Math.max(1, run.customers) : 1);
  // Up to the longer of the two runs' curves (a settled curve stays flat: its last value carries on), cut where
  // neither still moves visibly (plus one step), as the report's charts are.
  const full = Math.max(a.result.compartments?.length ?? 0, b.result.compartments?.length ?? 0);
  const value = (run: ModelRun, k: number) => {
    const rows = run.result.compartments ?? [];
    return rows.length === 0 ? 0 : rows[Math.min(k, rows.length - 1)][key] / per(run);
  };
  let top = 1e-9;
  for (let k = 0; k < full; k++) top = Math.max(top, Math.abs(value(a, k)), Math.abs(value(b, k)));
  let end = Math.min(1, full - 1);
  for (let k = 1; k < full; k++) if ([a, b].some((run) => Math.abs(value(run, k) - value(run, k - 1)) > 1e-3 * top)) end = k;
  const len = Math.min(full, end + 2);
  const series: Series[] = [a, b].map((run, i) => {
    const rows = run.result.compartments ?? [];
    const cis = run.result.compartmentsCi95 ?? [];
    const points: Series['points'] = [];
    for (let k = 0; k < len && rows.length > 0; k++) {
      const j = Math.min(k, rows.length - 1);
      const ci = cis[j]?.[key];
      points.push({ x: k, y: rows[j][key] / per(run), ...(ci ? { lo: ci[0] / per(run), hi: ci[1] / per(run) } : {}) });
    }
    return { name: names[i], ...styles[i], points };
  });
  const title = `${look(key).name}, by time (mean per run${series.some((x) => x.points.some((p) => p.lo !== undefined)) ? ', shaded: 95% interval' : ''})`;
  const xLabel = s === undefined ? undefined : (x: number) => shortTime(Math.round(x * s));
  return {
    title,
    svg: lineChart(series, {
      title, xTitle, yTitle: opinions ? 'share of customers' : family === 'hk' ? 'opinion' : 'customers', xLabel,
      ...(opinions ? { yMin: 0, yMax: 1, yLabel: (y: number) => `${num(100 * y)}%` } : family === 'hk' ? { yMin: -1, yMax: 1 } : {}),
    }),
  };
}

/** The comparison as a tidy CSV, in the columns of the API's scenario compare CSV (variant, section, measure, …). */
export function compareCsv(settings: [Setting, Setting], rows: CompareRow[]): string {
  const cols = ['variant', 'section', 'measure', 'step', 'time', 'customer', 'mean', 'ci95_low', 'ci95_high', 'unit', 'baseline'];
  const out: (string | number | undefined)[][] = [];
  const [A, B] = settings;
  for (const s of settings) {
    out.push([s.name, 'request', 'model', '', '', '', '', '', '', s.run.model, '']);
    for (const [k, v] of Object.entries(s.params)) out.push([s.name, 'request', k, '', '', '', typeof v === 'number' ? v : '', '', '', typeof v === 'number' ? '' : String(v), '']);
  }
  for (const [s, pick] of [[A, (r: CompareRow) => r.a], [B, (r: CompareRow) => r.b]] as const) {
    for (const r of rows) {
      const raw = pick(r).raw;
      if (raw) out.push([s.name, 'figure', r.key, '', '', '', raw.mean, raw.ci95?.[0], raw.ci95?.[1], r.unit, '']);
    }
  }
  for (const r of rows) {
    if (!r.diff) continue;
    out.push([B.name, 'difference', r.key, '', '', '', r.diff.mean, r.diff.ci95[0], r.diff.ci95[1], r.unit, A.name]);
    if (r.diff.relative) out.push([B.name, 'difference', `${r.key}.relative`, '', '', '', r.diff.relative.mean, r.diff.relative.ci95[0], r.diff.relative.ci95[1], 'share', A.name]);
  }
  const cellText = (v: string | number | undefined) => {
    const t = v === undefined ? '' : String(v);
    return /[",\n\r]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
  };
  return `${[cols, ...out].map((r) => r.map(cellText).join(',')).join('\n')}\n`;
}
