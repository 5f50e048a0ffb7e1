import { z } from 'zod';
import { graphRefShape, meanCiSchema, reachStatsSchema, stepSchema } from '../diffusion/result-schema.js';
import { ACTIVITY_READINGS } from '../diffusion/request.js';

/**
 * What a brand scenario answers (DESIGN §6, §8), next to the code that writes it (report.ts, compare.ts,
 * riskiest.ts): a ScenarioReport, a CompareReport (variants on common random numbers) and the riskiest ranking. The
 * API validates its answers with these and names them in /openapi.json; the examples are checked by the tests.
 */

const ci95 = z.tuple([z.number(), z.number()]).describe('95% confidence interval.');
const brief = z.object({ mean: z.number(), ci95 });
const opinionPeakSchema = z.object({ step: z.number().int(), newMean: z.number(), duration: z.string().optional().describe('The step\'s time (ISO 8601), with a step duration.') }).nullable();
const timesSchema = z
  .object({ mean: z.string(), ci95: z.tuple([z.string(), z.string()]) })
  .describe('With a step duration: the mean and its 95% interval as times after the customer spoke (ISO 8601; an interval end below 0 reads PT0S).');
const opinionTimeToPeakSchema = (opinion: 'negative' | 'positive') => meanCiSchema
  .extend({
    runs: z.number().int().describe(`Runs in which the ${opinion} opinion reaches someone after step 0: the mean and 95% CI are over these runs only.`),
    duration: timesSchema.optional(),
  })
  .nullable()
  .describe(
    `Time to peak of the ${opinion} opinion, per run: the step ≥ 1 at which the ${opinion} opinion newly reaches the most customers ` +
    '(earliest on ties; a brand turn is not a customer newly reached and does not count; 0 in a run where the opinion reaches no one after step 0). ' +
    'Mean and 95% CI over the runs in which it reaches someone (`runs`); the other runs are left out. Null when it reaches no one after step 0 in any run.',
  );
const rankedCustomer = z.object({
  id: z.string(),
  frequency: z.number().describe('Share of runs (0..1).'),
  label: z.string().optional().describe('The customer\'s label, when the graph gives one.'),
});
const timedStepSchema = stepSchema.extend({ duration: z.string().optional().describe('The step\'s time after the customer spoke (ISO 8601), with a step duration.') });

const assumptionsSchema = z
  .object({
    model: z.literal('voice'),
    customers: z.array(z.string()),
    experience: z.enum(['negative', 'positive']),
    maxSteps: z.number().int().describe('Last step simulated.'),
    horizon: z.number().int().meta({ deprecated: true }).describe('Deprecated: the old name of `maxSteps` (same value), kept for this release.'),
    probability: z.string(),
    p: z.number(),
    activity: z.enum(ACTIVITY_READINGS).describe('The reading of activity the runs used (`per-arc` or `gate`).'),
    negativityBias: z.number(),
    response: z.object({
      atStep: z.number().int(),
      effectiveness: z.number(),
      public: z.boolean(),
      at: z.string().optional().describe('With a step duration: the time asked for (`response.at`), or the time of `atStep`. The answer acts after the activations of step `atStep`, the step this time falls in.'),
    }).nullable(),
    impact: z.object({ churnIfNegative: z.number(), upliftIfPositive: z.number(), currency: z.string() }),
    runs: z.number().int().nullable().describe('Runs made.'),
    precision: z.number().nullable(),
    maxRuns: z.number().int(),
    seed: z.number().int(),
    amplifiers: z.number().int(),
    stepDuration: z.string().nullable().describe('How long one step is (ISO 8601), from the request or the graph; null: time in steps.'),
    reachOf: z.array(z.string()),
  })
  .describe('Every input of the scenario with defaults applied.');

