import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helper.js';

const root = fileURLToPath(new URL('..', import.meta.url));

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: root, env: { PATH: process.env.PATH ?? '', RIPPLE_WORKERS: '2', ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
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
    expect(r.stderr).toMatch(/demo-tiny: 16\/16 cells \(100% of the work\)/); // plain progress lines when stderr is not a TTY
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

  it('npm run study passes the NEO4J_* connection on to a study of stored graphs (RIPPLE_STORE=neo4j)', async () => {
    const dir = await tempDir('ripple-study-cli-');
    await writeFile(join(dir, 's.yaml'), 'name: n\ngraphs: [{name: g, id: g_0123456789abcdef}]\nmodels: [{model: ic}]\nseeds: [{strategy: random, k: 1}]\n');
    // Nothing listens on port 1: the store must try that URI (not claim that NEO4J_URI is missing).
    const env = { RIPPLE_STORE: 'neo4j', NEO4J_URI: 'bolt://127.0.0.1:1', NEO4J_USER: 'neo4j', NEO4J_PASSWORD: 'not-a-real-password' };
    const r = await run([join(root, 'dist', 'scripts', 'study.js'), join(dir, 's.yaml')], env);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/cannot connect to Neo4j at bolt:\/\/127\.0\.0\.1:1/);
    expect(r.stderr).not.toMatch(/not-a-real-password/);
  });
});
