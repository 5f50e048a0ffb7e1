import { STEP_BYTES, type ModelDefinition } from '../model.js';
import { simpleRunner } from '../model.js';
import { runLt } from './kernel.js';
import { planLt, type LtPlan } from './plan.js';
import { ltSchema } from './schema.js';

/** Linear threshold (Kempe, Kleinberg, Tardos 2003; not Granovetter's threshold model). */
export const lt: ModelDefinition<'lt', typeof ltSchema, LtPlan> = {
  name: 'lt',
  title: 'linear threshold',
  schema: ltSchema,
  plan: planLt,
  open(g, plan, { s, steps }) {
    const out = { arcs: 0 };
    return simpleRunner((rng) => runLt(g, plan, s, rng, steps, out), out);
  },
  summarize: () => ({}),
  outputs: { perRun: [], perStep: [] },
  resultShape: {},
  workPerRun: (g) => Math.max(1, g.m),
  // A step without a new activation ends the run: at most n steps after step 0.
  curveSteps: (g, req) => Math.min(req.maxSteps, g.n) + 1,
  stepBytes: STEP_BYTES,
  influenceModel: 'lt',
};
