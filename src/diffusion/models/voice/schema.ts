import { z } from 'zod';
import { activityField, modelRequest, pField, probabilityField } from '../../request.js';

export const brandResponseSchema = z
  .strictObject({
    atStep: z.number().int().min(0).max(1_000_000).default(1).describe('Step after whose activations the brand answers the complainant (default 1). 0 = before the complainant speaks: a turned complainant then spreads praise from step 1 if `public`, and nothing if not.'),
    effectiveness: z.number().min(0).max(1).default(0.5).describe('Probability that the answer turns the complainant positive (0..1, default 0.5).'),
    public: z.boolean().default(true).describe('If true and the complainant turned, a positive cascade starts from it at the next step (default true).'),
  })
  .describe('Brand response to a complaint');

export type BrandResponse = z.infer<typeof brandResponseSchema>;

/** Voice request (DESIGN §3): the seeds' experience, the negativity bias and an optional brand response. */
export const voiceSchema = modelRequest(
  'voice',
  'Voice: competing negative/positive opinions spread as IC; a customer keeps the first opinion that reaches it, negative wins same-step ties (after Chen et al. SDM 2011, Budak et al. WWW 2011).',
  'Competing opinions with negativity bias and brand response',
  {
    probability: probabilityField('uniform'),
    p: pField(0.05),
    activity: activityField,
    negativityBias: z.number().min(1).max(100).default(2).describe('A negative message uses min(1, p·negativityBias) (1..100, default 2).'),
    experience: z.enum(['negative', 'positive']).default('negative').describe('Opinion the seed customers hold: `negative` (a complaint) or `positive` (praise). Default negative.'),
    response: brandResponseSchema.nullable().default(null).describe('Optional brand response to a negative experience; null = none (default).'),
  },
);
