import { z } from 'zod';
import type { CompiledGraph } from '../../graph/compile.js';
import { InputError } from '../../errors.js';
import { indexOf } from '../../graph/compile.js';
import { sharedF64 } from '../../graph/shared-array.js';
import { DEFAULT_KERNEL_PARAMS, kernelScratchFor, Recorder, traceRun, type KernelParams, type KernelScratch, type TracedRun } from '../kernel.js';
import type { KernelPlan } from '../kernels/compartmental.js';
import type { Rng } from '../rng.js';
import type { Scratch } from '../scratch.js';
import { meanCi, Z95 } from '../stats.js';
import { meanCiSchema } from '../result-schema.js';
import { STEP_BYTES, type ModelDefinition, type ModelResultFields, type PlanBase, type SummaryContext } from './model.js';

/**
 * The catalogue's models (SI … CTIC) are declared with this builder: a request schema, a plan (the
 * kernel parameters resolved from the request), one kernel from ../kernels, the names of the compartments
 * whose per-step counts it reports, and what it says about the per-run extras. Everything else — the
 * runner on the batch's scratch, the compartment curves, the trace — is the same for all of them.
 */
export type KernelFn = (g: CompiledGraph, plan: KernelPlan, s: Scratch, ks: KernelScratch, rng: Rng, rec: Recorder) => number;

export interface KernelModelPlan extends PlanBase, KernelPlan {}

export interface KernelModelSpec<Name extends string, Schema extends z.ZodType, Extra extends z.ZodRawShape, Curves extends boolean> {
  name: Name;
  title: string;
  schema: Schema;
  /** Compartment names, in the kernel's curve order (they become the keys of `compartments[]`). */
  compartments: readonly string[];
  /** Kernel parameters (and arc probabilities) from the validated request. */
  params(g: CompiledGraph, req: z.output<Schema>): Partial<KernelParams> & { nodeP?: Float64Array | null; arcP?: Float32Array | null; gate?: Float32Array | null };
  kernel: KernelFn;
  /** Names of the per-run extras the kernel reports in rec.extra1 / rec.extra2, if any. */
  extras?: readonly string[];
  /** Extra result fields from the per-run extras (after `compartments`): exactly those of `extraResultShape`. */
  summarizeExtras?: (extras: Float64Array[], ctx: SummaryContext) => ModelResultFields<Extra>;
  extraResultShape?: Extra;
  /** A-priori bound on arcs examined per run (the work budget). */
  workPerRun(g: CompiledGraph, req: z.output<Schema>): number;
  influenceModel?: 'ic' | 'lt';
  /** Compartments whose per-step value is a sum over customers, reported as a mean per customer (HK opinions). */
  meanOf?: readonly string[];
  /** Summaries keep `compartments` per step; `time` models (CTIC) bin time instead and skip them. */
  compartmentCurves?: Curves;
}

/** Every step's mean customers per compartment (`step` and one key per compartment). */
const compartmentsSchema = z.array(z.record(z.string(), z.number()));

/** Every step's 95% interval of each compartment's mean (`step` and one `[lo, hi]` per compartment). */
const compartmentsCi95Schema = z.array(z.object({ step: z.number().int() }).catchall(z.tuple([z.number(), z.number()])));

/** Per-step sums of a compartment's Σ over runs of the change of c², c the run's count in it (CurveSums): `NAMECumSq`. */
const cumSq = (name: string) => `${name}CumSq`;

/** The result fields of a catalogue model: `compartments` (unless its summaries skip them) and its extras. */
export type KernelResultShape<Extra extends z.ZodRawShape, Curves extends boolean> = (Curves extends false
  ? Record<never, never>
  : { compartments: typeof compartmentsSchema; compartmentsCi95: typeof compartmentsCi95Schema }) & Extra;

