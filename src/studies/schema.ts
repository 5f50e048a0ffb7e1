import { z } from 'zod';
import { LineCounter, parseDocument, isNode } from 'yaml';
import { InputError } from '../errors.js';
import { GRAPH_FORMATS, PARALLEL_TIES, PARALLEL_TIES_DESCRIPTION } from '../graph/model.js';
import { defaultsText, parameterDocs } from '../diffusion/models/parameters.js';
import { MODEL_DEFINITIONS, MODELS, type ModelName } from '../diffusion/models/registry.js';
import { CENTRALITY_METRICS } from '../influence/centrality/types.js';

/**
 * A research study (simulations/*.yaml): ONE zod declaration, which also yields schemas/study.schema.json
 * for editors (scripts/export-study-schema.ts). Three kinds:
 *  - `grid` (default): graphs × models (parameter grids) × seed strategies (× k) -> one cell each, run by
 *    the engine's Monte Carlo with the study seed;
 *  - `cascade-fit`: fit one uniform IC p on observed training cascades, evaluate on test cascades;
 *  - `tree-fit`: fit a graph-free branching process to observed retweet trees, evaluate on test trees.
 * Lists in model fields are grids: every combination is a cell.
 */

/** At most this many values in one `{from, to, step}` range. */
export const MAX_RANGE_VALUES = 10_000;

function isNumeric(t: z.ZodType): boolean {
  let cur: z.ZodType = t;
  while (cur instanceof z.ZodNullable || cur instanceof z.ZodOptional || cur instanceof z.ZodDefault) cur = cur.unwrap() as z.ZodType;
  return cur instanceof z.ZodNumber;
}

/** The values of a range: from, from + step, … while <= to (with a 1e-9 step tolerance), rounded to 12 digits. */
export function rangeValues(r: { from: number; to: number; step: number }): number[] {
  const n = Math.floor((r.to - r.from) / r.step + 1e-9) + 1;
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(Number((r.from + i * r.step).toPrecision(12)));
  return out;
}

/** `{from, to, step}` for a numeric axis: every value checked by the axis' own schema. */
const rangeOf = <T extends z.ZodType>(t: T) =>
  z
    .strictObject({ from: z.number(), to: z.number(), step: z.number().gt(0) })
    .describe(`A range: from, from + step, … up to to (inclusive); at most ${MAX_RANGE_VALUES} values.`)
    .transform((r, ctx): z.output<T>[] => {
      if (r.to < r.from) {
        ctx.addIssue({ code: 'custom', message: `to (${r.to}) must be >= from (${r.from})`, path: ['to'] });
        return z.NEVER;
      }
      if ((r.to - r.from) / r.step + 1 > MAX_RANGE_VALUES) {
        ctx.addIssue({ code: 'custom', message: `more than ${MAX_RANGE_VALUES} values: use a larger step`, path: ['step'] });
        return z.NEVER;
      }
      const out: z.output<T>[] = [];
      for (const v of rangeValues(r)) {
        const one = t.safeParse(v);
        if (!one.success) {
          ctx.addIssue({ code: 'custom', message: `${v}: ${one.error.issues[0]?.message ?? 'not allowed'}` });
          return z.NEVER;
        }
        out.push(one.data as z.output<T>);
      }
      return out;
    });

/** A value, a list of values, or (numbers) a `{from, to, step}` range: a grid axis. */
const axis = <T extends z.ZodType>(t: T) =>
  (isNumeric(t) ? z.union([t, z.array(t).min(1), rangeOf(t)]) : z.union([t, z.array(t).min(1)])) as unknown as z.ZodUnion<[T, z.ZodArray<T>]>;

const runs = z.number().int().min(1).max(10_000_000).describe('Monte Carlo runs per cell.');
const precision = z
  .number()
  .gt(0)
  .max(1)
  .describe('Instead of runs: stop when the 95% CI half-width <= precision × mean (with maxRuns).');

