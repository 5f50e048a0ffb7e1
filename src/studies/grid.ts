import type { BrandResponse, ModelName, ProbabilityScheme, SimulationRequestInput } from '../diffusion/schemas.js';
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
  probability: ProbabilityScheme;
  p: number | null;
  beta: number | null;
  gamma: number | null;
  negativityBias: number | null;
  experience: 'negative' | 'positive' | null;
  response: BrandResponse | null;
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

/** Every grid point of one model block, in a fixed order (probability, p, beta, gamma, bias, experience, response). */
export function expandModel(spec: ModelSpec): ModelPoint[] {
  const m = spec.model;
  const defaultScheme: ProbabilityScheme = m === 'lt' ? 'weighted-cascade' : 'uniform';
  const axes: [string, unknown[]][] = [
    ['probability', list(spec.probability, defaultScheme)],
    ['p', list(spec.p, m === 'sir' ? 1 : 0.05)],
    ['beta', m === 'sir' ? list(spec.beta, 0.1) : [null]],
    ['gamma', m === 'sir' ? list(spec.gamma, 0.5) : [null]],
    ['negativityBias', m === 'voice' ? list(spec.negativityBias, 2) : [null]],
    ['experience', m === 'voice' ? list(spec.experience, 'negative' as const) : [null]],
    ['response', m === 'voice' ? list<BrandResponse | null>(spec.response as BrandResponse | null | (BrandResponse | null)[] | undefined, null) : [null]],
  ];
  const out: ModelPoint[] = [];
  const idx = new Array<number>(axes.length).fill(0);
  for (;;) {
    const v = axes.map(([, vals], i) => vals[idx[i]]);
    const varying = axes
      .map(([name, vals], i) => (vals.length > 1 || (spec.label === undefined && ['probability', 'p'].includes(name) && vals[0] !== null) ? `${name === 'probability' ? '' : `${name}=`}${fmt(v[i])}` : ''))
      .filter((s) => s !== '');
    // The p of a non-uniform scheme (other than attribute's fallback) means nothing: drop it from auto labels.
    const scheme = v[0] as ProbabilityScheme;
    const shown = scheme === 'weighted-cascade' || scheme === 'trivalency' ? varying.filter((s) => !s.startsWith('p=')) : varying;
    const base = spec.label ?? m;
    out.push({
      label: [base, ...shown].join(' '),
      model: m,
      probability: scheme,
      p: v[1] as number,
      beta: v[2] as number | null,
      gamma: v[3] as number | null,
      negativityBias: v[4] as number | null,
      experience: v[5] as 'negative' | 'positive' | null,
      response: v[6] as BrandResponse | null,
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

/** The parameters that identify a cell's numbers (with the seed ids once chosen). JSON-stable key order. */
export function cellParams(cell: Cell, seed: number): Record<string, unknown> {
  const m = cell.model;
  const s = cell.strategy.spec;
  return {
    graph: cell.graph, model: m.model, probability: m.probability, p: m.p, beta: m.beta, gamma: m.gamma,
    negativityBias: m.negativityBias, experience: m.experience, response: m.response, maxSteps: m.maxSteps,
    strategy: cell.strategy.name, strategySpec: s, k: cell.k,
    runs: cell.runs, precision: cell.precision, maxRuns: cell.maxRuns, seed,
  };
}

/** The engine request of a cell on chosen seed ids. */
export function cellRequest(cell: Cell, seeds: string[], seed: number, bins: number): SimulationRequestInput {
  const m = cell.model;
  const base = {
    seeds, seed, maxSteps: m.maxSteps, top: 10, bins, probability: m.probability, p: m.p ?? undefined,
    ...(cell.runs !== null ? { runs: cell.runs } : { precision: cell.precision!, maxRuns: cell.maxRuns! }),
  };
  switch (m.model) {
    case 'ic': return { model: 'ic', ...base };
    case 'lt': return { model: 'lt', ...base };
    case 'sir': return { model: 'sir', ...base, beta: m.beta!, gamma: m.gamma! };
    case 'voice': return { model: 'voice', ...base, negativityBias: m.negativityBias!, experience: m.experience!, response: m.response };
  }
}
