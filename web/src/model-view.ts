import { COLORS, DASHES, lineChart, type Series } from './charts.js';
import { esc, num, pct, range, shortTime } from './format.js';
import type { Family, SimulationResult } from './types.js';

/**
 * The report of a catalogue model run (voter, threshold, SIS, CTIC…): its figures, each with its 95% interval as the
 * API reports it, and its curves with their bands. Pure: from an answer to HTML and SVG text, so that what is shown
 * is also what is exported.
 */

export interface ModelRun {
  model: string;
  family: Family;
  title: string;
  result: SimulationResult;
  /** Customers in the graph (shares). */
  customers: number;
  /** Seconds in one step, when the graph says how long a step is. */
  stepSeconds?: number;
  /** CTIC: seconds in one time unit (the request's timeUnit, echoed in the answer). */
  unitSeconds?: number;
}

export interface Figure {
  key: string;
  title: string;
  value: string;
  /** The 95% interval, rounded as the value; or, where there is none, a note saying why. */
  ci?: string;
  note?: string;
  /** The number behind `value` (and its interval), in the unit the value is written in (shares 0..1, steps, time units). */
  raw?: { mean: number; ci95?: [number, number] };
}

/** Compartment names as a person reads them, with a colour and a dash each (so that they differ without colour too). */
const LOOK: Record<string, { name: string; color: string; dash: string }> = {
  for: { name: 'For the brand', color: COLORS.positive, dash: DASHES.solid },
  against: { name: 'Against', color: COLORS.negative, dash: DASHES.dashed },
  adopting: { name: 'Adopted', color: COLORS.accent, dash: DASHES.solid },
  susceptible: { name: 'Not yet', color: COLORS.neutral, dash: DASHES.dashed },
  blocked: { name: 'Blocked (never adopts)', color: COLORS.amber, dash: DASHES.dotted },
  infected: { name: 'Passing it on', color: COLORS.negative, dash: DASHES.solid },
  exposed: { name: 'Heard, not passing it on yet', color: COLORS.amber, dash: DASHES.dashDot },
  recovered: { name: 'Done with it', color: COLORS.positive, dash: DASHES.dotted },
  weakened: { name: 'Doubtful (heard it once)', color: COLORS.amber, dash: DASHES.dashDot },
  removed: { name: 'Done with it', color: COLORS.positive, dash: DASHES.dotted },
  meanOpinion: { name: 'Mean opinion', color: COLORS.violet, dash: DASHES.solid },
  reached: { name: 'Reached by then', color: COLORS.accent, dash: DASHES.solid },
};

export function look(name: string) {
  return LOOK[name] ?? { name, color: COLORS.text, dash: DASHES.dotted };
}

/** An opinion in [-1, 1] to two decimals, with the minus sign the page writes ("−0.12", never "-0.00"). */
export function opinion(x: number): string {
  const t = x.toFixed(2);
  return t.startsWith('-') ? (/[1-9]/.test(t) ? `−${t.slice(1)}` : t.slice(1)) : t;
}

const share = <M extends Mean>(m: M, n: number): M => ({ ...m, mean: m.mean / n, ...(m.ci95 ? { ci95: [m.ci95[0] / n, m.ci95[1] / n] } : {}) });

/** A mean, with its 95% interval when the answer gives one (SIR's compartments come without). */
type Mean = { mean: number; ci95?: [number, number] };

/** The note of a figure whose answer has no interval. */
export const NO_INTERVAL = 'no interval in the answer';

/** A figure: the value with `f`, its interval with `fci` (default `f`: "34.7 steps", "33.6 – 35.9"). */
function fig(key: string, title: string, m: Mean | null | undefined, f: (x: number) => string, none = 'never', fci = f): Figure {
  if (!m) return { key, title, value: '–', note: none };
  const raw = { mean: m.mean, ...(m.ci95 ? { ci95: m.ci95 } : {}) };
  return m.ci95 ? { key, title, value: f(m.mean), ci: range(m.ci95, fci), raw } : { key, title, value: f(m.mean), note: NO_INTERVAL, raw };
}

/** A time in steps, or in hours when the graph says how long a step is ("6 h", "2.5 steps"). */
export function stepTime(steps: number, stepSeconds: number | undefined): string {
  if (stepSeconds === undefined) return `${num(steps)} step${steps === 1 ? '' : 's'}`;
  return shortTime(Math.round(steps * stepSeconds));
}

