import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { CancelledError, InputError } from '../errors.js';
import type { WorkerPool } from '../workers/pool.js';
import { simulate, simulateRuns } from '../diffusion/simulate.js';
import { buildReport, type ScenarioReport } from '../scenarios/report.js';
import { SCENARIO_DEFAULTS, type ScenarioSpec } from '../scenarios/schema.js';
import { runCascadeFit } from './cascade-fit-runner.js';
import { runTreeFit } from './tree-fit-runner.js';
import { buildManifest, withPool, type RunStudyOptions, type StudyContext, type StudyRunSummary } from './context.js';
import { gridCharts, type ChartFile } from './charts.js';
import { cellParams, cellRequest, expandCells, type Cell } from './grid.js';
import {
  assertInputs, loadStudyGraph, readExistingRows, sha256, codeVersion, studyPath, writeAtomic,
  type LoadedStudyGraph,
} from './io.js';
import { createStudyProgress } from './progress.js';
import { gridRow, stepRows, toCsv, type CellRow } from './rows.js';
import { parseStudy, type GridStudy } from './schema.js';
import { selectionKey, selectSeeds, type Selection } from './seeds.js';
import { simulateDraws, type DrawSummary } from './draws.js';
import type { HistogramSpec } from '../diffusion/stats.js';

/** How a study bins its cells' reach histograms: explicit edges when given, else histogramBins equal-width bins. */
function histogramOf(study: GridStudy): number | HistogramSpec {
  return study.outputs.histogramEdges ? { edges: study.outputs.histogramEdges } : study.outputs.histogramBins;
}

/**
 * Runs a study file: every cell (progress bar + ETA on stderr), across the worker pool; writes
 * `cells.csv`, `cells.ndjson`, `manifest.json` and `charts/*.svg` into the output folder. Resumable:
 * a cell whose content hash (code version + input checksums + cell parameters + seed) is already in
 * `cells.ndjson` is not recomputed. Every cell uses the study seed, so the same file gives the same
 * numbers on any machine and worker count.
 */

export type { Manifest, RunStudyOptions, StudyContext, StudyRunSummary } from './context.js';

type StoredRow = CellRow['columns'] & { details: CellRow['details'] };