/** Examples (from the demo graph, trimmed: one histogram bin, three steps, two amplifiers). */
const STATS = (mean: number, sd: number, lo: number, hi: number, min: number, max: number) => ({
  mean, sd, stderr: sd / Math.sqrt(2000), ci95: [lo, hi], min, max,
  quantiles: { p5: min, p25: mean, p50: mean, p75: mean, p95: max }, histogram: [{ from: min, to: max, count: 2000 }],
});
const MC = (mean: number, sd: number, lo: number, hi: number) => ({ mean, sd, stderr: sd / Math.sqrt(2000), ci95: [lo, hi] });
export const REPORT_EXAMPLE = {
  graphId: 'g_0123456789abcdef', graphVersion: 1,
  model: 'voice', runs: 2000, seed: 1, elapsedMs: 61.2, probability: 'uniform', seeds: ['c0006'], customers: ['c0006'],
  experience: 'negative', stoppedBy: 'runs',
  reach: STATS(31.64, 13.5, 31.05, 32.24, 6, 101), negative: STATS(26.17, 12.9, 25.61, 26.73, 5, 95), positive: STATS(5.47, 5.6, 5.23, 5.72, 0, 37),
  steps: [{ step: 0, newMean: 1, cumulativeMean: 1 }, { step: 1, newMean: 13.48, cumulativeMean: 14.48 }, { step: 2, newMean: 10.4, cumulativeMean: 24.88 }],
  negativeSteps: [{ step: 0, newMean: 1, cumulativeMean: 1 }, { step: 1, newMean: 12.89, cumulativeMean: 13.89 }, { step: 2, newMean: 6.66, cumulativeMean: 20.55 }],
  positiveSteps: [{ step: 0, newMean: 0, cumulativeMean: 0 }, { step: 1, newMean: 0.59, cumulativeMean: 0.59 }, { step: 2, newMean: 3.74, cumulativeMean: 4.33 }],
  amplifiers: [{ id: 'c0005', frequency: 0.173 }, { id: 'c0003', frequency: 0.144 }],
  passers: [{ id: 'c0005', frequency: 0.139 }, { id: 'c0003', frequency: 0.118 }],
  arcsExamined: 560.1,
  impressions: MC(6421, 2070, 6330, 6511),
  timeToPeak: { ...MC(1.33, 0.6, 1.31, 1.35), meanCurvePeak: 1, negative: { step: 1, newMean: 12.89 }, positive: { step: 2, newMean: 3.74 } },
  negativeTimeToPeak: { ...MC(1.1525, 0.484, 1.1313, 1.1737), runs: 2000 }, positiveTimeToPeak: { ...MC(2.0203, 0.147, 2.0119, 2.0287), runs: 1181 },
  money: { currency: 'EUR', atRisk: MC(423.91, 315.84, 410.07, 437.75), earned: MC(28.65, 37.28, 27.02, 30.29), net: MC(-395.26, 317.96, -409.19, -381.32) },
  valueExposed: { ...MC(9910.84, 6590, 9622.06, 10199.63), graphValue: 1091461.8, share: { mean: 0.00908, ci95: [0.00882, 0.00935] } },
  valuesAreDefaults: false, truncatedByHorizon: false, lastStep: { step: 20, newMean: 0, shareOfReach: 0 }, stepDuration: null, reachOf: [{ id: 'c0005', frequency: 0.173 }],
  summary: 'A complaint from c0006 reaches about 32 customers (31–32) within 20 steps: about 26 (26–27) end up negative and 5.5 (5.2–5.7) positive. The brand answers after step 1, in public, and wins the complainant over in 60% of runs. …',
  assumptions: {
    model: 'voice', customers: ['c0006'], experience: 'negative', maxSteps: 20, horizon: 20, probability: 'uniform', p: 0.05, activity: 'per-arc', negativityBias: 2,
    response: { atStep: 1, effectiveness: 0.6, public: true }, impact: { churnIfNegative: 0.05, upliftIfPositive: 0.02, currency: 'EUR' },
    runs: 2000, precision: null, maxRuns: 100000, seed: 1, amplifiers: 10, stepDuration: null, reachOf: ['c0005'],
  },
};
const DIFF = (mean: number, sd: number, lo: number, hi: number, rel: [number, number, number] | null) => ({
  ...MC(mean, sd, lo, hi), relative: rel ? { mean: rel[0], ci95: [rel[1], rel[2]] } : null,
});
export const COMPARE_EXAMPLE = {
  graphId: 'g_0123456789abcdef', graphVersion: 1,
  runs: 2000, seed: 1, elapsedMs: 140.5,
  variants: [{ name: 'answer at step 1', ...(({ graphId: _g, graphVersion: _v, ...r }) => r)(REPORT_EXAMPLE) }],
  differences: [{
    from: 'no answer', to: 'answer before it spreads',
    reach: DIFF(-10.1, 14, -10.7, -9.5, [-0.377, -0.395, -0.358]), negative: { ...DIFF(-15.97, 16.4, -16.69, -15.25, [-0.595, -0.619, -0.571]), change: 'improvement' },
    positive: DIFF(5.84, 5.9, 5.58, 6.1, null), impressions: DIFF(-781, 2000, -868, -694, [-0.129, -0.143, -0.115]),
    timeToPeak: DIFF(-0.2, 0.7, -0.23, -0.17, [-0.17, -0.2, -0.15]),
    // Over the 819 runs in which the answer before it spreads failed (the complaint spreads in both): the same runs.
    negativeTimeToPeak: { ...DIFF(0, 0, 0, 0, [0, 0, 0]), runs: 819 }, positiveTimeToPeak: null,
    valueExposed: DIFF(-3700, 5000, -3920, -3480, [-0.44, -0.46, -0.42]),
    money: {
      atRisk: { ...DIFF(-252.9, 318, -266.84, -238.96, [-0.598, -0.628, -0.567]), change: 'improvement' },
      earned: { ...DIFF(31.68, 40, 29.9, 33.4, null), change: 'improvement' },
      net: { ...DIFF(284.58, 347, 269.35, 299.8, [0.673, 0.637, 0.708]), change: 'improvement' },
    },
  }],
  summary: 'Compared with “no answer” (26 negative customers, €423 at risk), on the same random runs: “answer before it spreads” lowers the negative customers by 16 (15–17), cuts the money at risk by €253 (60%, range 57–63%), a smaller loss; net improves by €285. …',
};
const RISKIEST_TOP = [{
  rank: 1, id: 'c0003', ownValue: 1121.99, valueWeightedReach: { mean: 9636.4, ci95: [9420.5, 9855.2] }, networkValue: 9636.4, network: { mean: 9636.4, ci95: [9420.5, 9855.2] }, reach: { mean: 17.28, ci95: [16.7, 17.87] }, negative: { mean: 17.28, ci95: [16.7, 17.87] },
  impressions: { mean: 1630, ci95: [1528, 1733] },
  money: { atRisk: { mean: 554.52, ci95: [539.79, 569.25] }, earned: { mean: 0, ci95: [0, 0] }, net: { mean: -554.52, ci95: [-569.25, -539.79] } },
}];
export const RISKIEST_EXAMPLE = {
  graphId: 'g_0123456789abcdef', graphVersion: 1,
  candidates: 'value', currency: 'EUR', runs: 2000, seed: 1,
  top: RISKIEST_TOP,
  ranked: RISKIEST_TOP,
  assumptions: (({ customers: _c, ...a }) => ({ ...a, response: null, amplifiers: 0, rrSets: 100000 }))(REPORT_EXAMPLE.assumptions),
  elapsedMs: 812.4,
};

