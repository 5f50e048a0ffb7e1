import type { HistogramSpec } from '../diffusion/stats.js';
import { modelOf, modelParameters, type ModelName, type SimulationRequestInput } from '../diffusion/models/registry.js';
import type { BrandResponse } from '../diffusion/models/voice/schema.js';
import type { ProbabilityScheme } from '../diffusion/request.js';
import type { GridStudy, ModelSpec, StrategySpec } from './schema.js';

/**
 * Expansion of a grid study into cells (pure): graphs × model grid points × seed strategies (× k).
 * A cell's `params` are everything that defines its numbers except the graph's content and the code
 * version (the runner adds those to the content hash).
 */

/** One point of a model block's grid: the fields of a simulation request except seeds/runs/seed. */
export interface ModelPoint {
  /** Block label + the values of the axes that vary in the block. */
  label: string;
  model: ModelName;
  /** The model's parameters at this point (every parameter it declares, defaults filled), declaration order. */
  params: Record<string, unknown>;
  /** params.probability / params.p, or null for a model without arc probabilities (seed strategies read them). */
  probability: ProbabilityScheme | null;
  p: number | null;
  maxSteps: number;
  runs: number | null;
}

/** A seed strategy instance: one series in the charts. */
export interface StrategyPoint {
  /** Series name (the strategy's `name`, else e.g. `imm`, `centrality:closeness`, `customer:top-value`). */
  name: string;
  spec: StrategySpec;
  pick: 'random' | 'median-value' | 'top-value' | null;
  /** k values (ascending); explicit and customer strategies have one k (the number of seeds). */
  ks: number[];
}

export interface Cell {
  index: number;
  graph: string;
  model: ModelPoint;
  strategy: StrategyPoint;
  k: number;
  /** Runs, or precision mode (runs = null). */
  runs: number | null;
  precision: number | null;
  maxRuns: number | null;
}

const DEFAULT_MAX_STEPS = 1_000_000;

const list = <T>(x: T | T[] | undefined, dflt: T): T[] => (x === undefined ? [dflt] : Array.isArray(x) ? x : [x]);

function fmt(x: unknown): string {
  if (x === null) return 'none';
  if (typeof x === 'object') {
    const r = x as BrandResponse;
    return `at ${r.atStep}${r.effectiveness !== undefined ? ` eff ${r.effectiveness}` : ''}${r.public === false ? ' private' : ''}`;
  }
  return String(x);
}

/**
 * Every grid point of one model block: the model's parameters (registry declaration order: probability, p,
 * then its own), each a list of values or its default, combined in that order (last varies fastest).
 */
export function expandModel(spec: ModelSpec): ModelPoint[] {
  const m = spec.model;
  const axes: [string, unknown[]][] = modelParameters(modelOf(m)).map(([key, field]) => [key, list(spec[key], field.parse(undefined))]);
  const out: ModelPoint[] = [];
  const idx = new Array<number>(axes.length).fill(0);
  for (;;) {
    const v = axes.map(([, vals], i) => vals[idx[i]]);
    const params = Object.fromEntries(axes.map(([name], i) => [name, v[i]]));
    const varying = axes
      .map(([name, vals], i) => (vals.length > 1 || (spec.label === undefined && ['probability', 'p'].includes(name) && vals[0] !== null) ? `${name === 'probability' ? '' : `${name}=`}${fmt(v[i])}` : ''))
      .filter((s) => s !== '');
    // The p of a non-uniform scheme (other than attribute's fallback) means nothing: drop it from auto labels.
    const scheme = (params.probability ?? null) as ProbabilityScheme | null;
    const shown = scheme === 'weighted-cascade' || scheme === 'trivalency' ? varying.filter((s) => !s.startsWith('p=')) : varying;
    const base = spec.label ?? m;
    out.push({
      label: [base, ...shown].join(' '),
      model: m,
      params,
      probability: scheme,
      p: (params.p ?? null) as number | null,
      maxSteps: spec.maxSteps ?? DEFAULT_MAX_STEPS,
      runs: spec.runs ?? null,
    });
    let a = axes.length - 1;
    while (a >= 0 && ++idx[a] >= axes[a][1].length) idx[a--] = 0;
    if (a < 0) break;
  }
  return out;
}

/** Strategy instances in file order (a customer strategy with several picks gives one per pick). */
export function expandStrategies(specs: readonly StrategySpec[]): StrategyPoint[] {
  const out: StrategyPoint[] = [];
  for (const s of specs) {
    if (s.strategy === 'customer') {
      for (const pick of list(s.pick, 'random' as const)) out.push({ name: s.name ? `${s.name}:${pick}` : `customer:${pick}`, spec: s, pick, ks: [1] });
    } else if (s.strategy === 'explicit') {
      out.push({ name: s.name ?? 'explicit', spec: s, pick: null, ks: [new Set(s.ids).size] });
    } else {
      const name = s.name ?? (s.strategy === 'centrality' ? `centrality:${s.metric}` : s.strategy);
      out.push({ name, spec: s, pick: null, ks: [...new Set(list(s.k, 1))].sort((a, b) => a - b) });
    }
  }
  return out;
}

/** All cells: for each graph, each model block's grid points, each strategy, each k. */
export function expandCells(study: GridStudy): Cell[] {
  const models = study.models.flatMap(expandModel);
  const strategies = expandStrategies(study.seeds);
  const cells: Cell[] = [];
  for (const g of study.graphs) {
    for (const m of models) {
      for (const s of strategies) {
        for (const k of s.ks) {
          const precision = m.runs === null && study.precision !== undefined ? study.precision : null;
          cells.push({
            index: cells.length, graph: g.name, model: m, strategy: s, k,
            runs: precision === null ? (m.runs ?? study.runs) : null,
            precision, maxRuns: precision === null ? null : study.maxRuns,
          });
        }
      }
    }
  }
  return cells;
}

/**
 * The parameters of the first four models, always present in a cell's parameters and row (null where the
 * model has none) so that the hashes and CSV layout of stored studies stay valid; any other parameter of
 * a model follows them, only in that model's cells.
 */
export const FIXED_PARAMETERS = ['probability', 'p', 'beta', 'gamma', 'negativityBias', 'experience', 'response'] as const;

/** A cell's model parameters: the fixed ones (null when absent), then the model's others. */
export function cellParameters(m: ModelPoint): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of FIXED_PARAMETERS) out[k] = k in m.params ? m.params[k] : null;
  for (const [k, v] of Object.entries(m.params)) if (!(k in out)) out[k] = v;
  return out;
}

/** The parameters that identify a cell's numbers (with the seed ids once chosen). JSON-stable key order. */
export function cellParams(cell: Cell, seed: number): Record<string, unknown> {
  const m = cell.model;
  const s = cell.strategy.spec;
  return {
    graph: cell.graph, model: m.model, ...cellParameters(m), maxSteps: m.maxSteps,
    strategy: cell.strategy.name, strategySpec: s, k: cell.k,
    runs: cell.runs, precision: cell.precision, maxRuns: cell.maxRuns, seed,
  };
}

/** The engine request of a cell on chosen seed ids. */
export function cellRequest(cell: Cell, seeds: string[], seed: number, bins: number | HistogramSpec): SimulationRequestInput {
  const m = cell.model;
  return {
    model: m.model, seeds, seed, maxSteps: m.maxSteps, top: 10, ...(typeof bins === 'number' ? { bins } : { histogram: bins }), ...m.params,
    ...(cell.runs !== null ? { runs: cell.runs } : { precision: cell.precision!, maxRuns: cell.maxRuns! }),
  } as SimulationRequestInput;
}
