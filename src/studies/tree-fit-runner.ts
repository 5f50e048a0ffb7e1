import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { InputError } from '../errors.js';
import { Rng } from '../diffusion/rng.js';
import { formatDuration } from '../diffusion/duration.js';
import {
  DELAY_FAMILIES, delayCdf, delayLogPdf, delayMean, delayMedian, fitDelay, fitLaws, fitTreeDelays, geometricSizeFit, LawSampler, logPmf, normal,
  sampleDelay, sizeLaw, treeDelayLogLik, treeLogLik, type DelayFamily, type DelayLaw, type Family, type Law, type TreeHopStats,
} from './branching.js';
import { averagePrecisionAt, empiricalCdf, finiteMean, SizeDistribution } from './calibration.js';
import { median } from './cascades.js';
import { slug } from './charts.js';
import { buildManifest, type StudyContext, type StudyRunSummary } from './context.js';
import { assertInputs, sha256, studyPath, writeAtomic } from './io.js';
import { toCsv, type Scalar } from './rows.js';
import type { TreeFitStudy } from './schema.js';
import { lineChart, type ChartOptions, type Series } from './svg.js';
import { readTarTexts } from './tree-archive.js';
import { hopDelays, offspringCounts, parseLabels, parseRetweetTree, splitOf, timeTo90, type RetweetTree } from './trees.js';
import { lineChartSpec } from './vega.js';

/**
 * The tree-fit study (issue 19.7 on Twitter15/16): calibration of a graph-free cascade model on observed retweet
 * trees, which come without a follower graph (a graph built from the training trees rarely holds the test roots; one
 * built from all trees leaks the test cascades).
 *
 * - **Model.** A Galton–Watson branching process (src/studies/branching.ts): offspring law Poisson, geometric or
 *   negative binomial, one law for all generations or the root (and the first generation) apart.
 * - **Selection.** Only trees of at least `minSize` users (the smallest training size) are in the data: the fit
 *   maximises Π P(tree) / P(S ≥ minSize)^trees over the training trees' offspring counts (Nelder–Mead).
 * - **Settings** — family and generations, the delay law, the baselines' bins and pseudo-counts — are chosen on the
 *   validation split only, each by its validation log-likelihood; the test split is used once, for the report.
 * - **Test.** Size: log-likelihood per tree of P(size | size ≥ minSize) against the graph-free baseline (the
 *   training size distribution) and a one-parameter geometric size law; size CCDF and KS distances. Depth: the
 *   model's height distribution (simulated trees kept when size ≥ minSize) against the training heights. Time: one
 *   step's delay law fitted to the training hops (parent → child, minutes), its KS distance to the test hops against
 *   the training hops', and the time to 90% of a tree's users, simulated against observed. Adopter ranking by past
 *   activity (trees a user was in, in training) — the only ranking the trees allow: the model has no identities.
 */

interface Split {
  train: RetweetTree[];
  validation: RetweetTree[];
  test: RetweetTree[];
}

interface Loaded extends Split {
  name: string;
  archive: string;
  checksum: string;
  labels: Map<string, string>;
  all: number;
}

interface ModelSetting {
  family: Family;
  generations: number;
  laws: Law[];
  parameters: number;
  trainTreeLogLik: number;
  validationTreeLogLik: number;
  validationSizeLogLik: number;
  selected: number;
  evaluations: number;
}

interface DelaySetting {
  family: DelayFamily;
  /** 1: one law for every hop; 2: the hop from the root apart. */
  classes: number;
  laws: DelayLaw[];
  trainLogLik: number;
  validationLogLik: number;
}

/** ln P(S = s | S ≥ m) from a size law table (s below m or beyond the table: −∞; the caller sizes the table). */
function conditionalLogPmf(law: Float64Array, selected: number, s: number, minSize: number): number {
  return s >= minSize && s < law.length ? Math.log(law[s]) - Math.log(selected) : -Infinity;
}

/** The mean, −∞ included (a log-likelihood that is −∞ somewhere is −∞). */
function plainMean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return xs.length ? s / xs.length : NaN;
}

/** Largest value (a loop: spreading 10⁵ values into Math.max overflows the stack). */
function maxOf(xs: ArrayLike<number>, start = -Infinity): number {
  let m = start;
  for (let i = 0; i < xs.length; i++) if (xs[i] > m) m = xs[i];
  return m;
}

