import { z } from 'zod';
import { StepSums } from '../../scratch.js';
import type { ModelDefinition } from '../model.js';
import { runSir } from './kernel.js';
import { planSir, type SirPlan } from './plan.js';
import { sirSchema } from './schema.js';

/** An arc may be tried on several steps (an infected customer stays infected ~1/gamma steps): 4 × arcs per run. */
const SIR_WORK_FACTOR = 4;

/** Susceptible–infected–recovered on the customer graph (discrete time, DESIGN §3). */
export const sir: ModelDefinition<'sir', typeof sirSchema, SirPlan> = {
  name: 'sir',
  title: 'SIR',
  schema: sirSchema,
  plan: planSir,
  open(g, plan, { s, steps }) {
    const out = { arcs: 0 };
    const infected = new StepSums();
    return {
      run: (rng) => runSir(g, plan, s, rng, steps, infected, out),
      arcs: () => out.arcs,
      take: () => ({ perRun: {}, perStep: { infected: infected.take() } }),
    };
  },
  summarize(out, { g, runs, stepsLength, cumulativeMean }) {
    const inf = out.perStep.infected ?? null;
    const compartments = [];
    for (let step = 0; step < stepsLength; step++) {
      const infected = inf && step < inf.length ? inf[step] / runs : 0;
      const cum = cumulativeMean[step];
      compartments.push({ step, susceptible: g.n - cum, infected, recovered: cum - infected });
    }
    return { compartments };
  },
  outputs: { perRun: [], perStep: ['infected'] },
  resultShape: {
    compartments: z
      .array(z.object({ step: z.number().int(), susceptible: z.number(), infected: z.number(), recovered: z.number() }))
      .describe('SIR: mean S/I/R after each step.'),
  },
  workPerRun: (g) => Math.max(1, g.m) * SIR_WORK_FACTOR,
  influenceModel: 'ic',
};
