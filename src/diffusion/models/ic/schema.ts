import { modelRequest, pField, probabilityField } from '../../request.js';

/** IC request (DESIGN §3): the arc probability scheme and p. */
export const icSchema = modelRequest(
  'ic',
  'Independent cascade (Kempe, Kleinberg, Tardos 2003): a customer first active at step t gets one chance at step t+1 to activate each inactive out-neighbour v with p(u,v).',
  'Independent cascade',
  {
    probability: probabilityField('uniform'),
    p: pField(0.05),
  },
);
