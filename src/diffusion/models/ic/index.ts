import type { ModelDefinition } from '../model.js';
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
  influenceModel: 'ic',
};
