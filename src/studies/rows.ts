import type { SimulationResult } from '../diffusion/simulate.js';
import type { ReachStats } from '../diffusion/stats.js';
import type { ScenarioReport } from '../scenarios/report.js';
import type { DrawSummary } from './draws.js';
import { cellParameters, type Cell, type ModelPoint } from './grid.js';

/**
 * One output row per cell: flat columns (CSV, and the same fields first in NDJSON) + details only in
 * NDJSON (per-step curves, histogram, amplifiers) that the charts use. Timing columns are the only ones
 * that differ between two runs of the same study (TIMING_COLUMNS).
 */

import type { Scalar } from '../io/csv.js';

export type { Scalar };

export interface CellRow {
  /** Flat columns in CSV order. */
  columns: Record<string, Scalar>;
  details: {
    steps: { step: number; newMean: number; cumulativeMean: number; newCi95?: [number, number] }[];
    negativeSteps?: { step: number; newMean?: number; cumulativeMean: number }[];
    positiveSteps?: { step: number; newMean?: number; cumulativeMean: number }[];
    histogram: ReachStats['histogram'];
    amplifiers: SimulationResult['amplifiers'];
    selection?: Record<string, number | string>;
  };
}

export const TIMING_COLUMNS = ['selection_ms', 'elapsed_ms'] as const;

