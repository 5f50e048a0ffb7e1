import { parseOrThrow } from '../validate.js';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { brandResponseSchema, PROBABILITY_SCHEMES } from '../diffusion/schemas.js';
import { ACTIVITY_READINGS, type ActivityReading } from '../diffusion/request.js';
import { isoDuration, normaliseDuration, parseDuration, stepAt, stepDurationSchema } from '../graph/duration.js';

/**
 * Scenarios keep per-run values (about a dozen 8-byte columns per run) for paired differences and money CIs,
 * so their run cap is lower than a plain simulation's histogram-based one: 1M runs ≈ 100 MB.
 */
export const MAX_SCENARIO_RUNS = 1_000_000;

/**
 * The brand scenario request (DESIGN §3 voice, §6, §8 "A scenario request"): one declaration with ranges,
 * defaults and descriptions — it validates HTTP bodies, CLI flags and compare files, and writes the OpenAPI text.
 * Every report echoes the resolved values as `assumptions`.
 */

export const SCENARIO_DEFAULTS = {
  experience: 'negative',
  maxSteps: 20,
  /** @deprecated the old name of `maxSteps`. */
  horizon: 20,
  probability: 'uniform',
  p: 0.05,
  activity: 'per-arc',
  negativityBias: 2,
  churnIfNegative: 0.05,
  upliftIfPositive: 0.02,
  /** When neither the request nor the graph names one. */
  currency: 'EUR',
  runs: 2000,
  maxRuns: 100_000,
  seed: 1,
  amplifiers: 10,
} as const;

const d = SCENARIO_DEFAULTS;
const idSchema = z.string().min(1).max(16_384);

export const impactSchema = z
  .strictObject({
    churnIfNegative: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe(`Share of a negative customer's value lost: atRisk = Σ over negative customers of churnIfNegative · value (0..1, default ${d.churnIfNegative}).`),
    upliftIfPositive: z
      .number()
      .min(0)
      .max(10)
      .optional()
      .describe(`Share of a positive customer's value gained: earned = Σ over positive customers of upliftIfPositive · value (0..10, default ${d.upliftIfPositive}).`),
    currency: z
      .string()
      .min(1)
      .max(16)
      .optional()
      .describe(`Label of the money figures (values are in the graph's currency); default: the graph's currency, else ${d.currency}.`),
  })
  .describe('Impact coefficients: how opinions turn into money (DESIGN §6).');

/**
 * The brand's answer in a scenario: the engine's `{atStep, effectiveness, public}`, or the same with `at`, a time
 * after the complaint (ISO 8601, `PT2H`) that becomes the step it falls in once the step duration is known.
 */
export const scenarioResponseSchema = z
  .strictObject({
    atStep: brandResponseSchema.shape.atStep.unwrap().optional().describe('Step after whose activations the brand answers (default 1); 0 answers before the complaint spreads.'),
    at: z.string().max(64).optional().describe('Instead of `atStep`: when the brand answers, as a time after the complaint (ISO 8601, e.g. `PT2H`). Needs a step duration (the request\'s `stepDuration` or the graph\'s); it becomes the step it falls in: the answer acts after the activations of step floor(at / stepDuration), stated in the report.'),
    effectiveness: brandResponseSchema.shape.effectiveness,
    public: brandResponseSchema.shape.public,
  })
  .describe('Brand response to a complaint: `atStep` (default 1) or `at` (a time).');

