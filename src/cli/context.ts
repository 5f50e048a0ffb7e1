import type { Command } from 'commander';
import type { z } from 'zod';
import { loadConfig, type Config } from '../config.js';
import { WorkerPool } from '../workers/pool.js';
import { CancelledError, InputError } from '../errors.js';
import { parseOrThrow, type FieldError } from '../validate.js';
import { compile, type CompiledGraph } from '../graph/compile.js';
import type { GraphData, GraphFormat } from '../graph/model.js';
import { readGraphFile } from '../io/read-graph-file.js';
import { CompiledCache } from '../store/compiled-cache.js';
import { createStore } from '../store/index.js';
import type { GraphStore, GraphSummary } from '../store/types.js';

/** Where a command's graph comes from: a stored graph id, or a file of any format (DESIGN §1). */
export interface GraphTarget {
  id?: string;
  file?: string;
  format?: GraphFormat;
  directed?: boolean;
  customers?: string;
}

export interface LoadedGraph {
  data: GraphData;
  graph: CompiledGraph;
  /** Present when the graph came from the store. */
  summary?: GraphSummary;
  /** What the import saw, when it came from a file. */
  source: string;
}

/**
 * What every command gets: configuration from the environment and the global flags, the store, graph
 * loading and output. A command file (src/cli/commands/NAME.ts) exports `register(program, ctx)`.
 */
export interface CliContext {
  /** Env + global flags (--data-dir, --workers), parsed once. */
  config(): Readonly<Config>;
  /** Open the configured store, run `fn`, close the store. */
  withStore<T>(fn: (store: GraphStore) => Promise<T>): Promise<T>;
  /** A stored graph (by id) or a file, compiled. Exactly one of id/file: else a usage error. */
  loadGraph(target: GraphTarget): Promise<LoadedGraph>;
  /** `--json`: exactly one JSON document on stdout; else the human text. */
  output(json: boolean, value: unknown, human: () => string): void;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream;
  /** Worker threads for engine work (`--workers` / RIPPLE_WORKERS), made on first use; undefined (in-thread) for 1 worker. */
  pool(): WorkerPool | undefined;
  /** Run `fn` with an AbortSignal that Ctrl-C (SIGINT) aborts: the work stops in its workers, the command fails with `cancelled`. */
  cancellable<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /** Release what the command used (the pool). Called by run() after every command. */
  close(): Promise<void>;
}

const contexts = new WeakMap<Command, CliContext>();

/** The context createContext() made for a program (run() closes it). */
export function contextOf(program: Command): CliContext | undefined {
  return contexts.get(program);
}

/** A flag value as a number when it reads as one; else the text, so that the schema names what is wrong. */
export function num(v: string | undefined): number | string | undefined {
  if (v === undefined) return undefined;
  return /^\s*-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(v) ? Number(v) : v;
}

/**
 * Validate flags with the SAME zod schema as the HTTP API. `flags` maps a schema field to its flag
 * (`negativityBias` -> `--negativity-bias`); undefined values are left out (the schema's defaults apply).
 * The first problem becomes one line naming the flag, e.g. `--p: Too big: expected number to be <=1` (exit 2).
 */
export function parseFlags<S extends z.ZodType>(schema: S, input: Record<string, unknown>, flags: Record<string, string>, context = ''): z.infer<S> {
  const clean: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) if (v !== undefined) clean[k] = v;
  try {
    return parseOrThrow(schema, clean);
  } catch (e) {
    const errors = (e instanceof InputError ? (e.details?.errors as FieldError[] | undefined) : undefined) ?? [];
    if (errors.length === 0) throw e;
    const flagOf = (key: string) => flags[key] ?? `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    const unknown = errors.filter((x) => x.message === 'unknown parameter' && !x.path.includes('.'));
    if (unknown.length > 0) throw new InputError(`${unknown.map((x) => flagOf(x.path)).join(', ')}: not used${context ? ` ${context}` : ''}`);
    const [key, ...rest] = errors[0].path.split('.');
    throw new InputError(`${key ? flagOf(key) : 'flags'}${rest.length ? `[${rest.join('.')}]` : ''}: ${errors[0].message}`);
  }
}

export function createContext(program: Command, io: { stdout?: NodeJS.WritableStream; stderr?: NodeJS.WriteStream; env?: Record<string, string | undefined> } = {}): CliContext {
  let config: Readonly<Config> | undefined;
  let pool: WorkerPool | undefined;
  const stdout = io.stdout ?? process.stdout;
  const ctx: CliContext = {
    pool() {
      const workers = ctx.config().workers;
      if (workers <= 1) return undefined;
      pool ??= new WorkerPool({ workers });
      return pool;
    },
    async cancellable(fn) {
      const controller = new AbortController();
      const onSigint = () => controller.abort();
      process.once('SIGINT', onSigint);
      try {
        return await fn(controller.signal);
      } catch (e) {
        if (controller.signal.aborted) throw new CancelledError('cancelled (Ctrl-C)');
        throw e;
      } finally {
        process.off('SIGINT', onSigint);
      }
    },
    async close() {
      const p = pool;
      pool = undefined;
      await p?.close();
    },
    stdout,
    stderr: io.stderr ?? process.stderr,
    config() {
      if (!config) {
        const g = program.opts<{ dataDir?: string; workers?: string }>();
        config = loadConfig(io.env ?? process.env, { dataDir: g.dataDir, workers: g.workers });
      }
      return config;
    },
    async withStore(fn) {
      const cfg = ctx.config();
      const store = await createStore({ store: cfg.store, dataDir: cfg.dataDir, neo4j: cfg.neo4j, neo4jOptions: cfg.neo4jOptions });
      try {
        return await fn(store);
      } finally {
        await store.close();
      }
    },
    async loadGraph(target) {
      if ((target.id === undefined) === (target.file === undefined)) throw new InputError('give a graph id or --file FILE (exactly one)');
      if (target.file !== undefined) {
        const { data } = await readGraphFile(target.file, { format: target.format, directed: target.directed, customersFile: target.customers });
        return { data, graph: compile(data), source: target.file };
      }
      const id = target.id!;
      return ctx.withStore(async (store) => {
        const { summary, graph, data } = await new CompiledCache({ store }).get(id);
        return { data, graph, summary, source: id };
      });
    },
    output(json, value, human) {
      stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
    },
  };
  contexts.set(program, ctx);
  return ctx;
}

/** A plain text table (left-aligned strings, right-aligned numbers). */
export function table(header: string[], rows: (string | number | boolean)[][]): string {
  const cells = [header, ...rows.map((r) => r.map((c) => String(c)))];
  const widths = header.map((_, j) => Math.max(...cells.map((r) => [...r[j]].length)));
  const numeric = header.map((_, j) => rows.length > 0 && rows.every((r) => typeof r[j] === 'number'));
  return cells
    .map((r) => r.map((c, j) => (numeric[j] ? c.padStart(widths[j]) : c.padEnd(widths[j]))).join('  ').trimEnd())
    .join('\n');
}
