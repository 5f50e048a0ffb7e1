import { z } from 'zod';
import { InputError } from '../errors.js';

/**
 * The parts of a simulation request that every model shares (DESIGN §4): seeds, runs or precision, the
 * seed, the step limit and what to report. A model's own request schema (src/diffusion/models/NAME/schema.ts)
 * is `modelRequest(NAME, description, { its parameters })`; the registry joins them into one discriminated
 * union on `model`. Objects are strict: a misspelt field is a 400, not silently ignored.
 */

export const MAX_RUNS = 10_000_000;
export const DEFAULT_RUNS = 1000;
export const PROBABILITY_SCHEMES = ['uniform', 'weighted-cascade', 'trivalency', 'attribute', 'parallel'] as const;
export type ProbabilityScheme = (typeof PROBABILITY_SCHEMES)[number];

/** The arc probability scheme field (DESIGN §3), with a model's default. */
export const probabilityField = (dflt: ProbabilityScheme) =>
  z
    .enum(PROBABILITY_SCHEMES)
    .default(dflt)
    .describe(
      'How each arc u->v gets its probability: `uniform` (the request `p`), `weighted-cascade` (w(u,v) / sum of ' +
        "v's in-weights), `trivalency` (0.1, 0.01 or 0.001, fixed per arc by a hash), `attribute` (the tie's `p`, " +
        'else the request `p`), `parallel` (1 − (1 − p)^w: w independent chances at the request `p`, w = the tie\'s weight — ' +
        'the number of parallel ties when the graph was imported with `parallelTies: count`). ' +
        `A customer's activity multiplies every arc leaving it (the \`per-arc\` reading of \`activity\`). Default \`${dflt}\`.`,
    );

/** The two readings of a customer's `activity` (DESIGN §9). */
export const ACTIVITY_READINGS = ['per-arc', 'gate'] as const;
export type ActivityReading = (typeof ACTIVITY_READINGS)[number];

/** How a customer's `activity` acts (IC, and the influence requests that run IC). */
export const activityField = z
  .enum(ACTIVITY_READINGS)
  .default('per-arc')
  .describe(
    'How a customer\'s `activity` (0..1, default 1) acts: `per-arc` (default: every arc leaving the customer has its probability multiplied by ' +
      'activity, each arc on its own) or `gate` (the customer passes it on at all with probability activity — one draw per customer and run — and ' +
      'then each arc with its own probability). Each arc fires as often under both; under `gate` a sender\'s arcs fire together or not at all, ' +
      'so the reach is more variable and smaller where someone can be reached through two of a quiet customer\'s arcs.',
  );

/** The message of the 400 when a model that cannot honour the gate reading is asked for it (LT). */
export const LT_GATE_MESSAGE =
  'activity gate is a reading of the independent cascade: use it with model ic (LT weights carry activity per arc)';

/**
 * The gate reading with a model that cannot honour it (LT) is a 400 whose field list names `path` (`activity`,
 * `body.activity`, `query.activity`): the one check behind the influence requests (RR sets, CELF, the engine re-estimate).
 */
export function checkActivityReading(model: string, activity: ActivityReading | undefined, path = 'activity'): void {
  if (model === 'lt' && activity === 'gate') {
    throw new InputError(LT_GATE_MESSAGE, { errors: [{ path, message: 'lt reads activity per arc only: use per-arc, or model ic' }] });
  }
}

/**
 * `activity` of a model that reads activity per arc only (LT: a customer's weights b(u,v) are multiplied by it, and a
 * gate has no live-edge reading there): `per-arc` (default), and `gate` is a 400 naming the field.
 */
export const perArcOnlyActivityField = (model: string) =>
  z
    .enum(ACTIVITY_READINGS)
    .refine((a) => a === 'per-arc', { message: `${model}: ${LT_GATE_MESSAGE}` })
    .default('per-arc')
    .describe(
      `How a customer's \`activity\` acts: \`per-arc\` only (default: it multiplies every weight leaving the customer); \`gate\` is a 400 with ${model}, ` +
        'whose live-edge reading (each customer keeps at most one in-arc) has no per-customer gate.',
    );

/** The arc probability `p` (uniform scheme, fallback of `attribute`), with a model's default. */
export const pField = (dflt: number) =>
  z
    .number()
    .min(0)
    .max(1)
    .default(dflt)
    .describe(`Arc probability for the \`uniform\` scheme and the fallback for \`attribute\` (0..1, default ${dflt}).`);

const binEdge = z.number().int().min(0).max(1_000_000_000);

/** `histogram` of a simulation request (stats.ts HistogramSpec). */
export const histogramSpecSchema = z.union([
  z.strictObject({ bins: z.number().int().min(1).max(1000).describe('Equal-width bins over [min, max] (at most this many).') }),
  z.strictObject({
    width: z.number().int().min(1).max(1_000_000_000).describe('Width of every bin (customers).'),
    start: binEdge.default(0).describe('Lower bound of the first bin (default 0); runs below it are counted as outside.'),
  }),
  z.strictObject({
    edges: z
      .array(binEdge)
      .min(2)
      .max(1001)
      .refine((e) => e.every((x, i) => i === 0 || x > e[i - 1]), { message: 'edges must be strictly increasing' })
      .describe('Bin edges e0 < e1 < … < ek: bin i holds reach e_i .. e_(i+1) − 1 (2..1001 edges).'),
  }),
]);

