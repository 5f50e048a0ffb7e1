import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CancelledError } from '../errors.js';
import { indexOf, type CompiledGraph } from '../graph/compile.js';
import type { WorkerPool } from '../workers/pool.js';
import { simulate } from '../diffusion/simulate.js';
import {
  linearFit, logGridGolden, logLoss, median, parseCascades, predictionMetrics, type Cascade, type PredictionMetrics,
} from './cascades.js';
import { slug } from './charts.js';
import { assertInputs, loadStudyGraph, readExistingRows, sha256, codeVersion, studyPath, writeAtomic, type LoadedStudyGraph } from './io.js';
import { createStudyProgress } from './progress.js';
import { toCsv, type Scalar } from './rows.js';
import { buildManifest, withPool, type StudyContext, type StudyRunSummary } from './context.js';
import type { CascadeFitStudy } from './schema.js';
import { lineChart } from './svg.js';

/**
 * The cascade-fit study: for each dataset, fit one uniform IC p so that the mean simulated reach from each
 * training cascade's first user best matches its observed size (least squares on log sizes; log grid +
 * golden section, common random numbers: every p uses the same seed), then predict the test cascades'
 * sizes and compare with a degree-only baseline (least squares of log size on log(1 + degree) fitted on
 * the training cascades). One row (cell) per dataset.
 */

interface FitDetails {
  evaluations: { p: number; loss: number; phase: string }[];
  test: { seed: string; degree: number; observed: number; ic: number; baseline: number }[];
}

type Row = { [column: string]: Scalar | FitDetails; details: FitDetails };

function degreeOf(g: CompiledGraph, v: number): number {
  return v < 0 ? 0 : g.outOffsets[v + 1] - g.outOffsets[v];
}

