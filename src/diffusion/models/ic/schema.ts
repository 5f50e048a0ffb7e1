import { activityField, modelRequest, pField, probabilityField } from '../../request.js';

/** IC request (DESIGN §3): the arc probability scheme, p, and the reading of activity (DESIGN §9). */
export const icSchema = modelRequest(
  'ic',
  'Independent cascade (Kempe, Kleinberg, Tardos 2003): a customer first active at step t gets one chance at step t+1 to activate each inactive out-neighbour v with p(u,v).',
  'Independent cascade',
  {
    probability: probabilityField('uniform'),
    p: pField(0.05),
    activity: activityField,
  },
);
