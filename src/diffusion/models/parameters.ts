import { z } from 'zod';
import type { ModelDefinition } from './model.js';
import { MODEL_DEFINITIONS, modelParameters } from './registry.js';

/**
 * The model parameters as the doors other than the API see them (CLI flags and help, study axes): one
 * entry per parameter name across the registry, with the models that declare it, each model's default,
 * the value schema without its default, and a one-line help text cut from the schema's description.
 */
export interface ParameterDoc {
  key: string;
  /** Models declaring it (registry order). */
  models: ModelDefinition[];
  /** Default per model name (undefined: no default). */
  defaults: Map<string, unknown>;
  /** The value schema (first declaring model), without default/optional wrappers (nullable kept). */
  value: z.ZodType;
  /**
   * The value's kind, for flags: number, enum (with choices), boolean, string (also a number-or-string union
   * such as CTIC's horizon: a numeric flag value is passed as a number), or other (objects, lists: not a flag).
   */
  kind: 'number' | 'enum' | 'boolean' | 'string' | 'other';
  choices: readonly string[];
  /** Short help: the description's first clause, without its range/default parenthesis. */
  help: string;
  /** The full description of the first declaring model. */
  description: string;
}

function unwrapDefault(t: z.ZodType): z.ZodType {
  let cur = t;
  while (cur instanceof z.ZodDefault || cur instanceof z.ZodOptional) cur = cur.unwrap() as z.ZodType;
  return cur;
}

function shortHelp(description: string): string {
  let s = description.split(/\.\s/)[0].replace(/\.$/, '');
  const colon = s.indexOf(': ');
  if (colon > 0) s = s.slice(0, colon);
  s = s.replace(/\s*\([^()]*default[^()]*\)\s*$/, '').replace(/`/g, '');
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** Every parameter of every model, in first-declared order (probability, p, beta, gamma, negativityBias, …). */
export function parameterDocs(): ParameterDoc[] {
  const out = new Map<string, ParameterDoc>();
  for (const d0 of MODEL_DEFINITIONS) {
    const d = d0 as unknown as ModelDefinition;
    for (const [key, field] of modelParameters(d)) {
      let doc = out.get(key);
      if (!doc) {
        const value = unwrapDefault(field);
        const inner = value instanceof z.ZodNullable ? (value.unwrap() as z.ZodType) : value;
        const stringy = inner instanceof z.ZodString
          || (inner instanceof z.ZodUnion && (inner.options as z.ZodType[]).every((o) => o instanceof z.ZodString || o instanceof z.ZodNumber));
        const kind = inner instanceof z.ZodNumber ? 'number' : inner instanceof z.ZodEnum ? 'enum' : inner instanceof z.ZodBoolean ? 'boolean' : stringy ? 'string' : 'other';
        const description = field.description ?? value.description ?? key;
        doc = {
          key, models: [], defaults: new Map(), value, kind,
          choices: inner instanceof z.ZodEnum ? (inner.options as string[]) : [],
          help: shortHelp(description), description,
        };
        out.set(key, doc);
      }
      doc.models.push(d);
      const r = field.safeParse(undefined);
      doc.defaults.set(d.name, r.success ? r.data : undefined);
    }
  }
  return [...out.values()];
}

/** `0.05; sir: 1`: the default most models share, then the exceptions (by model name). */
export function defaultsText(doc: ParameterDoc): string {
  const counts = new Map<string, number>();
  const shown = (v: unknown) => (v === null ? 'none' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  for (const v of doc.defaults.values()) if (v !== undefined) counts.set(shown(v), (counts.get(shown(v)) ?? 0) + 1);
  if (counts.size === 0) return '';
  const common = [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
  const except = [...doc.defaults.entries()].filter(([, v]) => v !== undefined && shown(v) !== common).map(([m, v]) => `${m}: ${shown(v)}`);
  return [common, ...except].join('; ');
}

/** Help line of a parameter: `sir: infection probability per step and arc (default 0.1)`. */
export function parameterHelp(doc: ParameterDoc): string {
  const all = doc.models.length === MODEL_DEFINITIONS.length;
  const prefix = all ? '' : `${doc.models.map((m) => m.name).join(', ')}: `;
  const dflt = defaultsText(doc);
  return `${prefix}${doc.help}${dflt ? ` (default ${dflt})` : ''}`;
}
