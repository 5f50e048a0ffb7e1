import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { simulate } from '../src/diffusion/index.js';
import { compile } from '../src/graph/compile.js';
import { computeCentrality, topScores } from '../src/influence/centrality/index.js';
import { findInfluencers } from '../src/influence/influencers.js';
import { customerValue, rankValues } from '../src/influence/value.js';
import { readGraphFile } from '../src/io/read-graph-file.js';
import { bin, root, ripple as run, type CliResult as Result } from './cli-helper.js';
import { tempDir } from './helper.js';

/** The engine commands run on 2 workers. */
const ripple = (args: string[], env: Record<string, string> = {}) => run(args, { RIPPLE_WORKERS: '2', ...env });

/** `ripple simulate|centrality|influencers|value --json` (the built CLI) against the library called directly. */

function expectOneLineError(r: Result, message: RegExp) {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.split('\n').filter((l) => l.length > 0);
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^ripple: /);
  expect(lines[0]).toMatch(message);
}

const noElapsed = (o: Record<string, unknown>) => {
  const { elapsedMs: _e, selectionMs: _s, ...rest } = o;
  return rest;
};

/** A path a-b-c-d, a star h-s1..s4, a bridge a-h (undirected edge list). */
const EDGES = '# fixture\na b\nb c\nc d\nh s1\nh s2\nh s3\nh s4\na h\n';

async function fixture() {
  const dir = await tempDir();
  const file = join(dir, 'fixture.txt');
  await writeFile(file, EDGES);
  const graph = compile((await readGraphFile(file)).data);
  return { dir, file, graph };
}

beforeAll(() => {
  if (!existsSync(join(root, 'dist', 'src', 'cli', 'main.js'))) throw new Error('cli tests run the built CLI: run `npm run build` first (npm test does)');
});

