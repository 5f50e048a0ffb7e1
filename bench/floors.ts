/**
 * The engine at the limit (issue 20, point 3): today's figure for each goal, and beside it a floor computed from the
 * work's own counts times a measured unit cost on this machine. Measures only (no kernel is changed here).
 *
 *   npm run build && node dist/bench/floors.js [--only ic,voice,betweenness,pagerank] [--json FILE]
 *
 * Goals (2 cores, after a warm-up): IC BA n=100k m=5 p=0.05 from the top-degree customer ≤ 0.12 ms/run; voice compare
 * (3 variants × 5,000 runs) on ego-Facebook ≤ 0.8 s; exact betweenness ego-Facebook ≤ 0.5 s and BA n=10k ≤ 2.5 s;
 * converged PageRank BA n=100k ≤ 30 ms.
 *
 * Floors (hardware counters are not available in this VM — `perf stat` answers <not supported> — so the counts are
 * the engine's own and the unit costs are timed here with the simplest loop that does the same memory work):
 *  - IC / voice: a run must visit its reached customers and follow its successful arcs (voice: a complaint spreads
 *    at p·negativityBias = 0.02; every variant is counted as the no-answer one, which reaches most). The floor replays the same
 *    kind of cascade without any randomness: one live-edge graph per replay (each arc kept with probability p, drawn
 *    beforehand, untimed), then a plain BFS from the seed over the kept arcs, timed; plus one random draw per success
 *    (a geometric gap by table, as the kernels draw it: sfc32 + a lookup; the logarithm's cost is printed beside it),
 *    timed apart. Split over 2 cores with no overhead. Voice's seeded answers are a coin per arc (no skipping), so
 *    it gets a second floor: the same IC cascade with one sfc32 coin per arc towards a customer not reached yet,
 *    generator in locals, nothing else.
 *  - betweenness: one-source Brandes needs at least one BFS from every source over all arcs; the floor is a plain BFS
 *    (distances only, no path counts, no backward pass) from a sample of sources, scaled to n, over 2 cores. Batched
 *    Brandes (32 sources per multi-source BFS) goes under that floor; beside it, the distance-only bit-parallel BFS of
 *    closeness (32 sources per pass, the same batching without path counts or the walk back), 2 workers.
 *  - PageRank: the sweeps the fixed point takes (Ripple's count: conjugate-gradient iterations + the power step that
 *    checks them) × one plain pull sweep over the in-arcs (the same gather, no convergence test), over 2 cores.
 */
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WorkerPool } from '../src/workers/pool.js';
import { simulate } from '../src/diffusion/simulate.js';
import { compile, type CompiledGraph } from '../src/graph/compile.js';
import { centrality, computeCentrality, pagerank } from '../src/influence/centrality/index.js';
import { readGraphFile } from '../src/io/read-graph-file.js';
import { isCompare, runScenarioRequest } from '../src/scenarios/index.js';
import { barabasiAlbert } from './generators.js';
import { geometricSkip, geometricTable } from '../src/diffusion/geometric.js';
import { Rng } from '../src/diffusion/rng.js';

const args = process.argv.slice(2);
const onlyArg = args.indexOf('--only');
const only = onlyArg >= 0 ? new Set(args[onlyArg + 1].split(',')) : null;
const jsonArg = args.indexOf('--json');
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = here.includes(`${path.sep}dist${path.sep}`) ? path.resolve(here, '../..') : path.resolve(here, '..');
const fbFile = path.resolve(repoRoot, '../shared/data/ego-facebook/facebook_combined.txt');

function topDegree(g: CompiledGraph): number {
  let best = 0;
  for (let u = 1; u < g.n; u++) if (g.outOffsets[u + 1] - g.outOffsets[u] > g.outOffsets[best + 1] - g.outOffsets[best]) best = u;
  return best;
}

