import { execFileSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { mkdtemp, open, readdir, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { buildApp } from '../src/api/app.js';
import { loadConfig } from '../src/config.js';
import { FileStore } from '../src/store/file-store.js';
import { snapshotGraphs, startAbuseServer } from './abuse-helper.js';
import { smallGraph } from './helper.js';

/** A small tmpfs (needs root and mount(2)), or undefined when this machine cannot mount one. */
function mountTmpfs(dir: string, size: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Fill the file system of `dir` to the last byte. */
async function fill(dir: string): Promise<void> {
  const h = await open(join(dir, `filler-${Date.now()}`), 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) await h.write(chunk);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  }
  const small = Buffer.alloc(512, 1);
  try {
    for (;;) await h.write(small);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    await h.close();
  }
}

function bigGraph(name: string, n = 4000) {
  return { name, ties: Array.from({ length: n }, (_, i) => ({ source: `customer-${i}`, target: `customer-${i + 1}`, channel: `channel-${i % 50}` })) };
}

const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** Abuse class: full disks. 507, nothing partial, DELETE and start-up still work. */
describe('abuse: full disk', () => {
  it('on a full tmpfs: writes answer 507 leaving nothing partial, DELETE works, start-up works', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'ripple-fulldisk-'));
    if (!mountTmpfs(dir, '3m')) {
      console.log('abuse-disk: cannot mount a tmpfs here (needs root): the full-disk case runs with an injected ENOSPC only');
      await rm(dir, { recursive: true, force: true });
      t.skip();
      return;
    }
    onTestFinished(async () => {
      execFileSync('umount', ['-l', dir]);
      await rm(dir, { recursive: true, force: true });
    });
    const data = join(dir, 'data');
    let s = await startAbuseServer({}, { dir: data });
    const doomed = await fetch(`${s.url}/graphs`, json(smallGraph('doomed')));
    expect(doomed.status).toBe(201);
    const doomedId = ((await doomed.json()) as { id: string }).id;
    const before = await s.snapshot();
    await fill(dir);
    expect((await statfs(dir)).bavail).toBe(0);

    const created = await fetch(`${s.url}/graphs`, json(bigGraph('too big')));
    expect(created.status).toBe(507);
    expect(created.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await created.json()).toMatchObject({ status: 507, code: 'insufficient-storage', detail: expect.stringMatching(/disk space/) });
    expect(await s.snapshot()).toEqual(before); // no staging directory, no partial data file

    const replaced = await fetch(`${s.url}/graphs/${s.graphId}`, { ...json(bigGraph('bigger')), method: 'PUT' });
    expect(replaced.status).toBe(507);
    expect(await s.snapshot()).toEqual(before);
    const upload = await fetch(`${s.url}/graphs/import?format=edgelist&name=up`, {
      method: 'POST', headers: { 'content-type': 'text/plain' }, body: Array.from({ length: 20000 }, (_, i) => `${i} ${i + 1}`).join('\n'),
    });
    expect(upload.status).toBe(507);
    expect(await s.snapshot()).toEqual(before);

    // DELETE with zero bytes free (the lock file fits thanks to the store's reserve).
    expect((await statfs(dir)).bavail).toBe(0);
    const del = await fetch(`${s.url}/graphs/${doomedId}`, { method: 'DELETE' });
    expect(del.status, del.status === 204 ? '' : await del.text()).toBe(204);
    const after = new Map([...before].filter(([k]) => !k.includes(doomedId)));
    expect(await s.snapshot()).toEqual(after);
    await s.expectSurvived(after);

    // Fill again and restart on the full disk: the store opens, the kept graph is served.
    await fill(dir);
    await s.app.close();
    await s.store.close();
    const store = await FileStore.open(data);
    const app = await buildApp(loadConfig({ RIPPLE_DATA_DIR: data, RIPPLE_DEMO: 'false', LOG_LEVEL: 'silent' }), { store, pool: null });
    try {
      expect((await app.inject(`/graphs/${s.graphId}`)).statusCode).toBe(200);
      expect((await app.inject({ method: 'POST', url: '/graphs', payload: bigGraph('still full') })).statusCode).toBe(507);
      expect(await snapshotGraphs(data)).toEqual(after);
    } finally {
      await app.close();
      await store.close();
    }
    s = undefined as never;
  });

  it('with an injected ENOSPC: 507 problem+json, no partial file, DELETE retries with the reserve, the store reopens', async () => {
    const s = await startAbuseServer({}, {});
    const doomed = ((await (await fetch(`${s.url}/graphs`, json(smallGraph('doomed')))).json()) as { id: string }).id;
    const before = await s.snapshot();
    const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28 });
    const realOpen = fsp.open.bind(fsp);
    // Every data file written under the store fails half-way (after some bytes reached the disk).
    const spyOpen = vi.spyOn(fsp, 'open').mockImplementation(async (file, flags, mode) => {
      const h = await realOpen(file, flags, mode);
      if (flags === 'wx' && String(file).startsWith(s.dir)) {
        h.writeFile = async (d: Parameters<typeof h.writeFile>[0]) => {
          await h.write(Buffer.from(typeof d === 'string' ? d : (d as Uint8Array).subarray(0, 100)).subarray(0, 100));
          throw enospc();
        };
      }
      return h;
    });
    const realWriteFile = fsp.writeFile.bind(fsp);
    let lockFailures = 0;
    const spyWrite = vi.spyOn(fsp, 'writeFile').mockImplementation(async (file, d, o) => {
      if (String(file).includes(join(s.dir, 'locks')) && lockFailures++ === 0) throw enospc();
      return realWriteFile(file, d, o);
    });
    try {
      const res = await fetch(`${s.url}/graphs`, json(bigGraph('x', 100)));
      expect(res.status).toBe(507);
      expect(await res.json()).toMatchObject({ code: 'insufficient-storage' });
      expect(await s.snapshot()).toEqual(before);
      const put = await fetch(`${s.url}/graphs/${s.graphId}`, { ...json(bigGraph('y', 100)), method: 'PUT' });
      expect(put.status).toBe(507);
      expect(await s.snapshot()).toEqual(before);
      expect((await readdir(join(s.dir, 'graphs', s.graphId))).filter((n) => !n.startsWith('current') && !n.endsWith('.rgb'))).toEqual([]);
      const del = await fetch(`${s.url}/graphs/${doomed}`, { method: 'DELETE' });
      expect(del.status, del.status === 204 ? '' : await del.text()).toBe(204);
      expect(lockFailures).toBeGreaterThanOrEqual(2); // failed once, retried after giving up the reserve
    } finally {
      spyOpen.mockRestore();
      spyWrite.mockRestore();
    }
    const after = new Map([...before].filter(([k]) => !k.includes(doomed)));
    await s.expectSurvived(after);
    const reopened = await FileStore.open(s.dir);
    expect((await reopened.list()).map((g) => g.id)).toEqual([s.graphId]);
    await reopened.close();
  });
});
