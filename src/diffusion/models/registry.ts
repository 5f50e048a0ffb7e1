import { z } from 'zod';
import { COMMON_REQUEST_KEYS, requestShape } from '../request.js';
import { ic } from './ic/index.js';
import { lt } from './lt/index.js';
import type { ModelDefinition, PlanBase } from './model.js';
import { sir } from './sir/index.js';
import { voice } from './voice/index.js';
import { si } from './si/index.js';
import { sis } from './sis/index.js';
import { seir } from './seir/index.js';
import { seis } from './seis/index.js';
import { swir } from './swir/index.js';
import { threshold } from './threshold/index.js';
import { kertesz } from './kertesz/index.js';
import { profile } from './profile/index.js';
import { profileThreshold } from './profile-threshold/index.js';
import { voter } from './voter/index.js';
import { qvoter } from './qvoter/index.js';
import { majority } from './majority/index.js';
import { sznajd } from './sznajd/index.js';
import { hk } from './hk/index.js';
import { ctic } from './ctic/index.js';

/**
 * THE list of diffusion models (DESIGN §9: "a model is declared once in its folder under
 * src/diffusion/models/; the registry is the one list"). Everything that names a model — the API's request
 * union and OpenAPI, the CLI's --model choices and flags, the studies' axes, the work budget — reads it.
 * To add a model: a folder next to these and one line here (CONTRIBUTING.md, "Adding a model").
 */
export const MODEL_DEFINITIONS = [ic, lt, sir, voice, si, sis, seir, seis, swir, threshold, kertesz, profile, profileThreshold, voter, qvoter, majority, sznajd, hk, ctic] as const;

type Definitions = typeof MODEL_DEFINITIONS;
type AnyDefinition = Definitions[number];
type NamesOf<T extends readonly unknown[]> = { -readonly [K in keyof T]: T[K] extends { name: infer N } ? N : never };
type SchemasOf<T extends readonly unknown[]> = { -readonly [K in keyof T]: T[K] extends { schema: infer S } ? S : never };

export type ModelName = AnyDefinition['name'];
export const MODELS = MODEL_DEFINITIONS.map((d) => d.name) as NamesOf<Definitions>;

/** The simulation request: a discriminated union of every model's schema on `model`. */
export const simulationRequestSchema = z
  .discriminatedUnion('model', MODEL_DEFINITIONS.map((d) => d.schema) as SchemasOf<Definitions>)
  .describe('A Monte Carlo cascade simulation (DESIGN §3, §4)');

export type SimulationRequest = z.infer<typeof simulationRequestSchema>;
/** What callers may pass: defaults not yet applied. */
export type SimulationRequestInput = z.input<typeof simulationRequestSchema>;

/** Every model's plan: a discriminated union on `model`. */
export type SimulationPlan = ReturnType<AnyDefinition['plan']>;

const byName = new Map<string, ModelDefinition>(MODEL_DEFINITIONS.map((d) => [d.name, d as unknown as ModelDefinition]));

/** A model's declaration, or undefined for a name that is not a model. */
export function findModel(name: string): ModelDefinition | undefined {
  return byName.get(name);
}

/** A model's declaration; an unknown name is a programming error here (requests are validated first). */
export function modelOf(name: string): ModelDefinition {
  const d = byName.get(name);
  if (!d) throw new Error(`unknown model ${JSON.stringify(name)}`);
  return d;
}

/** A model's plan from a validated request and the common plan fields. */
export function planFor(g: Parameters<AnyDefinition['plan']>[0], req: SimulationRequest, base: PlanBase): SimulationPlan {
  return modelOf(req.model).plan(g, req as never, base) as SimulationPlan;
}

/** A model's parameters: its request fields other than the common ones, in declaration order, with their schemas. */
export function modelParameters(d: ModelDefinition): [string, z.ZodType][] {
  return Object.entries(requestShape(d.schema)).filter(([k]) => !COMMON_REQUEST_KEYS.has(k));
}

/** Every parameter name of every model, first-declared order (probability, p, beta, gamma, …). */
export function allParameterNames(): string[] {
  const out: string[] = [];
  for (const d of MODEL_DEFINITIONS) for (const [k] of modelParameters(d as unknown as ModelDefinition)) if (!out.includes(k)) out.push(k);
  return out;
}

/** Models that declare parameter `key`. */
export function modelsWith(key: string): ModelDefinition[] {
  return MODEL_DEFINITIONS.map((d) => d as unknown as ModelDefinition).filter((d) => modelParameters(d).some(([k]) => k === key));
}
