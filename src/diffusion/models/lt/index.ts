import { cascadeModel } from '../model.js';
import { runLt } from './kernel.js';
import { planLt } from './plan.js';
import { ltSchema } from './schema.js';

/** Linear threshold (Kempe, Kleinberg, Tardos 2003; not Granovetter's threshold model). */
export const lt = cascadeModel({ name: 'lt', title: 'linear threshold', schema: ltSchema, plan: planLt, kernel: runLt });