/** Scenario fields without defaults: the overrides a compare variant may give. */
const fields = {
  customer: idSchema.optional().describe('The customer who speaks up (its id). Give `customer` or `customers`.'),
  customers: z.array(idSchema).min(1).max(1000).optional().describe('Several customers speaking up together (ids; duplicates count once).'),
  experience: z.enum(['negative', 'positive']).describe(`\`negative\` (a complaint) or \`positive\` (praise). Default ${d.experience}.`),
  maxSteps: z.number().int().min(1).max(10_000).describe(`Last step simulated after the customer speaks at step 0, as \`maxSteps\` of a simulation (1..10000, default ${d.maxSteps}).`),
  horizon: z.number().int().min(1).max(10_000).meta({ deprecated: true }).describe('Deprecated (kept for this release): the old name of `maxSteps`, same meaning. Giving both with different values is a 400.'),
  probability: z
    .enum(PROBABILITY_SCHEMES)
    .describe(
      'Arc probabilities: `uniform` (one `p`), `weighted-cascade` (w(u,v) / sum of v\'s in-weights), `trivalency` (0.1/0.01/0.001 by arc hash), ' +
        `\`attribute\` (the tie's p, else \`p\`), \`parallel\` (1 − (1 − p)^w, w = the tie's weight); multiplied by the sender's activity (\`activity: per-arc\`; under \`gate\` the sender passes it on at all with probability activity). Default ${d.probability}.`,
    ),
  p: z.number().min(0).max(1).describe(`Arc probability of a positive message (\`uniform\`, fallback of \`attribute\`) (0..1, default ${d.p}).`),
  activity: z
    .enum(ACTIVITY_READINGS)
    .describe(
      'How a customer\'s `activity` (0..1, default 1) acts: `per-arc` (default: it multiplies every arc leaving the customer) or `gate` (the customer ' +
        'passes anything on at all with probability activity — one draw per customer and run, kept for both of its messages: a complainant answered ' +
        'in public passes on its complaint and its praise, or neither — then each arc with its own probability). The same reading picks riskiest ' +
        `candidates by network value. Default ${d.activity}.`,
    ),
  negativityBias: z.number().min(1).max(100).describe(`A negative message crosses an arc with min(1, p·negativityBias) (1..100, default ${d.negativityBias}).`),
  response: scenarioResponseSchema
    .nullable()
    .describe(
      'The brand\'s answer to a complaint, or null for none (default). After the activations of step `atStep` the complainant turns positive with ' +
        'probability `effectiveness`; if `public`, it then spreads praise from step atStep+1. `atStep` 0 answers before the complainant speaks.',
    ),
  impact: impactSchema.describe('Impact coefficients (defaults: churnIfNegative 0.05, upliftIfPositive 0.02, the graph\'s currency).'),
  amplifiers: z.number().int().min(0).max(100).describe(`How many amplifiers to list (customers most often reached; 0..100, default ${d.amplifiers}).`),
  stepDuration: stepDurationSchema.optional().describe('How long one step is (ISO 8601, e.g. `PT2H`); default: the graph\'s. Reports then give every time in steps and as a duration, and `response.at` can be a time.'),
  reachOf: z.array(idSchema).max(5000).optional().describe('Customers whose reach frequency (share of runs in which each is reached) the report lists in `reachOf`, e.g. a neighbourhood to colour.'),
};

const runFields = {
  runs: z.number().int().min(1).max(MAX_SCENARIO_RUNS).optional().describe(`Monte Carlo runs (default ${d.runs}). Not together with \`precision\`.`),
  precision: z
    .number()
    .gt(0)
    .max(1)
    .optional()
    .describe('Instead of `runs`: run until the 95% CI half-width of reach is at most precision × mean (checked at 100, 200, … runs), or `maxRuns`.'),
  maxRuns: z.number().int().min(1).max(MAX_SCENARIO_RUNS).optional().describe(`Upper bound on runs in precision mode (default ${d.maxRuns}).`),
  seed: z
    .number()
    .int()
    .min(0)
    .max(4_294_967_295)
    .optional()
    .describe(`Random seed (default ${d.seed}). Run r uses stream (seed, r): the same request gives the same report; compare variants share the streams.`),
};

export const variantSchema = z
  .strictObject({
    name: z.string().min(1).max(200).describe('Name of the variant (unique within the request).'),
    ...fields,
    impact: impactSchema.optional().describe('Overrides of the base impact coefficients (merged field by field).'),
    response: fields.response.optional(),
    experience: fields.experience.optional(),
    maxSteps: fields.maxSteps.optional(),
    horizon: fields.horizon.optional(),
    probability: fields.probability.optional(),
    p: fields.p.optional(),
    activity: fields.activity.optional(),
    negativityBias: fields.negativityBias.optional(),
    amplifiers: fields.amplifiers.optional(),
  })
  .describe('A compare variant: a name and the base fields it overrides (runs, precision and seed are shared by every variant).');