/** mulberry32: the replay's live-edge coin flips (untimed). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A live-edge graph: each arc kept with probability p (CSR of the kept arcs). */
function liveEdges(g: CompiledGraph, p: number, seed: number): { off: Int32Array; tgt: Int32Array } {
  const r = rng(seed);
  const off = new Int32Array(g.n + 1);
  const keep = new Uint8Array(g.m);
  let k = 0;
  for (let u = 0; u < g.n; u++) {
    off[u] = k;
    for (let a = g.outOffsets[u]; a < g.outOffsets[u + 1]; a++) {
      if (r() < p) {
        keep[a] = 1;
        k++;
      }
    }
  }
  off[g.n] = k;
  const tgt = new Int32Array(k);
  let j = 0;
  for (let a = 0; a < g.m; a++) if (keep[a]) tgt[j++] = g.outTargets[a];
  return { off, tgt };
}

/** Plain BFS from s over (off, tgt); `mark` is reused with an epoch. Returns [visited, arcs followed]. */
function bfs(off: Int32Array, tgt: Int32Array, s: number, mark: Int32Array, epoch: number, queue: Int32Array): [number, number] {
  let head = 0;
  let tail = 0;
  queue[tail++] = s;
  mark[s] = epoch;
  let arcs = 0;
  while (head < tail) {
    const u = queue[head++];
    const end = off[u + 1];
    arcs += end - off[u];
    for (let a = off[u]; a < end; a++) {
      const v = tgt[a];
      if (mark[v] !== epoch) {
        mark[v] = epoch;
        queue[tail++] = v;
      }
    }
  }
  return [tail, arcs];
}

/** ns per geometric gap draw (xorshift32 + one log + floor), the cost of one success under geometric skipping. */
function drawNs(): number {
  let x = 2463534242;
  const logq = Math.log(1 - 0.05);
  let acc = 0;
  const N = 20_000_000;
  for (let rep = 0; rep < 2; rep++) {
    // rep 0 warms up
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      acc += Math.floor(Math.log(((x >>> 0) + 1) / 4294967297) / logq);
    }
    if (rep === 1) {
      if (acc === -1) console.log('');
      return ((performance.now() - t0) * 1e6) / N;
    }
  }
  return NaN;
}

/** ns per geometric gap draw the kernels make now: one sfc32 draw and a table lookup (src/diffusion/geometric.ts). */
function tableDrawNs(): number {
  const lq = Math.log(1 - 0.05);
  const tab = geometricTable(lq);
  const rng = new Rng(1, 2);
  let acc = 0;
  const N = 20_000_000;
  for (let rep = 0; rep < 2; rep++) {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) acc += geometricSkip(rng, tab, lq);
    if (rep === 1) {
      if (acc === -1) console.log('');
      return ((performance.now() - t0) * 1e6) / N;
    }
  }
  return NaN;
}

/**
 * The floor of a cascade that draws a coin per arc (voice, whose seeded answers are those coins): IC from s at p with
 * one sfc32 draw per out-arc of a reached customer towards a customer not reached yet, the generator in locals, and
 * nothing else (no opinions, no steps, no statistics). Mean µs per run (after a warm-up), reach, arcs and coins.
 */
function coinFloor(g: CompiledGraph, s: number, p: number, runs: number): { usPerRun: number; reach: number; arcs: number; coins: number } {
  const stamp = new Int32Array(g.n);
  const queue = new Int32Array(g.n);
  const off = g.outOffsets;
  const tgt = g.outTargets;
  const rng = new Rng();
  let t = 0;
  let reach = 0;
  let arcs = 0;
  let coins = 0;
  for (let r = 0; r < runs + 50; r++) {
    rng.reseed(1, r);
    let s0 = rng.a;
    let s1 = rng.b;
    let s2 = rng.c;
    let s3 = rng.d;
    const ep = r + 1;
    const t0 = performance.now();
    let head = 0;
    let tail = 0;
    let k = 0;
    let m = 0;
    stamp[s] = ep;
    queue[tail++] = s;
    while (head < tail) {
      const u = queue[head++];
      const e = off[u + 1];
      m += e - off[u];
      for (let a = off[u]; a < e; a++) {
        const v = tgt[a];
        if (stamp[v] === ep) continue;
        k++;
        s3 = (s3 + 1) | 0;
        const x = (((s0 + s1) | 0) + s3) | 0;
        s0 = s1 ^ (s1 >>> 9);
        s1 = (s2 + (s2 << 3)) | 0;
        s2 = (((s2 << 21) | (s2 >>> 11)) + x) | 0;
        if ((x >>> 0) * 2.3283064365386963e-10 < p) {
          stamp[v] = ep;
          queue[tail++] = v;
        }
      }
    }
    const dt = performance.now() - t0;
    if (r < 50) continue; // warm-up
    t += dt;
    reach += tail;
    arcs += m;
    coins += k;
  }
  return { usPerRun: (t * 1000) / runs, reach: reach / runs, arcs: arcs / runs, coins: coins / runs };
}

