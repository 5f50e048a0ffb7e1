import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileStore } from '../src/store/file-store.js';
import { expectSameData } from './store-contract.js';
import { versionGraph } from './fixtures/store/version-graph.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const writer = path.join(root, 'test/fixtures/store/writer.ts');

function startWriter(dir: string, id: string, count = 0): { child: ChildProcess; versions: number[]; done: Promise<number | null>; stderr: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', writer, dir, id, String(count)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const versions: number[] = [];
  let err = '';
  let buf = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => {
    buf += s;
    const lines = buf.split('\n');
    buf = lines.pop()!;
    for (const l of lines) versions.push(Number(l));
  });
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  const done = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, versions, done, stderr: () => err };
}

/** Seeded moments (mulberry32): the test kills at the same places on every run. */
function moments(seed: number, count: number, maxMs: number): number[] {
  let a = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out.push(Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * maxMs));
  }
  return out;
}

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) out.push(path.relative(dir, path.join(e.parentPath, e.name)));
  return out.sort();
}

describe('FileStore under kill -9', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ripple-crash-'));
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('always leaves one complete version, and the next writer carries on', async () => {
    const store = await FileStore.open(dir);
    const { id } = await store.create(versionGraph(1));
    await store.close();
    let lastSeen = 1;
    const kills = moments(20240611, 8, 120);
    for (const [round, delay] of kills.entries()) {
      const w = startWriter(dir, id);
      // Let it write at least once (it also has to break the lock the previous victim left), then kill it mid-stream.
      await until(() => w.versions.length > 0 || w.child.exitCode !== null, 15_000, `writer ${round} to start`);
      expect(w.child.exitCode, w.stderr()).toBe(null);
      await new Promise((r) => setTimeout(r, delay));
      w.child.kill('SIGKILL');
      await w.done;
      const acknowledged = w.versions.at(-1)!;

      // Before any cleanup: exactly one graph is visible, and it is one complete, consistent version.
      const raw = new FileStore({ dir });
      const listed = await raw.list();
      expect(listed.map((g) => g.id)).toEqual([id]);
      const { summary, data } = await raw.load(id);
      expect(summary.version).toBeGreaterThanOrEqual(acknowledged); // every acknowledged write is durable
      expect(summary.version).toBeLessThanOrEqual(acknowledged + 1); // at most the one in flight
      expect(summary.version).toBeGreaterThan(lastSeen);
      expect(summary.name).toBe(`version ${summary.version}`);
      expect(summary.ties).toBe(data.src.length);
      expectSameData(data, versionGraph(summary.version));
      const pointer = JSON.parse(await fs.readFile(path.join(dir, 'graphs', id, 'current.json'), 'utf8')) as { file: string };
      expect(pointer.file).toMatch(new RegExp(`^v${summary.version}-`));
      lastSeen = summary.version;

      // Opening cleans whatever the kill left: the pointer, one data file and nothing else remain.
      const opened = await FileStore.open(dir);
      const left = (await files(dir)).filter((f) => !f.startsWith('locks/') && f !== 'reserve.bin');
      expect(left).toEqual([`graphs/${id}/current.json`, `graphs/${id}/${pointer.file}`]);
      await opened.close();
    }
  }, 60_000);

  it('writers in separate processes serialise: no version is lost or duplicated', async () => {
    const sub = await fs.mkdtemp(path.join(dir, 'multi-'));
    const store = await FileStore.open(sub);
    const { id } = await store.create(versionGraph(1));
    const perWriter = 12;
    const writers = [startWriter(sub, id, perWriter), startWriter(sub, id, perWriter)];
    const codes = await Promise.all(writers.map((w) => w.done));
    expect(codes, writers.map((w) => w.stderr()).join('\n')).toEqual([0, 0]);
    const all = writers.flatMap((w) => w.versions).sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 2 * perWriter }, (_, i) => i + 2));
    const { summary, data } = await store.load(id);
    expect(summary.version).toBe(1 + 2 * perWriter);
    expectSameData(data, versionGraph(summary.version));
    await store.close();
  }, 60_000);
});