const baseShape = {
  ...fields,
  experience: fields.experience.optional(),
  maxSteps: fields.maxSteps.optional(),
  horizon: fields.horizon.optional(),
  probability: fields.probability.optional(),
  p: fields.p.optional(),
  activity: fields.activity.optional(),
  negativityBias: fields.negativityBias.optional(),
  response: fields.response.optional(),
  impact: fields.impact.optional(),
  amplifiers: fields.amplifiers.optional(),
  ...runFields,
};

export const scenarioRequestSchema = z
  .strictObject({
    ...baseShape,
    variants: z
      .array(variantSchema)
      .min(1)
      .max(20)
      .optional()
      .describe('Compare mode: each variant overrides fields of this base; all run on the same random streams, and differences to the first variant come with paired CIs.'),
  })
  .describe('A brand scenario (DESIGN §6): what happens if this customer speaks up — with `variants`, several of them compared.')
  .meta({
    examples: [
      {
        customer: 'c0001', experience: 'negative', p: 0.05, probability: 'uniform', negativityBias: 2, maxSteps: 20,
        response: { atStep: 1, effectiveness: 0.6, public: true }, impact: { churnIfNegative: 0.05, upliftIfPositive: 0.02, currency: 'EUR' }, runs: 2000, seed: 1,
      },
    ],
  });

export type ScenarioRequestInput = z.input<typeof scenarioRequestSchema>;
/** A scenario request as parsed (defaults applied). */
export type ScenarioRequest = z.output<typeof scenarioRequestSchema>;
export type VariantInput = z.input<typeof variantSchema>;

const { customer: _customer, customers: _customers, ...riskiestBase } = baseShape;

export const riskiestRequestSchema = z
  .strictObject({
    ...riskiestBase,
    experience: z.literal('negative').optional().describe('Always `negative`: the question is whose complaint hurts most.'),
    top: z.number().int().min(1).max(200).default(10).describe('How many candidates, taken by network value (own + expected value reached), when `candidates` is not given (1..200, default 10).'),
    candidates: z.array(idSchema).min(1).max(200).optional().describe('Explicit candidate ids instead of the top customers by network value.'),
    rrSets: z.number().int().min(1000).max(10_000_000).default(100_000).describe('RR sets used to pick candidates by network value (default 100000).'),
  })
  .describe('Whose complaint would hurt most: the negative scenario for each candidate, ranked by money at risk.')
  .meta({ examples: [{ top: 5, p: 0.05, runs: 1000, seed: 1 }] });

export type RiskiestRequestInput = z.input<typeof riskiestRequestSchema>;
export type RiskiestRequest = z.infer<typeof riskiestRequestSchema>;

/** A single scenario with every default applied: what runs, and what `assumptions` echoes. */
export interface ScenarioSpec {
  customers: string[];
  experience: 'negative' | 'positive';
  /** Last step simulated. */
  maxSteps: number;
  /** @deprecated the old name of `maxSteps` (echoed in `assumptions` for this release). */
  horizon: number;
  probability: (typeof PROBABILITY_SCHEMES)[number];
  p: number;
  /** The reading of activity (DESIGN §9): `per-arc` or `gate`. */
  activity: ActivityReading;
  negativityBias: number;
  /** `at`: the time the answer was asked for, or the time of its step (with a step duration). */
  response: { atStep: number; effectiveness: number; public: boolean; at?: string } | null;
  impact: { churnIfNegative: number; upliftIfPositive: number; currency: string };
  /** How long one step is (ISO 8601), from the request or the graph; null: time in steps. */
  stepDuration: string | null;
  /** Customers whose reach frequency is listed (empty: none). */
  reachOf: string[];
  /** Exactly one of runs / precision. */
  runs: number | null;
  precision: number | null;
  maxRuns: number;
  seed: number;
  amplifiers: number;
}

/** Validate with a schema: one InputError listing every field (`details.errors`), as every other door. */
export function parseScenarioInput<S extends z.ZodType>(schema: S, what: string, input: unknown): z.infer<S> {
  return parseOrThrow(schema, input, what);
}

type Base = z.infer<typeof scenarioRequestSchema>;
type Overrides = Partial<Omit<Base, 'variants'>> & { name?: string };

