import { Rule, runThresholdFamily } from '../../kernels/threshold.js';
import { modelRequest } from '../../request.js';
import { kernelModel, rateField } from '../kernel-model.js';
import { adopterRateField, ADOPTION, thresholdFields, thresholdParams, thresholdWork } from '../threshold-fields.js';

export const kerteszSchema = modelRequest(
  'kertesz',
  'Kertész threshold (Ruan, Iñiguez, Karsai, Kertész, Kinetics of social contagion, PRL 2015; NDlib `KerteszThresholdModel`): Watts–Granovetter thresholds, plus a share of customers blocked (immune to influence) and spontaneous adoption (external influence).',
  'Kertész threshold',
  {
    ...thresholdFields,
    blocked: rateField(0.1, 'Share of customers blocked at step 0, drawn per run among the non-seeds: exactly floor(n·blocked) of them (NDlib `percentage_blocked`)'),
    adopterRate: adopterRateField,
  },
);

/** Kertész threshold (../../kernels/threshold.ts). Blocked customers count in their neighbours' in-degree, never as adopters. */
export const kertesz = kernelModel({
  name: 'kertesz',
  title: 'Kertész threshold',
  schema: kerteszSchema,
  compartments: ADOPTION,
  params: (g, req) => ({ ...thresholdParams(g, req), blocked: req.blocked, adopterRate: req.adopterRate }),
  kernel: (g, plan, s, ks, rng, rec) => runThresholdFamily(g, plan, s, ks, rng, rec, Rule.Kertesz),
  workPerRun: (g, req) => thresholdWork(g, req),
});
