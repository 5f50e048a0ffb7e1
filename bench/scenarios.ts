/**
 * Brand scenario benchmark: a complaint compared across three answers (none / before it spreads / at step 1)
 * and the riskiest-customers ranking on the shipped demo graph, then the same compare on ego-Facebook
 * (SNAP, 4,039 customers, 88,234 ties; skipped with one line when ../shared/data is absent).
 * Every case runs in-thread and on a WorkerPool; the JSON is identical (checked), only the time differs.
 *
 *   npm run build && node dist/bench/scenarios.js [--smoke] [--workers N] [--runs N]
 *
 * --smoke: 200 runs on the demo graph only (about two seconds, mostly worker start-up). Prints a checksum of the figures.
 */
import { existsSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WorkerPool } from '../src/workers/pool.js';
import { compile, type CompiledGraph } from '../src/graph/compile.js';
import { readGraphFile } from '../src/io/read-graph-file.js';
import { isCompare, riskiestCustomers, runScenarioRequest, type CompareResult } from '../src/scenarios/index.js';

const args = process.argv.slice(2);
const smoke = args.includes('--smoke');
const wi = args.indexOf('--workers');
const ri = args.indexOf('--runs');
const workers = wi >= 0 ? Number(args[wi + 1]) : Math.min(2, availableParallelism());
const runs = ri >= 0 ? Number(args[ri + 1]) : smoke ? 200 : 5000;

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = here.includes(`${path.sep}dist${path.sep}`) ? path.resolve(here, '../..') : path.resolve(here, '..');
const demoFile = path.resolve(repoRoot, 'demo/demo-customers.json.gz');
const egoFile = path.resolve(repoRoot, '../shared/data/ego-facebook/facebook_combined.txt');

function topDegree(g: CompiledGraph): string {
  let best = 0;
  for (let u = 1; u < g.n; u++) if (g.outOffsets[u + 1] - g.outOffsets[u] > g.outOffsets[best + 1] - g.outOffsets[best]) best = u;
  return g.ids[best];
}

const VARIANTS = [
  { name: 'no answer', response: null },
  { name: 'answer before it spreads', response: { atStep: 0, effectiveness: 0.6, public: true } },
  { name: 'answer at step 1', response: { atStep: 1, effectiveness: 0.6, public: true } },
];

let checksum = 0;
const mix = (x: number) => {
  checksum = (Math.imul(checksum, 31) + Math.round(x * 1000)) >>> 0;
};
const strip = (c: CompareResult) => JSON.stringify({ ...c, elapsedMs: 0, variants: c.variants.map((v) => ({ ...v, elapsedMs: 0 })) });

async function compareCase(label: string, g: CompiledGraph, p: number, pool: WorkerPool): Promise<void> {
  const customer = topDegree(g);
  const req = { customer, p, runs, seed: 1, variants: VARIANTS };
  const t0 = performance.now();
  const a = await runScenarioRequest(g, req);
  const inThread = performance.now() - t0;
  const t1 = performance.now();
  const b = await runScenarioRequest(g, req, { pool });
  const onPool = performance.now() - t1;
  if (!isCompare(a) || !isCompare(b)) throw new Error('expected a compare result');
  if (strip(a) !== strip(b)) throw new Error(`${label}: pool and in-thread results differ`);
  const total = runs * VARIANTS.length;
  console.log(`${label}: n=${g.n} arcs=${g.m}, complaint from ${customer} (degree ${g.outOffsets[g.ids.indexOf(customer) + 1] - g.outOffsets[g.ids.indexOf(customer)]}), p=${p}, ${VARIANTS.length} variants × ${runs} runs`);
  console.log(`  in-thread ${inThread.toFixed(0)} ms (${((total / inThread) * 1000).toFixed(0)} runs/s); pool of ${pool.size}: ${onPool.toFixed(0)} ms (${((total / onPool) * 1000).toFixed(0)} runs/s)`);
  for (const v of a.variants) {
    console.log(`  ${v.name.padEnd(26)} negative ${v.negative.mean.toFixed(2).padStart(8)}  at risk ${v.money.atRisk.mean.toFixed(2).padStart(9)} ${v.money.currency}  impressions ${v.impressions.mean.toFixed(0)}`);
    mix(v.negative.mean);
    mix(v.money.net.mean);
  }
  for (const d of a.differences) {
    const rel = d.negative.relative;
    console.log(`  ${d.to}: negative ${d.negative.mean.toFixed(2)} [${d.negative.ci95.map((x) => x.toFixed(2)).join(', ')}]${rel ? ` (${(100 * rel.mean).toFixed(1)}% [${rel.ci95.map((x) => (100 * x).toFixed(1)).join('%, ')}%])` : ''}`);
  }
}

async function main(): Promise<void> {
  console.log(`scenarios bench${smoke ? ' (smoke)' : ''}: node ${process.version}, ${cpus()[0]?.model ?? '?'} × ${availableParallelism()}`);
  const pool = new WorkerPool({ workers });
  try {
    const demo = compile((await readGraphFile(demoFile, { format: 'json' })).data);
    await compareCase('demo', demo, 0.05, pool);
    const t0 = performance.now();
    const top = smoke ? 2 : 10;
    const risk = await riskiestCustomers(demo, { top, runs: Math.min(runs, 2000), rrSets: smoke ? 10_000 : 100_000 }, { pool, currency: 'EUR' });
    console.log(`demo riskiest top ${top} (${risk.runs} runs each): ${(performance.now() - t0).toFixed(0)} ms; #1 ${risk.ranked[0].id} at risk ${risk.ranked[0].money.atRisk.mean.toFixed(2)} EUR`);
    for (const e of risk.ranked) mix(e.money.atRisk.mean);
    if (smoke) {
      // ego-Facebook is not part of the smoke size.
    } else if (!existsSync(egoFile)) {
      console.log(`ego-Facebook skipped: ${egoFile} not found`);
    } else {
      const ego = compile((await readGraphFile(egoFile, { format: 'edgelist' })).data);
      await compareCase('ego-Facebook', ego, 0.01, pool);
    }
  } finally {
    await pool.close();
  }
  console.log(`checksum ${checksum}`);
}

await main();