const reportShape = {
  model: z.literal('voice'),
  runs: z.number().int(),
  seed: z.number().int(),
  elapsedMs: z.number(),
  probability: z.string(),
  seeds: z.array(z.string()).meta({ deprecated: true }).describe('Deprecated: the same list as `customers` (the name a simulation uses), kept for this release.'),
  customers: z.array(z.string()).describe('The customers who speak up.'),
  experience: z.enum(['negative', 'positive']),
  stoppedBy: z.enum(['runs', 'precision', 'maxRuns']),
  reach: reachStatsSchema.describe('Customers reached, either opinion (the speaker included).'),
  negative: reachStatsSchema.describe('Customers holding the negative opinion at the end.'),
  positive: reachStatsSchema.describe('Customers holding the positive opinion at the end (a turned complainant included).'),
  steps: z.array(timedStepSchema).describe('Mean customers newly reached / reached by each step.'),
  negativeSteps: z.array(timedStepSchema).describe('Per-step negative curve (a brand turn counts −1 at atStep).'),
  positiveSteps: z.array(timedStepSchema).describe('Per-step positive curve (a brand turn counts +1 at atStep).'),
  amplifiers: z.array(rankedCustomer).describe('Customers other than the speakers most often reached, with the share of runs (who was reached; `passers` says who passed it on).'),
  passers: z.array(rankedCustomer).describe('Who passes it on: customers other than the speakers ranked by the share of runs in which they reached at least one customer not reached before (either opinion). As many as `amplifiers`.'),
  arcsExamined: z.number(),
  impressions: meanCiSchema.describe('Σ over customers reached of 1 + followers·activity.'),
  timeToPeak: meanCiSchema
    .extend({
      meanCurvePeak: z.number().int().describe('Peak step of the mean curve `steps` (steps ≥ 1).'),
      negative: opinionPeakSchema.describe('Peak of the negative mean curve `negativeSteps`: the step ≥ 1 with the most newly negative customers (null if none).'),
      positive: opinionPeakSchema.describe('Peak of the positive mean curve `positiveSteps` (null if no customer turns positive after step 0).'),
      duration: timesSchema.optional(),
    })
    .describe('Per run: the step ≥ 1 at which the most customers are newly reached (either opinion; earliest on ties; 0 if the voice never spreads); `negative` and `positive`: the peak of each opinion\'s mean curve. Per run and per opinion, with CIs: `negativeTimeToPeak`, `positiveTimeToPeak`.'),
  negativeTimeToPeak: opinionTimeToPeakSchema('negative'),
  positiveTimeToPeak: opinionTimeToPeakSchema('positive'),
  money: z
    .object({ currency: z.string(), atRisk: meanCiSchema, earned: meanCiSchema, net: meanCiSchema.describe('earned − atRisk, per run.') })
    .describe('atRisk = Σ over negative customers of churnIfNegative·value; earned = Σ over positive customers of upliftIfPositive·value.'),
  valueExposed: meanCiSchema
    .extend({ graphValue: z.number().describe('Total customer value of the graph.'), share: brief.describe('Share of the graph\'s total customer value reached.') })
    .describe('Value of the customers reached (either opinion).'),
  valuesAreDefaults: z.boolean().describe('True when the graph gives no customer values: every customer counts as the graph\'s default value (1 unless set), so money is per customer, not in a currency; the summary says so.'),
  truncatedByHorizon: z.boolean().describe('Still spreading at the horizon: customers were newly reached in the last step simulated, so a longer horizon would reach more (`lastStep` says how many).'),
  lastStep: z
    .object({ step: z.number().int(), newMean: z.number(), shareOfReach: z.number(), duration: z.string().optional() })
    .describe('The horizon step, the mean customers newly reached in it and their share of all customers reached.'),
  summary: z.string().describe('Plain sentences with rounded figures and their 95% ranges (the numbers keep full precision in the fields).'),
  stepDuration: z.string().nullable().describe('How long one step is (ISO 8601); every step in the report then also has a `duration`. Null: time is in steps.'),
  reachOf: z.array(z.object({ id: z.string(), frequency: z.number() })).describe('Share of runs in which each customer of the request\'s `reachOf` was reached.'),
  assumptions: assumptionsSchema,
};

