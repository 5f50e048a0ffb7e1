import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../src/errors.js';
import { GraphBuilder } from '../src/graph/builder.js';
import { CorruptGraphError, decodeGraph, encodeGraph, encodeGraphParallel } from '../src/store/codec.js';
import { FileStore } from '../src/store/file-store.js';
import { createStore } from '../src/store/index.js';
import { describeStoreContract, expectSameData, plainGraph, richGraph } from './store-contract.js';

async function tempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'ripple-store-'));
}

describeStoreContract('FileStore', async () => {
  const dir = await tempDir();
  const store = await FileStore.open(path.join(dir, 'nested', 'data'));
  return { store, cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
});

/** Every file under dir, relative. */
async function walk(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(path.relative(base, full) + '/', ...(await walk(full, base)));
    else out.push(path.relative(base, full));
  }
  return out;
}

/** A pid that certainly belonged to a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('codec', () => {
  it('round-trips with and without compression, and compresses a sorted edge list', () => {
    const b = new GraphBuilder({ name: 'grid', directed: false, source: 'test', format: 'edgelist' });
    for (let i = 0; i < 3000; i++) for (const d of [1, 7, 50]) b.addTie(String(i), String((i + d) % 3000));
    const data = b.finish().data;
    const packed = encodeGraph(data);
    const raw = encodeGraph(data, { level: 0 });
    expectSameData(decodeGraph(packed), data);
    expectSameData(decodeGraph(raw), data);
    expect(raw.length).toBeGreaterThan(data.src.length * 8);
    expect(packed.length).toBeLessThan(raw.length / 3);
    const rich = richGraph();
    expectSameData(decodeGraph(encodeGraph(rich)), rich);
    expectSameData(decodeGraph(encodeGraph(rich, { level: 0 })), rich);
  });

  it('encodes the same bytes on the thread pool; big columns choose their variant on samples and round-trip', async () => {
    const rich = richGraph();
    expect(Buffer.compare(await encodeGraphParallel(rich), encodeGraph(rich))).toBe(0);
    // 1.1M ties: src/dst columns of 4.4 MB, above the size where both variants are deflated in full. Sources in
    // runs (delta wins), targets scattered (plain wins).
    const n = 40_000;
    const m = 1_100_000;
    const src = new Int32Array(m);
    const dst = new Int32Array(m);
    let x = 2463534242;
    for (let j = 0; j < m; j++) {
      src[j] = Math.floor(j / 30);
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      dst[j] = (x >>> 0) % n;
    }
    const data = { ...plainGraph('big', n), src, dst };
    const bytes = await encodeGraphParallel(data);
    expect(Buffer.compare(bytes, encodeGraph(data))).toBe(0);
    expectSameData(decodeGraph(bytes), data);
    const header = JSON.parse(bytes.subarray(16, 16 + bytes.readUInt32LE(12)).toString('utf8')) as { sections: { name: string; delta?: boolean; deflate?: boolean }[] };
    const section = (name: string) => header.sections.find((x) => x.name === name);
    expect(section('src')).toMatchObject({ delta: true, deflate: true });
    expect(section('dst')?.delta).toBeUndefined();
    expect(bytes.length).toBeLessThan(m * 8);
  });

  it('decodes from an unaligned view without aliasing it', () => {
    const data = plainGraph('x', 100);
    const enc = encodeGraph(data, { level: 0 });
    const shifted = new Uint8Array(enc.length + 3);
    shifted.set(enc, 3);
    const view = shifted.subarray(3);
    const dec = decodeGraph(view);
    expectSameData(dec, data);
    view.fill(0);
    expect(dec.src[5]).toBe(data.src[5]);
  });

  it('rejects damaged files with a clear CorruptGraphError', () => {
    const enc = encodeGraph(richGraph());
    const cases: [string, Uint8Array, RegExp][] = [
      ['truncated', enc.subarray(0, enc.length - 10), /checksum/],
      ['tiny', enc.subarray(0, 5), /too short/],
      ['magic', Buffer.concat([Buffer.from('XXXX'), enc.subarray(4)]), /magic/],
      ['flipped', Buffer.from(enc).fill(0x55, 100, 101), /checksum/],
    ];
    const versioned = Buffer.from(enc);
    versioned.writeUInt32LE(99, 8);
    cases.push(['version', versioned, /version 99/]);
    for (const [what, buf, msg] of cases) {
      let err: unknown;
      try {
        decodeGraph(buf);
      } catch (e) {
        err = e;
      }
      expect(err, what).toBeInstanceOf(CorruptGraphError);
      expect((err as Error).message, what).toMatch(msg);
      expect((err as AppError).statusCode).toBe(500);
    }
  });
});

describe('FileStore on disk', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
  });
  async function fresh(): Promise<{ dir: string; store: FileStore }> {
    const dir = await tempDir();
    dirs.push(dir);
    return { dir, store: await FileStore.open(dir) };
  }

  it('puts only generated names on disk, whatever the graph name or ids', async () => {
    const { dir, store } = await fresh();
    const s = await store.create(richGraph({ name: '../../etc/passwd' }));
    await store.replace(s.id, richGraph({ name: '/tmp/evil\0name', salt: 1 }));
    const files = await walk(dir);
    expect(files.sort()).toEqual(['graphs/', `graphs/${s.id}/`, `graphs/${s.id}/current.json`, expect.stringMatching(new RegExp(`^graphs/${s.id}/v2-[0-9a-f]{16}\\.rgb$`)), 'locks/', 'reserve.bin']);
    expect(s.id).toMatch(/^g_[0-9a-f]{16}$/);
    await store.close();
  });

  it('is compact: an edge list of 20k ties takes well under 8 bytes per tie', async () => {
    const { dir, store } = await fresh();
    const b = new GraphBuilder({ name: 'chain', directed: true, source: 'test', format: 'edgelist' });
    for (let i = 0; i < 10_000; i++) {
      b.addTie(String(i), String(i + 1));
      b.addTie(String(i), String(i + 2));
    }
    const s = await store.create(b.finish().data);
    const file = (await walk(dir)).find((f) => f.endsWith('.rgb'))!;
    const size = (await fs.stat(path.join(dir, file))).size;
    expect(size / s.ties).toBeLessThan(4);
    await store.close();
  });

  it('a second store over the same directory sees and serialises the same graphs', async () => {
    const { dir, store } = await fresh();
    const other = await FileStore.open(dir);
    const s = await store.create(plainGraph('shared', 3));
    expect(await other.get(s.id)).toEqual(s);
    const datas = Array.from({ length: 8 }, (_, i) => plainGraph(`w${i}`, i + 1));
    const results = await Promise.all(datas.map((d, i) => (i % 2 ? store : other).replace(s.id, d)));
    expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    const last = results.findIndex((r) => r.version === 9);
    expectSameData((await other.load(s.id)).data, datas[last]);
    await other.close();
    await store.close();
  });

  it('cleans crash leftovers on open and keeps the graph readable', async () => {
    const { dir, store } = await fresh();
    const data = richGraph();
    const s = await store.create(data);
    await store.close();
    const gdir = path.join(dir, 'graphs', s.id);
    const dead = deadPid();
    await fs.mkdir(path.join(dir, 'graphs', `.staging-${dead}-0123456789abcdef`));
    await fs.writeFile(path.join(dir, 'graphs', `.staging-${dead}-0123456789abcdef`, 'current.json'), '{}');
    await fs.mkdir(path.join(dir, 'graphs', '.trash-0123456789abcdef'));
    await fs.writeFile(path.join(gdir, '.tmp-0123456789abcdef'), '{"half');
    await fs.writeFile(path.join(gdir, 'v2-0123456789abcdef.rgb'), 'torn');
    await fs.writeFile(path.join(dir, 'locks', `.${dead}-abcdef.tmp`), 'x');
    const reopened = await FileStore.open(dir);
    expect((await reopened.list()).map((g) => g.id)).toEqual([s.id]);
    expectSameData((await reopened.load(s.id)).data, data);
    const files = await walk(dir);
    expect(files.filter((f) => /staging|trash|\.tmp|v2-/.test(f))).toEqual([]);
    await reopened.close();
  });

  it('recovers a lock left by a dead process, and waits for a live one', async () => {
    const { dir, store } = await fresh();
    const s = await store.create(plainGraph('locked', 2));
    const lock = path.join(dir, 'locks', `${s.id}.lock`);
    await fs.writeFile(lock, JSON.stringify({ pid: deadPid(), nonce: 'dead' }));
    const t0 = Date.now();
    expect((await store.replace(s.id, plainGraph('after', 3))).version).toBe(2);
    expect(Date.now() - t0).toBeLessThan(2000);
    await expect(fs.access(lock)).rejects.toThrow();

    // The parent of this test process is alive: its lock is respected until the timeout (503).
    const busy = await FileStore.open(dir, { lockTimeoutMs: 150 });
    await fs.writeFile(lock, JSON.stringify({ pid: process.ppid, nonce: 'alive' }));
    const err = await busy.replace(s.id, plainGraph('blocked', 1)).catch((e: unknown) => e);
    expect((err as AppError).statusCode).toBe(503);
    expect((await busy.get(s.id)).version).toBe(2);
    await fs.rm(lock);
    expect((await busy.replace(s.id, plainGraph('free', 1))).version).toBe(3);
    await busy.close();
    await store.close();
  });

  it('reports a damaged data file as corrupt, not as a wrong graph', async () => {
    const { dir, store } = await fresh();
    const s = await store.create(plainGraph('bits', 40));
    const file = (await walk(dir)).find((f) => f.endsWith('.rgb'))!;
    const buf = await fs.readFile(path.join(dir, file));
    buf[buf.length - 20] ^= 0xff;
    await fs.writeFile(path.join(dir, file), buf);
    await expect(store.load(s.id)).rejects.toBeInstanceOf(CorruptGraphError);
    await store.close();
  });

  it('a closed store refuses work and is not ready', async () => {
    const { store } = await fresh();
    await store.close();
    expect(await store.ready()).toBe(false);
    await expect(store.list()).rejects.toThrow(/closed/);
  });

  it('createStore opens a file store in a new directory; neo4j without a database fails fast, naming the URI', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    const store = await createStore({ store: 'file', dataDir: path.join(dir, 'd') });
    expect(store.kind).toBe('file');
    expect(await store.ready()).toBe(true);
    await store.close();
    await expect(createStore({ store: 'neo4j', dataDir: dir })).rejects.toThrow('RIPPLE_STORE=neo4j needs NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD');
    await expect(createStore({ store: 'neo4j', dataDir: dir, neo4j: { uri: 'bolt://h:7687', user: 'neo4j' } })).rejects.toThrow(/needs NEO4J_PASSWORD$/);
    // Nothing listens on port 1: the real driver is loaded (dynamic import) and start-up stops with the URI, never the password.
    const t0 = performance.now();
    const err = await createStore({
      store: 'neo4j', dataDir: dir, neo4j: { uri: 'bolt://127.0.0.1:1', user: 'neo4j', password: 'pw-secret-1' }, neo4jOptions: { connectionTimeoutMs: 2000 },
    }).then(() => null, (e: unknown) => e as AppError);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(err).toBeInstanceOf(AppError);
    expect(err!.statusCode).toBe(503);
    expect(err!.message).toMatch(/^cannot connect to Neo4j at bolt:\/\/127\.0\.0\.1:1: /);
    expect(err!.message).not.toContain('pw-secret-1');
  });
});
