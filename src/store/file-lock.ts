import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.js';

/**
 * A cross-process exclusive lock on one file path, plus an in-process queue in front of it.
 *
 * Taking it: write `{pid, nonce}` to a private temp file, then `link()` it to the lock path. `link`
 * fails with EEXIST when the lock exists, atomically, and the lock file is never seen half-written.
 * A lock whose pid is dead (or is this process's pid but not a nonce this process holds: a previous
 * process with a recycled pid) is stale: it is renamed aside, re-read, and removed only if it is still the
 * stale lock that was judged (two breakers cannot remove a fresh lock taken in between).
 *
 * The in-process queue (module-wide, keyed by the lock path) serialises writers of the same process, so
 * two store instances over one directory in one process behave like two processes.
 */

const queues = new Map<string, Promise<unknown>>();
/** Nonces of file locks held by this process right now. */
const heldNonces = new Set<string>();

export class LockTimeoutError extends AppError {
  constructor(what: string) {
    super(`${what} is busy (another writer holds its lock); try again`, { statusCode: 503, code: 'busy' });
  }
}

export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface LockContent {
  pid: number;
  nonce: string;
}

function parse(text: string): LockContent | null {
  try {
    const v = JSON.parse(text) as LockContent;
    return typeof v.pid === 'number' && typeof v.nonce === 'string' ? v : null;
  } catch {
    return null;
  }
}

function isStale(c: LockContent | null): boolean {
  if (!c) return true; // never written half-way (link of a complete file), so unparseable = damaged
  if (c.pid === process.pid) return !heldNonces.has(c.nonce);
  return !pidAlive(c.pid);
}

async function readText(p: string): Promise<string | null> {
  try {
    return await fs.readFile(p, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** Temp files of lock attempts are named `.<pid>-<nonce>.tmp` in the lock directory. */
export const LOCK_TEMP = /^\.(\d+)-[0-9a-f]+\.tmp$/;

async function breakStale(lockPath: string, seen: string): Promise<void> {
  const aside = `${lockPath}.stale-${randomBytes(6).toString('hex')}`;
  try {
    await fs.rename(lockPath, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else broke it
    throw e;
  }
  const moved = await readText(aside);
  if (moved !== seen) {
    // We moved a lock taken after our judgement: put it back (link fails if yet another exists).
    await fs.link(aside, lockPath).catch(() => undefined);
  }
  await fs.rm(aside, { force: true });
}

async function acquire(lockPath: string, timeoutMs: number, what: string): Promise<() => Promise<void>> {
  const nonce = randomBytes(8).toString('hex');
  const content = JSON.stringify({ pid: process.pid, nonce } satisfies LockContent);
  const tmp = path.join(path.dirname(lockPath), `.${process.pid}-${nonce}.tmp`);
  await fs.writeFile(tmp, content, { flag: 'wx' });
  const deadline = Date.now() + timeoutMs;
  let wait = 2;
  try {
    for (;;) {
      try {
        await fs.link(tmp, lockPath);
        heldNonces.add(nonce);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const seen = await readText(lockPath);
      if (seen === null) continue;
      if (isStale(parse(seen))) {
        await breakStale(lockPath, seen);
        continue;
      }
      if (Date.now() > deadline) throw new LockTimeoutError(what);
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(100, wait * 2);
    }
  } finally {
    await fs.rm(tmp, { force: true });
  }
  return async () => {
    heldNonces.delete(nonce);
    const now = await readText(lockPath);
    if (now === content) await fs.rm(lockPath, { force: true });
  };
}

/**
 * Run `fn` holding the lock at `lockPath`: first the in-process queue, then the file lock.
 * `tryOnly`: give up at once (resolve `undefined`) when the lock is held by a live writer.
 */
export async function withLock<T>(lockPath: string, fn: () => Promise<T>, opts: { timeoutMs?: number; what?: string } = {}): Promise<T> {
  const prev = queues.get(lockPath) ?? Promise.resolve();
  const run = prev.then(async () => {
    const release = await acquire(lockPath, opts.timeoutMs ?? 30_000, opts.what ?? lockPath);
    try {
      return await fn();
    } finally {
      await release();
    }
  });
  const tail = run.catch(() => undefined);
  queues.set(lockPath, tail);
  void tail.then(() => {
    if (queues.get(lockPath) === tail) queues.delete(lockPath);
  });
  return run;
}

/** Like withLock but never waits: undefined when another live writer holds the lock or one is queued here. */
export async function tryWithLock<T>(lockPath: string, fn: () => Promise<T>): Promise<T | undefined> {
  if (queues.has(lockPath)) return undefined;
  try {
    return await withLock(lockPath, fn, { timeoutMs: 0 });
  } catch (e) {
    if (e instanceof LockTimeoutError) return undefined;
    throw e;
  }
}