export const scenarioReportSchema = z.object({ ...graphRefShape, ...reportShape }).describe('A brand scenario report (DESIGN §6).').meta({ id: 'ScenarioReport', examples: [REPORT_EXAMPLE] });

const diffSchema = meanCiSchema
  .extend({
    relative: brief
      .nullable()
      .describe('Relative change (mean(to) − mean(from)) / |mean(from)|, delta-method 95% CI on the paired runs; null when mean(from) = 0. Divided by the absolute baseline, so it has the sign of the change also for a negative baseline (a net loss that shrinks is a positive change).'),
  })
  .describe('Paired per-run difference to − from.');
const peakDiffSchema = (opinion: 'negative' | 'positive') => diffSchema
  .extend({ runs: z.number().int().describe(`Runs in which the ${opinion} opinion reaches someone after step 0 in both variants: the pairs the difference is over.`) })
  .nullable()
  .describe(`Paired per-run difference to − from of the ${opinion} opinion's time to peak (steps), over the runs in which it reaches someone in both variants; null when there is no such run.`);
const judgedDiffSchema = diffSchema
  .extend({ change: z.enum(['improvement', 'worsening', 'no clear difference']).describe('How the difference reads: fewer negative customers, less at risk, more earned or net are improvements; "no clear difference" when the 95% interval spans 0.') })
  .describe('Paired per-run difference to − from, with its verdict.');

