import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helper.js';

const root = fileURLToPath(new URL('..', import.meta.url));

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: root, env: { PATH: process.env.PATH ?? '', RIPPLE_WORKERS: '2' }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('study commands (built: npm run build)', () => {
  it('ripple study runs demo-tiny and prints the summary', async () => {
    const out = join(await tempDir('ripple-study-cli-'), 'o');
    const r = await run([join(root, 'bin', 'ripple.js'), 'study', 'simulations/demo-tiny.yaml', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ name: 'demo-tiny', cells: 16, computed: 16, skipped: 0, out });
    expect(r.stderr).toMatch(/demo-tiny: 16\/16 cells \(100%\)/); // plain progress lines when stderr is not a TTY
    expect((await readFile(join(out, 'cells.csv'), 'utf8')).split('\n')[0]).toMatch(/^cell,hash,graph,model_label,/);
  });

  it('npm run study (dist/scripts/study.js): a missing input is one clear message and exit code 2', async () => {
    const dir = await tempDir('ripple-study-cli-');
    await writeFile(join(dir, 's.yaml'), 'name: m\nrequiresData: ../shared/data/x\ngraphs: [{name: g, file: absent.txt}]\nmodels: [{model: ic}]\nseeds: [{strategy: random, k: 1}]\n');
    const r = await run([join(root, 'dist', 'scripts', 'study.js'), join(dir, 's.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: study s\.yaml cannot run: graphs\[0\]\.file: .*absent\.txt not found\. This study needs \.\.\/shared\/data\/x\.\n$/);
    const bad = await run([join(root, 'bin', 'ripple.js'), 'study', join(dir, 'nope.yaml')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^ripple: .*nope\.yaml: cannot read the study file \(ENOENT\)/);
  });
});