export const graphSpecSchema = z
  .strictObject({
    name: z.string().min(1).max(100).regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only').describe('Short name used in tables and chart files.'),
    file: z.string().min(1).optional().describe('Graph file, relative to the study file (any format of DESIGN §1).'),
    id: z.string().min(1).optional().describe('Or: a stored graph id (RIPPLE_DATA_DIR / RIPPLE_STORE).'),
    format: z.enum(GRAPH_FORMATS).optional().describe('Input format (default: from the file extension).'),
    directed: z.boolean().optional().describe('Edge lists and CSV: directed? (default false).'),
    skipLines: z.number().int().min(0).max(1000).default(0).describe('Lines to drop at the top of the file (e.g. an "N M" header).'),
    parallelTies: z.enum(PARALLEL_TIES).default('merge').describe(PARALLEL_TIES_DESCRIPTION),
  })
  .refine((g) => (g.file === undefined) !== (g.id === undefined), { message: 'give exactly one of `file` or `id`', path: ['file'] })
  .describe('A graph: a file or a stored id');

/**
 * A model block: `model` and, for each model parameter in the registry, a value or a list (a grid axis),
 * with the range of the model's own schema. A parameter a model does not declare is ignored for it.
 */
const parameterAxes = Object.fromEntries(
  parameterDocs().map((d) => {
    const all = d.models.length === MODEL_DEFINITIONS.length;
    const text = `${all ? '' : `${d.models.map((m) => m.name).join(', ')}: `}${d.help} (or a list: a grid axis; default ${defaultsText(d)}).`;
    return [d.key, axis(d.value).optional().describe(text)];
  }),
);

export const modelSpecSchema = z
  .strictObject({
    model: z.enum(MODELS).describe('Diffusion model (DESIGN §3; src/diffusion/models/).'),
    label: z.string().min(1).max(60).optional().describe('Name of this model block in tables and charts (default: built from its parameters).'),
    ...parameterAxes,
    maxSteps: z.number().int().min(0).max(1_000_000).optional().describe('Last simulated step (default: no limit).'),
    runs: runs.optional().describe('Runs for the cells of this model block (overrides the study `runs`).'),
  })
  .describe('A model and its parameter grid');

const kList = axis(z.number().int().min(1).max(10_000)).describe('Seed-set size(s) k: one cell per k; a list, or a range `{from: 1, to: 30, step: 1}`.');

export const STRATEGIES = ['explicit', 'random', 'centrality', 'imm', 'celf', 'degree-discount', 'degree', 'pagerank', 'customer'] as const;

export const strategySchema = z
  .discriminatedUnion('strategy', [
    z.strictObject({
      strategy: z.literal('explicit'), name: z.string().min(1).max(60).optional(),
      ids: z.array(z.string().min(1)).min(1).describe('Seed customer ids.'),
    }),
    z.strictObject({
      strategy: z.literal('random'), name: z.string().min(1).max(60).optional(), k: kList,
      draws: z.number().int().min(1).max(100_000).default(100).describe(
        'Independent random seed sets per cell (default 100): the cell reports the expected spread over seed sets, the mean of the draws\' ' +
          'means, with a 95% CI from their spread; the cell\'s runs are shared out among the draws (runs / draws each, rounded up).',
      ),
    }).describe('k customers drawn uniformly, `draws` times (each draw nested: its k-set is a prefix of one seeded permutation).'),
    z.strictObject({
      strategy: z.literal('centrality'), name: z.string().min(1).max(60).optional(), k: kList,
      metric: z.enum(CENTRALITY_METRICS).describe('Top-k by this centrality (networkx definitions).'),
    }),
    z.strictObject({
      strategy: z.enum(['imm', 'celf', 'degree-discount', 'degree', 'pagerank']), name: z.string().min(1).max(60).optional(), k: kList,
      epsilon: z.number().gt(0).lt(1).optional().describe('IMM ε (default 0.1).'),
      celfRuns: z.number().int().min(10).max(100_000).optional().describe('CELF live-edge worlds (default 1000).'),
    }).describe('Influence maximisation for the cell\'s model (IC/LT; voice and SIR use IC with the same p): seeds for the largest k, smaller k take its prefix.'),
    z.strictObject({
      strategy: z.literal('customer'), name: z.string().min(1).max(60).optional(),
      pick: axis(z.enum(['random', 'median-value', 'top-value'])).describe('One customer: a random one, the one with the median value-weighted reach, or the highest.'),
      rrSets: z.number().int().min(1000).max(50_000_000).default(200_000).describe('RR sets for value-weighted reach (Domingos & Richardson; IC with the cell\'s p and reading of activity).'),
    }),
  ])
  .describe('How the seed customers are chosen');

