import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CancelledError } from '../errors.js';
import { indexOf, type CompiledGraph } from '../graph/compile.js';
import type { WorkerPool } from '../workers/pool.js';
import { simulateRuns } from '../diffusion/simulate.js';
import { averagePrecisionAt, auc, finiteMean, ksDistance, quartiles, SizeDistribution } from './calibration.js';
import { logGridGolden, median, parseCascades, type Cascade } from './cascades.js';
import { slug } from './charts.js';
import { assertInputs, loadStudyGraph, readExistingRows, sha256, codeVersion, studyPath, writeAtomic, type LoadedStudyGraph } from './io.js';
import { createStudyProgress } from './progress.js';
import { toCsv, type Scalar } from './rows.js';
import { buildManifest, withPool, type StudyContext, type StudyRunSummary } from './context.js';
import type { CascadeFitStudy } from './schema.js';
import { lineChart, type ChartOptions, type Series } from './svg.js';
import { lineChartSpec } from './vega.js';

/**
 * The cascade-fit study (issue 19.7): a calibration that is a real test.
 *
 * - **Selection.** Only cascades of at least `minSize` adopters (the smallest training size) are in the data, so
 *   every size distribution — the model's and the baselines' — is P(S = s | S >= minSize).
 * - **Fit.** For each training cascade, IC with one uniform p runs from its first user; the simulated sizes give a
 *   size distribution smoothed on log bins (SizeDistribution). p maximises the training log-likelihood of the
 *   observed sizes (a log grid, then golden-section search; the same random streams for every p).
 * - **Settings** (bins per doubling, smoothing pseudo-count) are chosen on the validation split only, for the model
 *   and for the graph-free baseline alike; the test split is touched once, for the report.
 * - **Test.** Log-likelihood per cascade against the graph-free baseline (the training size distribution); the
 *   size CCDF of the model (mixture over test cascades) and of the baseline against the observed one, with KS
 *   distances; adopter ranking (AUC and MAP@10 of every graph customer but the seed, positives = the observed
 *   adopters) by the model's activation frequencies against degree and past activity (adoptions in train +
 *   validation).
 * - **Time per step** from the timestamps: for each adopter with an earlier-adopting graph neighbour, the delay
 *   since the latest such neighbour (in IC a customer is reached one step after its activator); the median is one
 *   step's duration. The test compares the observed time to 90% of the adopters with the model's (mean curve
 *   step at 90% of its final mean) × that duration.
 */

interface FitDetails {
  grid: { p: number; setting: string; trainLogLik: number }[];
  golden: { p: number; trainLogLik: number }[];
  settings: { setting: string; p: number; validationLogLik: number; baselineValidationLogLik: number }[];
  ccdf: { size: number; observed: number; model: number; baseline: number }[];
  test: {
    seed: string; observed: number; inGraph: boolean; modelLogLik: number; baselineLogLik: number; pSelected: number;
    aucModel: number; aucDegree: number; aucActivity: number; apModel: number; apDegree: number; apActivity: number;
    t90Observed: number | null; t90Predicted: number | null;
  }[];
}

type Row = { [column: string]: Scalar | FitDetails; details: FitDetails };

interface Setting {
  key: string;
  perDoubling: number;
  alpha: number;
}

/** Simulated sizes (and optionally activation counts and the mean curve's 90% step) from each distinct seed at p. */
interface SeedSim {
  sizes: Int32Array;
  activations: Float64Array | null;
  step90: number;
}

