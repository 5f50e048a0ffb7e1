import type { z } from 'zod';
import type { CompiledGraph } from '../../graph/compile.js';
import { traceRun, type TracedRun, type Tracer } from '../kernel.js';
import type { Rng } from '../rng.js';
import type { Scratch, StepSums } from '../scratch.js';
import type { ReachStats } from '../stats.js';

/**
 * What a model is (one folder under src/diffusion/models/, listed once in ./registry.ts). Every door reads
 * this declaration: the API validates with `schema` (and documents it in OpenAPI), the CLI builds its flags
 * and help from it, studies take their grid axes and columns from it, the work budget asks `workPerRun`,
 * and the Monte Carlo loop (batch.ts, simulate.ts) runs `open()`'s runner and `summarize()`s the outputs.
 * See CONTRIBUTING.md, "Adding a model".
 */
export interface ModelDefinition<
  Name extends string = string, Schema extends z.ZodType = z.ZodType, Plan extends PlanBase = PlanBase, Result extends z.ZodRawShape = z.ZodRawShape,
> {
  name: Name;
  /** Short human name, for help texts and summaries ("independent cascade"). */
  title: string;
  /**
   * The request (zod, made by modelRequest()): every parameter with range, default and a description citing
   * the paper. The parameters are the fields other than the common ones (request.ts).
   */
  schema: Schema;
  /** From graph + validated request to what the kernel reads; `base` has the resolved seeds and common fields. */
  plan(g: CompiledGraph, req: z.output<Schema>, base: PlanBase): Plan;
  /** A runner for one batch of runs on this thread (state allocated here, once per batch, never per run). */
  open(g: CompiledGraph, plan: Plan, batch: BatchSetup): ModelRunner;
  /**
   * What the outputs add to the result (after the common fields; keys in this order in the JSON): exactly the fields
   * of `resultShape` (its type, so a field written and not declared, or declared and not written, does not compile).
   */
  summarize(out: ModelOutputs, ctx: SummaryContext): ModelResultFields<Result>;
  /**
   * The outputs it produces, by name: per-run columns and per-step sums (besides reach and new activations).
   * `stateCurves`: per-step sums that hold a state (customers infected now) rather than new events: the curves
   * stop at the last step where anything changed, and a state curve changes when it differs from the step before.
   */
  outputs: { perRun: readonly string[]; perStep: readonly string[]; stateCurves?: readonly string[]; perCustomer?: readonly string[] };
  /**
   * Result fields it adds (zod shape: the API's response schema and OpenAPI, and summarize()'s type): the keys
   * summarize() returns. A field that only some requests get (CTIC's `timeToReach` with `reachTarget`) is
   * `.optional()`; the others are required in the model's SimulationResult variant.
   */
  resultShape: Result;
  /** Work budget: a-priori upper bound on arcs examined per run (api/budget.ts multiplies by runs). */
  workPerRun(g: CompiledGraph, req: z.output<Schema>): number;
  /**
   * Memory budget: an upper bound on the length of the result's step curves (entries, step 0 included) and
   * the JSON bytes one step costs in the result (all of the model's curves together). api/budget.ts turns
   * them into the result's size before any run (RIPPLE_MAX_RESULT_BYTES).
   */
  curveSteps(g: CompiledGraph, req: z.output<Schema>): number;
  stepBytes: number;
  /**
   * The live-edge model whose influence maximisation picks seeds for it in studies (IMM, CELF, value ranks):
   * `ic` or `lt`. Models that are not IC-like pick their seeds under IC with the same p.
   */
  influenceModel: 'ic' | 'lt';
  /**
   * One traced run (`trace: true`): run `run` of the Monte Carlo (its stream (seed, run)), with who reached whom, in
   * order. Same reached customers as that run, and no cost to the other runs (IC, LT, SIR, voice: a traced kernel of
   * their own, trace.ts in their folder; the catalogue's kernels log to a tracer only when given one).
   */
  trace(g: CompiledGraph, plan: Plan, run: number): TracedRun;
}

/** The result fields a model's `resultShape` declares, as summarize() returns them (none: `{}`, where zod says an open record). */
export type ModelResultFields<Result extends z.ZodRawShape> = [keyof Result] extends [never] ? Record<never, never> : z.output<z.ZodObject<Result>>;

/** What every plan has: the model, the stream seed, resolved seed customers and the common switches. */
export interface PlanBase {
  model: string;
  seed: number;
  /** Seed customer indices, deduplicated, in request order. */
  seeds: Int32Array;
  maxSteps: number;
  /** Count activations per customer (amplifiers). */
  countActivations: boolean;
  /** Per-run value reached and impressions. */
  extras: boolean;
}

