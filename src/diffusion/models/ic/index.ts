import { STEP_BYTES, type ModelDefinition } from '../model.js';
import { simpleRunner } from '../model.js';
import { runIc } from './kernel.js';
import { planIc, type IcPlan } from './plan.js';
import { icSchema } from './schema.js';

/** Independent cascade (Kempe, Kleinberg, Tardos 2003). */
export const ic: ModelDefinition<'ic', typeof icSchema, IcPlan> = {
  name: 'ic',
  title: 'independent cascade',
  schema: icSchema,
  plan: planIc,
  open(g, plan, { s, steps }) {
    const out = { arcs: 0 };
    return simpleRunner((rng) => runIc(g, plan, s, rng, steps, out), out);
  },
  summarize: () => ({}),
  outputs: { perRun: [], perStep: [] },
  resultShape: {},
  workPerRun: (g) => Math.max(1, g.m),
  // A step without a new activation ends the run: at most n steps after step 0.
  curveSteps: (g, req) => Math.min(req.maxSteps, g.n) + 1,
  stepBytes: STEP_BYTES,
  influenceModel: 'ic',
};
