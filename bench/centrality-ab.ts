/**
 * Paired in-process A/B of the centrality methods this branch added against the ones they replace, single thread,
 * CPU time (process.cpuUsage: steadier than wall time on a shared machine), alternating order, median of the rounds:
 * PageRank power iteration vs conjugate gradients (BA n=100k m=5), betweenness one-source vs batched kernel
 * (ego-Facebook, all sources; BA n=10k m=5, 2,000 sources; BA n=2,000 m=5, all sources).
 *
 *   npm run build && node dist/bench/centrality-ab.js [--rounds 3]
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compile, type CompiledGraph } from '../src/graph/compile.js';
import { betweennessPartial } from '../src/influence/centrality/betweenness.js';
import { pagerank } from '../src/influence/centrality/pagerank.js';
import { readGraphFile } from '../src/io/read-graph-file.js';
import { barabasiAlbert } from './generators.js';
import { repoRoot } from './paths.js';

const args = process.argv.slice(2);
const roundsAt = args.indexOf('--rounds');
const rounds = roundsAt >= 0 ? Number(args[roundsAt + 1]) : 3;
const fbFile = path.resolve(repoRoot(import.meta.url), '../shared/data/ego-facebook/facebook_combined.txt');

const cpuMs = (f: () => unknown): number => {
  const c0 = process.cpuUsage();
  f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const ba100 = barabasiAlbert(100_000, 5, 1);
const ba10 = barabasiAlbert(10_000, 5, 1);
const ba2 = barabasiAlbert(2_000, 5, 1);
const cases: [string, () => unknown, () => unknown][] = [
  ['PageRank BA n=100k m=5 to the fixed point: power iteration -> conjugate gradients', () => pagerank(ba100, { solver: 'power' }), () => pagerank(ba100)],
];
const bt = (g: CompiledGraph, to: number, kernel: 'single' | 'batched') => () => betweennessPartial(g, { from: 0, to }, { kernel });
if (existsSync(fbFile)) {
  const fb = compile((await readGraphFile(fbFile, { format: 'edgelist', directed: false })).data);
  cases.push([`betweenness ego-Facebook, all ${fb.n} sources: one-source -> batched`, bt(fb, fb.n, 'single'), bt(fb, fb.n, 'batched')]);
} else console.log(`skip ego-Facebook: ${fbFile} not found`);
cases.push(['betweenness BA n=10k m=5, 2,000 sources: one-source -> batched', bt(ba10, 2000, 'single'), bt(ba10, 2000, 'batched')]);
cases.push(['betweenness BA n=2,000 m=5, all sources: one-source -> batched', bt(ba2, 2000, 'single'), bt(ba2, 2000, 'batched')]);

console.log(`load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}; ${rounds} rounds`);
console.log('| case | before (ms CPU) | after (ms CPU) | after / before, median [range] |');
console.log('|---|---:|---:|---|');
for (const [name, before, after] of cases) {
  before();
  after(); // warm-up
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      a.push(cpuMs(before));
      b.push(cpuMs(after));
    } else {
      b.push(cpuMs(after));
      a.push(cpuMs(before));
    }
  }
  const ratios = a.map((x, i) => b[i] / x);
  console.log(`| ${name} | ${median(a).toFixed(0)} | ${median(b).toFixed(0)} | ${median(ratios).toFixed(3)} [${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)}] |`);
}
console.log(`load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
