import { OpinionRule } from '../../kernels/opinion.js';
import { modelRequest } from '../../request.js';
import { binaryOpinionFields, binaryOpinionModel } from '../opinion-fields.js';

export const sznajdSchema = modelRequest(
  'sznajd',
  'Sznajd model (Sznajd-Weron & Sznajd, Opinion evolution in closed community, 2000; NDlib `SznajdModel`): a random customer and a random out-neighbour who agree convince all the out-neighbours of both ("united we stand"). A step is n such updates.',
  'Sznajd',
  { ...binaryOpinionFields },
);

export const sznajd = binaryOpinionModel({
  name: 'sznajd',
  title: 'Sznajd',
  schema: sznajdSchema,
  rule: OpinionRule.Sznajd,
  workPerRun: (g, req) => Math.max(1, g.m) * Math.max(1, req.maxSteps),
});
