import { getJson } from './api.js';
import type { Family } from './types.js';

/**
 * The catalogue models the page offers besides the voice scenario, and their parameters as the API publishes them:
 * the request schema of POST /graphs/:id/simulations in /openapi.json (one variant per model, made from the model's
 * zod declaration in src/diffusion/models/). Ranges, defaults and descriptions are read from there, never copied.
 */

export type { Family };

export interface PageModel {
  name: string;
  family: Family;
  /** The brand question it answers (the option's text). */
  question: string;
  /** What the chosen customer is at step 0. */
  seedRole: string;
}

/** What the chosen customer is at step 0 in the binary opinion models. */
const OPINION_SEED = 'The customer holds “for” the brand at step 0; the others start “against” unless For share says otherwise.';

/** What the chosen customer is at step 0 in the epidemic models. */
const SPREADER = 'The customer passes it on from step 0.';

/** Which models fit a brand question, and how the page frames them (the models themselves are the API's). */
export const PAGE_MODELS: { group: string; models: PageModel[] }[] = [
  {
    group: 'How does sentiment settle?',
    models: [
      { name: 'voter', family: 'opinion', question: 'People copy a friend (voter)', seedRole: OPINION_SEED },
      { name: 'qvoter', family: 'opinion', question: 'People follow friends who agree (q-voter)', seedRole: OPINION_SEED },
      { name: 'majority', family: 'opinion', question: 'Groups take their majority (majority rule)', seedRole: OPINION_SEED },
      { name: 'sznajd', family: 'opinion', question: 'Two who agree convince their friends (Sznajd)', seedRole: OPINION_SEED },
      { name: 'hk', family: 'hk', question: 'People listen to views close to theirs (Hegselmann–Krause)', seedRole: 'The customer holds the seed opinion at step 0; the others start with opinions drawn between the low and high ends.' },
    ],
  },
  {
    group: 'How does it spread?',
    models: [
      { name: 'threshold', family: 'threshold', question: 'People act once enough friends have (Granovetter threshold)', seedRole: 'The customer adopts at step 0.' },
      { name: 'kertesz', family: 'threshold', question: 'Some never act, some act on their own (Kertész threshold)', seedRole: 'The customer adopts at step 0.' },
      { name: 'profile', family: 'threshold', question: 'Each hears it from a friend and decides by taste (profile)', seedRole: 'The customer adopts at step 0.' },
      { name: 'profile-threshold', family: 'threshold', question: 'Enough friends open the door, taste decides (profile-threshold)', seedRole: 'The customer adopts at step 0.' },
      { name: 'si', family: 'epidemic', question: 'Once told, people keep passing it on (SI)', seedRole: SPREADER },
      { name: 'sir', family: 'epidemic', question: 'People pass it on for a while, then stop (SIR)', seedRole: SPREADER },
      { name: 'sis', family: 'epidemic', question: 'People forget and can hear it again (SIS)', seedRole: SPREADER },
      { name: 'seir', family: 'epidemic', question: 'Heard it, pass it on later, then stop (SEIR)', seedRole: SPREADER },
      { name: 'seis', family: 'epidemic', question: 'Heard it, pass it on later, then forget (SEIS)', seedRole: SPREADER },
      { name: 'swir', family: 'epidemic', question: 'Hearing it twice can convince the doubtful (SWIR)', seedRole: SPREADER },
      { name: 'ctic', family: 'ctic', question: 'When does it reach people, in hours (continuous-time cascade)', seedRole: 'The customer speaks up at time 0.' },
    ],
  },
];

export function pageModel(name: string): PageModel | undefined {
  for (const g of PAGE_MODELS) for (const m of g.models) if (m.name === name) return m;
  return undefined;
}

/** The parts of JSON Schema (2020-12, as /openapi.json writes it) that a form needs. */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  description?: string;
  deprecated?: boolean;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
}

/** One parameter of a model, as the form shows it. */
export interface Param {
  name: string;
  /** number / integer: an input with its range; choice: a list; flag: a checkbox; text: free text (durations, "24 or PT12H"). */
  kind: 'number' | 'integer' | 'choice' | 'flag' | 'text';
  default?: unknown;
  options?: string[];
  min?: number;
  max?: number;
  /** The bound itself is not allowed (exclusiveMinimum / exclusiveMaximum). */
  minOpen?: boolean;
  maxOpen?: boolean;
  description: string;
}

export interface ModelSchema {
  name: string;
  /** The schema's one-line name ("Granovetter threshold"). */
  title: string;
  /** What the model is, with its paper (the `model` field's description). */
  about: string;
  params: Param[];
}

