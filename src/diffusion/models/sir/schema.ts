import { z } from 'zod';
import { activityField, modelRequest, pField, probabilityField } from '../../request.js';

/** SIR request (DESIGN §3): beta and gamma on top of the arc probabilities (p defaults to 1: beta alone). */
export const sirSchema = modelRequest(
  'sir',
  'SIR: each step an infected customer infects each susceptible out-neighbour with probability beta·p(u,v), then recovers with probability gamma. Reach = ever infected.',
  'Susceptible–infected–recovered',
  {
    probability: probabilityField('uniform'),
    p: pField(1),
    activity: activityField,
    beta: z.number().min(0).max(1).default(0.1).describe('Infection probability per step and arc, multiplied by p(u,v) (0..1, default 0.1).'),
    gamma: z.number().min(0).max(1).default(0.5).describe('Recovery probability per step (0..1, default 0.5). With gamma = 1, SIR is IC with p·beta.'),
  },
);