/** Fields of every simulation request; a model's parameters are the other fields of its schema. */
export const commonRequestFields = {
  seeds: z
    .array(z.string().min(1).max(16_384))
    .min(1)
    .max(100_000)
    .describe('Ids of the customers active at step 0 (at least one; duplicates count once).'),
  runs: z
    .number()
    .int()
    .min(1)
    .max(MAX_RUNS)
    .optional()
    .describe(`Monte Carlo runs (1..${MAX_RUNS}); default ${DEFAULT_RUNS}. Not allowed together with \`precision\`.`),
  precision: z
    .number()
    .gt(0)
    .max(1)
    .optional()
    .describe(
      'Instead of `runs`: keep running until the 95% CI half-width is at most `precision` × mean reach ' +
        '(checked at fixed run counts 100, 200, … growing by about 10%), or `maxRuns` is reached.',
    ),
  maxRuns: z
    .number()
    .int()
    .min(1)
    .max(MAX_RUNS)
    .default(100_000)
    .describe('Upper bound on runs in `precision` mode (default 100000).'),
  seed: z
    .number()
    .int()
    .min(0)
    .max(4_294_967_295)
    .default(1)
    .describe('Random seed (0..2^32-1, default 1). Run r draws from its own stream derived from (seed, r): same request and seed give the same result on any number of workers.'),
  maxSteps: z
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .default(1000)
    .describe('Last step simulated (step 0 = the seeds; default 1000). A run also ends when nothing changes.'),
  amplifiers: z
    .number()
    .int()
    .min(0)
    .max(100)
    .optional()
    .describe('How many amplifiers to report: the non-seed customers most often activated (0..100, default 10); the same name as in a scenario request.'),
  top: z
    .number()
    .int()
    .min(0)
    .max(100)
    .default(10)
    .meta({ deprecated: true })
    .describe('Deprecated (kept for this release): the old name of `amplifiers` (`top` names rankings: centrality, value, riskiest); `amplifiers` wins when both are given.'),
  bins: z.number().int().min(1).max(1000).default(20).describe('Histogram bins of the reach distribution (1..1000, default 20): short for `histogram: {bins: N}`; `histogram` wins when both are given.'),
  histogram: histogramSpecSchema
    .optional()
    .describe(
      'How the reach histograms are binned: `{bins: N}` (N equal-width bins over the runs\' own [min, max], as `bins`), `{width: W, start: S}` ' +
        '(fixed bins [S + jW, S + (j+1)W − 1] whatever the runs, so two answers line up; start default 0) or `{edges: [e0, …, ek]}` ' +
        '(explicit bins [e_i, e_(i+1) − 1], strictly increasing integers, every bin listed). With width or edges the runs outside the bins ' +
        'are counted in `histogramOutside` {below, above}.',
    ),
  samples: z
    .boolean()
    .optional()
    .describe(
      'Also return every run\'s values (result `samples`: `reach` and each of the model\'s per-run outputs, in run order), e.g. for your own ' +
        'statistics or bootstrap. The answer grows by about runs × 12 bytes per column: the memory budget (RIPPLE_MAX_RESULT_BYTES) bounds it (422 naming how many runs fit).',
    ),
  exceedance: z
    .array(z.number().int().min(0).max(1_000_000_000))
    .max(100)
    .optional()
    .describe('Tail risk: for each N, the probability that a run reaches at least N customers, P(reach >= N), with a 95% Wilson CI (result `exceedance`). Timed models (ctic) also give it for the reach within the horizon.'),
  trace: z
    .boolean()
    .optional()
    .describe('Also return one traced run: run 0 of this request (its stream (seed, 0), so it is one of the runs counted), as events {from, to, time, state} — who reached whom, at which step (or time, for ctic), and the state entered (at most 100000 events). Every model.'),
};

/** Names of the shared fields (everything else in a model's schema but `model` is a model parameter). */
export const COMMON_REQUEST_KEYS: ReadonlySet<string> = new Set(['model', ...Object.keys(commonRequestFields)]);

const onlyOneOfRunsPrecision = (o: { runs?: unknown; precision?: unknown }) => !(o.runs !== undefined && o.precision !== undefined);
const runsMessage = { message: 'give either `runs` or `precision`, not both', path: ['precision'] };

/**
 * A model's request schema: `{ model: NAME, ...common fields, ...params }`, strict, with the runs/precision
 * rule. `about` describes the model (cite the paper); `title` is the schema's one-line name.
 */
export function modelRequest<const N extends string, P extends z.ZodRawShape>(name: N, about: string, title: string, params: P) {
  return z
    .strictObject({ model: z.literal(name).describe(about), ...commonRequestFields, ...params })
    .refine((o) => onlyOneOfRunsPrecision(o as { runs?: unknown; precision?: unknown }), runsMessage)
    .describe(title);
}

/** The fields of a model request schema made by modelRequest() (zod keeps them under the refinement). */
export function requestShape(schema: z.ZodType): Record<string, z.ZodType> {
  return (schema as unknown as z.ZodObject).shape as Record<string, z.ZodType>;
}