let documentPromise: Promise<Map<string, ModelSchema>> | undefined;

/** Every model's request schema from /openapi.json, read once per page. */
export function modelSchemas(): Promise<Map<string, ModelSchema>> {
  documentPromise ??= getJson<{ components?: { schemas?: Record<string, JsonSchema> } }>('/openapi.json').then(readModels);
  documentPromise.catch(() => {
    documentPromise = undefined; // try again next time
  });
  return documentPromise;
}

/** The model variants of SimulationRequest, each with the parameters that are its own (see `ownParameters`). */
export function readModels(doc: { components?: { schemas?: Record<string, JsonSchema> } }): Map<string, ModelSchema> {
  const schemas = doc.components?.schemas ?? {};
  const deref = (s: JsonSchema): JsonSchema => {
    let x = s;
    for (let i = 0; x.$ref && i < 10; i++) x = schemas[x.$ref.replace('#/components/schemas/', '')] ?? {};
    return x;
  };
  const request = schemas.SimulationRequest;
  if (!request) throw new Error('the API document has no SimulationRequest schema');
  const variants = (request.oneOf ?? request.anyOf ?? []).map(deref).filter((v) => typeof v.properties?.model?.const === 'string');
  const own = ownParameters(variants.map((v) => v.properties!));
  const out = new Map<string, ModelSchema>();
  for (const v of variants) {
    const props = v.properties!;
    const name = props.model.const as string;
    const params: Param[] = [];
    for (const [key, raw] of Object.entries(props)) {
      if (key === 'model' || !own.has(key)) continue;
      const p = toParam(key, deref(raw), deref);
      if (p) params.push(p);
    }
    out.set(name, { name, title: v.description ?? name, about: props.model.description ?? '', params });
  }
  return out;
}

/**
 * A model's own parameters are the fields whose schema is not the same in every model: seeds, runs, seed, bins…
 * are shared (the page sets seeds, runs and seed itself), while `maxSteps` has a model's own default and `p`,
 * `beta`, `threshold`… belong to some models only.
 */
function ownParameters(variants: Record<string, JsonSchema>[]): Set<string> {
  const keys = new Set(variants.flatMap((v) => Object.keys(v)));
  const own = new Set<string>();
  for (const k of keys) {
    const texts = variants.map((v) => (k in v ? JSON.stringify(v[k]) : undefined));
    if (texts.some((t) => t === undefined) || new Set(texts).size > 1) own.add(k);
  }
  return own;
}

function typesOf(s: JsonSchema): string[] {
  return Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
}

/** A form parameter from a field's schema; lists (per-customer values) and deprecated fields are left to the API. */
function toParam(name: string, s: JsonSchema, deref: (s: JsonSchema) => JsonSchema): Param | undefined {
  if (s.deprecated) return undefined;
  const description = s.description ?? '';
  const alternatives = (s.anyOf ?? s.oneOf)?.map(deref);
  if (alternatives) {
    // A union (ctic's horizon: time units or an ISO 8601 duration): free text, sent as a number when it is one.
    if (alternatives.some((a) => typesOf(a).includes('array') || typesOf(a).includes('object'))) return undefined;
    return { name, kind: 'text', default: s.default, description };
  }
  const t = typesOf(s);
  if (s.enum) return { name, kind: 'choice', options: s.enum.map(String), default: s.default, description };
  if (t.includes('boolean')) return { name, kind: 'flag', default: s.default, description };
  if (t.includes('number') || t.includes('integer')) {
    const min = s.exclusiveMinimum ?? s.minimum;
    const max = s.exclusiveMaximum ?? s.maximum;
    return {
      name, kind: t.includes('integer') ? 'integer' : 'number', default: s.default, description,
      ...(min !== undefined ? { min, minOpen: s.exclusiveMinimum !== undefined } : {}),
      ...(max !== undefined ? { max, maxOpen: s.exclusiveMaximum !== undefined } : {}),
    };
  }
  if (t.includes('string')) return { name, kind: 'text', default: s.default, description };
  return undefined;
}

/** `forShare` -> "For share", `maxSteps` -> "Max steps", `p` -> "p". */
export function paramLabel(name: string): string {
  if (name.length <= 2) return name;
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The range as a person reads it: "0 < x ≤ 1", "0 – 100000" (integers), "≥ 0". */
export function rangeText(p: Param): string {
  const { min, max } = p;
  if (min === undefined && max === undefined) return '';
  const lo = min === undefined ? '' : `${min} ${p.minOpen ? '<' : '≤'} `;
  const hi = max === undefined ? '' : ` ${p.maxOpen ? '<' : '≤'} ${max}`;
  return `${lo}x${hi}`;
}
