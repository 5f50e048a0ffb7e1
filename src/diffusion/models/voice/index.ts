import { z } from 'zod';
import { traceRun } from '../../kernel.js';
import { reachStatsSchema, stepSchema } from '../../result-schema.js';
import { Rng } from '../../rng.js';
import { CurveSums } from '../../scratch.js';
import { STEP_BYTES, type ModelDefinition, type ModelResultFields } from '../model.js';
import { runVoice, type GateState, type VoiceOut } from './kernel.js';
import { planVoice, RESPONSE_SALT, type VoicePlan } from './plan.js';
import { voiceSchema } from './schema.js';
import { traceVoice, VOICE_TRACE_STATES } from './trace.js';

/** Opinion codes in Scratch.opinion (see kernel.ts). */
const NEG = 1;

/** The result fields voice adds (always sent unless `.optional()`), typed: summarize() returns exactly these. */
const resultShape = {
  negative: reachStatsSchema.describe('Voice: customers ending negative.'),
  positive: reachStatsSchema.describe('Voice: customers ending positive.'),
  negativeSteps: z.array(stepSchema).describe('Voice: new and cumulative negative holders per step (a brand turn counts -1).'),
  positiveSteps: z.array(stepSchema).describe('Voice: new and cumulative positive holders per step (a brand turn counts +1).'),
  passers: z.array(z.object({ id: z.string(), frequency: z.number() })).optional()
    .describe('Voice: non-seed customers who most often passed it on: the share of runs in which the customer reached at least one customer not reached before (either opinion). Listed when amplifiers are.'),
};

/** Competing negative / positive opinions with negativity bias and a brand response (DESIGN §3). */
export const voice: ModelDefinition<'voice', typeof voiceSchema, VoicePlan, typeof resultShape> = {
  name: 'voice',
  title: 'complaint vs praise',
  schema: voiceSchema,
  plan: planVoice,
  // The traced run (trace.ts): run `run` again on its two streams, the cascade's and the brand response's.
  trace: (g, plan, run) =>
    traceRun(g, plan, run, VOICE_TRACE_STATES, (s, rng, tr) => traceVoice(g, plan, s, rng, new Rng(plan.seed, run, RESPONSE_SALT), tr)),
  open(g, plan, { s, steps, count, extras }) {
    const out: VoiceOut = { arcs: 0, negative: 0, positive: 0, peakStep: 0, negativePeakStep: 0, positivePeakStep: 0 };
    const respRng = new Rng();
    const negSteps = new CurveSums();
    const posSteps = new CurveSums();
    // Who passed it on, per customer (runs in which it reached someone): counted with the amplifiers.
    const passed = plan.countActivations ? new Int32Array(g.n) : null;
    const negative = new Int32Array(count);
    const positive = new Int32Array(count);
    const peakStep = extras ? new Int32Array(count) : null;
    // Per opinion: the step with the most customers newly reached by it (0: it reached no one), see VoiceOut.
    const negativePeakStep = extras ? new Int32Array(count) : null;
    const positivePeakStep = extras ? new Int32Array(count) : null;
    const negativeValue = extras ? new Float64Array(count) : null;
    const positiveValue = extras ? new Float64Array(count) : null;
    const value = g.value;
    const queue = s.queue;
    // The gate reading: each customer's draw of this run (kernel.ts, passesOn), stamped by a run counter of this batch.
    const gateState: GateState | null = plan.gate ? { stamp: new Int32Array(g.n), open: new Uint8Array(g.n), run: 0 } : null;
    return {
      run(rng, r, i) {
        respRng.reseed(plan.seed, r, RESPONSE_SALT);
        if (gateState) gateState.run++;
        const k = runVoice(g, plan, s, rng, respRng, steps, negSteps, posSteps, out, passed, gateState);
        negative[i] = out.negative;
        positive[i] = out.positive;
        if (extras) {
          peakStep![i] = out.peakStep;
          negativePeakStep![i] = out.negativePeakStep;
          positivePeakStep![i] = out.positivePeakStep;
          // Value of the negative holders; the positive ones hold the rest of the value reached.
          const op = s.opinion;
          let val = 0;
          let negVal = 0;
          for (let q = 0; q < k; q++) {
            const v = queue[q];
            val += value[v];
            if (op[v] === NEG) negVal += value[v];
          }
          negativeValue![i] = negVal;
          positiveValue![i] = val - negVal;
        }
        return k;
      },
      arcs: () => out.arcs,
      take: () => {
        const neg = negSteps.take();
        const pos = posSteps.take();
        return {
          perRun: {
            negative, positive,
            ...(extras
              ? { peakStep: peakStep!, negativePeakStep: negativePeakStep!, positivePeakStep: positivePeakStep!, negativeValue: negativeValue!, positiveValue: positiveValue! }
              : {}),
          },
          perStep: {
            negative: neg.sums, positive: pos.sums,
            negativeSq: neg.squares, positiveSq: pos.squares, negativeCumSq: neg.cumSquares, positiveCumSq: pos.cumSquares,
          },
          ...(passed ? { perCustomer: { passers: passed } } : {}),
        };
      },
    };
  },
  summarize(out, { stats, stepCurve, rank }): ModelResultFields<typeof resultShape> {
    const curve = (name: 'negative' | 'positive') =>
      stepCurve(out.perStep[name] ?? null, { squares: out.perStep[`${name}Sq`], cumSquares: out.perStep[`${name}CumSq`] });
    const passers = out.perCustomer?.passers;
    return {
      negative: stats(out.perRun.negative as Int32Array),
      positive: stats(out.perRun.positive as Int32Array),
      negativeSteps: curve('negative'),
      positiveSteps: curve('positive'),
      ...(passers ? { passers: rank(passers) } : {}),
    };
  },
  outputs: {
    perRun: ['negative', 'positive', 'peakStep', 'negativePeakStep', 'positivePeakStep', 'negativeValue', 'positiveValue'],
    perStep: ['negative', 'positive', 'negativeSq', 'positiveSq', 'negativeCumSq', 'positiveCumSq'],
    perCustomer: ['passers'],
  },
  resultShape,
  workPerRun: (g) => Math.max(1, g.m),
  // Each step turns someone (or the run ends); the brand response may add one step. Three curves per step;
  // the two opinion curves carry two 95% intervals each (about half a step entry each).
  curveSteps: (g, req) => Math.min(req.maxSteps, g.n + 1) + 1,
  stepBytes: 5 * STEP_BYTES,
  influenceModel: 'ic',
};
