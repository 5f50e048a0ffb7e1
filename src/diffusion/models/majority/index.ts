import { z } from 'zod';
import { InputError } from '../../../errors.js';
import { OpinionRule } from '../../kernels/opinion.js';
import { modelRequest } from '../../request.js';
import { binaryOpinionFields, binaryOpinionModel } from '../opinion-fields.js';

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

export const majority = binaryOpinionModel({
  name: 'majority',
  title: 'majority rule',
  schema: majoritySchema,
  rule: OpinionRule.Majority,
  params: (g, req) => {
    if (req.q > g.n) throw new InputError(`majority: q = ${req.q} is more than the ${g.n} customers of the graph`);
    return { q: req.q, tieOpinion: req.tie === 'for' ? 1 : 0 };
  },
  workPerRun: (g, req) => Math.max(1, g.n) * Math.max(1, req.maxSteps),
});
