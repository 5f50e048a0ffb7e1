import { cascadeModel } from '../model.js';
import { runIc } from './kernel.js';
import { planIc } from './plan.js';
import { icSchema } from './schema.js';

/** Independent cascade (Kempe, Kleinberg, Tardos 2003). */
export const ic = cascadeModel({ name: 'ic', title: 'independent cascade', schema: icSchema, plan: planIc, kernel: runIc });
