import { z } from 'zod';
import { OpinionRule } from '../../kernels/opinion.js';
import { modelRequest } from '../../request.js';
import { binaryOpinionFields, binaryOpinionModel } from '../opinion-fields.js';

export const qvoterSchema = modelRequest(
  'qvoter',
  'Q-voter model (Castellano, Muñoz, Pastor-Satorras, Nonlinear q-voter model, PRE 2009; NDlib `QVoterModel`): a random customer asks q random in-neighbours (with repetition) and adopts their opinion if they all agree. A step is n such updates.',
  'Q-voter',
  {
    q: z.number().int().min(1).max(1000).default(2).describe('Size of the influence group (NDlib `q`; default 2). q = 1 is the voter model.'),
    ...binaryOpinionFields,
  },
);

/** Q-voter without the independence noise ε of the paper (as NDlib): only unanimous groups convince. */
export const qvoter = binaryOpinionModel({
  name: 'qvoter',
  title: 'q-voter',
  schema: qvoterSchema,
  rule: OpinionRule.QVoter,
  params: (_g, req) => ({ q: req.q }),
  workPerRun: (g, req) => Math.max(1, g.n) * req.q * Math.max(1, req.maxSteps),
});