/** Mean simulated reach from each distinct seed (a seed not in the graph reaches only itself). */
async function predictSizes(
  g: CompiledGraph, seeds: string[], p: number, runs: number, seed: number, pool: WorkerPool | undefined, signal: AbortSignal | undefined,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const distinct = [...new Set(seeds)];
  const inFlight = Math.max(1, (pool?.size ?? 1) * 2);
  let next = 0;
  const worker = async () => {
    while (next < distinct.length) {
      const s = distinct[next++];
      if (signal?.aborted) throw new CancelledError();
      if (indexOf(g, s) < 0) {
        out.set(s, 1);
        continue;
      }
      const r = await simulate(g, { model: 'ic', probability: 'uniform', p, seeds: [s], runs, seed, maxSteps: 1_000_000, top: 0, bins: 1 }, { pool, signal, batchSize: Math.max(16, Math.ceil(runs / 4)) });
      out.set(s, r.reach.mean);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return out;
}

export async function runCascadeFit(study: CascadeFitStudy, ctx: StudyContext): Promise<StudyRunSummary> {
  const started = new Date();
  const t0 = performance.now();
  const { opts, out } = ctx;
  const source = basename(ctx.studyFile);
  assertInputs(
    study.datasets.flatMap((d, i) => [
      ...(d.graph.file !== undefined ? [{ yamlPath: `datasets[${i}].graph.file`, file: studyPath(ctx.studyFile, d.graph.file) }] : []),
      { yamlPath: `datasets[${i}].train`, file: studyPath(ctx.studyFile, d.train) },
      { yamlPath: `datasets[${i}].test`, file: studyPath(ctx.studyFile, d.test) },
    ]),
    study.requiresData, source,
  );
  const loaded: { graph: LoadedStudyGraph; train: Cascade[]; test: Cascade[]; trainSum: string; testSum: string }[] = [];
  for (const d of study.datasets) {
    const trainText = await readFile(studyPath(ctx.studyFile, d.train), 'utf8');
    const testText = await readFile(studyPath(ctx.studyFile, d.test), 'utf8');
    loaded.push({
      graph: await loadStudyGraph(d.graph, ctx.studyFile, opts.store),
      train: parseCascades(trainText, d.train), test: parseCascades(testText, d.test),
      trainSum: sha256(trainText), testSum: sha256(testText),
    });
  }
  const loadMs = performance.now() - t0;
  const ndjsonPath = join(out, 'cells.ndjson');
  const existing = new Map<string, Row>();
  for (const r of await readExistingRows<Row>(ndjsonPath)) if (typeof r.hash === 'string') existing.set(r.hash, r);
  const hashes = study.datasets.map((d, i) =>
    sha256(JSON.stringify({ code: codeVersion(), kind: 'cascade-fit', graph: loaded[i].graph.checksum, read: loaded[i].graph.read, train: loaded[i].trainSum, test: loaded[i].testSum, name: d.name, fit: study.fit, evaluate: study.evaluate, seed: study.seed })).slice(0, 32),
  );
  const rows: (Row | null)[] = hashes.map((h) => existing.get(h) ?? null);
  const reused = rows.filter((r) => r !== null).length;
  const evalsPerDataset = study.fit.gridPoints + study.fit.goldenIterations + 1;
  if (!opts.quiet) ctx.stderr.write(`study ${study.name}: ${study.datasets.length} datasets (${reused} already in ${out}); ${evalsPerDataset} steps each (fit evaluations + test)\n`);

  let workersUsed = 0;
  await withPool(opts, async (pool, size) => {
    workersUsed = size;
    const todo = study.datasets.map((_, i) => i).filter((i) => rows[i] === null);
    const progress = createStudyProgress({ label: study.name, total: todo.length * evalsPerDataset, unit: 'fit steps', stream: ctx.stderr, quiet: opts.quiet, intervalMs: opts.progressIntervalMs });
    let done = 0;
    try {
      for (const i of todo) {
        const d = study.datasets[i];
        const { graph: lg, train, test } = loaded[i];
        const g = lg.graph;
        const tFit = performance.now();
        const trainSeeds = train.map((c) => c.seed);
        const obsTrain = train.map((c) => c.size);
        const fit = await logGridGolden(async (p) => {
          const m = await predictSizes(g, trainSeeds, p, study.fit.runs, study.seed, pool, opts.signal);
          done++;
          progress.update(done, `${d.name} p=${p.toPrecision(3)}`);
          return logLoss(trainSeeds.map((s) => m.get(s)!), obsTrain);
        }, study.fit.pMin, study.fit.pMax, study.fit.gridPoints, study.fit.goldenIterations);
        const fitMs = performance.now() - tFit;
        const pFit = fit.best;
        const testPred = await predictSizes(g, test.map((c) => c.seed), pFit, study.evaluate.runs, study.seed, pool, opts.signal);
        done++;
        progress.update(done, `${d.name} test`);
        // Degree-only baseline: ln(size) = a + b·ln(1 + degree), fitted on the training cascades.
        const deg = (s: string) => degreeOf(g, indexOf(g, s));
        const base = linearFit(train.map((c) => Math.log1p(deg(c.seed))), obsTrain.map((x) => Math.log(x)));
        const baseline = (s: string) => Math.exp(base.a + base.b * Math.log1p(deg(s)));
        const obsTest = test.map((c) => c.size);
        const icTest = test.map((c) => testPred.get(c.seed)!);
        const baseTest = test.map((c) => baseline(c.seed));
        const icM = predictionMetrics(icTest, obsTest);
        const baseM = predictionMetrics(baseTest, obsTest);
        const trainBaseLoss = logLoss(train.map((c) => baseline(c.seed)), obsTrain);
        const metricCols = (prefix: string, m: PredictionMetrics): Record<string, Scalar> => ({
          [`${prefix}_pearson_log`]: m.pearsonLog, [`${prefix}_spearman`]: m.spearman, [`${prefix}_median_abs_error`]: m.medianAbsError,
          [`${prefix}_median_abs_log_error`]: m.medianAbsLogError, [`${prefix}_mean_ratio`]: m.meanRatio,
        });
        const row: Row = {
          cell: i, hash: hashes[i], dataset: d.name, customers: g.n, ties: lg.ties,
          train_cascades: train.length, test_cascades: test.length,
          train_seeds_missing: train.filter((c) => indexOf(g, c.seed) < 0).length,
          test_seeds_missing: test.filter((c) => indexOf(g, c.seed) < 0).length,
          observed_test_median: obsTest.length > 0 ? median(obsTest) : null,
          p_fit: pFit, train_log_mse: fit.bestValue, train_log_mse_baseline: trainBaseLoss,
          baseline_a: base.a, baseline_b: base.b,
          fit_runs: study.fit.runs, evaluate_runs: study.evaluate.runs, evaluations: fit.evaluations.length,
          ...metricCols('ic', icM), ...metricCols('baseline', baseM),
          fit_ms: Math.round(fitMs), elapsed_ms: Math.round(performance.now() - tFit),
          details: {
            evaluations: fit.evaluations.map((e) => ({ p: e.x, loss: e.value, phase: e.phase })),
            test: test.map((c, j) => ({ seed: c.seed, degree: deg(c.seed), observed: c.size, ic: icTest[j], baseline: baseTest[j] })),
          },
        };
        rows[i] = row;
        await writeAtomic(ndjsonPath, rows.filter((r): r is Row => r !== null).map((r) => `${JSON.stringify(r)}\n`).join(''));
      }
    } finally {
      progress.stop();
    }
  });

  const final = rows as Row[];
  const files: string[] = [];
  await writeAtomic(ndjsonPath, final.map((r) => `${JSON.stringify(r)}\n`).join(''));
  files.push('cells.ndjson');
  await writeAtomic(join(out, 'cells.csv'), toCsv(final.map(({ details: _d, ...c }) => c as Record<string, Scalar>)));
  files.push('cells.csv');
  for (const r of final) {
    const name = slug(String(r.dataset));
    const pred = `predictions--${name}.csv`;
    await writeAtomic(join(out, pred), toCsv(r.details.test.map((t) => ({ seed: t.seed, degree: t.degree, observed: t.observed, ic_predicted: t.ic, baseline_predicted: t.baseline }))));
    files.push(pred);
    const title = `${study.name}: ${String(r.dataset)} test cascades — predicted vs observed size`;
    const scatter = lineChart(
      [
        { name: `IC p=${Number(r.p_fit).toPrecision(3)} (Spearman ${Number(r.ic_spearman).toFixed(2)})`, markersOnly: true, points: r.details.test.map((t) => ({ x: t.observed, y: t.ic })) },
        { name: `degree-only (Spearman ${Number(r.baseline_spearman).toFixed(2)})`, markersOnly: true, points: r.details.test.map((t) => ({ x: t.observed, y: t.baseline })) },
      ],
      { title, xLabel: 'observed cascade size', yLabel: 'predicted size', logX: true, logY: true, diagonal: true },
    );
    await writeAtomic(join(out, `charts/predicted-vs-observed--${name}.svg`), scatter);
    files.push(`charts/predicted-vs-observed--${name}.svg`);
    const evals = [...r.details.evaluations].sort((a, b) => a.p - b.p);
    const lossTitle = `${study.name}: ${String(r.dataset)} — training loss vs p`;
    const lossChart = lineChart(
      [{ name: 'mean squared log error (train)', points: evals.map((e) => ({ x: e.p, y: e.loss })) }],
      { title: lossTitle, xLabel: 'uniform IC probability p', yLabel: 'mean (ln simulated − ln observed)²', logX: true },
    );
    await writeAtomic(join(out, `charts/fit-loss--${name}.svg`), lossChart);
    files.push(`charts/fit-loss--${name}.svg`);
  }
  const manifest = buildManifest(
    ctx,
    loaded.flatMap((l, i) => [
      { name: l.graph.name, source: l.graph.source, checksum: l.graph.checksum, customers: l.graph.customers, ties: l.graph.ties },
      { name: `${study.datasets[i].name}/train`, source: studyPath(ctx.studyFile, study.datasets[i].train), checksum: l.trainSum },
      { name: `${study.datasets[i].name}/test`, source: studyPath(ctx.studyFile, study.datasets[i].test), checksum: l.testSum },
    ]),
    { total: final.length, computed: final.length - reused, reused },
    { started, t0, loadMs, computeMs: final.reduce((a, r) => a + Number(r.elapsed_ms), 0) }, workersUsed,
  );
  await writeAtomic(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  files.push('manifest.json');
  return { name: study.name, kind: 'cascade-fit', out, cells: final.length, computed: final.length - reused, skipped: reused, files, elapsedMs: manifest.timings.elapsedMs };
}
