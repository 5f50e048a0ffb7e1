import { parseArgs } from 'node:util';

/**
 * The command lines of the bench scripts (bench:compare, bench:peers): node:util's parseArgs, strict — an unknown
 * option, a value missing or a flag given where a value belongs is a usage error — with the checks they share.
 * `usage` prints its message (and the script's usage line) and exits 2.
 */
export type Usage = (msg: string) => never;

type Spec = Record<string, { type: 'string' | 'boolean' }>;
type Values<S extends Spec> = { [K in keyof S]?: S[K]['type'] extends 'string' ? string : boolean };

export function benchArgs<S extends Spec>(argv: string[], options: S, usage: Usage): { values: Values<S>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
    return { values: values as Values<S>, positionals };
  } catch (e) {
    return usage((e as Error).message);
  }
}

/** `--name N`: an integer >= min (undefined when not given). */
export function intArg(name: string, v: string | undefined, min: number, usage: Usage): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!Number.isInteger(x) || x < min) usage(`--${name} must be an integer >= ${min}`);
  return x;
}

/** `--name a,b`: the comma-separated items, trimmed, empty ones dropped. */
export const listArg = (v: string): string[] => v.split(',').map((s) => s.trim()).filter(Boolean);