const common = {
  name: z.string().min(1).max(100).regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only').describe('Study name (output folder).'),
  description: z.string().max(10_000).optional(),
  seed: z.number().int().min(0).max(4_294_967_295).default(1).describe('Study seed: every cell uses it (common random numbers across cells).'),
  requiresData: z.string().optional().describe('Human note on the data the study needs (printed when a file is absent).'),
};

export const gridStudySchema = z
  .strictObject({
    kind: z.literal('grid').default('grid'),
    ...common,
    graphs: z.array(graphSpecSchema).min(1).max(100),
    models: z.array(modelSpecSchema).min(1).max(100),
    seeds: z.array(strategySchema).min(1).max(100),
    runs: runs.default(1000),
    precision: precision.optional(),
    maxRuns: z.number().int().min(1).max(10_000_000).default(100_000),
    impact: z
      .strictObject({
        churnIfNegative: z.number().min(0).max(1).optional(),
        upliftIfPositive: z.number().min(0).max(10).optional(),
        currency: z.string().min(1).max(16).optional(),
      })
      .optional()
      .describe('Voice cells: how opinions turn into money (as a scenario\'s `impact`; defaults 0.05, 0.02, the graph\'s currency else EUR).'),
    outputs: z
      .strictObject({
        charts: z.array(z.enum(['spread-vs-k', 'steps', 'histogram', 'prevalence'])).default(['spread-vs-k', 'steps', 'histogram', 'prevalence'])
          .describe('Charts to draw: spread-vs-k, steps (and, for opinion models with several responses, answer vs no answer), histogram, prevalence (new per step with CI).'),
        logY: z.boolean().default(false).describe('Log scale on the y axis of the line charts (points at 0 are left out there).'),
        histogramBins: z.number().int().min(1).max(200).default(30),
        histogramEdges: z
          .array(z.number().int().min(0).max(1_000_000_000))
          .min(2)
          .max(1001)
          .refine((e) => e.every((x, i) => i === 0 || x > e[i - 1]), { message: 'histogramEdges must be strictly increasing' })
          .optional()
          .describe('Explicit bin edges of every cell\'s reach histogram (e0 < e1 < …; bin i holds reach e_i .. e_(i+1) − 1), the same for every cell so their histograms line up; instead of histogramBins.'),
      })
      .prefault({}),
  })
  .describe('A grid study: every graph × model grid point × seed strategy (× k) is a cell');

