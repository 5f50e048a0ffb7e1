import { z } from 'zod';
import { InputError } from '../../../errors.js';
import { OpinionRule, runBinaryOpinion } from '../../kernels/opinion.js';
import { modelRequest } from '../../request.js';
import { kernelModel } from '../kernel-model.js';
import { binaryOpinionFields, binaryResultShape, OPINION_EXTRAS, OPINIONS, summarizeBinary } from '../opinion-fields.js';

export const majoritySchema = modelRequest(
  'majority',
  'Majority rule (Galam 2002, Minority opinion spreading in random geometry; Krapivsky & Redner, PRL 2003; NDlib `MajorityRuleModel`): q customers drawn at random (with repetition) discuss and all take the majority opinion. Mean field, as in the papers and NDlib: the group ignores the ties. A step is ceil(n/q) discussions.',
  'Majority rule',
  {
    q: z.number().int().min(1).max(1000).default(3).describe('Discussion group size (NDlib `q`; default 3; at most the number of customers).'),
    tie: z.enum(['for', 'against']).default('for').describe('Opinion a group with a tie takes (even q). Default `for`, as NDlib; Galam’s status-quo bias is `against`.'),
    ...binaryOpinionFields,
  },
);

export const majority = kernelModel({
  name: 'majority',
  title: 'majority rule',
  schema: majoritySchema,
  compartments: OPINIONS,
  params: (g, req) => {
    if (req.q > g.n) throw new InputError(`majority: q = ${req.q} is more than the ${g.n} customers of the graph`);
    return { forShare: req.forShare, q: req.q, tieOpinion: req.tie === 'for' ? 1 : 0 };
  },
  kernel: (g, plan, s, ks, rng, rec) => runBinaryOpinion(g, plan, s, ks, rng, rec, OpinionRule.Majority),
  extras: OPINION_EXTRAS,
  summarizeExtras: (cols) => summarizeBinary(cols),
  extraResultShape: binaryResultShape,
  workPerRun: (g, req) => Math.max(1, g.n) * Math.max(1, req.maxSteps),
});
