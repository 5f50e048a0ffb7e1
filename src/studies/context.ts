import { basename, dirname, isAbsolute, relative } from 'node:path';
import { WorkerPool } from '../workers/pool.js';
import { versions, type StoreAccess } from './io.js';
import type { Study } from './schema.js';

/**
 * What the study runners (grid: runner.ts, cascade-fit: cascade-fit-runner.ts, tree-fit: tree-fit-runner.ts) share: options, the run
 * context, the pool and the manifest. Its own module so that the runners do not import each other.
 */

export interface RunStudyOptions {
  /** Output folder (default: `out/<name>` next to the study file). */
  out?: string;
  /** Worker threads (default: cores). 0 = run in this thread. */
  workers?: number;
  /** Use this pool instead of starting one. */
  pool?: WorkerPool;
  /** Where progress and notes go (default process.stderr). */
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
  /** No progress output. */
  quiet?: boolean;
  /** Plain progress lines at most this often (ms, default 10000). */
  progressIntervalMs?: number;
  store?: StoreAccess;
  /** Aborting stops the study after saving the cells done; the CancelledError says how many and how to resume. */
  signal?: AbortSignal;
  /** The command shown to resume an interrupted study (default `npm run study -- FILE [--out DIR]`). */
  resumeCommand?: string;
}

export interface StudyRunSummary {
  name: string;
  kind: Study['kind'];
  out: string;
  cells: number;
  computed: number;
  skipped: number;
  files: string[];
  elapsedMs: number;
}

export interface Manifest {
  study: string;
  kind: Study['kind'];
  studyFile: string;
  studyChecksum: string;
  seed: number;
  versions: Record<string, string>;
  inputs: { name: string; source: string; checksum: string; customers?: number; ties?: number }[];
  cells: { total: number; computed: number; reused: number };
  /** This invocation's wall time; `computeMs` = sum of the recorded compute times of all cells, reused ones included. */
  timings: { startedAt: string; finishedAt: string; elapsedMs: number; loadMs: number; cellsMs: number; computeMs: number };
  workers: number;
  command: string;
}

export interface StudyContext {
  study: Study;
  studyFile: string;
  studyChecksum: string;
  out: string;
  opts: RunStudyOptions;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** The pool a study runs on: the given one, none (workers 0), or a new one closed at the end. */
export async function withPool<T>(opts: RunStudyOptions, fn: (pool: WorkerPool | undefined, size: number) => Promise<T>): Promise<T> {
  if (opts.pool) return fn(opts.pool, opts.pool.size);
  if (opts.workers === 0) return fn(undefined, 0);
  const pool = new WorkerPool(opts.workers !== undefined ? { workers: opts.workers } : {});
  try {
    return await fn(pool, pool.size);
  } finally {
    await pool.close();
  }
}

export function buildManifest(
  ctx: StudyContext, inputs: Manifest['inputs'], cells: Manifest['cells'], t: { started: Date; t0: number; loadMs: number; computeMs: number }, workers: number,
): Manifest {
  const elapsedMs = performance.now() - t.t0;
  const here = dirname(ctx.studyFile);
  return {
    study: ctx.study.name, kind: ctx.study.kind, studyFile: basename(ctx.studyFile), studyChecksum: ctx.studyChecksum, seed: ctx.study.seed,
    versions: versions(),
    inputs: inputs.map((i) => (isAbsolute(i.source) ? { ...i, source: relative(here, i.source) } : i)),
    cells,
    timings: {
      startedAt: t.started.toISOString(), finishedAt: new Date().toISOString(), elapsedMs: Math.round(elapsedMs), loadMs: Math.round(t.loadMs),
      cellsMs: Math.round(elapsedMs - t.loadMs), computeMs: Math.round(t.computeMs),
    },
    workers,
    command: `npm run study -- ${basename(dirname(ctx.studyFile))}/${basename(ctx.studyFile)}`,
  };
}

