import { z } from 'zod';
import type { CompiledGraph } from '../../graph/compile.js';
import type { KernelParams } from '../kernel.js';
import { runBinaryOpinion, type OpinionRule } from '../kernels/opinion.js';
import { meanCi } from '../stats.js';
import { meanCiSchema } from '../result-schema.js';
import { happened, happenedSchema, kernelModel, maxStepsField } from './kernel-model.js';
import type { ModelResultFields } from './model.js';

/**
 * Fields and summaries of the binary opinion models (voter, q-voter, majority rule, Sznajd): opinions "for"
 * and "against" the brand. The seeds hold "for"; `forShare` adds a random share of other holders.
 */
export const binaryOpinionFields = {
  forShare: z
    .number()
    .min(0)
    .max(1)
    .default(0)
    .describe('Share of customers, besides the seeds, drawn per run to hold "for" at step 0: exactly floor(n·forShare) of them (NDlib `fraction_infected`; default 0: only the seeds).'),
  maxSteps: maxStepsField(100),
};

export const OPINIONS = ['against', 'for'] as const;
export const OPINION_EXTRAS = ['consensusStep', 'forShare'] as const;

/** consensus (share of runs, step), who won, and the final shares — each with a 95% CI over runs. */
export function summarizeBinary([consensusStep, forShare]: Float64Array[]): ModelResultFields<typeof binaryResultShape> {
  const c = happened(consensusStep);
  const forWins = new Float64Array(forShare.length);
  for (let i = 0; i < forShare.length; i++) forWins[i] = consensusStep[i] === consensusStep[i] && forShare[i] === 1 ? 1 : 0;
  const f = meanCi(forShare);
  return {
    consensus: { share: c.share, step: c.value, forWins: meanCi(forWins) },
    finalShares: { for: f, against: { ...f, mean: 1 - f.mean, ci95: [1 - f.ci95[1], 1 - f.ci95[0]] as [number, number] } },
  };
}

/** One schema for every opinion model's `consensus` (the registry joins result fields by name). */
export const consensusSchema = z
  .object({
    share: meanCiSchema.describe('Share of runs that reached consensus by maxSteps (binary models: everybody for, or everybody against; hk: all opinions within 1e-6).'),
    step: meanCiSchema.nullable().describe('Consensus time in steps (binary models: sweeps of n updates), over the runs that reached it.'),
    forWins: meanCiSchema.optional().describe('Binary models: share of runs that ended with everybody "for".'),
  })
  .describe('Consensus of the opinion dynamics.');

export const binaryResultShape = {
  consensus: consensusSchema,
  finalShares: z.object({ for: meanCiSchema, against: meanCiSchema }).describe('Share of customers for / against at the end of a run.'),
};

export { happenedSchema };

/**
 * A binary opinion model (voter, q-voter, majority rule, Sznajd): its update `rule` in ../kernels/opinion.ts, opinions
 * against / for as its compartments, consensus and final shares as its extras. `params`: kernel parameters besides
 * `forShare` (they may throw an InputError on a bad combination with the graph).
 */
export function binaryOpinionModel<const Name extends string, Schema extends z.ZodType<{ forShare: number }>>(spec: {
  name: Name;
  title: string;
  schema: Schema;
  rule: OpinionRule;
  params?: (g: CompiledGraph, req: z.output<Schema>) => Partial<KernelParams>;
  workPerRun: (g: CompiledGraph, req: z.output<Schema>) => number;
}) {
  const { rule, params } = spec;
  return kernelModel({
    name: spec.name,
    title: spec.title,
    schema: spec.schema,
    compartments: OPINIONS,
    params: (g, req) => ({ ...params?.(g, req), forShare: req.forShare }),
    kernel: (g, plan, s, ks, rng, rec) => runBinaryOpinion(g, plan, s, ks, rng, rec, rule),
    extras: OPINION_EXTRAS,
    summarizeExtras: (cols) => summarizeBinary(cols),
    extraResultShape: binaryResultShape,
    workPerRun: spec.workPerRun,
  });
}