function stats(prefix: string, s: ReachStats | undefined): Record<string, Scalar> {
  if (!s) return { [`${prefix}_mean`]: null, [`${prefix}_ci_lo`]: null, [`${prefix}_ci_hi`]: null };
  return { [`${prefix}_mean`]: s.mean, [`${prefix}_ci_lo`]: s.ci95[0], [`${prefix}_ci_hi`]: s.ci95[1] };
}

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * A cell's parameter columns (grid.ts cellParameters: the fixed ones, then the model's others), snake_case:
 * null where the model has no such parameter; a declared parameter set to null reads `none`; an object
 * (voice's response) reads `key=value …`.
 */
function parameterColumns(m: ModelPoint): Record<string, Scalar> {
  const out: Record<string, Scalar> = {};
  for (const [k, v] of Object.entries(cellParameters(m))) {
    const declared = k in m.params;
    out[snake(k)] = v === null
      ? (declared ? 'none' : null)
      : typeof v === 'object'
        ? Object.entries(v as Record<string, unknown>).map(([a, b]) => `${a}=${String(b)}`).join(' ')
        : (v as Scalar);
  }
  return out;
}

function ci(prefix: string, s: { mean: number; ci95: [number, number] } | null): Record<string, Scalar> {
  if (!s) return { [`${prefix}_mean`]: null, [`${prefix}_ci_lo`]: null, [`${prefix}_ci_hi`]: null };
  return { [`${prefix}_mean`]: s.mean, [`${prefix}_ci_lo`]: s.ci95[0], [`${prefix}_ci_hi`]: s.ci95[1] };
}

/** An opinion's time to peak per run (mean, CI) and the runs it is over (those in which the opinion spreads; 0: empty mean). */
function opinionPeak(prefix: string, s: { mean: number; ci95: [number, number]; runs: number } | null): Record<string, Scalar> {
  return { ...ci(prefix, s), [`${prefix}_runs`]: s ? s.runs : 0 };
}

/** The peak step (>= 1) of a mean new-per-step curve; 0 when nothing is new after step 0. */
function curvePeak(steps: readonly { step: number; newMean: number }[]): number {
  let best = 0;
  let at = 0;
  for (const s of steps) {
    if (s.step >= 1 && s.newMean > best) {
      best = s.newMean;
      at = s.step;
    }
  }
  return at;
}

/**
 * A voice cell's brand figures (DESIGN §6), each with its 95% CI: impressions, time to peak (per run, either opinion),
 * value exposed, money at risk / earned / net in the report's currency; the peak step of each opinion's mean
 * curve (`*_peak_step`: the mean curves have no per-run spread, so no CI); and each opinion's time to peak per run
 * (`negative_time_to_peak_*`, `positive_time_to_peak_*`: mean and CI over the `*_runs` runs in which that opinion
 * reaches someone after step 0; empty when it never does).
 */
export function scenarioColumns(r: ScenarioReport): Record<string, Scalar> {
  return {
    ...ci('impressions', r.impressions),
    ...ci('time_to_peak', r.timeToPeak),
    time_to_peak_curve: r.timeToPeak.meanCurvePeak,
    negative_peak_step: curvePeak(r.negativeSteps),
    positive_peak_step: curvePeak(r.positiveSteps),
    ...opinionPeak('negative_time_to_peak', r.negativeTimeToPeak),
    ...opinionPeak('positive_time_to_peak', r.positiveTimeToPeak),
    ...ci('value_exposed', r.valueExposed),
    currency: r.money.currency,
    ...ci('money_at_risk', r.money.atRisk),
    ...ci('money_earned', r.money.earned),
    ...ci('money_net', r.money.net),
    churn_if_negative: r.assumptions.impact.churnIfNegative,
    uplift_if_positive: r.assumptions.impact.upliftIfPositive,
  };
}

/** The row of a finished grid cell (with `report` for a voice cell: its brand figures too). */
export function gridRow(
  cell: Cell, hash: string, seedIds: string[], res: SimulationResult, selection: { ms: number; note?: Record<string, number | string> },
  report?: ScenarioReport, draws?: DrawSummary,
): CellRow {
  const m = cell.model;
  const q = res.reach.quantiles;
  const columns: Record<string, Scalar> = {
    cell: cell.index,
    hash,
    graph: cell.graph,
    model_label: m.label,
    model: m.model,
    ...parameterColumns(m),
    strategy: cell.strategy.name,
    k: cell.k,
    seeds: draws
      ? `${draws.draws} random sets; the first: ${seedIds.length <= 20 ? seedIds.join(' ') : `${seedIds.slice(0, 20).join(' ')} …(${seedIds.length})`}`
      : seedIds.length <= 50 ? seedIds.join(' ') : `${seedIds.slice(0, 50).join(' ')} …(${seedIds.length})`,
    runs: res.runs,
    // The random strategy: seed sets drawn (reach_* CI from the spread of their means) and that spread; 1 / empty otherwise.
    draws: draws?.draws ?? 1,
    draw_sd: draws ? draws.drawSd : null,
    stopped_by: res.stoppedBy,
    reach_mean: res.reach.mean,
    reach_sd: res.reach.sd,
    reach_stderr: res.reach.stderr,
    reach_ci_lo: res.reach.ci95[0],
    reach_ci_hi: res.reach.ci95[1],
    reach_min: res.reach.min,
    reach_p5: q.p5,
    reach_p25: q.p25,
    reach_p50: q.p50,
    reach_p75: q.p75,
    reach_p95: q.p95,
    reach_max: res.reach.max,
    ...stats('negative', res.negative),
    ...stats('positive', res.positive),
    ...(report ? scenarioColumns(report) : {}),
    steps: res.steps.length,
    selection_ms: Math.round(selection.ms),
    elapsed_ms: Math.round(res.elapsedMs),
  };
  return {
    columns,
    details: {
      steps: res.steps.map((s) => ({ step: s.step, newMean: s.newMean, cumulativeMean: s.cumulativeMean, ...(s.newCi95 ? { newCi95: s.newCi95 } : {}) })),
      ...(res.negativeSteps ? { negativeSteps: res.negativeSteps.map((s) => ({ step: s.step, newMean: s.newMean, cumulativeMean: s.cumulativeMean })) } : {}),
      ...(res.positiveSteps ? { positiveSteps: res.positiveSteps.map((s) => ({ step: s.step, newMean: s.newMean, cumulativeMean: s.cumulativeMean })) } : {}),
      histogram: res.reach.histogram,
      amplifiers: res.amplifiers,
      ...(selection.note ? { selection: selection.note } : {}),
    },
  };
}

/** CSV writing lives in src/io/csv.ts (shared with the HTTP text/csv answers); re-exported under its old names here. */
export { csvField, toCsv } from '../io/csv.js';

type StepDetail = { step: number; newMean?: number; cumulativeMean?: number; newCi95?: [number, number]; cumulativeCi95?: [number, number] };

/**
 * The per-step curves of a cell in long form, for `steps.csv` beside `cells.csv` (join on `cell`): one row per
 * (step, series) with `mean`, `lo`, `hi` (the 95% CI when the engine reports one per step, else empty). Series:
 * `new` and `cumulative` (customers newly / ever reached), and for opinion models `negative` and `positive`
 * (holders of each opinion by that step) and `negative_new` / `positive_new` (newly holding it at that step).
 */
export function stepRows(row: CellRow): Record<string, Scalar>[] {
  const out: Record<string, Scalar>[] = [];
  const cell = row.columns.cell;
  const push = (list: readonly StepDetail[] | undefined, field: 'newMean' | 'cumulativeMean', series: string) => {
    for (const s of list ?? []) {
      const mean = s[field];
      if (typeof mean !== 'number') continue;
      const ci = field === 'newMean' ? s.newCi95 : s.cumulativeCi95;
      out.push({ cell, step: s.step, series, mean, lo: ci?.[0] ?? null, hi: ci?.[1] ?? null });
    }
  };
  push(row.details.steps, 'newMean', 'new');
  push(row.details.steps, 'cumulativeMean', 'cumulative');
  push(row.details.negativeSteps, 'cumulativeMean', 'negative');
  push(row.details.positiveSteps, 'cumulativeMean', 'positive');
  push(row.details.negativeSteps, 'newMean', 'negative_new');
  push(row.details.positiveSteps, 'newMean', 'positive_new');
  return out;
}