/** A pseudo-count–smoothed distribution on 0..cap (values above cap are counted at cap). */
function smoothedPmf(samples: ArrayLike<number>, cap: number, alpha: number): Float64Array {
  const c = new Float64Array(cap + 1);
  for (let i = 0; i < samples.length; i++) c[Math.min(cap, samples[i])]++;
  const denom = samples.length + alpha;
  for (let d = 0; d <= cap; d++) c[d] = (c[d] + alpha / (cap + 1)) / denom;
  return c;
}

/** KS distance between the empirical distributions of two samples (two-sample statistic). */
export function ks2(a: readonly number[], b: readonly number[]): number {
  const x = [...a].sort((p, q) => p - q);
  const y = [...b].sort((p, q) => p - q);
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i], y[j]);
    while (i < x.length && x[i] <= v) i++;
    while (j < y.length && y[j] <= v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return d;
}

/** KS distance between a continuous CDF and a sample's empirical CDF. */
export function ksContinuous(F: (x: number) => number, sample: readonly number[]): number {
  const x = [...sample].sort((p, q) => p - q);
  const n = x.length;
  let d = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && x[j + 1] === x[i]) j++;
    const f = F(x[i]);
    d = Math.max(d, Math.abs(f - i / n), Math.abs(f - (j + 1) / n));
    i = j + 1;
  }
  return d;
}

/** Simulated trees of the fitted process, kept when size ≥ minSize (the selection), each its own stream (seed, draw). */
export function simulateTrees(
  laws: readonly Law[], delays: readonly DelayLaw[], o: { minSize: number; runs: number; maxDraws: number; cap: number; seed: number },
): { sizes: number[]; heights: number[]; t90: number[]; draws: number; accepted: number; exploded: number } {
  const samplers = laws.map((l) => new LawSampler(l));
  const depth = new Int32Array(o.cap);
  const time = new Float64Array(o.cap);
  const rng = new Rng(o.seed, 0, 0x7ee);
  const sizes: number[] = [];
  const heights: number[] = [];
  const t90: number[] = [];
  let accepted = 0;
  let exploded = 0;
  let draw = 0;
  for (; accepted < o.runs && draw < o.maxDraws; draw++) {
    rng.reseed(o.seed, draw, 0x7ee);
    let n = 1;
    let head = 0;
    let boom = false;
    depth[0] = 0;
    time[0] = 0;
    // lognormal-tree: the tree's pace, shared by its hops.
    const pace = delays[0].tau > 0 ? delays[0].tau * normal(rng) : 0;
    while (head < n && !boom) {
      const g = depth[head];
      const k = samplers[Math.min(g, samplers.length - 1)].sample(rng);
      const dl = delays[Math.min(g, delays.length - 1)];
      for (let i = 0; i < k; i++) {
        if (n >= o.cap) {
          boom = true;
          break;
        }
        depth[n] = g + 1;
        time[n] = time[head] + sampleDelay(dl, rng, pace);
        n++;
      }
      head++;
    }
    if (!boom && n < o.minSize) continue;
    accepted++;
    if (boom) {
      exploded++;
      continue;
    }
    sizes.push(n);
    heights.push(depth[n - 1]);
    t90.push(timeTo90(time, n));
  }
  return { sizes, heights, t90, draws: draw, accepted, exploded };
}

async function loadDataset(study: TreeFitStudy, i: number, ctx: StudyContext): Promise<Loaded> {
  const d = study.datasets[i];
  const archive = studyPath(ctx.studyFile, d.archive);
  const prefix = `${d.folder.replace(/\/+$/, '')}/`;
  const trees: RetweetTree[] = [];
  let labels = new Map<string, string>();
  const n = await readTarTexts(
    archive,
    (name) => name === `${prefix}label.txt` || (name.startsWith(`${prefix}tree/`) && name.endsWith('.txt')),
    (name, text) => {
      if (name === `${prefix}label.txt`) labels = parseLabels(text, name);
      else trees.push(parseRetweetTree(text, basename(name, '.txt'), name));
    },
  );
  if (trees.length === 0) throw new InputError(`datasets[${i}]: no ${prefix}tree/*.txt in ${archive} (${n} files read)`);
  trees.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const split: Split = { train: [], validation: [], test: [] };
  for (const t of trees) split[splitOf(t.id, study.seed, study.split.train, study.split.validation)].push(t);
  for (const k of ['train', 'validation', 'test'] as const) {
    if (split[k].length === 0) throw new InputError(`datasets[${i}] (${d.name}): the ${k} split is empty (${trees.length} trees): change split`);
  }
  return { name: d.name, archive, checksum: sha256(await readFile(archive)), labels, all: trees.length, ...split };
}