/** The row `i` of the compartments, with its interval when the answer has one. */
function at(r: SimulationResult, i: number, name: string): Mean | undefined {
  const row = r.compartments?.[i];
  if (!row || row[name] === undefined) return undefined;
  const ci = r.compartmentsCi95?.[i]?.[name];
  return ci ? { mean: row[name], ci95: ci } : { mean: row[name] };
}

/** The last row of the compartments, with its interval: the state at the end of the runs. */
function last(r: SimulationResult, name: string): Mean | undefined {
  return at(r, (r.compartments?.length ?? 0) - 1, name);
}

/** The figures of a run, by family; each is the API's number and interval, rounded for a person. */
export function modelFigures(run: ModelRun): Figure[] {
  const r = run.result;
  const n = Math.max(1, run.customers);
  const t = (x: number) => stepTime(x, run.stepSeconds);
  const tci = run.stepSeconds === undefined ? num : t; // "33.6 – 35.9" (steps said once, by the value) or "6 h – 8 h"
  const out: Figure[] = [];
  switch (run.family) {
    case 'opinion': {
      out.push(fig('for', 'For the brand at the end', r.finalShares?.for, pct));
      out.push(fig('against', 'Against at the end', r.finalShares?.against, pct));
      out.push(fig('consensus', 'Runs that reach consensus', r.consensus?.share, pct));
      out.push(fig('consensusTime', 'Time to consensus', r.consensus?.step, t, 'no run reached it', tci));
      out.push(fig('forWins', 'Runs where everyone ends “for”', r.consensus?.forWins, pct));
      break;
    }
    case 'hk': {
      out.push(fig('meanOpinion', 'Mean opinion at the end (−1 … 1)', r.finalMeanOpinion, opinion));
      const f = last(r, 'for');
      const a = last(r, 'against');
      out.push(fig('for', 'For the brand at the end', f && share(f, n), pct));
      out.push(fig('against', 'Against at the end', a && share(a, n), pct));
      out.push(fig('consensus', 'Runs that reach consensus', r.consensus?.share, pct));
      out.push(fig('consensusTime', 'Time to consensus', r.consensus?.step, t, 'no run reached it', tci));
      break;
    }
    case 'threshold': {
      out.push(fig('reach', 'Customers who adopt', r.reach, num));
      out.push(fig('share', 'Share of all customers', share(r.reach, n), pct));
      const b = last(r, 'blocked');
      if (b) out.push(fig('blocked', 'Blocked (never adopt)', b, num));
      break;
    }
    case 'epidemic': {
      out.push(fig('reach', 'Customers ever reached', r.reach, num));
      const rows = r.compartments ?? [];
      let peak = 0;
      rows.forEach((row, i) => {
        if (row.infected > rows[peak].infected) peak = i;
      });
      if (rows.length > 0) {
        out.push(fig('peak', 'Most passing it on at once', at(r, peak, 'infected'), num));
        out.push({ key: 'peakTime', title: 'When that is', value: t(rows[peak].step), note: 'peak of the mean curve', raw: { mean: rows[peak].step } });
      }
      out.push(fig('stillInfected', 'Still passing it on at the end', last(r, 'infected'), num));
      break;
    }
    case 'ctic': {
      const unit = run.unitSeconds ?? 3600;
      const inHours = (x: number) => shortTime(Math.round(x * unit));
      out.push(fig('within', `Reached within ${r.horizon ? inHours(r.horizon.units) : 'the horizon'}`, r.withinHorizon, num));
      out.push(fig('reach', 'Reached in the end (no time limit)', r.reach, num));
      if (r.timeToReach) {
        out.push(fig('timeToReach', `Time to reach ${num(r.timeToReach.target)} customers`, r.timeToReach.value, inHours, 'no run reached them'));
        out.push(fig('reachesTarget', `Runs that reach ${num(r.timeToReach.target)} customers`, r.timeToReach.share, pct));
      }
      break;
    }
  }
  return out;
}

export function figuresHtml(figs: Figure[]): string {
  return figs.map((f) => `<div class="figure" role="listitem" data-figure="${esc(f.key)}"><h3>${esc(f.title)}</h3><p class="value">${esc(f.value)}</p><p class="ci">${f.ci !== undefined ? `95%: ${esc(f.ci)}` : esc(f.note ?? '')}</p></div>`).join('');
}

export interface Chart {
  key: string;
  title: string;
  svg: string;
  /** The same numbers as a table (step or time, then each series' mean and interval). */
  table: string;
}

/**
 * Curves up to the last step where they still move visibly (plus one): a change of more than a thousandth of the
 * largest value, so that a slow tail (SEIR's last recoveries) does not squeeze the story into the left edge.
 */