export const cascadeFitStudySchema = z
  .strictObject({
    kind: z.literal('cascade-fit'),
    ...common,
    datasets: z
      .array(
        z.strictObject({
          name: z.string().min(1).max(60).regex(/^[A-Za-z0-9_.-]+$/),
          graph: graphSpecSchema,
          train: z.string().min(1).describe('Training cascades: one per line, `seed u1 t1 u2 t2 ...` (Inf-VAE format).'),
          validation: z.string().min(1).optional().describe('Validation cascades (same format): the smoothing settings are chosen on them only. Default: the last 15% of the training lines.'),
          test: z.string().min(1).describe('Test cascades, same format: used only for the reported evaluation.'),
        }),
      )
      .min(1),
    fit: z
      .strictObject({
        pMin: z.number().gt(0).lt(1).default(0.001),
        pMax: z.number().gt(0).max(1).default(0.5),
        gridPoints: z.number().int().min(3).max(200).default(12).describe('Log-spaced grid of p for the likelihood, then golden-section search around the best point.'),
        goldenIterations: z.number().int().min(0).max(100).default(10),
        runs: z.number().int().min(10).max(1_000_000).default(200).describe('Runs per cascade per evaluated p.'),
        binsPerDoubling: z.array(z.number().int().min(1).max(16)).min(1).default([1, 2, 4])
          .describe('Settings: size bins per doubling of the size distributions (each chosen on the validation split).'),
        smoothing: z.array(z.number().gt(0).max(1e6)).min(1).default([0.1, 1, 10])
          .describe('Settings: pseudo-count spread over the size bins (so no size has probability 0).'),
      })
      .prefault({}),
    evaluate: z.strictObject({ runs: z.number().int().min(10).max(1_000_000).default(1000) }).prefault({}),
  })
  .describe('Fit a uniform IC p to observed cascades by maximum likelihood of their sizes given the observed minimum size (train), choose settings on validation, evaluate on test against graph-free, degree and past-activity baselines');

export const treeFitStudySchema = z
  .strictObject({
    kind: z.literal('tree-fit'),
    ...common,
    datasets: z
      .array(
        z.strictObject({
          name: z.string().min(1).max(60).regex(/^[A-Za-z0-9_.-]+$/),
          archive: z.string().min(1).describe('A tar (optionally gzip) archive of retweet trees, relative to the study file.'),
          folder: z.string().min(1).max(200).regex(/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/)
            .describe('Folder inside the archive holding `tree/<source_tweet_id>.txt` (one edge a line, Twitter15/16 format) and optionally `label.txt`.'),
        }),
      )
      .min(1),
    split: z
      .strictObject({
        train: z.number().gt(0).lt(1).default(0.7),
        validation: z.number().gt(0).lt(1).default(0.15),
      })
      .refine((s) => s.train + s.validation < 1, { message: 'train + validation must leave a test share (< 1)' })
      .prefault({})
      .describe('Shares of the source tweets in train and validation (test: the rest), by a hash of each tweet id with the study seed.'),
    fit: z
      .strictObject({
        families: z.array(z.enum(['poisson', 'geometric', 'negbin'])).min(1).default(['poisson', 'geometric', 'negbin'])
          .describe('Settings: offspring laws of the branching process (each chosen on the validation split).'),
        generations: z.array(z.number().int().min(0).max(3)).min(1).default([0, 1, 2])
          .describe('Settings: generations with a law of their own before one law for the rest (0: one law for all, 1: the root apart, 2: root and first generation apart).'),
        delays: z.array(z.enum(['exponential', 'lognormal', 'lognormal-tree'])).min(1).default(['exponential', 'lognormal', 'lognormal-tree'])
          .describe('Settings: laws of the delay of one step (parent to child), fitted to the hops of the training trees (lognormal-tree: log-normal with a pace per tree, shared by its hops).'),
        binsPerDoubling: z.array(z.number().int().min(1).max(16)).min(1).default([1, 2, 4])
          .describe('Settings of the graph-free baseline (the training size distribution): size bins per doubling.'),
        smoothing: z.array(z.number().gt(0).max(1e6)).min(1).default([0.1, 1, 10])
          .describe('Settings of the baselines: pseudo-count spread over the bins (sizes; depths).'),
      })
      .prefault({}),
    evaluate: z
      .strictObject({
        runs: z.number().int().min(100).max(1_000_000).default(20_000).describe('Simulated trees (kept: size >= the minimum) for depth and timing.'),
        maxDraws: z.number().int().min(100).max(100_000_000).default(20_000_000).describe('Give up drawing simulated trees after this many.'),
      })
      .prefault({}),
  })
  .describe('Fit a Galton–Watson branching process (no graph) to observed retweet trees by maximum likelihood given the observed minimum size (train), choose settings on validation, evaluate on test against graph-free baselines');

