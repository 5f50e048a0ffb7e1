import { z } from 'zod';
import { commonResultShape, graphRefShape } from '../result-schema.js';
import { requestShape } from '../request.js';
import type { ModelResultFields } from './model.js';
import { MODEL_DEFINITIONS, type ModelName } from './registry.js';

/**
 * What a simulation answers (DESIGN §8), next to the models that produce it: per model (registry order) the common
 * fields, `model` fixed to its name, the fields its folder declares (`resultShape`, which its summarize() writes) and
 * the graph it ran on (`graphId`, `graphVersion`, stamped by the API and the workers). Named `IcSimulationResult`,
 * `VoiceSimulationResult`, … in /openapi.json; `SimulationResult` is their union on `model`. Objects stay open
 * (`looseObject`): a field added later reaches clients that do not know it yet. The engine's types (at the end) are
 * made from the same shapes.
 */

const RESULT_EXAMPLE = {
  graphId: 'g_0123456789abcdef', graphVersion: 1, model: 'ic', runs: 1000, seed: 7, elapsedMs: 41, probability: 'uniform', seeds: ['c1'], stoppedBy: 'runs',
  reach: {
    mean: 12.3, sd: 4.1, stderr: 0.13, ci95: [12.04, 12.56], min: 1, max: 40,
    quantiles: { p5: 6, p25: 9, p50: 12, p75: 15, p95: 20 }, histogram: [{ from: 1, to: 5, count: 300 }],
  },
  steps: [{ step: 0, newMean: 1, cumulativeMean: 1 }],
  amplifiers: [{ id: 'c7', frequency: 0.83 }],
  arcsExamined: 61.5,
};

/** `profile-threshold` -> `ProfileThreshold`. */
const pascal = (name: string) => name.split(/[^A-Za-z0-9]+/).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');

/** `probability` is echoed by every model whose request has an arc probability scheme: required in its result. */
function echoed(request: z.ZodType): z.ZodRawShape {
  return 'probability' in requestShape(request) ? { probability: z.string().describe('The arc probability scheme of the request.') } : {};
}

/**
 * Each model's result schema, in registry order: its own fields as its folder declares them (`resultShape`), required
 * but for those marked `.optional()` there (the ones only some requests get: voice's `passers` with amplifiers, CTIC's
 * `timeToReach` with `reachTarget` and `exceedanceWithinHorizon` with `exceedance`), and `probability` when its request
 * has one. summarize() is typed by the same shape, so a model that leaves out a required field does not compile, and
 * the API's response validation checks the answers.
 */
export const MODEL_RESULT_SCHEMAS = MODEL_DEFINITIONS.map((d) =>
  z
    .looseObject({ ...graphRefShape, model: z.literal(d.name), ...commonResultShape, ...echoed(d.schema), ...(d.resultShape as z.ZodRawShape) })
    .describe(`A ${d.title} simulation result (model \`${d.name}\`).`)
    .meta({ id: `${pascal(d.name)}SimulationResult`, ...(d.name === 'ic' ? { examples: [RESULT_EXAMPLE] } : {}) }),
);

type ModelResultSchema = (typeof MODEL_RESULT_SCHEMAS)[number];

/** A simulation result: the union of the models' results, told apart by `model`. */
export const simulationResultSchema = z
  .discriminatedUnion('model', MODEL_RESULT_SCHEMAS as unknown as [ModelResultSchema, ...ModelResultSchema[]])
  .describe('A simulation result (DESIGN §8): the common fields, and those of its `model`.')
  .meta({ id: 'SimulationResult', examples: [RESULT_EXAMPLE] });

type Definitions = (typeof MODEL_DEFINITIONS)[number];
/** The fields every simulation result has (engine side: without the graph reference the API stamps). */
type CommonFields = z.output<z.ZodObject<typeof commonResultShape>>;
/** The fields one model adds, as its resultShape declares them (required unless marked optional). */
type OwnFields<D> = D extends { resultShape: infer R extends z.ZodRawShape } ? ModelResultFields<R> : never;
type KeysOfUnion<T> = T extends unknown ? keyof T : never;
type FieldOf<T, K extends PropertyKey> = T extends unknown ? (K extends keyof T ? T[K] : never) : never;

/** A model's simulation result (its schema's variant, engine side): the common fields, `model`, and its own fields. */
export type ModelSimulationResult<N extends ModelName> = { model: N } & CommonFields & OwnFields<Extract<Definitions, { name: N }>>;

/**
 * What simulate() returns (DESIGN §8), from the same shapes as the schemas above: the common fields, `model`, and
 * every model's fields, each optional (they depend on `model`: narrow with ModelSimulationResult for one model).
 */
export type SimulationResult = { model: ModelName } & CommonFields & {
  [K in KeysOfUnion<OwnFields<Definitions>>]?: Exclude<FieldOf<OwnFields<Definitions>, K>, undefined>;
};