export async function runStudyFile(file: string, opts: RunStudyOptions = {}): Promise<StudyRunSummary> {
  const studyFile = resolve(file);
  let text: string;
  try {
    text = await readFile(studyFile, 'utf8');
  } catch (e) {
    throw new InputError(`${file}: cannot read the study file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const study = parseStudy(text, basename(studyFile));
  const out = resolve(opts.out ?? join(dirname(studyFile), 'out', study.name));
  const ctx: StudyContext = { study, studyFile, studyChecksum: sha256(text), out, opts, stderr: opts.stderr ?? process.stderr };
  if (study.kind === 'cascade-fit') return runCascadeFit(study, ctx);
  if (study.kind === 'tree-fit') return runTreeFit(study, ctx);
  return runGrid(study, ctx);
}

async function runGrid(study: GridStudy, ctx: StudyContext): Promise<StudyRunSummary> {
  const started = new Date();
  const t0 = performance.now();
  const { opts, out } = ctx;
  assertInputs(
    study.graphs.flatMap((g, i) => (g.file !== undefined ? [{ yamlPath: `graphs[${i}].file`, file: studyPath(ctx.studyFile, g.file) }] : [])),
    study.requiresData, basename(ctx.studyFile),
  );
  const graphs = new Map<string, LoadedStudyGraph>();
  for (const g of study.graphs) graphs.set(g.name, await loadStudyGraph(g, ctx.studyFile, opts.store));
  const loadMs = performance.now() - t0;

  const cells = expandCells(study);
  const ndjsonPath = join(out, 'cells.ndjson');
  const existing = new Map<string, StoredRow>();
  for (const r of await readExistingRows<StoredRow>(ndjsonPath)) if (typeof r.hash === 'string') existing.set(r.hash, r);
  await mkdir(out, { recursive: true });
  // Keep only rows that are still cells of this study (the rest is dropped at the end); append new rows as they finish.
  // The hash covers everything that shapes a row: how the graph file is read (not only its bytes) and the histogram bins too.
  const hist = histogramOf(study);
  const hashes = cells.map((c) => {
    const g = graphs.get(c.graph)!;
    // Voice cells are scenarios: their money depends on the impact coefficients too.
    const scenario = c.model.model === 'voice' ? { scenario: { impact: study.impact ?? null } } : {};
    return sha256(JSON.stringify({ code: codeVersion(), input: g.checksum, read: g.read, params: cellParams(c, study.seed), bins: hist, ...scenario })).slice(0, 32);
  });
  if (existing.size === 0) await writeFile(ndjsonPath, '');

  const rows: (CellRow | null)[] = cells.map((_, i) => {
    const old = existing.get(hashes[i]);
    if (!old) return null;
    const { details, ...columns } = old;
    return { columns: { ...columns, cell: i }, details };
  });
  const reused = rows.filter((r) => r !== null).length;
  const todo = cells.filter((_, i) => rows[i] === null);
  if (!opts.quiet) ctx.stderr.write(`study ${study.name}: ${cells.length} cells (${reused} already in ${out}, ${todo.length} to run)\n`);

  const selections = new Map<string, Promise<Selection>>();
  // Work per cell (runs × (arcs + customers)): the progress bar and its ETA follow it, also within a cell.
  const work = cells.map((c) => {
    const g = graphs.get(c.graph)!.graph;
    return (c.runs ?? c.maxRuns ?? 1) * (g.m + g.n + 1);
  });
  const totalWork = work.reduce((a, b) => a + b, 0);
  let workersUsed = 0;
  let done = reused;
  try {
    await withPool(opts, async (pool, size) => {
      workersUsed = size;
      const progress = createStudyProgress({ label: study.name, total: cells.length, totalWork, stream: ctx.stderr, quiet: opts.quiet, intervalMs: opts.progressIntervalMs });
      let workDone = rows.reduce((a, row, i) => a + (row ? work[i] : 0), 0);
      progress.update(done, undefined, workDone);
      try {
        for (const cell of todo) {
          if (opts.signal?.aborted) throw new CancelledError();
          const loaded = graphs.get(cell.graph)!;
          const what = `${cell.graph} ${cell.model.label} ${cell.strategy.name} k=${cell.k}`;
          const onProgress = (d: number, t: number) => progress.update(done, what, workDone + (t > 0 ? (work[cell.index] * Math.min(d, t)) / t : 0));
          const row = await runCell(cell, loaded, study, hashes[cell.index], selections, { pool, signal: opts.signal, onProgress });
          rows[cell.index] = row;
          await appendFile(ndjsonPath, `${JSON.stringify({ ...row.columns, details: row.details })}\n`);
          done++;
          workDone += work[cell.index];
          progress.update(done, what, workDone);
        }
      } finally {
        progress.stop();
      }
    });
  } catch (e) {
    if (e instanceof CancelledError || opts.signal?.aborted) throw interrupted(ctx, done, cells.length);
    throw e;
  }

  const finalRows = rows as CellRow[];
  const files: string[] = [];
  await writeAtomic(ndjsonPath, finalRows.map((r) => `${JSON.stringify({ ...r.columns, details: r.details })}\n`).join(''));
  files.push('cells.ndjson');
  await writeAtomic(join(out, 'cells.csv'), toCsv(finalRows.map((r) => r.columns)));
  files.push('cells.csv');
  await writeAtomic(join(out, 'steps.csv'), toCsv(finalRows.flatMap((r) => stepRows(r))));
  files.push('steps.csv');
  const charts: ChartFile[] = gridCharts(finalRows, study.outputs.charts, { study: study.name, logY: study.outputs.logY });
  for (const c of charts) {
    await writeAtomic(join(out, c.file), c.svg);
    files.push(c.file);
    if (c.vegaLite) {
      const spec = c.file.replace(/\.svg$/, '.vl.json');
      await writeAtomic(join(out, spec), `${JSON.stringify(c.vegaLite, null, 1)}\n`);
      files.push(spec);
    }
  }
  const manifest = buildManifest(
    ctx,
    [...graphs.values()].map((g) => ({ name: g.name, source: g.source, checksum: g.checksum, customers: g.customers, ties: g.ties })),
    { total: cells.length, computed: todo.length, reused },
    { started, t0, loadMs, computeMs: finalRows.reduce((a, r) => a + Number(r.columns.elapsed_ms) + Number(r.columns.selection_ms), 0) }, workersUsed,
  );
  await writeAtomic(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  files.push('manifest.json');
  return { name: study.name, kind: 'grid', out, cells: cells.length, computed: todo.length, skipped: reused, files, elapsedMs: manifest.timings.elapsedMs };
}

/** The error of an interrupted study: how many cells are saved, and the command that goes on from there. */
export function interrupted(ctx: StudyContext, saved: number, total: number): CancelledError {
  const rel = (p: string) => relative(process.cwd(), p) || '.';
  const command = ctx.opts.resumeCommand ?? `npm run study -- ${rel(ctx.studyFile)}${ctx.opts.out !== undefined ? ` --out ${rel(ctx.out)}` : ''}`;
  return new CancelledError(`interrupted: ${saved} of ${total} cells saved in ${rel(ctx.out)}; resume with: ${command}`);
}

async function runCell(
  cell: Cell, loaded: LoadedStudyGraph, study: GridStudy, hash: string, selections: Map<string, Promise<Selection>>,
  o: { pool?: WorkerPool; signal?: AbortSignal; onProgress?: (done: number, total: number) => void },
): Promise<CellRow> {
  const key = selectionKey(cell.graph, cell.strategy, cell.model);
  let sel = selections.get(key);
  if (!sel) {
    sel = selectSeeds(loaded.graph, cell.strategy, cell.model, study.seed, { pool: o.pool, signal: o.signal });
    selections.set(key, sel);
  }
  const selection = await sel;
  const order = selection.order.subarray(0, Math.min(cell.k, selection.order.length));
  let ids = Array.from(order, (i) => loaded.graph.ids[i]);
  const req = cellRequest(cell, ids, study.seed, histogramOf(study));
  let res;
  let report: ScenarioReport | undefined;
  let draws: DrawSummary | undefined;
  const spec = cell.strategy.spec;
  if (spec.strategy === 'random' && spec.draws > 1 && cell.model.model !== 'voice') {
    // The expected spread of k random seeds: the mean over `draws` independent seed sets (src/studies/draws.ts).
    const d = await simulateDraws(loaded.graph, cell, spec.draws, Math.max(...cell.strategy.ks), study.seed, histogramOf(study), o);
    res = d.result;
    draws = d.summary;
    ids = d.summary.firstSeeds[0];
  } else if (cell.model.model === 'voice') {
    // A voice cell is a brand scenario: the same runs (same request, same streams) with their per-run values turned
    // into impressions, time to peak and money, each with a CI (src/scenarios/report.ts).
    const { result, perRun } = await simulateRuns(loaded.graph, req, o, true);
    report = buildReport(loaded.graph, voiceSpec(cell, ids, study, loaded), result, perRun!).report;
    report.elapsedMs = result.elapsedMs;
    res = result;
  } else {
    res = await simulate(loaded.graph, req, o);
  }
  // The selection time is charged to the first cell that needed it.
  const first = !selectionCharged.has(selection);
  selectionCharged.add(selection);
  return gridRow(cell, hash, ids, res, { ms: first ? selection.ms : 0, ...(selection.note ? { note: selection.note } : {}) }, report, draws);
}

/** The scenario of a voice cell: its model point, its seeds, the study's impact coefficients (scenario defaults). */
function voiceSpec(cell: Cell, ids: string[], study: GridStudy, loaded: LoadedStudyGraph): ScenarioSpec {
  const m = cell.model;
  const v = m.params as { experience?: ScenarioSpec['experience']; negativityBias?: number; response?: ScenarioSpec['response']; activity?: ScenarioSpec['activity'] };
  const d = SCENARIO_DEFAULTS;
  return {
    customers: ids,
    experience: v.experience ?? d.experience,
    maxSteps: m.maxSteps,
    horizon: m.maxSteps,
    probability: m.probability ?? d.probability,
    p: m.p ?? d.p,
    activity: v.activity ?? d.activity,
    negativityBias: v.negativityBias ?? d.negativityBias,
    response: v.response ?? null,
    impact: {
      churnIfNegative: study.impact?.churnIfNegative ?? d.churnIfNegative,
      upliftIfPositive: study.impact?.upliftIfPositive ?? d.upliftIfPositive,
      currency: study.impact?.currency ?? loaded.data.currency ?? d.currency,
    },
    runs: cell.runs,
    precision: cell.precision,
    maxRuns: cell.maxRuns ?? d.maxRuns,
    seed: study.seed,
    amplifiers: 10,
    stepDuration: null,
    reachOf: [],
  };
}

const selectionCharged = new WeakSet<Selection>();
