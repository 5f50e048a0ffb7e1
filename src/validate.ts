import type { z } from 'zod';
import { InputError } from './errors.js';

/** One field problem of an input error: `path` like `body.seeds` or `query.top` (or `p` without a place). */
export interface FieldError {
  path: string;
  message: string;
}

/**
 * THE way input becomes a typed value or a 400: validate `input` with a zod schema; on failure throw one
 * InputError whose `details.errors` lists every field (the key the problem+json writer and the CLI read).
 * `where` prefixes the paths and names the input in the message: `body`, `query`, `simulation request`
 * (a prefix of one word — `body`, `query`, `params` — goes into the paths; a longer one only into the message).
 * An unknown field of a strict object is listed per key as `unknown parameter`.
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, where = ''): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const prefix = /^(body|query|params|headers)$/.test(where) ? where : '';
  const join = (path: readonly PropertyKey[]) => [prefix, ...path.map(String)].filter((s) => s !== '').join('.');
  const errors: FieldError[] = r.error.issues.flatMap((i) => {
    if (i.code === 'unrecognized_keys') return i.keys.map((k) => ({ path: join([...i.path, k]), message: 'unknown parameter' }));
    return [{ path: join(i.path), message: i.message }];
  });
  const detail = errors.length === 1
    ? (errors[0].path ? `${errors[0].path}: ${errors[0].message}` : errors[0].message)
    : errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; ');
  throw new InputError(`invalid ${where || 'input'}: ${detail}`, { errors });
}