async function simulateSeeds(
  g: CompiledGraph, seeds: readonly string[], p: number, runs: number, seed: number, withActivations: boolean,
  pool: WorkerPool | undefined, signal: AbortSignal | undefined,
): Promise<Map<string, SeedSim>> {
  const out = new Map<string, SeedSim>();
  const distinct = [...new Set(seeds)];
  const inFlight = Math.max(1, (pool?.size ?? 1) * 2);
  let next = 0;
  const worker = async () => {
    while (next < distinct.length) {
      const s = distinct[next++];
      if (signal?.aborted) throw new CancelledError();
      if (indexOf(g, s) < 0) {
        out.set(s, { sizes: new Int32Array(runs).fill(1), activations: null, step90: 0 });
        continue;
      }
      const { result, perRun, activations } = await simulateRuns(
        g, { model: 'ic', probability: 'uniform', p, seeds: [s], runs, seed, maxSteps: 1_000_000, top: withActivations ? 1 : 0, bins: 1 },
        { pool, signal, batchSize: Math.max(16, Math.ceil(runs / 4)) }, true,
      );
      const final = result.steps.length ? result.steps[result.steps.length - 1].cumulativeMean : 1;
      const at = result.steps.find((st) => st.cumulativeMean >= 0.9 * final)?.step ?? 0;
      out.set(s, { sizes: perRun!.reach.slice(0, runs), activations: withActivations ? activations : null, step90: at });
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return out;
}

/** Time by which 90% of the cascade's adopters (the seed at 0 included) had adopted. */
function observedT90(c: Cascade): number {
  const all = [0, ...c.times].sort((a, b) => a - b);
  return all[Math.max(0, Math.ceil(0.9 * all.length) - 1)];
}

/**
 * Delays between an adopter and its latest earlier-adopting graph neighbour, over the cascades (customers not in
 * the graph are skipped), and how many non-seed adopters had such a neighbour.
 */
function hopDelays(g: CompiledGraph, cascades: readonly Cascade[]): { delays: number[]; explained: number; adopters: number } {
  const delays: number[] = [];
  let explained = 0;
  let adopters = 0;
  const when = new Map<number, number>();
  for (const c of cascades) {
    when.clear();
    const s = indexOf(g, c.seed);
    if (s >= 0) when.set(s, 0);
    for (let i = 0; i < c.adopters.length; i++) {
      adopters++;
      const v = indexOf(g, c.adopters[i]);
      if (v < 0) continue;
      const t = c.times[i];
      let latest = -Infinity;
      for (let a = g.outOffsets[v]; a < g.outOffsets[v + 1]; a++) {
        const tu = when.get(g.outTargets[a]);
        if (tu !== undefined && tu <= t && tu > latest) latest = tu;
      }
      if (latest > -Infinity) {
        explained++;
        delays.push(t - latest);
      }
      if (!when.has(v)) when.set(v, t);
    }
  }
  return { delays, explained, adopters };
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
      ...(d.validation !== undefined ? [{ yamlPath: `datasets[${i}].validation`, file: studyPath(ctx.studyFile, d.validation) }] : []),
      { yamlPath: `datasets[${i}].test`, file: studyPath(ctx.studyFile, d.test) },
    ]),
    study.requiresData, source,
  );
  const loaded: { graph: LoadedStudyGraph; train: Cascade[]; validation: Cascade[]; test: Cascade[]; sums: string[] }[] = [];
  for (const d of study.datasets) {
    const trainText = await readFile(studyPath(ctx.studyFile, d.train), 'utf8');
    const valText = d.validation !== undefined ? await readFile(studyPath(ctx.studyFile, d.validation), 'utf8') : null;
    const testText = await readFile(studyPath(ctx.studyFile, d.test), 'utf8');
    let train = parseCascades(trainText, d.train);
    let validation: Cascade[];
    if (valText !== null) validation = parseCascades(valText, d.validation!);
    else {
      const cut = train.length - Math.ceil(0.15 * train.length);
      validation = train.slice(cut);
      train = train.slice(0, cut);
    }
    loaded.push({
      graph: await loadStudyGraph(d.graph, ctx.studyFile, opts.store), train, validation, test: parseCascades(testText, d.test),
      sums: [sha256(trainText), valText === null ? 'last-15%-of-train' : sha256(valText), sha256(testText)],
    });
  }
  const loadMs = performance.now() - t0;
  const ndjsonPath = join(out, 'cells.ndjson');
  const existing = new Map<string, Row>();
  for (const r of await readExistingRows<Row>(ndjsonPath)) if (typeof r.hash === 'string') existing.set(r.hash, r);
  const hashes = study.datasets.map((d, i) =>
    sha256(JSON.stringify({ code: codeVersion(), kind: 'cascade-fit', method: 'mle-conditional-size', graph: loaded[i].graph.checksum, read: loaded[i].graph.read, inputs: loaded[i].sums, name: d.name, fit: study.fit, evaluate: study.evaluate, seed: study.seed })).slice(0, 32),
  );
  const rows: (Row | null)[] = hashes.map((h) => existing.get(h) ?? null);
  const reused = rows.filter((r) => r !== null).length;
  const settings: Setting[] = study.fit.binsPerDoubling.flatMap((b) => study.fit.smoothing.map((a) => ({ key: `bins/doubling=${b} smoothing=${a}`, perDoubling: b, alpha: a })));
  const stepsPerDataset = study.fit.gridPoints + 1 + (study.fit.goldenIterations > 0 ? study.fit.goldenIterations + 2 : 0) + 1;
  if (!opts.quiet) ctx.stderr.write(`study ${study.name}: ${study.datasets.length} datasets (${reused} already in ${out}); ${stepsPerDataset} steps each (p grid, validation, golden section, test)\n`);

  let workersUsed = 0;
  await withPool(opts, async (pool, size) => {
    workersUsed = size;
    const todo = study.datasets.map((_, i) => i).filter((i) => rows[i] === null);
    const progress = createStudyProgress({ label: study.name, total: todo.length * stepsPerDataset, unit: 'fit steps', stream: ctx.stderr, quiet: opts.quiet, intervalMs: opts.progressIntervalMs });
    let done = 0;
    const tick = (what: string) => progress.update(++done, what);
    try {
      for (const i of todo) {
        rows[i] = await fitDataset(study, i, loaded[i], settings, { pool, signal: opts.signal, tick }, hashes[i]);
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
  const chart = async (file: string, series: Series[], o: ChartOptions) => {
    await writeAtomic(join(out, file), lineChart(series, o));
    await writeAtomic(join(out, file.replace(/\.svg$/, '.vl.json')), `${JSON.stringify(lineChartSpec(series, o), null, 1)}\n`);
    files.push(file, file.replace(/\.svg$/, '.vl.json'));
  };
  for (const r of final) {
    const name = slug(String(r.dataset));
    const pred = `predictions--${name}.csv`;
    await writeAtomic(join(out, pred), toCsv(r.details.test.map((t) => ({
      seed: t.seed, observed: t.observed, in_graph: t.inGraph, model_loglik: t.modelLogLik, baseline_loglik: t.baselineLogLik, model_p_selected: t.pSelected,
      auc_model: t.aucModel, auc_degree: t.aucDegree, auc_activity: t.aucActivity, ap10_model: t.apModel, ap10_degree: t.apDegree, ap10_activity: t.apActivity,
      t90_observed: t.t90Observed, t90_predicted: t.t90Predicted,
    }))));
    files.push(pred);
    const cc = r.details.ccdf.filter((c) => c.size >= Number(r.min_size));
    await chart(`charts/size-ccdf--${name}.svg`, [
      { name: 'observed (test)', points: cc.map((c) => ({ x: c.size, y: c.observed })) },
      { name: `IC p=${Number(r.p_fit).toPrecision(3)} (KS ${Number(r.ks_model).toFixed(2)})`, points: cc.map((c) => ({ x: c.size, y: c.model })) },
      { name: `training sizes, graph-free (KS ${Number(r.ks_baseline).toFixed(2)})`, points: cc.map((c) => ({ x: c.size, y: c.baseline })) },
    ], {
      title: `${study.name}: ${String(r.dataset)} test cascades — P(size ≥ s | size ≥ ${String(r.min_size)})`,
      xLabel: 'cascade size s', yLabel: 'share of cascades with size ≥ s', logX: true, logY: true,
    });
    const chosen = String(r.setting);
    const grid = r.details.grid.filter((e) => e.setting === chosen);
    const golden = [...r.details.golden].sort((a, b) => a.p - b.p);
    const gf = Number(r.baseline_train_loglik);
    await chart(`charts/fit-loglik--${name}.svg`, [
      { name: `IC, grid (${chosen})`, points: grid.map((e) => ({ x: e.p, y: e.trainLogLik })) },
      { name: 'IC, golden-section steps', markersOnly: true, points: golden.map((e) => ({ x: e.p, y: e.trainLogLik })) },
      { name: 'graph-free baseline', points: [{ x: study.fit.pMin, y: gf }, { x: study.fit.pMax, y: gf }] },
    ], {
      title: `${study.name}: ${String(r.dataset)} — training log-likelihood per cascade vs p`,
      xLabel: 'uniform IC probability p', yLabel: 'mean ln P(size | size ≥ min)', logX: true, yFromZero: false,
    });
  }
  const manifest = buildManifest(
    ctx,
    loaded.flatMap((l, i) => [
      { name: l.graph.name, source: l.graph.source, checksum: l.graph.checksum, customers: l.graph.customers, ties: l.graph.ties },
      { name: `${study.datasets[i].name}/train`, source: studyPath(ctx.studyFile, study.datasets[i].train), checksum: l.sums[0] },
      ...(study.datasets[i].validation !== undefined ? [{ name: `${study.datasets[i].name}/validation`, source: studyPath(ctx.studyFile, study.datasets[i].validation!), checksum: l.sums[1] }] : []),
      { name: `${study.datasets[i].name}/test`, source: studyPath(ctx.studyFile, study.datasets[i].test), checksum: l.sums[2] },
    ]),
    { total: final.length, computed: final.length - reused, reused },
    { started, t0, loadMs, computeMs: final.reduce((a, r) => a + Number(r.elapsed_ms), 0) }, workersUsed,
  );
  await writeAtomic(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  files.push('manifest.json');
  return { name: study.name, kind: 'cascade-fit', out, cells: final.length, computed: final.length - reused, skipped: reused, files, elapsedMs: manifest.timings.elapsedMs };
}

async function fitDataset(
  study: CascadeFitStudy, i: number, l: { graph: LoadedStudyGraph; train: Cascade[]; validation: Cascade[]; test: Cascade[] }, settings: Setting[],
  o: { pool?: WorkerPool; signal?: AbortSignal; tick: (what: string) => void }, hash: string,
): Promise<Row> {
  const d = study.datasets[i];
  const g = l.graph.graph;
  const { train, validation, test } = l;
  const tStart = performance.now();
  const minSize = Math.min(...train.map((c) => c.size));
  const maxSize = Math.max(g.n, ...train.map((c) => c.size), ...validation.map((c) => c.size), ...test.map((c) => c.size));
  const R = study.fit.runs;
  const dist = (samples: ArrayLike<number>, s: Setting) => new SizeDistribution(samples, minSize, maxSize, s.perDoubling, s.alpha);
  const logLik = (cascades: readonly Cascade[], sims: Map<string, SeedSim>, s: Setting) =>
    cascades.reduce((a, c) => a + dist(sims.get(c.seed)!.sizes, s).logPmf(c.size), 0) / cascades.length;

  // Likelihood on a log grid of p (simulations shared by all settings).
  const l0 = Math.log(study.fit.pMin);
  const l1 = Math.log(study.fit.pMax);
  const ps = Array.from({ length: study.fit.gridPoints }, (_, j) => Math.exp(l0 + ((l1 - l0) * j) / (study.fit.gridPoints - 1)));
  const trainSims = new Map<number, Map<string, SeedSim>>();
  const trainSeeds = train.map((c) => c.seed);
  const grid: FitDetails['grid'] = [];
  for (const p of ps) {
    const sims = await simulateSeeds(g, trainSeeds, p, R, study.seed, false, o.pool, o.signal);
    trainSims.set(p, sims);
    for (const s of settings) grid.push({ p, setting: s.key, trainLogLik: logLik(train, sims, s) });
    o.tick(`${d.name} p=${p.toPrecision(3)}`);
  }
  // Graph-free baseline: the training size distribution (the same smoothing family).
  const trainSizes = train.map((c) => c.size);
  // Each setting: its best grid p on train, then its validation log-likelihood; the baseline's too.
  const valSims = new Map<number, Map<string, SeedSim>>();
  const settingRows: FitDetails['settings'] = [];
  for (const s of settings) {
    const mine = grid.filter((e) => e.setting === s.key);
    const best = mine.reduce((a, b) => (b.trainLogLik > a.trainLogLik ? b : a));
    let vs = valSims.get(best.p);
    if (!vs) {
      vs = await simulateSeeds(g, validation.map((c) => c.seed), best.p, R, study.seed, false, o.pool, o.signal);
      valSims.set(best.p, vs);
    }
    const base = dist(trainSizes, s);
    settingRows.push({
      setting: s.key, p: best.p, validationLogLik: logLik(validation, vs, s),
      baselineValidationLogLik: validation.reduce((a, c) => a + base.logPmf(c.size), 0) / validation.length,
    });
  }
  o.tick(`${d.name} validation`);
  const chosenIdx = settingRows.reduce((bi, r, j) => (r.validationLogLik > settingRows[bi].validationLogLik ? j : bi), 0);
  const chosen = settings[chosenIdx];
  const baseIdx = settingRows.reduce((bi, r, j) => (r.baselineValidationLogLik > settingRows[bi].baselineValidationLogLik ? j : bi), 0);
  const baseSetting = settings[baseIdx];
  const baseline = dist(trainSizes, baseSetting);

  // Golden-section refinement of p for the chosen setting (maximum likelihood on train).
  const golden: FitDetails['golden'] = [];
  const mine = grid.filter((e) => e.setting === chosen.key);
  const bestGrid = mine.reduce((a, b) => (b.trainLogLik > a.trainLogLik ? b : a));
  const bi = ps.indexOf(bestGrid.p);
  let pFit = bestGrid.p;
  let bestLL = bestGrid.trainLogLik;
  if (study.fit.goldenIterations > 0) {
    const lo = ps[Math.max(0, bi - 1)];
    const hi = ps[Math.min(ps.length - 1, bi + 1)];
    const r = await logGridGolden(async (p) => {
      const sims = await simulateSeeds(g, trainSeeds, p, R, study.seed, false, o.pool, o.signal);
      const ll = logLik(train, sims, chosen);
      golden.push({ p, trainLogLik: ll });
      o.tick(`${d.name} golden p=${p.toPrecision(3)}`);
      return -ll;
    }, lo, hi, 2, study.fit.goldenIterations);
    // The two bracket ends are grid points already evaluated: drop them from the golden list.
    golden.splice(0, 2);
    if (-r.bestValue > bestLL) {
      bestLL = -r.bestValue;
      pFit = r.best;
    }
  }

  // Test: touched once.
  const E = study.evaluate.runs;
  const testSims = await simulateSeeds(g, test.map((c) => c.seed), pFit, E, study.seed, true, o.pool, o.signal);
  o.tick(`${d.name} test`);
  // Past activity: adoptions (as seed or adopter) in the training and validation cascades.
  const activity = new Float64Array(g.n);
  for (const c of [...train, ...validation]) {
    for (const u of [c.seed, ...c.adopters]) {
      const v = indexOf(g, u);
      if (v >= 0) activity[v]++;
    }
  }
  const degree = Float64Array.from({ length: g.n }, (_, v) => g.outOffsets[v + 1] - g.outOffsets[v]);
  const hops = hopDelays(g, train);
  const step = quartiles(hops.delays);
  const testRows: FitDetails['test'] = [];
  const modelDists: SizeDistribution[] = [];
  const isPos = new Uint8Array(g.n);
  for (const c of test) {
    const sim = testSims.get(c.seed)!;
    const md = dist(sim.sizes, chosen);
    modelDists.push(md);
    const s = indexOf(g, c.seed);
    const inGraph = s >= 0;
    let pos = 0;
    isPos.fill(0);
    for (const a of c.adopters) {
      const v = indexOf(g, a);
      if (v >= 0 && v !== s && !isPos[v]) {
        isPos[v] = 1;
        pos++;
      }
    }
    // Candidates: every graph customer but the seed.
    const without = (x: ArrayLike<number>) => {
      if (s < 0) return Float64Array.from(x as ArrayLike<number>);
      const outArr = new Float64Array(g.n - 1);
      for (let v = 0, k = 0; v < g.n; v++) if (v !== s) outArr[k++] = x[v];
      return outArr;
    };
    const posOf = (k: number) => isPos[s >= 0 && k >= s ? k + 1 : k] === 1;
    const model = sim.activations ? without(sim.activations) : new Float64Array(s < 0 ? g.n : g.n - 1);
    const deg = without(degree);
    const act = without(activity);
    testRows.push({
      seed: c.seed, observed: c.size, inGraph, modelLogLik: md.logPmf(c.size), baselineLogLik: baseline.logPmf(c.size),
      pSelected: sim.sizes.reduce((a, x) => a + (x >= minSize ? 1 : 0), 0) / sim.sizes.length,
      aucModel: auc(model, posOf), aucDegree: auc(deg, posOf), aucActivity: auc(act, posOf),
      apModel: averagePrecisionAt(model, posOf, pos), apDegree: averagePrecisionAt(deg, posOf, pos), apActivity: averagePrecisionAt(act, posOf, pos),
      t90Observed: c.adopters.length ? observedT90(c) : null,
      t90Predicted: inGraph && Number.isFinite(step.median) ? sim.step90 * step.median : null,
    });
  }
  const obsTest = test.map((c) => c.size);
  const modelCdf = (x: number) => modelDists.reduce((a, m) => a + m.cdf(x), 0) / modelDists.length;
  const ksModel = ksDistance(modelCdf, obsTest, minSize, maxSize);
  const ksBase = ksDistance((x) => baseline.cdf(x), obsTest, minSize, maxSize);
  // CCDF points: P(S >= s) at log-spaced sizes up to the largest observed one.
  const sorted = [...obsTest].sort((a, b) => a - b);
  const ccdfSizes = [...new Set(Array.from({ length: 40 }, (_, j) => Math.round(minSize * (Math.max(...obsTest) / minSize) ** (j / 39))))];
  const ccdf = ccdfSizes.map((x) => ({
    size: x,
    observed: sorted.filter((v) => v >= x).length / sorted.length,
    model: 1 - modelCdf(x - 1),
    baseline: 1 - baseline.cdf(x - 1),
  }));
  const mean = (f: (t: FitDetails['test'][number]) => number) => finiteMean(testRows.map(f));
  const modelLL = mean((t) => t.modelLogLik);
  const baseLL = mean((t) => t.baselineLogLik);
  const t90o = testRows.flatMap((t) => (t.t90Observed !== null && t.t90Predicted !== null ? [t.t90Observed] : []));
  const t90p = testRows.flatMap((t) => (t.t90Observed !== null && t.t90Predicted !== null ? [t.t90Predicted] : []));
  return {
    cell: i, hash, dataset: d.name, customers: g.n, ties: l.graph.ties,
    train_cascades: train.length, validation_cascades: validation.length, test_cascades: test.length,
    test_seeds_missing: test.filter((c) => indexOf(g, c.seed) < 0).length,
    min_size: minSize, observed_test_median: median(obsTest),
    setting: chosen.key, baseline_setting: baseSetting.key,
    p_fit: pFit, train_loglik: bestLL, baseline_train_loglik: train.reduce((a, c) => a + baseline.logPmf(c.size), 0) / train.length,
    validation_loglik: settingRows[chosenIdx].validationLogLik, baseline_validation_loglik: settingRows[baseIdx].baselineValidationLogLik,
    test_loglik: modelLL, baseline_test_loglik: baseLL,
    test_loglik_wins: testRows.filter((t) => t.modelLogLik > t.baselineLogLik).length,
    model_p_selected_mean: mean((t) => t.pSelected),
    ks_model: ksModel, ks_baseline: ksBase,
    auc_model: mean((t) => t.aucModel), auc_degree: mean((t) => t.aucDegree), auc_activity: mean((t) => t.aucActivity),
    map10_model: mean((t) => t.apModel), map10_degree: mean((t) => t.apDegree), map10_activity: mean((t) => t.apActivity),
    step_duration: step.median, step_duration_q1: step.q1, step_duration_q3: step.q3,
    adopters_with_earlier_neighbour: hops.explained, adopters_train: hops.adopters,
    t90_observed_median: t90o.length ? median(t90o) : null, t90_predicted_median: t90p.length ? median(t90p) : null,
    fit_runs: R, evaluate_runs: E, evaluations: ps.length + golden.length,
    elapsed_ms: Math.round(performance.now() - tStart),
    details: { grid, golden, settings: settingRows, ccdf, test: testRows },
  };
}