describe('ripple engine commands', () => {
  it('simulate --json equals simulate() with the same seed, for 1 and 2 workers, from a file and from the store', async () => {
    const { dir, file, graph } = await fixture();
    const args = ['simulate', '--file', file, '--model', 'ic', '--seeds', 'a,h', '--runs', '3000', '--seed', '9', '--p', '0.4', '--json'];
    const two = await ripple(args);
    expect(two.code, two.stderr).toBe(0);
    const direct = await simulate(graph, { model: 'ic', seeds: ['a', 'h'], runs: 3000, seed: 9, p: 0.4 });
    expect(noElapsed(JSON.parse(two.stdout))).toEqual(noElapsed(JSON.parse(JSON.stringify(direct))));
    const one = await ripple([...args, '--workers', '1']);
    expect(noElapsed(JSON.parse(one.stdout))).toEqual(noElapsed(JSON.parse(two.stdout)));

    // Voice and SIR flags reach the same schema.
    const voice = await ripple(['simulate', '--file', file, '--model', 'voice', '--seeds', 'a', '--runs', '500', '--negativity-bias', '3', '--max-steps', '4', '--json']);
    expect(voice.code, voice.stderr).toBe(0);
    const dv = await simulate(graph, { model: 'voice', seeds: ['a'], runs: 500, negativityBias: 3, maxSteps: 4 });
    expect(noElapsed(JSON.parse(voice.stdout))).toEqual(noElapsed(JSON.parse(JSON.stringify(dv))));

    const dataDir = join(dir, 'data');
    const imported = JSON.parse((await ripple(['--data-dir', dataDir, 'import', file, '--name', 'F', '--json'])).stdout);
    const stored = await ripple(['--data-dir', dataDir, 'simulate', imported.id, '--seeds', 'a,h', '--runs', '3000', '--seed', '9', '--p', '0.4', '--json']);
    expect(noElapsed(JSON.parse(stored.stdout))).toEqual(noElapsed(JSON.parse(two.stdout)));
  });

  it('centrality --json prints {metric, top: [{id, score, rank}]} as computeCentrality', async () => {
    const { file, graph } = await fixture();
    const r = await ripple(['centrality', '--file', file, '--metric', 'betweenness', '--top', '3', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    const direct = await computeCentrality(graph, 'betweenness', { cache: false });
    expect(out.metric).toBe('betweenness');
    expect(out.top).toEqual(topScores(direct.scores, 3).map((t) => ({ id: graph.ids[t.index], score: t.score, rank: t.rank })));
    expect(out.top[0].id).toBe('h');
    const all = JSON.parse((await ripple(['centrality', '--file', file, '--metric', 'degree', '--top', 'all', '--json'])).stdout);
    expect(all.top).toHaveLength(graph.n);
    expect(all.top[0]).toEqual({ id: 'h', score: 5 / 8, rank: 1 }); // degree 5 of n - 1 = 8
  });

  it('centrality of a power iteration reports iterations and residual; --convergence networkx, --tolerance, --max-iterations', async () => {
    const { file, graph } = await fixture();
    const fixed = JSON.parse((await ripple(['centrality', '--file', file, '--metric', 'pagerank', '--json'])).stdout);
    expect(fixed).toMatchObject({ converged: true, convergence: 'fixed-point', tolerance: 1e-14 });
    expect(fixed.residual).toBeLessThanOrEqual(1e-14);
    const nx = JSON.parse((await ripple(['centrality', '--file', file, '--metric', 'pagerank', '--convergence', 'networkx', '--json'])).stdout);
    const direct = await computeCentrality(graph, 'pagerank', { convergence: 'networkx', cache: false });
    expect(nx).toMatchObject({ convergence: 'networkx', iterations: direct.iterations, residual: direct.residual });
    const capped = JSON.parse((await ripple(['centrality', '--file', file, '--metric', 'hub', '--max-iterations', '1', '--tolerance', '1e-20', '--json'])).stdout);
    expect(capped).toMatchObject({ iterations: 1, converged: false, tolerance: 1e-20 });
    const text = await ripple(['centrality', '--file', file, '--metric', 'katz', '--alpha', '0.05']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^katz over 9 customers: \d+ iterations, residual \d\.\de-\d+ \(fixed-point, tolerance 1e-14\)/);
    expectOneLineError(await ripple(['centrality', '--file', file, '--metric', 'katz', '--alpha', '0.9']), /katz: the iteration diverges/);
    expectOneLineError(await ripple(['centrality', '--file', file, '--metric', 'pagerank', '--tolerance', '-1']), /--tolerance: /);
  });

  it('influencers --json and value --json equal the library', async () => {
    const { file, graph } = await fixture();
    const inf = await ripple(['influencers', '--file', file, '--k', '2', '--method', 'degree', '--runs', '2000', '--json']);
    expect(inf.code, inf.stderr).toBe(0);
    const di = await findInfluencers(graph, { k: 2, method: 'degree', runs: 2000 });
    expect(noElapsed(JSON.parse(inf.stdout))).toEqual(noElapsed(JSON.parse(JSON.stringify(di))));

    const val = await ripple(['value', '--file', file, '--top', '3', '--rr-sets', '5000', '--p', '0.5', '--json']);
    expect(val.code, val.stderr).toBe(0);
    const dv = await rankValues(graph, { top: 3, rrSets: 5000, p: 0.5 });
    expect(noElapsed(JSON.parse(val.stdout))).toEqual(noElapsed(JSON.parse(JSON.stringify(dv))));

    const one = await ripple(['value', '--file', file, '--customer', 'h', '--runs', '3000', '--p', '0.5', '--seed', '4', '--json']);
    expect(one.code, one.stderr).toBe(0);
    const d1 = await customerValue(graph, 'h', { runs: 3000, p: 0.5, seed: 4 });
    expect(noElapsed(JSON.parse(one.stdout))).toEqual(noElapsed(JSON.parse(JSON.stringify(d1))));
  });

  it('bad flags: one line naming the flag, exit 2', async () => {
    const { file } = await fixture();
    expectOneLineError(await ripple(['simulate', '--file', file, '--seeds', 'a', '--p', '1.5']), /--p: .*1/);
    expectOneLineError(await ripple(['simulate', '--file', file, '--seeds', 'a', '--runs', 'many']), /--runs: /);
    expectOneLineError(await ripple(['simulate', '--file', file, '--seeds', 'a', '--beta', '0.2']), /--beta: not used with --model ic/);
    expectOneLineError(await ripple(['simulate', '--file', file, '--seeds', 'nobody']), /nobody.*not in the graph/);
    expectOneLineError(await ripple(['simulate', '--file', file, '--seeds', ',']), /--seeds: /);
    expectOneLineError(await ripple(['centrality', '--file', file, '--metric', 'fame']), /--metric/);
    expectOneLineError(await ripple(['centrality', '--file', file, '--metric', 'degree', '--top', '0']), /--top: /);
    expectOneLineError(await ripple(['influencers', '--file', file, '--k', '99']), /--k: must be at most the number of customers \(9\)/);
    expectOneLineError(await ripple(['influencers', '--file', file, '--k', '2', '--epsilon', '2']), /--epsilon: /);
    expectOneLineError(await ripple(['value', '--file', file, '--customer', 'h', '--top', '3']), /--top: not used with --customer/);
    expectOneLineError(await ripple(['value', '--file', file, '--customer', 'zz']), /zz.*not in the graph/);
    expectOneLineError(await ripple(['simulate', '--seeds', 'a']), /graph id or --file/);
  });

  /**
   * Wait until the child is surely simulating: it has used ≥ 1.5 s of CPU (Linux: utime + stime in /proc/PID/stat).
   * Start-up and loading the ring take a fraction of that, and the CLI listens for SIGINT before the work starts, so a
   * loaded machine cannot make the signal arrive before the CLI listens. (Node itself catches SIGINT from start-up to
   * restore the terminal, so SigCgt cannot tell.) Elsewhere: a fixed 1.5 s.
   */
  async function simulating(pid: number): Promise<void> {
    const stat = `/proc/${pid}/stat`;
    if (!existsSync(stat)) return new Promise((r) => setTimeout(r, 1500));
    for (const t0 = Date.now(); Date.now() - t0 < 15_000; await new Promise((r) => setTimeout(r, 25))) {
      const text = await readFile(stat, 'utf8').catch(() => '');
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' '); // after "pid (comm) ": state is field 3
      const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15), in 1/100 s
      if (ticks >= 150) return;
    }
    throw new Error('the CLI never got going');
  }

  it('Ctrl-C (SIGINT) cancels a long simulation in its workers: one line, exit 130, promptly', async () => {
    const { dir } = await fixture();
    const file = join(dir, 'ring.txt');
    await writeFile(file, Array.from({ length: 3000 }, (_, i) => `c${i} c${(i + 1) % 3000}`).join('\n'));
    const child = spawn(process.execPath, [bin, 'simulate', '--file', file, '--seeds', 'c0', '--runs', '10000000', '--p', '1', '--json'], {
      env: { PATH: process.env.PATH ?? '', RIPPLE_WORKERS: '2' },
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.stdout.on('data', (d) => (stdout += String(d)));
    await simulating(child.pid!);
    const t0 = Date.now();
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(code, stderr).toBe(130);
    expect(stdout).toBe('');
    expect(stderr.trim()).toBe('ripple: cancelled (Ctrl-C)');
  }, 20_000);
});
