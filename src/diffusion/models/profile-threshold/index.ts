import { Rule, runThresholdFamily } from '../../kernels/threshold.js';
import { modelRequest } from '../../request.js';
import { kernelModel } from '../kernel-model.js';
import { ADOPTION, profileFields, profileParams, thresholdFields, thresholdParams, thresholdWork } from '../threshold-fields.js';

export const profileThresholdSchema = modelRequest(
  'profile-threshold',
  'Profile-threshold model (Milli et al. 2018; NDlib `ProfileThresholdModel`): peer pressure opens the door — a customer is exposed once the share of adopting in-neighbours reaches its threshold — and its profile decides, at each step, whether it adopts.',
  'Profile-threshold',
  { ...thresholdFields, ...profileFields },
);

/** Profile-threshold (../../kernels/threshold.ts); the profile reading of NDlib is noted in ../profile/index.ts. */
export const profileThreshold = kernelModel({
  name: 'profile-threshold',
  title: 'Profile-threshold',
  schema: profileThresholdSchema,
  compartments: ADOPTION,
  params: (g, req) => ({ ...thresholdParams(g, req), ...profileParams(g, req) }),
  kernel: (g, plan, s, ks, rng, rec) => runThresholdFamily(g, plan, s, ks, rng, rec, Rule.ProfileThreshold),
  workPerRun: (g, req) => thresholdWork(g, req, true),
});
