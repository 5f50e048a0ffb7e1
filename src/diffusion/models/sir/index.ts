import { z } from 'zod';
import { StepSums } from '../../scratch.js';
import { STEP_BYTES, type ModelDefinition, type ModelResultFields } from '../model.js';
import { traceRun } from '../../kernel.js';
import { newGateState, nextGateRun } from '../../gate.js';
import { runSir } from './kernel.js';
import { planSir, type SirPlan } from './plan.js';
import { sirSchema } from './schema.js';
import { SIR_TRACE_STATES, traceSir } from './trace.js';

/**
 * Expected work of one run: an infected customer tries its out-arcs (and draws its recovery) on every step it
 * stays infected — geometric with mean 1/gamma, cut at maxSteps — and each customer is infected at most once,
 * so E[arcs + draws] <= (m + n) · min(maxSteps, 1/gamma). gamma = 0 costs maxSteps steps of every infected customer.
 */
export function sirStepsInfected(maxSteps: number, gamma: number): number {
  return Math.max(1, Math.min(maxSteps, gamma > 0 ? Math.ceil(1 / gamma) : maxSteps));
}

/** The result fields sir adds (always sent unless `.optional()`), typed: summarize() returns exactly these. */
const resultShape = {
  compartments: z
    .array(z.object({ step: z.number().int(), susceptible: z.number(), infected: z.number(), recovered: z.number() }))
    .describe('SIR: mean S/I/R after each step.'),
};

/** Susceptible–infected–recovered on the customer graph (discrete time, DESIGN §3). */
export const sir: ModelDefinition<'sir', typeof sirSchema, SirPlan, typeof resultShape> = {
  name: 'sir',
  title: 'SIR',
  schema: sirSchema,
  plan: planSir,
  open(g, plan, { s, steps, isCancelled }) {
    const out = { arcs: 0 };
    const infected = new StepSums();
    // The gate reading: each customer's draw of this run (../../gate.ts), stamped by a run counter of this batch.
    const gateState = plan.gate ? newGateState(g.n) : null;
    return {
      run: (rng) => runSir(g, plan, s, rng, steps, infected, out, isCancelled, gateState ? nextGateRun(gateState) : null),
      arcs: () => out.arcs,
      take: () => ({ perRun: {}, perStep: { infected: infected.take() } }),
    };
  },
  summarize(out, { g, runs, stepsLength, cumulativeMean }): ModelResultFields<typeof resultShape> {
    const inf = out.perStep.infected ?? null;
    const compartments = [];
    for (let step = 0; step < stepsLength; step++) {
      const infected = inf && step < inf.length ? inf[step] / runs : 0;
      const cum = cumulativeMean[step];
      compartments.push({ step, susceptible: g.n - cum, infected, recovered: cum - infected });
    }
    return { compartments };
  },
  outputs: { perRun: [], perStep: ['infected'], stateCurves: ['infected'] },
  resultShape,
  workPerRun: (g, req) => (Math.max(1, g.m) + g.n) * sirStepsInfected(req.maxSteps, req.gamma),
  // Infected customers may stay without infecting anyone (gamma < 1): a run can last maxSteps. Steps + compartments.
  curveSteps: (_g, req) => req.maxSteps + 1,
  stepBytes: STEP_BYTES + 110,
  influenceModel: 'ic',
  trace: (g, plan, run) => traceRun(g, plan, run, SIR_TRACE_STATES, (s, rng, tr) => traceSir(g, plan, s, rng, tr)),
};