function visible(rows: Record<string, number>[], names: string[]): number {
  const top = Math.max(1e-9, ...rows.flatMap((r) => names.map((k) => Math.abs(r[k]))));
  let end = Math.min(1, rows.length - 1);
  for (let i = 1; i < rows.length; i++) if (names.some((k) => Math.abs(rows[i][k] - rows[i - 1][k]) > 1e-3 * top)) end = i;
  return Math.min(rows.length - 1, end + 1);
}

function table(head: string[], rows: string[][]): string {
  return `<table><thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

/** The run's charts: compartments over time with 95% bands (opinions as shares), HK's mean opinion, CTIC's reach by time. */
export function modelCharts(run: ModelRun): Chart[] {
  const r = run.result;
  const n = Math.max(1, run.customers);
  const s = run.stepSeconds;
  const xTitle = s === undefined ? 'step (one round of passing it on)' : 'time since the customer spoke up';
  const xLabel = s === undefined ? undefined : (x: number) => shortTime(Math.round(x * s));
  const when = (step: number) => (s === undefined ? String(step) : `${shortTime(Math.round(step * s))} (step ${step})`);
  const charts: Chart[] = [];
  if (run.family === 'ctic') {
    const unit = run.unitSeconds ?? 3600;
    const pts = (r.reachByTime ?? []).map((p) => ({ x: p.time, y: p.mean }));
    const l = look('reached');
    charts.push({
      key: 'model',
      title: 'Customers reached by each time',
      svg: lineChart([{ name: l.name, color: l.color, dash: l.dash, points: pts }], {
        title: 'Customers reached by each time (mean per run)', xTitle: 'time since the customer spoke up', yTitle: 'customers',
        xLabel: (x) => shortTime(Math.round(x * unit)),
      }),
      table: table(['Time', 'Customers reached (mean)'], (r.reachByTime ?? []).map((p) => [shortTime(Math.round(p.time * unit)), num(p.mean)])),
    });
    return charts;
  }
  const rows = r.compartments ?? [];
  const cis = r.compartmentsCi95 ?? [];
  const opinions = run.family === 'opinion' || run.family === 'hk';
  // Opinions: both sides. Spread: who is reached (the customers not reached yet are the rest, in the table and the CSV).
  const all = Object.keys(rows[0] ?? {}).filter((k) => k !== 'step' && k !== 'meanOpinion');
  const names = all.filter((k) => opinions || k !== 'susceptible');
  const upto = visible(rows, all);
  const scale = opinions ? n : 1;
  const series = (list: string[], per: number): Series[] => list.map((name) => {
    const l = look(name);
    return {
      name: l.name, color: l.color, dash: l.dash,
      points: rows.slice(0, upto + 1).map((row, i) => {
        const ci = cis[i]?.[name];
        return { x: row.step, y: row[name] / per, ...(ci ? { lo: ci[0] / per, hi: ci[1] / per } : {}) };
      }),
    };
  });
  const fmt = opinions ? pct : num;
  const tableOf = (list: string[], per: number, f: (x: number) => string) => table(
    [s === undefined ? 'Step' : 'Time', ...list.map((k) => look(k).name)],
    rows.slice(0, upto + 1).map((row, i) => [when(row.step), ...list.map((k) => {
      const ci = cis[i]?.[k];
      return ci ? `${f(row[k] / per)} (${range([ci[0] / per, ci[1] / per], f)})` : f(row[k] / per);
    })]),
  );
  const title = opinions ? 'Share of customers holding each opinion' : 'Customers reached, in each state';
  charts.push({
    key: 'model',
    title,
    svg: lineChart(series(names, scale), {
      title: `${title}, by time (mean per run${cis.length > 0 ? ', shaded: 95% interval' : '; no intervals in the answer'})`, xTitle, yTitle: opinions ? 'share of customers' : 'customers', xLabel,
      ...(opinions ? { yMin: 0, yMax: 1, yLabel: (y: number) => pct(y) } : {}),
    }),
    table: tableOf(all, scale, fmt),
  });
  if (run.family === 'hk' && rows[0]?.meanOpinion !== undefined) {
    charts.push({
      key: 'model-opinion',
      title: 'Mean opinion',
      svg: lineChart(series(['meanOpinion'], 1), {
        title: 'Mean opinion, by time (−1 against … 1 for; shaded: 95% interval)', xTitle, yTitle: 'opinion', xLabel, yMin: -1, yMax: 1,
      }),
      table: tableOf(['meanOpinion'], 1, opinion),
    });
  }
  return charts;
}
