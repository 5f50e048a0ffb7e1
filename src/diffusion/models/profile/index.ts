import { Rule, runThresholdFamily } from '../../kernels/threshold.js';
import { modelRequest } from '../../request.js';
import { kernelModel } from '../kernel-model.js';
import { ADOPTION, profileFields, profileParams, thresholdWork } from '../threshold-fields.js';

export const profileSchema = modelRequest(
  'profile',
  "Profile model (Milli, Rossetti, Pedreschi, Giannotti, Diffusive phenomena in dynamic networks: a data-driven study, 2018; NDlib `ProfileModel`): a customer with at least one adopting in-neighbour is exposed and adopts with its own profile probability at each step — taste, not peer pressure.",
  'Profile',
  { ...profileFields },
);

/**
 * Profile (../../kernels/threshold.ts). NDlib's code differs from its documentation, and Ripple follows the
 * documentation: NDlib adopts when a uniform draw is >= profile (so with probability 1 − profile), and
 * blocks a customer that did adopt with probability 1 − blocked; here profile is the chance to adopt and
 * `blocked` the chance that a refusal makes the customer immune.
 */
export const profile = kernelModel({
  name: 'profile',
  title: 'Profile',
  schema: profileSchema,
  compartments: ADOPTION,
  params: (g, req) => profileParams(g, req),
  kernel: (g, plan, s, ks, rng, rec) => runThresholdFamily(g, plan, s, ks, rng, rec, Rule.Profile),
  workPerRun: (g, req) => thresholdWork(g, req, true),
});
