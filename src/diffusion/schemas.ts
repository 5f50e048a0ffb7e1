import { z } from 'zod';

/**
 * The simulation request: ONE declaration per model (DESIGN §3, §4), each parameter with its range,
 * default and description. The same schema validates CLI flags and HTTP bodies and documents the API
 * (OpenAPI via zod's JSON Schema). Objects are strict: a misspelt field is a 400, not silently ignored.
 */

export const MAX_RUNS = 10_000_000;
export const PROBABILITY_SCHEMES = ['uniform', 'weighted-cascade', 'trivalency', 'attribute'] as const;
export type ProbabilityScheme = (typeof PROBABILITY_SCHEMES)[number];
export const MODELS = ['ic', 'lt', 'sir', 'voice'] as const;
export type ModelName = (typeof MODELS)[number];

const probability = (dflt: ProbabilityScheme) =>
  z
    .enum(PROBABILITY_SCHEMES)
    .default(dflt)
    .describe(
      'How each arc u->v gets its probability: `uniform` (the request `p`), `weighted-cascade` (w(u,v) / sum of ' +
        "v's in-weights), `trivalency` (0.1, 0.01 or 0.001, fixed per arc by a hash), `attribute` (the tie's `p`, " +
        `else the request \`p\`). A customer's activity multiplies every arc leaving it. Default \`${dflt}\`.`,
    );

const p = (dflt: number) =>
  z
    .number()
    .min(0)
    .max(1)
    .default(dflt)
    .describe(`Arc probability for the \`uniform\` scheme and the fallback for \`attribute\` (0..1, default ${dflt}).`);

const common = {
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
    .describe(`Monte Carlo runs (1..${MAX_RUNS}); default 1000. Not allowed together with \`precision\`.`),
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
  top: z
    .number()
    .int()
    .min(0)
    .max(100)
    .default(10)
    .describe('How many amplifiers to report: the non-seed customers most often activated (0..100, default 10).'),
  bins: z.number().int().min(1).max(1000).default(20).describe('Histogram bins of the reach distribution (1..1000, default 20).'),
};

const onlyOneOfRunsPrecision = <T extends { runs?: number; precision?: number }>(o: T) => !(o.runs !== undefined && o.precision !== undefined);
const runsMessage = { message: 'give either `runs` or `precision`, not both', path: ['precision'] };

export const icSchema = z
  .strictObject({
    model: z.literal('ic').describe('Independent cascade (Kempe, Kleinberg, Tardos 2003): a customer first active at step t gets one chance at step t+1 to activate each inactive out-neighbour v with p(u,v).'),
    ...common,
    probability: probability('uniform'),
    p: p(0.05),
  })
  .refine(onlyOneOfRunsPrecision, runsMessage)
  .describe('Independent cascade');

export const ltSchema = z
  .strictObject({
    model: z.literal('lt').describe("Linear threshold (Kempe et al. 2003): each run draws θ_v ~ U(0,1]; v activates when the sum of b(u,v) over its active in-neighbours reaches θ_v. Not Granovetter's threshold model."),
    ...common,
    probability: probability('weighted-cascade'),
    p: p(0.05),
  })
  .refine(onlyOneOfRunsPrecision, runsMessage)
  .describe('Linear threshold; in-weight sums above 1 are rejected (400)');

export const sirSchema = z
  .strictObject({
    model: z.literal('sir').describe('SIR: each step an infected customer infects each susceptible out-neighbour with probability beta·p(u,v), then recovers with probability gamma. Reach = ever infected.'),
    ...common,
    probability: probability('uniform'),
    p: p(1),
    beta: z.number().min(0).max(1).default(0.1).describe('Infection probability per step and arc, multiplied by p(u,v) (0..1, default 0.1).'),
    gamma: z.number().min(0).max(1).default(0.5).describe('Recovery probability per step (0..1, default 0.5). With gamma = 1, SIR is IC with p·beta.'),
  })
  .refine(onlyOneOfRunsPrecision, runsMessage)
  .describe('Susceptible–infected–recovered');

export const brandResponseSchema = z
  .strictObject({
    atStep: z.number().int().min(0).max(1_000_000).default(1).describe('Step after whose activations the brand answers the complainant (default 1). 0 = before the complainant speaks: a turned complainant then spreads praise from step 1 if `public`, and nothing if not.'),
    effectiveness: z.number().min(0).max(1).default(0.5).describe('Probability that the answer turns the complainant positive (0..1, default 0.5).'),
    public: z.boolean().default(true).describe('If true and the complainant turned, a positive cascade starts from it at the next step (default true).'),
  })
  .describe('Brand response to a complaint');

export const voiceSchema = z
  .strictObject({
    model: z.literal('voice').describe('Voice: competing negative/positive opinions spread as IC; a customer keeps the first opinion that reaches it, negative wins same-step ties (after Chen et al. SDM 2011, Budak et al. WWW 2011).'),
    ...common,
    probability: probability('uniform'),
    p: p(0.05),
    experience: z.enum(['negative', 'positive']).default('negative').describe('Opinion the seed customers hold: `negative` (a complaint) or `positive` (praise). Default negative.'),
    negativityBias: z.number().min(1).max(100).default(2).describe('A negative message uses min(1, p·negativityBias) (1..100, default 2).'),
    response: brandResponseSchema.nullable().default(null).describe('Optional brand response to a negative experience; null = none (default).'),
  })
  .refine(onlyOneOfRunsPrecision, runsMessage)
  .describe('Competing opinions with negativity bias and brand response');

export const simulationRequestSchema = z
  .discriminatedUnion('model', [icSchema, ltSchema, sirSchema, voiceSchema])
  .describe('A Monte Carlo cascade simulation (DESIGN §3, §4)');

export type SimulationRequest = z.infer<typeof simulationRequestSchema>;
/** What callers may pass: defaults not yet applied. */
export type SimulationRequestInput = z.input<typeof simulationRequestSchema>;
export type BrandResponse = z.infer<typeof brandResponseSchema>;

export const DEFAULT_RUNS = 1000;