export function kernelModel<const Name extends string, Schema extends z.ZodType, Extra extends z.ZodRawShape = Record<never, never>, const Curves extends boolean = true>(
  spec: KernelModelSpec<Name, Schema, Extra, Curves>,
): ModelDefinition<Name, Schema, KernelModelPlan, KernelResultShape<Extra, Curves>> & {
  trace(g: CompiledGraph, plan: KernelModelPlan, run: number): TracedRun;
  compartments: readonly string[];
} {
  const names = spec.compartments;
  const extras = spec.extras ?? [];
  const withCurves = spec.compartmentCurves ?? true;
  const perCustomerMean = names.map((name) => spec.meanOf?.includes(name) ?? false);
  return {
    name: spec.name,
    title: spec.title,
    schema: spec.schema,
    compartments: names,
    // The result's step curves (api/budget.ts bounds their bytes): maxSteps + 1 rows (timed models: their time bins).
    curveSteps: (_g, req) => {
      const r = req as { maxSteps?: number; timeBins?: number };
      return (r.maxSteps ?? r.timeBins ?? 0) + 1;
    },
    // Per compartment: its mean (~30 bytes) and its interval (~45 bytes) at each step.
    stepBytes: STEP_BYTES + (withCurves ? 75 * names.length : 0),
    plan(g, req, base) {
      const { nodeP = null, arcP = null, gate = null, ...params } = spec.params(g, req);
      const kernel: KernelParams = { ...DEFAULT_KERNEL_PARAMS, ...params, compartments: names.length };
      return { ...base, model: spec.name, nodeP, arcP, gate, kernel };
    },
    open(g, plan, { s, steps, count }) {
      const ks = kernelScratchFor(g);
      const rec = new Recorder(names.length, steps);
      const cols = extras.map(() => new Float64Array(count));
      return {
        run(rng, _r, i) {
          rec.extra1 = NaN;
          rec.extra2 = NaN;
          for (const c of rec.curves) c.startRun();
          const reach = spec.kernel(g, plan, s, ks, rng, rec);
          for (const c of rec.curves) c.endRun();
          if (cols.length > 0) cols[0][i] = rec.extra1;
          if (cols.length > 1) cols[1][i] = rec.extra2;
          return reach;
        },
        arcs: () => rec.arcs,
        take: () => ({
          perRun: Object.fromEntries(extras.map((name, k) => [name, cols[k]])),
          perStep: Object.fromEntries(names.flatMap((name, k) => {
            const c = rec.curves[k].take();
            return [[name, c.sums], [cumSq(name), c.cumSquares]];
          })),
        }),
      };
    },
    summarize(out, ctx) {
      // Typed by KernelResultShape: which keys depend on Curves (a type parameter), so the object is built untyped here.
      const result: Record<string, unknown> = {};
      if (withCurves) {
        const cum = names.map(() => 0);
        const sq = names.map(() => 0);
        const runs = ctx.runs;
        const rows: Record<string, number>[] = [];
        const cis: Record<string, number | [number, number]>[] = [];
        for (let step = 0; step < ctx.stepsLength; step++) {
          const row: Record<string, number> = { step };
          const ci: Record<string, number | [number, number]> = { step };
          names.forEach((name, k) => {
            const d = out.perStep[name];
            const d2 = out.perStep[cumSq(name)];
            if (d && step < d.length) cum[k] += d[step];
            if (d2 && step < d2.length) sq[k] += d2[step];
            const per = perCustomerMean[k] ? Math.max(1, ctx.g.n) : 1;
            const mean = cum[k] / runs;
            // Σ over runs of c² at this step (the prefix sum of each run's change of it): the sd of the count over runs.
            const sd = runs > 1 ? Math.sqrt(Math.max(0, (sq[k] - runs * mean * mean) / (runs - 1))) : 0;
            const half = (Z95 * sd) / Math.sqrt(runs);
            row[name] = mean / per;
            // A count is never below 0 (HK's mean opinion, in [-1, 1], may be).
            ci[name] = [(perCustomerMean[k] ? mean - half : Math.max(0, mean - half)) / per, (mean + half) / per];
          });
          rows.push(row);
          cis.push(ci);
        }
        result.compartments = rows;
        result.compartmentsCi95 = cis;
      }
      if (spec.summarizeExtras) {
        const cols = extras.map((name) => (out.perRun[name] as Float64Array).subarray(0, ctx.runs));
        Object.assign(result, spec.summarizeExtras(cols, ctx));
      }
      return result as ModelResultFields<KernelResultShape<Extra, Curves>>;
    },
    outputs: { perRun: extras, perStep: [...names, ...names.map(cumSq)] },
    resultShape: {
      ...(withCurves
        ? {
            compartments: compartmentsSchema.describe(`Mean number of customers in each compartment after each step (${spec.name}: step, ${names.join(', ')}).`),
            compartmentsCi95: compartmentsCi95Schema.describe(`95% interval of each mean of \`compartments\`, step by step (${spec.name}: step, ${names.map((x) => `${x}: [lo, hi]`).join(', ')}), over the runs.`),
          }
        : {}),
      ...(spec.extraResultShape ?? {}),
    } as KernelResultShape<Extra, Curves>,
    workPerRun: spec.workPerRun,
    influenceModel: spec.influenceModel ?? 'ic',
    trace: (g, plan, run) =>
      traceRun(g, plan, run, names, (s, rng, tr) => {
        const rec = new Recorder(names.length);
        rec.tracer = tr;
        return spec.kernel(g, plan, s, kernelScratchFor(g), rng, rec);
      }),
  };
}