/** Cascade floor: live-edge BFS replays from s (timed), mean µs per replay, mean reached and arcs followed. */
function cascadeFloor(g: CompiledGraph, s: number, p: number, replays: number): { usPerRun: number; reach: number; successes: number } {
  const mark = new Int32Array(g.n);
  const queue = new Int32Array(g.n);
  let t = 0;
  let reach = 0;
  let successes = 0;
  for (let r = 0; r < replays + 3; r++) {
    const live = liveEdges(g, p, 1000 + r);
    const t0 = performance.now();
    const [vis, arcs] = bfs(live.off, live.tgt, s, mark, r + 1, queue);
    const dt = performance.now() - t0;
    if (r < 3) continue; // warm-up
    t += dt;
    reach += vis;
    successes += arcs;
  }
  return { usPerRun: (t * 1000) / replays, reach: reach / replays, successes: successes / replays };
}

/** Plain BFS from `sample` sources over the whole graph, scaled to all n sources: ms on one core. */
function allSourcesBfsMs(g: CompiledGraph, sample: number): number {
  const mark = new Int32Array(g.n);
  const queue = new Int32Array(g.n);
  const step = Math.max(1, Math.floor(g.n / sample));
  for (let w = 0; w < 5; w++) bfs(g.outOffsets, g.outTargets, w, mark, w + 1, queue); // warm-up
  let count = 0;
  const t0 = performance.now();
  for (let s = 0; s < g.n && count < sample; s += step, count++) bfs(g.outOffsets, g.outTargets, s, mark, 100 + count, queue);
  return ((performance.now() - t0) / count) * g.n;
}

/** One plain pull sweep y = A·x over the in-arcs (the PageRank gather), ms; median of 21 sweeps. */
function sweepMs(g: CompiledGraph): number {
  const x = new Float64Array(g.n).fill(1 / g.n);
  const y = new Float64Array(g.n);
  const ts: number[] = [];
  for (let r = 0; r < 26; r++) {
    const t0 = performance.now();
    for (let v = 0; v < g.n; v++) {
      let s = 0;
      for (let q = g.inOffsets[v]; q < g.inOffsets[v + 1]; q++) s += x[g.inSources[q]];
      y[v] = s;
    }
    if (r >= 5) ts.push(performance.now() - t0);
    x[r % g.n] += y[(r * 7) % g.n] * 1e-30;
  }
  ts.sort((a, b) => a - b);
  return ts[10];
}