/** `maxSteps`, or its deprecated name `horizon`; both with different values is a 400. */
function stepsOf(o: Overrides, where: string): number | undefined {
  if (o.maxSteps !== undefined && o.horizon !== undefined && o.maxSteps !== o.horizon) {
    const path = where ? `${where}.horizon` : 'horizon';
    throw new InputError(`${path}: \`horizon\` is the deprecated name of \`maxSteps\`; give one of them (got maxSteps ${o.maxSteps}, horizon ${o.horizon})`, {
      errors: [{ path, message: 'deprecated name of maxSteps; give one of them' }],
    });
  }
  return o.maxSteps ?? o.horizon;
}

/**
 * Resolve a base (and optionally a variant's overrides) into a full spec. `graphCurrency` labels money by
 * default; `graphStep` is the graph's step duration (the request's `stepDuration` wins).
 */
export function resolveSpec(base: Overrides, variant: Overrides = {}, graphCurrency?: string, graphStep?: string): ScenarioSpec {
  const pick = <K extends keyof Overrides>(k: K): Overrides[K] => (variant[k] !== undefined ? variant[k] : base[k]);
  const ids = variant.customer !== undefined || variant.customers !== undefined ? variant : base;
  if ((ids.customer === undefined) === (ids.customers === undefined)) {
    throw new InputError('give exactly one of `customer` or `customers`', { errors: [{ path: 'customer', message: 'give exactly one of customer or customers' }] });
  }
  if (base.runs !== undefined && base.precision !== undefined) {
    throw new InputError('give either `runs` or `precision`, not both', { errors: [{ path: 'precision', message: 'give either runs or precision, not both' }] });
  }
  const impact = { ...base.impact, ...variant.impact };
  const maxSteps = stepsOf(variant, 'variant') ?? stepsOf(base, '') ?? d.maxSteps;
  const asked = pick('stepDuration');
  const stepDuration = asked !== undefined ? normaliseDuration(asked) : (graphStep ?? null);
  const stepSeconds = stepDuration === null ? null : (parseDuration(stepDuration) as { seconds: number }).seconds;
  const given = pick('response');
  let response: ScenarioSpec['response'] = null;
  if (given) {
    if (given.at !== undefined && given.atStep !== undefined) {
      throw new InputError('response: give `atStep` or `at`, not both', { errors: [{ path: 'response.at', message: 'give atStep or at, not both' }] });
    }
    let atStep = given.atStep ?? 1;
    let at: string | undefined;
    if (given.at !== undefined) {
      const t = parseDuration(given.at);
      if ('error' in t && !/^PT?0+[SMHDW]?$/.test(given.at)) throw new InputError(`response.at: ${t.error}`, { errors: [{ path: 'response.at', message: t.error }] });
      if (stepSeconds === null) {
        throw new InputError('response.at is a time, but no step duration is known: give `stepDuration` in the request (e.g. "PT2H") or set it on the graph (PATCH /graphs/:id)', { errors: [{ path: 'response.at', message: 'needs a step duration' }] });
      }
      const seconds = 'error' in t ? 0 : t.seconds;
      atStep = stepAt(seconds, stepSeconds);
      at = isoDuration(seconds);
    } else if (stepSeconds !== null) {
      at = isoDuration(atStep * stepSeconds);
    }
    response = { atStep, effectiveness: given.effectiveness, public: given.public, ...(at !== undefined ? { at } : {}) };
  }
  return {
    customers: ids.customer !== undefined ? [ids.customer] : [...new Set(ids.customers)],
    experience: pick('experience') ?? d.experience,
    maxSteps,
    horizon: maxSteps,
    probability: pick('probability') ?? d.probability,
    p: pick('p') ?? d.p,
    activity: pick('activity') ?? d.activity,
    negativityBias: pick('negativityBias') ?? d.negativityBias,
    response,
    impact: {
      churnIfNegative: impact.churnIfNegative ?? d.churnIfNegative,
      upliftIfPositive: impact.upliftIfPositive ?? d.upliftIfPositive,
      currency: impact.currency ?? graphCurrency ?? d.currency,
    },
    runs: base.precision !== undefined ? null : (base.runs ?? d.runs),
    precision: base.precision ?? null,
    maxRuns: base.maxRuns ?? d.maxRuns,
    seed: base.seed ?? d.seed,
    amplifiers: pick('amplifiers') ?? d.amplifiers,
    stepDuration,
    reachOf: [...new Set(pick('reachOf') ?? [])],
  };
}