/** Summary of a per-run column with NaN for "did not happen": the share of runs where it happened, and its mean over those. */
export function happened(values: Float64Array): { share: ReturnType<typeof meanCi>; value: ReturnType<typeof meanCi> | null } {
  const hit = new Float64Array(values.length);
  const vals: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (x === x && x !== Infinity) {
      hit[i] = 1;
      vals.push(x);
    }
  }
  return { share: meanCi(hit), value: vals.length > 0 ? meanCi(vals) : null };
}

export const happenedSchema = z.object({
  share: meanCiSchema.describe('Share of runs where it happened, with its 95% CI.'),
  value: meanCiSchema.nullable().describe('Mean over the runs where it happened (null if none).'),
});

/** Per-customer values from `[{ id, value }]` (NaN elsewhere); an unknown id is a 400 naming it. */
export function perCustomer(g: CompiledGraph, items: readonly { id: string; value: number }[] | undefined, what: string): Float64Array | null {
  if (!items || items.length === 0) return null;
  const out = sharedF64(g.n).fill(NaN);
  for (const { id, value } of items) {
    const i = indexOf(g, id);
    if (i < 0) throw new InputError(`${what}: customer ${JSON.stringify(id.length > 80 ? `${id.slice(0, 80)}…` : id)} is not in the graph`);
    out[i] = value;
  }
  return out;
}

/** `[{ id, value }]` request field with a value range. */
export const perCustomerField = (what: string, lo: number, hi: number, loOpen = false) =>
  z
    .array(z.strictObject({ id: z.string().min(1).max(16_384), value: loOpen ? z.number().gt(lo).max(hi) : z.number().min(lo).max(hi) }))
    .max(1_000_000)
    .optional()
    .describe(`Per-customer ${what}: [{ id, value }] (${loOpen ? '(' : '['}${lo}, ${hi}]); customers not listed take the default.`);

/** A probability field with NDlib's name where it means the same. */
export const rateField = (dflt: number, about: string) => z.number().min(0).max(1).default(dflt).describe(`${about} (0..1, default ${dflt}).`);

/** maxSteps with a model's own default (models that may never die out: SIS, SEIS, opinion dynamics). */
export const maxStepsField = (dflt: number) =>
  z.number().int().min(0).max(1_000_000).default(dflt).describe(`Last step simulated (step 0 = the seeds; default ${dflt} for this model). A run also ends when nothing can change.`);
