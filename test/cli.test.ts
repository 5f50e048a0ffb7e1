import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bin, root, ripple, type CliResult as Result } from './cli-helper.js';
import { tempDir } from './helper.js';

/** Exactly one line on stderr, `ripple: ...`, nothing on stdout. */
function expectOneLineError(r: Result, code: number, message: RegExp) {
  expect(r.code).toBe(code);
  expect(r.stdout).toBe('');
  const lines = r.stderr.split('\n').filter((l) => l.length > 0);
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^ripple: /);
  expect(lines[0]).toMatch(message);
}

const EDGES = '# tiny\na b\nb c\nc a\nc d\nd d\na b\ne f\n';

beforeAll(() => {
  if (!existsSync(join(root, 'dist', 'src', 'cli', 'main.js'))) {
    throw new Error('cli tests run the built CLI: run `npm run build` first (npm test does)');
  }
});

describe('ripple CLI', () => {
  it('import, graphs and info with --json print one JSON document each', async () => {
    const dir = await tempDir();
    const file = join(dir, 'tiny.txt');
    await writeFile(file, EDGES);
    const dataDir = join(dir, 'data');

    const imported = await ripple(['--data-dir', dataDir, 'import', file, '--name', 'Tiny', '--json']);
    expect(imported.code, imported.stderr).toBe(0);
    const g = JSON.parse(imported.stdout);
    expect(g).toMatchObject({ name: 'Tiny', directed: false, version: 1, customers: 6, ties: 5, report: { format: 'edgelist', selfLoopsDropped: 1, duplicatesMerged: 1 } });

    const graphs = await ripple(['graphs', '--json'], { RIPPLE_DATA_DIR: dataDir });
    expect(JSON.parse(graphs.stdout)).toEqual({ graphs: [{ id: g.id, name: 'Tiny', directed: false, version: 1, customers: 6, ties: 5, createdAt: g.createdAt, updatedAt: g.updatedAt }] });

    const info = await ripple(['--data-dir', dataDir, 'info', g.id, '--json']);
    expect(info.code, info.stderr).toBe(0);
    expect(JSON.parse(info.stdout)).toMatchObject({
      id: g.id, customers: 6, ties: 5, arcs: 10, isolated: 0, components: { count: 2, largest: 4 },
      degree: { total: { min: 1, max: 3, mean: 10 / 6, median: 1.5 } }, density: 10 / 30,
    });

    const fromFile = await ripple(['info', '--file', file, '--directed', '--json']);
    expect(JSON.parse(fromFile.stdout)).toMatchObject({ file, name: 'tiny', directed: true, customers: 6, ties: 5, arcs: 5 });

    const human = await ripple(['--data-dir', dataDir, 'graphs']);
    expect(human.stdout).toMatch(new RegExp(`${g.id}\\s+Tiny\\s+no\\s+1\\s+6\\s+5`));
  });

  it('--data-dir overrides RIPPLE_DATA_DIR', async () => {
    const dir = await tempDir();
    const file = join(dir, 'tiny.txt');
    await writeFile(file, EDGES);
    await ripple(['--data-dir', join(dir, 'b'), 'import', file, '--json'], { RIPPLE_DATA_DIR: join(dir, 'a') });
    expect(JSON.parse((await ripple(['graphs', '--json'], { RIPPLE_DATA_DIR: join(dir, 'a') })).stdout)).toEqual({ graphs: [] });
    expect(JSON.parse((await ripple(['graphs', '--json'], { RIPPLE_DATA_DIR: join(dir, 'b') })).stdout).graphs).toHaveLength(1);
  });

  it('a bad file is one line on stderr naming file and line, exit 2, and nothing is stored', async () => {
    const dir = await tempDir();
    const file = join(dir, 'broken.txt');
    await writeFile(file, 'a b\nb c 0.5 extra junk\n');
    expectOneLineError(await ripple(['--data-dir', dir, 'import', file]), 2, /broken\.txt:2/);
    expectOneLineError(await ripple(['--data-dir', dir, 'import', join(dir, 'missing.txt')]), 2, /missing\.txt/);
    expect(JSON.parse((await ripple(['--data-dir', dir, 'graphs', '--json'])).stdout)).toEqual({ graphs: [] });
  });

  it('usage errors: one line, exit 2', async () => {
    const dir = await tempDir();
    expectOneLineError(await ripple(['--data-dir', dir, 'graphs', '--bogus']), 2, /unknown option '--bogus'/);
    expectOneLineError(await ripple(['--data-dir', dir, 'info']), 2, /graph id or --file/);
    expectOneLineError(await ripple(['--data-dir', dir, 'info', 'g_0123456789abcdef']), 2, /not found/);
    expectOneLineError(await ripple(['--data-dir', dir, 'import', 'x.txt', '--format', 'pdf']), 2, /Allowed choices/);
    expectOneLineError(await ripple(['--workers', 'lots', '--data-dir', dir, 'graphs']), 2, /--workers/);
    expectOneLineError(await ripple(['frobnicate']), 2, /unknown command/);
  });

  it('RIPPLE_DEBUG=1 adds the stack trace', async () => {
    const dir = await tempDir();
    const r = await ripple(['--data-dir', dir, 'info', 'g_0123456789abcdef'], { RIPPLE_DEBUG: '1' });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(/^ripple: .*not found/);
    expect(r.stderr).toMatch(/\n\s+at /);
  });

  it('serve: imports the demo graph into an empty store, answers, and shuts down cleanly on SIGTERM', async () => {
    const dir = await tempDir();
    const child = spawn(process.execPath, [bin, '--data-dir', dir, 'serve', '--port', '0'], { env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info' } });
    let out = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 20_000);
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /listening at (http:\/\/[\d.:]+)/i.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
      });
      expect(out).toMatch(/imported the demo graph/);
      const graphs = (await (await fetch(`${url}/graphs`)).json()) as { graphs: { name: string; customers: number }[] };
      expect(graphs.graphs).toEqual([expect.objectContaining({ name: 'Demo customers', customers: 3000 })]);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('--help and --version exit 0', async () => {
    const help = await ripple(['--help']);
    expect(help.code).toBe(0);
    for (const cmd of ['serve', 'import', 'graphs', 'info']) expect(help.stdout).toContain(cmd);
    expect((await ripple(['--version'])).stdout.trim()).toBe('0.1.0');
  });
});
