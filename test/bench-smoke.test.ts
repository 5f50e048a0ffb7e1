import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `node dist/bench/run-all.js --smoke`: every benchmark runs in its smoke size, exits 0 and prints a checksum,
 * so the benches cannot rot. dist is built by `npm test`'s pretest; without it the suite is skipped.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const runAll = path.join(root, 'dist', 'bench', 'run-all.js');
const EXPECTED = ['graph-load', 'store', 'neo4j-rows', 'engine', 'centrality', 'influence', 'scenarios', 'distributed', 'api'];
const present = existsSync(runAll);
if (!present) console.log(`bench-smoke skipped: ${runAll} not found (run npm run build)`);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], timeoutMs: number): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [runAll, ...args], { cwd: root, timeout: timeoutMs, maxBuffer: 64 * 2 ** 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

interface Summary {
  smoke: boolean;
  ok: boolean;
  machine: { cpu: string; cores: number; memoryGB: number; node: string };
  benches: { name: string; ok: boolean; exitCode: number | null; wallMs: number; checksum: string | null; error?: string }[];
}

describe.skipIf(!present)('bench smoke (dist/bench/run-all.js)', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ripple-bench-smoke-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('runs every bench in its smoke size: each exits 0 and prints a checksum', async () => {
    const jsonFile = path.join(dir, 'summary.json');
    const r = await run(['--smoke', '--json', jsonFile], 240_000);
    const summary = JSON.parse(await readFile(jsonFile, 'utf8')) as Summary;
    const failed = summary.benches.filter((b) => !b.ok).map((b) => `${b.name}: ${b.error}`);
    expect(failed, `${failed.join('\n')}\n${r.stderr.slice(-4000)}`).toEqual([]);
    expect(r.code).toBe(0);
    expect(summary.smoke).toBe(true);
    expect(summary.ok).toBe(true);
    expect(summary.benches.map((b) => b.name)).toEqual(EXPECTED);
    for (const b of summary.benches) {
      expect(b.exitCode, b.name).toBe(0);
      expect(b.checksum, b.name).toMatch(/^-?[0-9][0-9.,e+-]*$/);
      expect(b.wallMs, b.name).toBeGreaterThan(0);
    }
    expect(summary.machine.cores).toBeGreaterThan(0);
    expect(summary.machine.node).toBe(process.version);
    // The table names the machine and every bench.
    expect(r.stdout).toMatch(/^machine: .+ cores/m);
    for (const name of EXPECTED) expect(r.stdout).toMatch(new RegExp(`^\\| ${name} \\| ok \\| 0 \\|`, 'm'));
    console.log(summary.benches.map((b) => `${b.name} ${(b.wallMs / 1000).toFixed(1)} s`).join(', '));
  }, 250_000);

  it('fails (exit 1) when a bench exits non-zero or prints no checksum, and names which', async () => {
    // Stand-in benches in a scratch --dir: the harness's own verdicts, not the real benches'.
    await writeFile(path.join(dir, 'graph-load.js'), "console.log('checksum 42');\n");
    await writeFile(path.join(dir, 'store.js'), "console.log('work done'); console.log(process.argv.includes('--smoke') ? 'smoke' : 'full');\n");
    await writeFile(path.join(dir, 'engine.js'), "console.log('checksum 7'); process.exitCode = 3;\n");
    const r = await run(['--smoke', '--dir', dir, '--only', 'graph-load,store,engine,api', '--json'], 30_000);
    expect(r.code).toBe(1);
    const s = JSON.parse(r.stdout) as Summary;
    expect(s.ok).toBe(false);
    const by = Object.fromEntries(s.benches.map((b) => [b.name, b]));
    expect(by['graph-load']).toMatchObject({ ok: true, exitCode: 0, checksum: '42' });
    expect(by.store).toMatchObject({ ok: false, exitCode: 0, checksum: null, error: 'printed no checksum line' });
    expect(by.engine).toMatchObject({ ok: false, exitCode: 3, checksum: '7', error: 'exit code 3' });
    expect(by.api.ok).toBe(false);
    expect(by.api.error).toMatch(/not found/);
    // --smoke reached the bench; its output went to stderr because the JSON has stdout.
    expect(r.stderr).toMatch(/^smoke$/m);
    expect(r.stderr).toMatch(/3 of 4 failed: store, engine, api/);
  });

  it('kills a bench that outlives --timeout', async () => {
    await writeFile(path.join(dir, 'influence.js'), 'setInterval(() => {}, 1000);\n');
    const t0 = performance.now();
    const r = await run(['--dir', dir, '--only', 'influence', '--timeout', '0.5', '--json'], 30_000);
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(r.code).toBe(1);
    const s = JSON.parse(r.stdout) as Summary;
    expect(s.benches[0]).toMatchObject({ name: 'influence', ok: false, error: 'killed after 0.5 s' });
  });

  it('refuses an unknown bench name with exit 2', async () => {
    const r = await run(['--only', 'engine,nope'], 10_000);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown bench nope/);
  });
});