export const studySchema = z
  .union([cascadeFitStudySchema, treeFitStudySchema, gridStudySchema])
  .describe('A Ripple research study (simulations/*.yaml)');

export type GridStudy = z.infer<typeof gridStudySchema>;
export type CascadeFitStudy = z.infer<typeof cascadeFitStudySchema>;
export type TreeFitStudy = z.infer<typeof treeFitStudySchema>;
export type Study = GridStudy | CascadeFitStudy | TreeFitStudy;
export type GraphSpec = z.infer<typeof graphSpecSchema>;
/** A model block as parsed: `model`, `label`, `maxSteps`, `runs` and the model's parameter axes by name. */
export type ModelSpec = Omit<z.infer<typeof modelSpecSchema>, string> & {
  model: ModelName; label?: string; maxSteps?: number; runs?: number; [param: string]: unknown;
};
export type StrategySpec = z.infer<typeof strategySchema>;

export interface StudyIssue {
  /** YAML path: `graphs[0].file`. */
  path: string;
  message: string;
  line?: number;
  col?: number;
}

/** `graphs[0].file` from zod/YAML path segments. */
export function formatPath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const seg of path) {
    if (typeof seg === 'number') s += `[${seg}]`;
    else s += s ? `.${String(seg)}` : String(seg);
  }
  return s;
}

/** The JSON Schema for editors (schemas/study.schema.json). */
export function studyJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(studySchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

/**
 * Parse a study file's text: YAML errors and schema violations become one InputError whose message lists
 * every problem as `source:LINE:COL: path: message`, with `fields` = [{path, message, line, col}].
 */
export function parseStudy(text: string, source = 'study.yaml'): Study {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const issues: StudyIssue[] = doc.errors.map((e) => {
      const pos = lineCounter.linePos(e.pos[0]);
      return { path: '', message: e.message.split('\n')[0], line: pos.line, col: pos.col };
    });
    throw studyError(source, issues);
  }
  const raw: unknown = doc.toJS();
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw studyError(source, [{ path: '', message: 'a study is a YAML mapping (name, graphs, models, seeds, ...)' }]);
  const kind = (raw as { kind?: unknown }).kind;
  const schema = kind === 'cascade-fit' ? cascadeFitStudySchema : kind === 'tree-fit' ? treeFitStudySchema : gridStudySchema;
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const issues = r.error.issues.map(unionDetail).map((i): StudyIssue => {
    // Point at the deepest node that exists in the document.
    let node: unknown = null;
    for (let k = i.path.length; k >= 0 && !node; k--) {
      const n = doc.getIn(i.path.slice(0, k) as (string | number)[], true);
      if (isNode(n) && n.range) node = n;
    }
    const pos = node && isNode(node) && node.range ? lineCounter.linePos(node.range[0]) : undefined;
    return { path: formatPath(i.path), message: i.message, ...(pos ? { line: pos.line, col: pos.col } : {}) };
  });
  throw studyError(source, issues);
}

/**
 * A failed union (a value, a list or a range) says only "Invalid input"; when one branch failed with our own
 * message (a range's `to < from`, a value out of range), that message is the one to show, at its path.
 */
function unionDetail(i: z.core.$ZodIssue): z.core.$ZodIssue {
  if (i.code !== 'invalid_union' || !Array.isArray(i.errors)) return i;
  for (const branch of i.errors) {
    const custom = branch.find((e) => e.code === 'custom');
    if (custom) return { ...custom, path: [...i.path, ...custom.path] };
  }
  return i;
}

function studyError(source: string, issues: StudyIssue[]): InputError {
  const lines = issues.map((i) => `${source}${i.line !== undefined ? `:${i.line}:${i.col}` : ''}: ${i.path ? `${i.path}: ` : ''}${i.message}`);
  return new InputError(`invalid study ${source}:\n  ${lines.join('\n  ')}`, { errors: issues });
}
