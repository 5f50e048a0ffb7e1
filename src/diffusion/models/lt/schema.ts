import { modelRequest, perArcOnlyActivityField, pField, probabilityField } from '../../request.js';

/** LT request (DESIGN §3): the scheme that gives the weights b(u,v), and p for `uniform` / `attribute`. */
export const ltSchema = modelRequest(
  'lt',
  "Linear threshold (Kempe et al. 2003): each run draws θ_v ~ U(0,1]; v activates when the sum of b(u,v) over its active in-neighbours reaches θ_v. Not Granovetter's threshold model.",
  'Linear threshold; in-weight sums above 1 are rejected (400)',
  {
    probability: probabilityField('weighted-cascade'),
    p: pField(0.05),
    activity: perArcOnlyActivityField('lt'),
  },
);
