import { OpinionRule } from '../../kernels/opinion.js';
import { modelRequest } from '../../request.js';
import { binaryOpinionFields, binaryOpinionModel } from '../opinion-fields.js';

export const voterSchema = modelRequest(
  'voter',
  'Voter model (Clifford & Sudbury 1973; Holley & Liggett 1975; NDlib `VoterModel`): a random customer copies the opinion of a random in-neighbour (someone it hears from). A step is n such updates.',
  'Voter',
  { ...binaryOpinionFields },
);

/** Voter (../../kernels/opinion.ts). On a connected regular graph the chance that "for" wins is its initial share. */
export const voter = binaryOpinionModel({
  name: 'voter',
  title: 'voter',
  schema: voterSchema,
  rule: OpinionRule.Voter,
  workPerRun: (g, req) => Math.max(1, g.n) * Math.max(1, req.maxSteps),
});