export async function runTreeFit(study: TreeFitStudy, ctx: StudyContext): Promise<StudyRunSummary> {
  const started = new Date();
  const t0 = performance.now();
  const { opts, out } = ctx;
  assertInputs(study.datasets.map((d, i) => ({ yamlPath: `datasets[${i}].archive`, file: studyPath(ctx.studyFile, d.archive) })), study.requiresData, basename(ctx.studyFile));
  const loaded: Loaded[] = [];
  for (let i = 0; i < study.datasets.length; i++) loaded.push(await loadDataset(study, i, ctx));
  const loadMs = performance.now() - t0;
  if (!opts.quiet) ctx.stderr.write(`study ${study.name}: ${loaded.map((l) => `${l.name} ${l.train.length}/${l.validation.length}/${l.test.length} trees`).join(', ')} (train/validation/test)\n`);

  const rows: Record<string, Scalar>[] = [];
  const settingRows: Record<string, Scalar>[] = [];
  const delayRows: Record<string, Scalar>[] = [];
  const files: string[] = [];
  const chart = async (file: string, all: Series[], o: ChartOptions) => {
    // Log y axes: points below 1e-4 (a model's far tail, 100× below the rarest observed share here) are left out.
    const series = all.map((x) => ({ ...x, points: x.points.filter((p) => !o.logY || p.y >= 1e-4) }));
    await writeAtomic(join(out, file), lineChart(series, o));
    await writeAtomic(join(out, file.replace(/\.svg$/, '.vl.json')), `${JSON.stringify(lineChartSpec(series, o), null, 1)}\n`);
    files.push(file, file.replace(/\.svg$/, '.vl.json'));
  };
  let computeMs = 0;
  for (const l of loaded) {
    const tStart = performance.now();
    const r = fitDataset(study, l);
    const elapsed = Math.round(performance.now() - tStart);
    computeMs += elapsed;
    rows.push({ ...r.row, elapsed_ms: elapsed });
    settingRows.push(...r.settings.map((s) => ({ dataset: l.name, ...s })));
    delayRows.push(...r.delaySettings.map((s) => ({ dataset: l.name, ...s })));
    const name = slug(l.name);
    const pred = `predictions--${name}.csv`;
    await writeAtomic(join(out, pred), toCsv(r.predictions));
    files.push(pred);
    if (!opts.quiet) ctx.stderr.write(`study ${study.name}: ${l.name} done in ${elapsed} ms\n`);
    const title = (what: string) => `${study.name}: ${l.name} test trees — ${what}`;
    await chart(`charts/size-ccdf--${name}.svg`, r.charts.size, {
      title: title(`P(size ≥ s | size ≥ ${String(r.row.min_size)})`), xLabel: 'tree size s (users)', yLabel: 'share of trees with size ≥ s', logX: true, logY: true,
    });
    await chart(`charts/depth--${name}.svg`, r.charts.depth, {
      title: title('P(depth ≥ d)'), xLabel: 'tree depth d (generations)', yLabel: 'share of trees with depth ≥ d', logY: true,
    });
    await chart(`charts/delay-ccdf--${name}.svg`, r.charts.delay, {
      title: title('one step: P(hop delay ≥ t)'), xLabel: 'delay parent → child t (minutes)', yLabel: 'share of hops with delay ≥ t', logX: true, logY: true,
    });
    await chart(`charts/offspring--${name}.svg`, r.charts.offspring, {
      title: title('children per user, P(children ≥ k), by generation'), xLabel: 'k (children)', yLabel: 'share of users with ≥ k children', logX: true, logY: true,
    });
    await chart(`charts/t90-ccdf--${name}.svg`, r.charts.t90, {
      title: title('P(time to 90% of users ≥ t)'), xLabel: 't (minutes after the source tweet)', yLabel: 'share of trees', logX: true, logY: true,
    });
  }
  await writeAtomic(join(out, 'cells.csv'), toCsv(rows));
  await writeAtomic(join(out, 'settings.csv'), toCsv(settingRows));
  await writeAtomic(join(out, 'delays.csv'), toCsv(delayRows));
  files.push('cells.csv', 'settings.csv', 'delays.csv');
  const manifest = buildManifest(
    ctx,
    loaded.map((l) => ({ name: l.name, source: l.archive, checksum: l.checksum })),
    { total: rows.length, computed: rows.length, reused: 0 },
    { started, t0, loadMs, computeMs }, 0,
  );
  await writeAtomic(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  files.push('manifest.json');
  return { name: study.name, kind: 'tree-fit', out, cells: rows.length, computed: rows.length, skipped: 0, files, elapsedMs: manifest.timings.elapsedMs };
}

/** CCDF points P(X ≥ x) of a sample at the given x. */
function ccdfAt(sample: readonly number[], xs: readonly number[]): { x: number; y: number }[] {
  const s = [...sample].sort((a, b) => a - b);
  return xs.map((x) => {
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (s[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return { x, y: (s.length - lo) / s.length };
  });
}

function logSpaced(lo: number, hi: number, n: number): number[] {
  return Array.from({ length: n }, (_, j) => lo * (hi / lo) ** (j / (n - 1)));
}

function fitDataset(study: TreeFitStudy, l: Loaded) {
  const { train } = l;
  const sizes = (ts: readonly RetweetTree[]) => ts.map((t) => t.size);
  const minSize = Math.min(...sizes(train));
  const maxTrain = maxOf(sizes(train));
  // Trees below the smallest training size are outside every size model's support (the selection as estimated): the
  // size likelihoods and KS distances leave them out, for the model and the baselines alike, and count them.
  const validation = l.validation.filter((t) => t.size >= minSize);
  const test = l.test.filter((t) => t.size >= minSize);
  const maxAll = Math.max(maxTrain, maxOf(sizes(l.validation)), maxOf(sizes(l.test)));

  // 1. Offspring laws: every (family, generations) by conditional maximum likelihood on train; validation picks one.
  const settings: ModelSetting[] = [];
  for (const G of study.fit.generations) {
    const trainStats = offspringCounts(train, G + 1);
    const valStats = offspringCounts(validation, G + 1);
    for (const family of study.fit.families) {
      const fit = fitLaws(trainStats, family, minSize);
      const law = sizeLaw(fit.laws, maxAll);
      let below = 0;
      for (let n = 1; n < minSize; n++) below += law[n];
      const selected = Math.max(0, 1 - below);
      settings.push({
        family, generations: G, laws: fit.laws, parameters: fit.laws.length * (family === 'negbin' ? 2 : 1),
        trainTreeLogLik: fit.logLik, validationTreeLogLik: treeLogLik(valStats, fit.laws, minSize),
        validationSizeLogLik: plainMean(validation.map((t) => conditionalLogPmf(law, selected, t.size, minSize))),
        selected, evaluations: fit.evaluations,
      });
    }
  }
  const best = settings.reduce((a, b) => (b.validationSizeLogLik > a.validationSizeLogLik ? b : a));
  const law = sizeLaw(best.laws, maxAll);
  const selected = best.selected;

  // 2. Baselines: the training size distribution (its bins and pseudo-count chosen on validation), a geometric size law.
  const supportMax = 2 * maxTrain;
  let baseline: SizeDistribution | null = null;
  let baseVal = -Infinity;
  let baseKey = '';
  for (const b of study.fit.binsPerDoubling) {
    for (const a of study.fit.smoothing) {
      const d = new SizeDistribution(sizes(train), minSize, supportMax, b, a);
      const v = validation.reduce((s, t) => s + d.logPmf(t.size), 0) / validation.length;
      if (v > baseVal) {
        baseVal = v;
        baseline = d;
        baseKey = `bins/doubling=${b} smoothing=${a}`;
      }
    }
  }
  const base = baseline!;
  const geo = geometricSizeFit(sizes(train), minSize);

  // 3. Delays of one step: exponential / lognormal, pooled or the root's hop apart, chosen on validation.
  const hops = (ts: readonly RetweetTree[]) => hopDelays(ts);
  const trainHops = hops(train);
  const positive = <T extends { delay: number }>(h: T[]): T[] => h.filter((x) => x.delay > 0);
  const classOf = (generation: number, classes: number) => Math.min(generation - 1, classes - 1);
  const delaySettings: DelaySetting[] = [];
  /** Per tree and class: the positive hops' n, Σ ln d, Σ (ln d)². */
  const hopStats = (ts: readonly RetweetTree[], classes: number): TreeHopStats[] => ts.map((t) => {
    const st = { n: new Float64Array(classes), s: new Float64Array(classes), s2: new Float64Array(classes) };
    for (let v = 1; v < t.size; v++) {
      const d = t.time[v] - t.time[t.parent[v]];
      if (!(d > 0)) continue;
      const c = classOf(t.depth[v], classes);
      const y = Math.log(d);
      st.n[c]++;
      st.s[c] += y;
      st.s2[c] += y * y;
    }
    return st;
  });
  for (const classes of [1, 2]) {
    const iid = (family: 'exponential' | 'lognormal') => {
      const pooled = positive(trainHops).map((h) => h.delay);
      // A class without a hop (no tree deeper than 1) takes the pooled law.
      return Array.from({ length: classes }, (_, c) => {
        const mine = positive(trainHops).filter((h) => classOf(h.generation, classes) === c).map((h) => h.delay);
        return fitDelay(family, mine.length > 0 ? mine : pooled);
      });
    };
    for (const family of DELAY_FAMILIES.filter((f) => study.fit.delays.includes(f))) {
      if (family === 'lognormal-tree') {
        const laws = fitTreeDelays(hopStats(train, classes), iid('lognormal'));
        delaySettings.push({
          family, classes, laws, trainLogLik: treeDelayLogLik(hopStats(train, classes), laws), validationLogLik: treeDelayLogLik(hopStats(validation, classes), laws),
        });
        continue;
      }
      const laws = iid(family);
      const ll = (hs: { delay: number; generation: number }[]) => plainMean(positive(hs).map((h) => delayLogPdf(laws[classOf(h.generation, classes)], h.delay)));
      delaySettings.push({ family, classes, laws, trainLogLik: ll(trainHops), validationLogLik: ll(hops(validation)) });
    }
  }
  const bestDelay = delaySettings.reduce((a, b) => (b.validationLogLik > a.validationLogLik ? b : a));
  const dCdfAt = (x: number, generation: number) => delayCdf(bestDelay.laws[classOf(generation, bestDelay.classes)], x);

  // 4. Simulated trees of the chosen process (depth, time to 90%), kept when size ≥ minSize.
  const sim = simulateTrees(best.laws, bestDelay.laws, {
    minSize, runs: study.evaluate.runs, maxDraws: study.evaluate.maxDraws, cap: Math.max(10_000, 4 * maxTrain), seed: study.seed,
  });
  const heights = (ts: readonly RetweetTree[]) => ts.map((t) => t.height);
  const hCap = 2 * maxOf(heights(train)) + 2;
  const pickAlpha = (samples: number[]) => {
    let bestA = study.fit.smoothing[0];
    let bestV = -Infinity;
    for (const a of study.fit.smoothing) {
      const p = smoothedPmf(samples, hCap, a);
      const v = finiteMean(validation.map((t) => Math.log(p[Math.min(hCap, t.height)])));
      if (v > bestV) {
        bestV = v;
        bestA = a;
      }
    }
    return bestA;
  };
  const modelAlpha = pickAlpha(sim.heights);
  const baseAlpha = pickAlpha(heights(train));
  const modelDepth = smoothedPmf(sim.heights, hCap, modelAlpha);
  const baseDepth = smoothedPmf(heights(train), hCap, baseAlpha);

  // 5. Adopter ranking by past activity: in how many training trees a user was; candidates = the training users.
  const activity = new Map<string, number>();
  for (const t of train) for (const u of t.users) activity.set(u, (activity.get(u) ?? 0) + 1);
  const cand = [...activity.keys()].sort();
  const score = Float64Array.from(cand, (u) => activity.get(u)!);
  const order = Int32Array.from(cand, (_, i) => i).sort((a, b) => score[a] - score[b]);
  const rankOf = new Map<string, number>();
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && score[order[j + 1]] === score[order[i]]) j++;
    for (let t = i; t <= j; t++) rankOf.set(cand[order[t]], (i + j) / 2 + 1);
    i = j + 1;
  }
  const top10 = Int32Array.from(cand, (_, i) => i).sort((a, b) => score[b] - score[a] || a - b).slice(0, 10);
  const topScores = Float64Array.from({ length: top10.length }, (_, r) => top10.length - r);

  // 6. Test: touched once.
  const predictions: Record<string, Scalar>[] = [];
  const testHops = hops(test);
  for (const t of test) {
    let rankSum = 0;
    let pos = 0;
    for (let v = 1; v < t.size; v++) {
      const r = rankOf.get(t.users[v]);
      if (r !== undefined) {
        rankSum += r;
        pos++;
      }
    }
    const N = cand.length;
    const aucActivity = pos > 0 && pos < N ? (rankSum - (pos * (pos + 1)) / 2) / (pos * (N - pos)) : NaN;
    const inTree = new Set(t.users.slice(1));
    const apActivity = averagePrecisionAt(topScores, (i) => inTree.has(cand[top10[i]]), pos);
    predictions.push({
      id: t.id, label: l.labels.get(t.id) ?? '', size: t.size, depth: t.height, listed_users: t.listed, dropped_users: t.dropped,
      t90_minutes: timeTo90(t.time),
      model_loglik: conditionalLogPmf(law, selected, t.size, minSize), baseline_loglik: base.logPmf(t.size), geometric_loglik: geo.logPmf(t.size),
      model_depth_loglik: Math.log(modelDepth[Math.min(hCap, t.height)]), baseline_depth_loglik: Math.log(baseDepth[Math.min(hCap, t.height)]),
      adopters_seen_in_train: pos, adopters: t.size - 1, auc_activity: aucActivity, ap10_activity: apActivity,
    });
  }
  const col = (k: string) => predictions.map((p) => Number(p[k]));
  const mean = (k: string) => (k.endsWith('loglik') ? plainMean(col(k)) : finiteMean(col(k)));
  const wins = (a: string, b: string) => predictions.filter((p) => Number(p[a]) > Number(p[b])).length;
  const obsTest = sizes(test);
  const maxTest = maxOf(obsTest);
  const modelCdf = new Float64Array(maxTest + 1);
  for (let s = minSize, c = 0; s <= maxTest; s++) {
    c += law[s] / selected;
    modelCdf[s] = c;
  }
  const obsCdf = empiricalCdf(obsTest);
  let ksModel = 0;
  let ksBase = 0;
  let ksGeo = 0;
  for (let s = minSize; s <= maxTest; s++) {
    const o = obsCdf(s);
    ksModel = Math.max(ksModel, Math.abs(modelCdf[s] - o));
    ksBase = Math.max(ksBase, Math.abs(base.cdf(s) - o));
    ksGeo = Math.max(ksGeo, Math.abs(1 - geo.rho ** (s - minSize + 1) - o));
  }
  const testHeights = heights(test);
  const simDepthCdf = empiricalCdf(sim.heights);
  const baseDepthCdf = empiricalCdf(heights(train));
  const obsDepthCdf = empiricalCdf(testHeights);
  let ksDepthModel = 0;
  let ksDepthBase = 0;
  for (let d = 0; d <= hCap; d++) {
    ksDepthModel = Math.max(ksDepthModel, Math.abs(simDepthCdf(d) - obsDepthCdf(d)));
    ksDepthBase = Math.max(ksDepthBase, Math.abs(baseDepthCdf(d) - obsDepthCdf(d)));
  }
  const testPos = positive(testHops);
  const ksDelayModel = ksContinuousMixture(testPos, dCdfAt);
  const ksDelayBase = ks2(positive(trainHops).map((h) => h.delay), testPos.map((h) => h.delay));
  const t90Test = test.map((t) => timeTo90(t.time));
  const t90Train = train.map((t) => timeTo90(t.time));

  // Charts.
  const ccdfSizes = [...new Set(logSpaced(minSize, maxTest, 40).map((x) => Math.round(x)))];
  const modelCcdf = (s: number) => 1 - (s - 1 >= minSize ? modelCdf[s - 1] : 0);
  const sizeCharts: Series[] = [
    { name: 'observed (test)', points: ccdfAt(obsTest, ccdfSizes) },
    { name: `branching process, ${best.family} G=${best.generations} (KS ${ksModel.toFixed(3)})`, points: ccdfSizes.map((x) => ({ x, y: modelCcdf(x) })) },
    { name: `training sizes, graph-free (KS ${ksBase.toFixed(3)})`, points: ccdfSizes.map((x) => ({ x, y: 1 - (x - 1 >= minSize ? base.cdf(x - 1) : 0) })) },
    { name: `geometric size law (KS ${ksGeo.toFixed(3)})`, points: ccdfSizes.map((x) => ({ x, y: geo.rho ** (x - minSize) })) },
  ];
  const depths = Array.from({ length: Math.max(maxOf(testHeights), maxOf(sim.heights)) + 1 }, (_, d) => d).filter((d) => d >= 1);
  const depthCharts: Series[] = [
    { name: 'observed (test)', points: ccdfAt(testHeights, depths) },
    { name: `branching process, simulated (KS ${ksDepthModel.toFixed(3)})`, points: ccdfAt(sim.heights, depths) },
    { name: `training depths (KS ${ksDepthBase.toFixed(3)})`, points: ccdfAt(heights(train), depths) },
  ];
  const delayXs = logSpaced(0.01, maxOf(testPos.map((h) => h.delay), 1), 50);
  const testGen = testPos.map((h) => h.generation);
  const delayCharts: Series[] = [
    { name: 'observed (test hops)', points: ccdfAt(testPos.map((h) => h.delay), delayXs) },
    { name: `fitted ${bestDelay.family}${bestDelay.classes > 1 ? ', root hop apart' : ''} (KS ${ksDelayModel.toFixed(3)})`, points: delayXs.map((x) => ({ x, y: 1 - finiteMean(testGen.map((g) => dCdfAt(x, g))) })) },
    { name: `training hops (KS ${ksDelayBase.toFixed(3)})`, points: ccdfAt(positive(trainHops).map((h) => h.delay), delayXs) },
  ];
  const tXs = logSpaced(1, Math.max(maxOf(t90Test, 2), maxOf(t90Train)), 50);
  const ksT90Model = ks2(sim.t90, t90Test);
  const ksT90Base = ks2(t90Train, t90Test);
  const t90Charts: Series[] = [
    { name: 'observed (test)', points: ccdfAt(t90Test, tXs) },
    { name: `branching process + fitted delays, simulated (KS ${ksT90Model.toFixed(3)})`, points: ccdfAt(sim.t90, tXs) },
    { name: `training trees (KS ${ksT90Base.toFixed(3)})`, points: ccdfAt(t90Train, tXs) },
  ];

  // Offspring per generation class: observed (test) against the fitted law.
  const testStats = offspringCounts(test, best.generations + 1);
  const classLabel = (c: number) => (best.generations === 0 ? 'every user' : c === 0 ? 'root' : c === best.generations ? `generation ≥ ${c}` : `generation ${c}`);
  const offspringCharts: Series[] = testStats.counts.flatMap((m, c) => {
    let total = 0;
    let maxK = 1;
    for (const [k, n] of m) {
      total += n;
      if (k > maxK) maxK = k;
    }
    const xs = [...new Set(logSpaced(1, maxK, 30).map((x) => Math.round(x)))];
    const lawC = best.laws[Math.min(c, best.laws.length - 1)];
    const cdf = new Float64Array(maxK + 1);
    for (let k = 0, acc = 0; k <= maxK; k++) cdf[k] = acc += Math.exp(logPmf(lawC, k));
    return [
      { name: `${classLabel(c)}: observed (test)`, points: xs.map((x) => ({ x, y: [...m].reduce((a, [k, n]) => a + (k >= x ? n : 0), 0) / total })) },
      { name: `${classLabel(c)}: fitted ${lawC.family}`, points: xs.map((x) => ({ x, y: 1 - cdf[x - 1] })) },
    ];
  });

  const lawText = (laws: readonly Law[]) => laws.map((x, c) => `${c === laws.length - 1 && laws.length > 1 ? `g>=${c}` : laws.length === 1 ? 'all' : `g=${c}`}: mean ${x.mean.toPrecision(4)}${x.family === 'negbin' ? ` r ${x.r.toPrecision(4)}` : ''}`).join('; ');
  const delayText = (d: DelaySetting) => d.laws.map((x, c) => `${d.classes === 1 ? 'all hops' : c === 0 ? 'root hop' : 'later hops'}: median ${delayMedian(x).toPrecision(4)} min, mean ${delayMean(x).toPrecision(4)} min`).join('; ') +
    (d.family === 'lognormal-tree' ? `; within a tree σ ${d.laws.map((x) => x.b.toPrecision(3)).join('/')}, between trees τ ${d.laws[0].tau.toPrecision(3)}` : '');
  const allHops = trainHops.length;
  const rootLaw = best.laws[0];
  const tailLaw = best.laws[best.laws.length - 1];
  const row: Record<string, Scalar> = {
    dataset: l.name, trees: l.all, train_trees: train.length, validation_trees: l.validation.length, test_trees: l.test.length,
    min_size: minSize, max_train_size: maxTrain, observed_test_median: median(obsTest),
    validation_below_min_size: l.validation.length - validation.length, test_below_min_size: l.test.length - test.length,
    dropped_users: [...train, ...validation, ...test].reduce((a, t) => a + t.dropped, 0),
    listed_users: [...train, ...validation, ...test].reduce((a, t) => a + t.listed, 0),
    family: best.family, generations: best.generations, laws: lawText(best.laws), parameters: best.parameters,
    root_mean: rootLaw.mean, tail_mean: tailLaw.mean, tail_r: tailLaw.family === 'negbin' ? tailLaw.r : tailLaw.family === 'geometric' ? 1 : null,
    p_selected: selected,
    train_tree_loglik: best.trainTreeLogLik, validation_tree_loglik: best.validationTreeLogLik, validation_loglik: best.validationSizeLogLik,
    baseline_setting: baseKey, baseline_validation_loglik: baseVal,
    test_loglik: mean('model_loglik'), baseline_test_loglik: mean('baseline_loglik'), geometric_test_loglik: mean('geometric_loglik'), geometric_rho: geo.rho,
    test_loglik_wins_vs_baseline: wins('model_loglik', 'baseline_loglik'), test_loglik_wins_vs_geometric: wins('model_loglik', 'geometric_loglik'),
    ks_model: ksModel, ks_baseline: ksBase, ks_geometric: ksGeo,
    depth_test_median: median(testHeights), depth_model_median: median(sim.heights),
    depth_loglik_model: mean('model_depth_loglik'), depth_loglik_baseline: mean('baseline_depth_loglik'),
    ks_depth_model: ksDepthModel, ks_depth_baseline: ksDepthBase,
    delay_setting: `${bestDelay.family}${bestDelay.classes > 1 ? ', root hop apart' : ''}`, delay_laws: delayText(bestDelay),
    step_median_minutes: delayMedian(bestDelay.laws[bestDelay.laws.length - 1]), step_duration: formatDuration(60 * delayMedian(bestDelay.laws[bestDelay.laws.length - 1])),
    root_step_median_minutes: delayMedian(bestDelay.laws[0]),
    hops_train: allHops, hops_train_nonpositive: allHops - positive(trainHops).length,
    ks_delay_model: ksDelayModel, ks_delay_baseline: ksDelayBase,
    t90_test_median_minutes: median(t90Test), t90_model_median_minutes: median(sim.t90), t90_train_median_minutes: median(t90Train),
    ks_t90_model: ksT90Model, ks_t90_baseline: ksT90Base,
    sim_trees: sim.sizes.length, sim_draws: sim.draws, sim_p_selected: sim.accepted / sim.draws, sim_exploded: sim.exploded,
    activity_candidates: cand.length, adopters_seen_share: col('adopters_seen_in_train').reduce((a, b) => a + b, 0) / col('adopters').reduce((a, b) => a + b, 0),
    auc_activity: mean('auc_activity'), map10_activity: mean('ap10_activity'), auc_random: 0.5,
    map10_random: finiteMean(col('adopters_seen_in_train').map((p) => p / cand.length)),
  };
  const settingsOut = settings.map((s) => ({
    family: s.family, generations: s.generations, parameters: s.parameters, laws: lawText(s.laws), p_selected: s.selected,
    train_tree_loglik: s.trainTreeLogLik, validation_tree_loglik: s.validationTreeLogLik, validation_loglik: s.validationSizeLogLik,
    evaluations: s.evaluations, chosen: s === best,
  }));
  const delayOut = delaySettings.map((d) => ({
    family: d.family, root_hop_apart: d.classes > 1, laws: delayText(d), train_loglik: d.trainLogLik, validation_loglik: d.validationLogLik, chosen: d === bestDelay,
  }));
  return { row, settings: settingsOut, delaySettings: delayOut, predictions, charts: { size: sizeCharts, depth: depthCharts, delay: delayCharts, t90: t90Charts, offspring: offspringCharts } };
}

/** KS distance between observed hops and the fitted delay laws, each hop under the law of its class (a mixture). */
function ksContinuousMixture(hops: readonly { delay: number; generation: number }[], cdf: (x: number, generation: number) => number): number {
  const gens = hops.map((h) => h.generation);
  const counts = new Map<number, number>();
  for (const g of gens) counts.set(g, (counts.get(g) ?? 0) + 1);
  const F = (x: number) => {
    let s = 0;
    for (const [g, c] of counts) s += c * cdf(x, g);
    return s / hops.length;
  };
  return ksContinuous(F, hops.map((h) => h.delay));
}
