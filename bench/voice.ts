/**
 * Voice kernel benchmark (issue 13: the twin spread blocks became one helper): in-thread Monte Carlo of the voice
 * model with a public brand answer at step 1, so both opinions spread, on ego-Facebook (SNAP; uniform p: the
 * per-customer probability path) and on the same graph with weighted-cascade probabilities (the per-arc path).
 *   npm run build && node dist/bench/voice.js [--runs N] [--repeat R]
 * Prints, per case, the median over R repeats of wall and CPU ms per 1000 runs, and a checksum of the reach,
 * negative and positive means (the same numbers before and after a kernel change). In-thread only: no pool start-up
 * or scheduling in the figure. Skipped with one line when ../shared/data is absent.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, type CompiledGraph } from '../src/graph/compile.js';
import { readGraphFile } from '../src/io/read-graph-file.js';
import { simulate } from '../src/diffusion/simulate.js';

const args = process.argv.slice(2);
const arg = (name: string, dflt: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const runs = arg('--runs', 4000);
const repeat = arg('--repeat', 5);
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = here.includes(`${path.sep}dist${path.sep}`) ? path.resolve(here, '../..') : path.resolve(here, '..');
const egoFile = path.resolve(repoRoot, '../shared/data/ego-facebook/facebook_combined.txt');

function topDegree(g: CompiledGraph): string {
  let best = 0;
  for (let u = 1; u < g.n; u++) if (g.outOffsets[u + 1] - g.outOffsets[u] > g.outOffsets[best + 1] - g.outOffsets[best]) best = u;
  return g.ids[best];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  if (!existsSync(egoFile)) {
    console.log(`voice bench skipped: ${egoFile} not found`);
    return;
  }
  const g = compile((await readGraphFile(egoFile, { format: 'edgelist' })).data);
  const seeds = [topDegree(g)];
  const cases = [
    { name: 'uniform p=0.01', req: { probability: 'uniform' as const, p: 0.01 } },
    { name: 'weighted-cascade', req: { probability: 'weighted-cascade' as const } },
  ];
  let checksum = 0;
  const mix = (x: number) => {
    checksum = (Math.imul(checksum, 31) + Math.round(x * 1e6)) >>> 0;
  };
  console.log(`voice bench: node ${process.version}, ego-Facebook n=${g.n} arcs=${g.m}, ${runs} runs × ${repeat} repeats, in-thread`);
  for (const c of cases) {
    const req = { model: 'voice' as const, seeds, runs, seed: 1, response: { atStep: 1, effectiveness: 0.6, public: true }, ...c.req };
    await simulate(g, { ...req, runs: 200 }); // warm-up
    const wall: number[] = [];
    const cpu: number[] = [];
    let last;
    for (let r = 0; r < repeat; r++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      last = await simulate(g, req);
      const dc = process.cpuUsage(c0);
      wall.push(performance.now() - t0);
      cpu.push((dc.user + dc.system) / 1000);
    }
    mix(last!.reach.mean);
    mix(last!.negative!.mean);
    mix(last!.positive!.mean);
    const per = (ms: number) => ((ms / runs) * 1000).toFixed(1);
    console.log(`  ${c.name.padEnd(18)} wall ${per(median(wall))} ms / 1000 runs, cpu ${per(median(cpu))} ms / 1000 runs; reach ${last!.reach.mean.toFixed(3)}`);
  }
  console.log(`checksum ${checksum}`);
}

await main();
