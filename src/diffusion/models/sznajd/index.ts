import { OpinionRule, runBinaryOpinion } from '../../kernels/opinion.js';
import { modelRequest } from '../../request.js';
import { kernelModel } from '../kernel-model.js';
import { binaryOpinionFields, binaryResultShape, OPINION_EXTRAS, OPINIONS, summarizeBinary } from '../opinion-fields.js';

export const sznajdSchema = modelRequest(
  'sznajd',
  'Sznajd model (Sznajd-Weron & Sznajd, Opinion evolution in closed community, 2000; NDlib `SznajdModel`): a random customer and a random out-neighbour who agree convince all the out-neighbours of both ("united we stand"). A step is n such updates.',
  'Sznajd',
  { ...binaryOpinionFields },
);

export const sznajd = kernelModel({
  name: 'sznajd',
  title: 'Sznajd',
  schema: sznajdSchema,
  compartments: OPINIONS,
  params: (_g, req) => ({ forShare: req.forShare }),
  kernel: (g, plan, s, ks, rng, rec) => runBinaryOpinion(g, plan, s, ks, rng, rec, OpinionRule.Sznajd),
  extras: OPINION_EXTRAS,
  summarizeExtras: (cols) => summarizeBinary(cols),
  extraResultShape: binaryResultShape,
  workPerRun: (g, req) => Math.max(1, g.m) * Math.max(1, req.maxSteps),
});