export const compareResultSchema = z
  .object({
    ...graphRefShape,
    runs: z.number().int(),
    seed: z.number().int(),
    variants: z.array(z.object({ name: z.string(), ...reportShape })),
    differences: z
      .array(
        z.object({
          from: z.string(),
          to: z.string(),
          reach: diffSchema,
          negative: judgedDiffSchema,
          positive: diffSchema,
          impressions: diffSchema,
          timeToPeak: diffSchema,
          negativeTimeToPeak: peakDiffSchema('negative'),
          positiveTimeToPeak: peakDiffSchema('positive'),
          valueExposed: diffSchema,
          money: z.object({ atRisk: judgedDiffSchema, earned: judgedDiffSchema, net: judgedDiffSchema }),
        }),
      )
      .describe('Each variant against the first, run by run on the same random streams.'),
    summary: z.string().describe('Plain sentences: each variant against the first, rounded, with ranges.'),
    elapsedMs: z.number(),
  })
  .describe('Compare mode: several variants on common random numbers.')
  .meta({ id: 'CompareReport', examples: [COMPARE_EXAMPLE] });

const riskiestEntry = z.object({
  rank: z.number().int(),
  id: z.string(),
  ownValue: z.number(),
  valueWeightedReach: brief
    .nullable()
    .describe('The value-weighted reach (expected value of the others its voice reaches) that, with its own value, picked the candidate, with its 95% interval; null for given candidates.'),
  networkValue: z.number().nullable().meta({ deprecated: true }).describe('Deprecated (kept for this release): `valueWeightedReach.mean`, its old name; null for given candidates.'),
  network: brief.nullable().meta({ deprecated: true }).describe('Deprecated (kept for this release): the old name of `valueWeightedReach`; null for given candidates.'),
  reach: brief,
  negative: brief,
  impressions: brief,
  money: z.object({ atRisk: brief, earned: brief, net: brief }),
});

export const riskiestResultSchema = z
  .object({
    ...graphRefShape,
    candidates: z.enum(['given', 'value']).describe('Where the candidates came from: the request, or the top customers by own value + value-weighted reach.'),
    currency: z.string(),
    runs: z.number().int(),
    seed: z.number().int(),
    top: z.array(riskiestEntry).describe('The candidates, most money at risk first (`top`, as every ranking).'),
    ranked: z.array(riskiestEntry).meta({ deprecated: true }).describe('Deprecated: the old name of `top` (the same list), kept for this release.'),
    assumptions: assumptionsSchema.omit({ customers: true }).extend({ rrSets: z.number().int().nullable() }),
    elapsedMs: z.number(),
  })
  .describe('Candidates ranked by expected money at risk if they complain.')
  .meta({ id: 'RiskiestResult', examples: [RISKIEST_EXAMPLE] });
