/**
 * Two processes against two threads, with no Redis and no job path: one process running `simulate()` on a pool of
 * 2 threads, then two processes of 1 thread each running half the runs at the same time (IC p = 0.05 on BA n=100k m=5
 * from the top-degree customer). Prints wall and process CPU per case and round: what running two 1-thread
 * `ripple worker` processes on one 2-core machine costs before any distribution (BENCHMARKS.md, scale-out).
 *
 *   npm run build && node dist/bench/process-pair.js [--runs 250000] [--rounds 3]
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { compile } from '../src/graph/compile.js';
import { simulate } from '../src/diffusion/simulate.js';
import { WorkerPool } from '../src/workers/pool.js';
import { barabasiAlbertData } from './generators.js';

const opt = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
type Run = { wall: number; cpu: number; mean: number };

async function one(threads: number, runs: number, seed: number): Promise<Run> {
  const g = compile(barabasiAlbertData(100_000, 5, 1));
  let best = 0;
  for (let i = 1; i < g.n; i++) if (g.outOffsets[i + 1] - g.outOffsets[i] > g.outOffsets[best + 1] - g.outOffsets[best]) best = i;
  const pool = new WorkerPool({ workers: threads });
  try {
    const req = { model: 'ic' as const, seeds: [g.ids[best]], p: 0.05, seed };
    await simulate(g, { ...req, runs: 200, seed: 9 }, { pool }); // warm: threads started, JIT
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = await simulate(g, { ...req, runs }, { pool });
    const c = process.cpuUsage(c0);
    return { wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6, mean: r.reach.mean };
  } finally {
    await pool.close();
  }
}

function child(threads: number, runs: number, seed: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', String(threads), String(runs), String(seed)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as Run) : reject(new Error(`child exited ${code}`))));
  });
}

const c = process.argv.indexOf('--child');
if (c > 0) {
  const [threads, runs, seed] = process.argv.slice(c + 1, c + 4).map(Number);
  process.stdout.write(JSON.stringify(await one(threads, runs, seed)));
} else {
  const runs = Number(opt('--runs') ?? 250_000);
  const rounds = Number(opt('--rounds') ?? 3);
  console.log('| round | 1 process × 2 threads: wall s / CPU s | 2 processes × 1 thread: wall s (slower) / CPU s (sum) | wall × | CPU × |');
  console.log('|---|---|---|---|---|');
  let checksum = 0;
  for (let r = 1; r <= rounds; r++) {
    const a = await child(2, runs, 1);
    const [b1, b2] = await Promise.all([child(1, runs / 2, 1), child(1, runs / 2, 2)]);
    const bw = Math.max(b1.wall, b2.wall);
    const bc = b1.cpu + b2.cpu;
    checksum += a.mean;
    console.log(`| ${r} | ${a.wall.toFixed(1)} / ${a.cpu.toFixed(1)} | ${bw.toFixed(1)} / ${bc.toFixed(1)} | ${(bw / a.wall).toFixed(3)} | ${(bc / a.cpu).toFixed(3)} |`);
  }
  console.log(`checksum ${checksum.toFixed(6)}`);
}