/** What a batch gives a model runner: the scratch, the common step sums and the batch's size. */
export interface BatchSetup {
  s: Scratch;
  /** New activations per step, summed over the batch's runs (the model adds to it). */
  steps: StepSums;
  /** Runs in this batch; per-run columns have this length, indexed by run - from. */
  count: number;
  from: number;
  /** plan.extras: per-run value columns are wanted. */
  extras: boolean;
  /** Polled inside long runs (every few hundred steps of a model whose runs can last maxSteps); true: throw CancelledError. */
  isCancelled?: () => boolean;
}

/** One batch's runner: run() is called once per run, in run order, with rng reseeded to (seed, r). */
export interface ModelRunner {
  /**
   * One run r (its stream in `rng`): leaves the customers it reached in s.queue[0 .. reach) and returns reach.
   * `i` = r - from, the index into per-run columns.
   */
  run(rng: Rng, r: number, i: number): number;
  /** Arcs examined so far in this batch. */
  arcs(): number;
  /** The named outputs declared in `outputs` (per-run columns of length count, per-step sums). */
  take(): ModelOutputs;
}

export interface ModelOutputs {
  perRun: Record<string, Int32Array | Float64Array>;
  perStep: Record<string, Float64Array>;
  /** Per-customer counts over the runs (length n, integer sums; e.g. voice's passers), when the model keeps any. */
  perCustomer?: Record<string, Int32Array | Float64Array>;
}

/** What summarize() sees: the graph, the runs, the merged outputs and the common step curve. */
export interface SummaryContext {
  g: CompiledGraph;
  runs: number;
  bins: number;
  /** Length of every step curve in the result (max over the step sums). */
  stepsLength: number;
  /** Mean cumulative activations by step (the common `steps` curve). */
  cumulativeMean: Float64Array;
  stats(values: Int32Array): ReachStats;
  /**
   * A step curve from per-step sums; with `squares` (Σ x² of each run's new count per step) its points get
   * `newCi95`, with `cumSquares` (Σ of each run's change of c², c its running total) `cumulativeCi95`.
   */
  stepCurve(
    sums: Float64Array | null, opts?: { squares?: Float64Array; cumSquares?: Float64Array },
  ): { step: number; newMean: number; cumulativeMean: number; newCi95?: [number, number]; cumulativeCi95?: [number, number] }[];
  /** The request's `top` non-seed customers by a per-customer count, as shares of runs (as amplifiers). */
  rank(counts: ArrayLike<number>): { id: string; frequency: number }[];
  /** The validated request (its model's fields included). */
  request: Record<string, unknown>;
  /** P(count >= N) with a Wilson CI for each N of the request's `exceedance` (over the given per-run counts). */
  exceedance(values: ArrayLike<number>): { atLeast: number; probability: number; ci95: [number, number] }[] | undefined;
}

/** Helper for the common case of an IC-like model: one kernel call per run, no outputs of its own. */
export function simpleRunner(kernel: (rng: Rng) => number, out: { arcs: number }): ModelRunner {
  return {
    run: (rng) => kernel(rng),
    arcs: () => out.arcs,
    take: () => ({ perRun: {}, perStep: {} }),
  };
}

/** JSON bytes of one entry of a step curve, `{"step":123456,"newMean":0.12345678901234,"cumulativeMean":1234.5678901234}`. */
export const STEP_BYTES = 80;

/**
 * The declaration of a live-edge cascade (IC, LT): one kernel call per run that adds new activations per step and
 * counts arcs examined, no outputs of its own, arcs as its work per run. A step without a new activation ends the
 * run, so its curves have at most n steps after step 0.
 */
export function cascadeModel<const Name extends 'ic' | 'lt', Schema extends z.ZodType<{ maxSteps: number }>, Plan extends PlanBase>(spec: {
  name: Name;
  title: string;
  schema: Schema;
  plan: (g: CompiledGraph, req: z.output<Schema>, base: PlanBase) => Plan;
  kernel: (g: CompiledGraph, plan: Plan, s: Scratch, rng: Rng, steps: StepSums, out: { arcs: number }) => number;
  /** The traced run: the kernel's run on the same stream, draw for draw, logging (from, to, step) per activation. */
  traceKernel: (g: CompiledGraph, plan: Plan, s: Scratch, rng: Rng, tr: Tracer) => number;
}): ModelDefinition<Name, Schema, Plan, Record<never, never>> {
  return {
    name: spec.name,
    title: spec.title,
    schema: spec.schema,
    plan: spec.plan,
    open(g, plan, { s, steps }) {
      const out = { arcs: 0 };
      return simpleRunner((rng) => spec.kernel(g, plan, s, rng, steps, out), out);
    },
    summarize: () => ({}),
    outputs: { perRun: [], perStep: [] },
    resultShape: {},
    workPerRun: (g) => Math.max(1, g.m),
    curveSteps: (g, req) => Math.min(req.maxSteps, g.n) + 1,
    stepBytes: STEP_BYTES,
    influenceModel: spec.name,
    trace: (g, plan, run) => traceRun(g, plan, run, ['active'], (s, rng, tr) => spec.traceKernel(g, plan, s, rng, tr)),
  };
}