interface Row {
  goal: string;
  target: string;
  today: string;
  floor: string;
  counts: string;
  met: boolean;
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const pool = new WorkerPool({ workers: 2 });
  const want = (k: string) => !only || only.has(k);
  const t00 = performance.now();
  const load0 = os.loadavg();
  try {
    const logNs = drawNs();
    const ns = tableDrawNs();
    console.log(`unit cost: one geometric gap draw by table (sfc32 + lookup, what the kernels draw) ${ns.toFixed(1)} ns; by the logarithm (xorshift + log) ${logNs.toFixed(1)} ns`);

    if (want('ic')) {
      const g = barabasiAlbert(100_000, 5, 1);
      const s = topDegree(g);
      const req = { model: 'ic' as const, p: 0.05, seeds: [g.ids[s]], runs: 5000, seed: 7, top: 0 };
      await simulate(g, { ...req, runs: 200 }, { pool });
      const t0 = performance.now();
      const r = await simulate(g, req, { pool });
      const ms = (performance.now() - t0) / r.runs;
      await simulate(g, { ...req, runs: 200 });
      const t1 = performance.now();
      const r1 = await simulate(g, { ...req, runs: 2000 });
      const ms1 = (performance.now() - t1) / r1.runs;
      const f = cascadeFloor(g, s, 0.05, 200);
      const successes = 0.05 * r.arcsExamined;
      const floorMs = (f.usPerRun / 1000 + (successes * ns) / 1e6) / 2;
      rows.push({
        goal: 'IC BA n=100k m=5 p=0.05, top-degree seed, ms/run', target: '≤ 0.12', met: ms <= 0.12,
        today: `${ms.toFixed(3)} (2 workers); ${ms1.toFixed(3)} in-thread`,
        floor: `${floorMs.toFixed(3)} (BFS replay ${(f.usPerRun / 1000).toFixed(3)} + ${successes.toFixed(0)} draws × ${ns.toFixed(1)} ns, / 2 cores)`,
        counts: `reach ${r.reach.mean.toFixed(0)} (replay ${f.reach.toFixed(0)}), arcs examined ${r.arcsExamined.toFixed(0)}, successes ≈ p × examined = ${successes.toFixed(0)} (replay ${f.successes.toFixed(0)})`,
      });
      console.log(rows[rows.length - 1]);
    }

    if (want('pagerank')) {
      const g = barabasiAlbert(100_000, 5, 1);
      const median = async (f: () => unknown, reps = 5): Promise<number> => {
        await f(); // warm-up
        const ts: number[] = [];
        for (let i = 0; i < reps; i++) {
          const t0 = performance.now();
          await f();
          ts.push(performance.now() - t0);
        }
        ts.sort((a, b) => a - b);
        return ts[Math.floor(reps / 2)];
      };
      const r = centrality(g, 'pagerank');
      const it = r.iterations ?? 0;
      const single = await median(() => centrality(g, 'pagerank'));
      const shared = await median(() => computeCentrality(g, 'pagerank', { pool, cache: false }));
      const pw = pagerank(g, { solver: 'power' });
      const powerMs = await median(() => pagerank(g, { solver: 'power' }), 3);
      const nx = centrality(g, 'pagerank', { convergence: 'networkx' });
      const sw = sweepMs(g);
      rows.push({
        goal: 'PageRank BA n=100k m=5 to the fixed point, ms', target: '≤ 30', met: shared <= 30,
        today: `${shared.toFixed(1)} (2 workers sharing the sweeps, median of 5); ${single.toFixed(1)} (1 thread); power iteration ${powerMs.toFixed(1)} (1 thread)`,
        floor: `${((it * sw) / 2).toFixed(1)} (${it} sweeps × ${sw.toFixed(2)} ms per plain pull sweep, / 2 cores; 1 thread ${(it * sw).toFixed(1)})`,
        counts: `${it} sweeps (${it - 1} conjugate-gradient + 1 power step, whose L1 change ${r.residual?.toExponential(1)} ≤ 1e-14 is the residual); the power iteration takes ${pw.iterations} (residual ${pw.residual?.toExponential(1)}); networkx's stop: ${nx.iterations}; ${g.m} in-arcs gathered per sweep`,
      });
      console.log(rows[rows.length - 1]);
    }

    if (want('betweenness')) {
      const graphs: [string, string, CompiledGraph | null][] = [
        ['ego-Facebook', '≤ 500', existsSync(fbFile) ? compile((await readGraphFile(fbFile, { format: 'edgelist', directed: false })).data) : null],
        ['BA n=10k m=5', '≤ 2,500', barabasiAlbert(10_000, 5, 1)],
      ];
      for (const [name, target, g] of graphs) {
        if (!g) {
          console.log(`skip betweenness ${name}: ${fbFile} not found`);
          continue;
        }
        await computeCentrality(g, 'betweenness', { pool, k: 50, seed: 1, cache: false }); // warm-up
        const t0 = performance.now();
        await computeCentrality(g, 'betweenness', { pool, cache: false });
        const ms = performance.now() - t0;
        const bfsAll = allSourcesBfsMs(g, Math.min(g.n, 1000));
        await computeCentrality(g, 'closeness', { pool, cache: false }); // warm-up
        const t1 = performance.now();
        await computeCentrality(g, 'closeness', { pool, cache: false });
        const closenessMs = performance.now() - t1;
        rows.push({
          goal: `exact betweenness ${name}, ms`, target, met: ms <= Number(target.replace(/[^0-9]/g, '')),
          today: `${ms.toFixed(0)} (2 workers)`,
          floor: `${(bfsAll / 2).toFixed(0)} (a plain BFS from each of the ${g.n} sources: ${(bfsAll / g.n).toFixed(3)} ms each, / 2 cores); distances only, 32 sources per bit-parallel BFS (closeness, 2 workers): ${closenessMs.toFixed(0)}`,
          counts: `${g.n} sources × ${g.m} arcs = ${((g.n * g.m) / 1e9).toFixed(2)} G arc visits forward (Brandes then walks them back)`,
        });
        console.log(rows[rows.length - 1]);
      }
    }

    if (want('voice') && existsSync(fbFile)) {
      const g = compile((await readGraphFile(fbFile, { format: 'edgelist', directed: false })).data);
      const s = topDegree(g);
      const variants = [
        { name: 'no answer', response: null },
        { name: 'answer before it spreads', response: { atStep: 0, effectiveness: 0.6, public: true } },
        { name: 'answer at step 1', response: { atStep: 1, effectiveness: 0.6, public: true } },
      ];
      const req = { customer: g.ids[s], p: 0.01, runs: 5000, seed: 1, variants };
      await runScenarioRequest(g, { ...req, runs: 200 }, { pool });
      const t0 = performance.now();
      const a = await runScenarioRequest(g, req, { pool });
      const ms = performance.now() - t0;
      if (!isCompare(a)) throw new Error('expected a compare answer');
      // a complaint spreads at min(1, p·negativityBias) = 0.02 (voice's default bias 2): the no-answer variant is IC at 0.02
      const f = cascadeFloor(g, s, 0.02, 500);
      const c = coinFloor(g, s, 0.02, 2000);
      const reachNo = a.variants[0].reach?.mean ?? NaN;
      const floorMs = (3 * 5000 * (f.usPerRun / 1000 + (f.successes * ns) / 1e6)) / 2;
      const coinMs = (3 * 5000 * c.usPerRun) / 1000 / 2;
      rows.push({
        goal: 'voice compare ego-Facebook, 3 variants × 5,000 runs, ms', target: '≤ 800', met: ms <= 800,
        today: `${ms.toFixed(0)} (2 workers)`,
        floor: `${floorMs.toFixed(0)} with geometric skipping (15,000 × IC p=0.02 BFS replay ${(f.usPerRun / 1000).toFixed(4)} ms + ${f.successes.toFixed(0)} draws, / 2 cores); ${coinMs.toFixed(0)} with a coin per arc as voice's seeded answers draw (15,000 × ${(c.usPerRun / 1000).toFixed(4)} ms, / 2 cores); upper bounds: answered variants stop earlier`,
        counts: `reach no answer ${reachNo.toFixed(1)} (replay ${f.reach.toFixed(1)}, coin floor ${c.reach.toFixed(1)}), negative ${a.variants.map((v) => v.negative.mean.toFixed(1)).join(' / ')}; coin floor: ${c.arcs.toFixed(0)} arcs, ${c.coins.toFixed(0)} coins per run`,
      });
      console.log(rows[rows.length - 1]);
    }
  } finally {
    await pool.close();
  }
  const load1 = os.loadavg();
  console.log('');
  console.log(`machine: ${os.cpus()[0]?.model.trim()}, ${os.cpus().length} cores, node ${process.version}; load ${load0.map((x) => x.toFixed(2)).join(' ')} at start, ${load1.map((x) => x.toFixed(2)).join(' ')} at end; ${((performance.now() - t00) / 1000).toFixed(0)} s`);
  console.log('| goal | target | today | met | floor from counts | counts |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.goal} | ${r.target} | ${r.today} | ${r.met ? 'met' : 'not met'} | ${r.floor} | ${r.counts} |`);
  if (jsonArg >= 0) writeFileSync(args[jsonArg + 1], JSON.stringify({ load: { start: load0, end: load1 }, rows }, null, 2));
  console.log(`checksum ${rows.length}`);
}

await main();
