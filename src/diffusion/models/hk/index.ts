import { z } from 'zod';
import { runHk } from '../../kernels/opinion.js';
import { meanCi } from '../../stats.js';
import { meanCiSchema } from '../../result-schema.js';
import { modelRequest } from '../../request.js';
import { happened, kernelModel, maxStepsField, perCustomer, perCustomerField } from '../kernel-model.js';
import { consensusSchema } from '../opinion-fields.js';
import type { ModelResultFields } from '../model.js';

const opinion = (dflt: number, about: string) => z.number().min(-1).max(1).default(dflt).describe(`${about} (-1..1, default ${dflt}).`);

export const hkSchema = modelRequest(
  'hk',
  'Hegselmann–Krause bounded confidence (Hegselmann & Krause, Opinion dynamics and bounded confidence, JASSS 2002; NDlib `HKModel`): opinions in [-1, 1] (against … for the brand); at every step each customer moves to the mean opinion of itself and its in-neighbours within epsilon of it (synchronous, as in the paper).',
  'Hegselmann–Krause',
  {
    epsilon: z.number().gt(0).max(2).default(0.2).describe('Confidence bound ε: opinions farther apart than ε do not listen to each other (0 < ε <= 2; default 0.2).'),
    seedOpinion: opinion(1, "The seeds' opinion at step 0"),
    opinionLow: opinion(-1, 'Lower end of the uniform initial opinions of the other customers'),
    opinionHigh: opinion(1, 'Upper end of the uniform initial opinions'),
    customerOpinions: perCustomerField('initial opinions', -1, 1),
    maxSteps: maxStepsField(100),
  },
).refine((r) => r.opinionLow <= r.opinionHigh, { message: 'opinionLow must not exceed opinionHigh', path: ['opinionLow'] });

/** The result fields hk adds besides `compartments`, typed: summarizeExtras() returns exactly these. */
const resultShape = {
  consensus: consensusSchema,
  finalMeanOpinion: meanCiSchema.describe('Mean opinion at the end of a run, over runs.'),
};

/**
 * HK (../../kernels/opinion.ts). Differences from NDlib's HKModel, named: NDlib updates one random customer
 * at a time, leaves its own opinion out of the mean, needs |x_j − x_i| < ε (strict), and in 6.0.x keeps
 * only the last update of each iteration. "for" = opinion > 0, "against" = opinion < 0.
 */
export const hk = kernelModel({
  name: 'hk',
  title: 'Hegselmann–Krause',
  schema: hkSchema,
  compartments: ['against', 'for', 'meanOpinion'],
  meanOf: ['meanOpinion'],
  params: (g, req) => ({
    epsilon: req.epsilon, seedOpinion: req.seedOpinion, opinionLo: req.opinionLow, opinionHi: req.opinionHigh,
    nodeOpinion: perCustomer(g, req.customerOpinions, 'customerOpinions'),
  }),
  kernel: runHk,
  extras: ['consensusStep', 'meanOpinion'],
  summarizeExtras: ([consensusStep, mean]): ModelResultFields<typeof resultShape> => {
    const c = happened(consensusStep);
    return { consensus: { share: c.share, step: c.value }, finalMeanOpinion: meanCi(mean) };
  },
  extraResultShape: resultShape,
  workPerRun: (g, req) => (Math.max(1, g.m) + g.n) * Math.max(1, req.maxSteps),
});
