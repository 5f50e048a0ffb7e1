import { randomBytes } from 'node:crypto';
import { constants as fsc, promises as fs } from 'node:fs';
import path from 'node:path';
import { NotFoundError, ConflictError, AppError, InsufficientStorageError, isDiskFull } from '../errors.js';
import type { GraphData } from '../graph/model.js';
import { decodeGraphAsync, encodeGraphAsync } from './codec-thread.js';
import { LOCK_TEMP, pidAlive, tryWithLock, withLock } from './file-lock.js';
import type { GraphStore, GraphSummary } from './types.js';

/**
 * The embedded store: one directory, no server. Layout under `dir`:
 *
 *   graphs/<id>/current.json       the pointer: {format, summary, file}; replaced only by rename
 *   graphs/<id>/v<ver>-<hex>.rgb   immutable data files (codec.ts); the one named in current.json is live
 *   graphs/<id>/.tmp-<hex>         a pointer being written (never read as a graph)
 *   graphs/.staging-<pid>-<hex>/   a create in progress: becomes graphs/<id>/ by one rename
 *   graphs/.trash-<hex>/           a delete in progress
 *   locks/<id>.lock                cross-process writer lock of one graph (file-lock.ts)
 *
 * Only generated ids (`g_` + 16 hex digits) and generated file names ever reach a path; caller ids are
 * checked against that pattern first, names are metadata inside the files.
 *
 * Why a crash cannot tear anything: every file is written to a fresh name, fsynced, and only then made
 * reachable by a rename that is itself made durable by fsyncing the directory.
 * - create: the data file and current.json are written and fsynced inside a staging directory, which is
 *   renamed to graphs/<id>. Before the rename no graph exists; after it, a complete one.
 * - replace: the new data file is written and fsynced under its own new name, then a new current.json
 *   is written to a temp name, fsynced and renamed over the old one. Before that rename readers see the
 *   old version in full, after it the new one; the old data file is removed afterwards.
 * - delete: graphs/<id> is renamed to a trash directory (gone at once), then removed.
 * Leftovers of a crash (staging and trash directories, temp pointers, data files no pointer names) are
 * invisible to readers and removed when a store opens the directory. Cleaning a graph takes its lock, so
 * it never removes a file another live process is still writing.
 *
 * Writers of one graph are serialised (an in-process queue + a lock file across processes), so versions
 * go up by exactly one per replace and `ifVersion` is checked against the version being replaced.
 * Readers take no lock: a reader that read a pointer whose data file was just retired re-reads the pointer.
 *
 * Summaries are cached in memory (`get` is the hot read of the API: every cached route asks for the current
 * version). The cache is shared by every FileStore over the same directory in this process:
 * - this process's own creates, replaces and deletes update it when they complete, so they are seen at once;
 *   a disk read that started before one of them completed is not cached (it may be older);
 * - writes by other processes are seen within `revalidateMs` (default 250 ms): an entry older than that is
 *   re-validated by one `stat` of current.json (inode, size, mtime in ns; a replace renames a new file over
 *   it, so the inode changes), and re-read only when that changed. Concurrent re-validations share one stat.
 *   A replace that finds another version under its lock (a 409) refreshes the entry from disk at once.
 * `load`, `list` and every write read current.json from disk, so the staleness bound applies to `get` only.
 * `revalidateMs: 0` re-validates on every `get` (one stat, no read).
 */

const ID_PATTERN = /^g_[0-9a-f]{16}$/;
const DATA_FILE = /^v(\d+)-[0-9a-f]{16}\.rgb$/;
const POINTER = 'current.json';
const POINTER_FORMAT = 1;
/** Staging directories of creates in flight in this process (any store instance): never cleaned. */
const activeStaging = new Set<string>();

interface Pointer {
  format: number;
  file: string;
  summary: GraphSummary;
}

/** Identity of one current.json on disk: a replace renames a new file over it (new inode, new mtime). */
interface Signature {
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
}

interface CachedSummary {
  summary: GraphSummary;
  sig: Signature;
  /** performance.now() of the last read or stat that confirmed it. */
  checkedAt: number;
  /** A re-validation in flight (concurrent gets share it). */
  checking?: Promise<GraphSummary>;
}

/** The summary cache of one directory, shared by the FileStore instances of this process over it. */
interface SummaryCache {
  entries: Map<string, CachedSummary>;
  /** Bumped by every completed write: a disk read started before it is not cached. */
  writes: number;
}
const summaryCaches = new Map<string, SummaryCache>();

function summaryCacheOf(dir: string): SummaryCache {
  let c = summaryCaches.get(dir);
  if (!c) summaryCaches.set(dir, (c = { entries: new Map(), writes: 0 }));
  return c;
}

function sameSignature(a: Signature, b: Signature): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs;
}

function signatureOf(st: { ino: bigint; size: bigint; mtimeNs: bigint }): Signature {
  return { ino: st.ino, size: st.size, mtimeNs: st.mtimeNs };
}

/** Default bound on how late `get` sees another process's write (ms). */
export const DEFAULT_REVALIDATE_MS = 250;

export interface FileStoreOptions {
  dir: string;
  /** How long a writer waits for another writer of the same graph (default 30 s), then a 503. */
  lockTimeoutMs?: number;
  /**
   * How long a cached summary is trusted before one `stat` re-validates it against other processes' writes
   * (default DEFAULT_REVALIDATE_MS; 0 = stat on every get). This process's own writes are seen at once.
   */
  revalidateMs?: number;
}

function isCode(e: unknown, ...codes: string[]): boolean {
  return typeof e === 'object' && e !== null && codes.includes((e as NodeJS.ErrnoException).code ?? '');
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** Make a rename or unlink in `dir` durable. Directories cannot be fsynced on some platforms: ignore that. */
async function syncDir(dir: string): Promise<void> {
  let h: fs.FileHandle | undefined;
  try {
    h = await fs.open(dir, 'r');
    await h.sync();
  } catch (e) {
    if (!isCode(e, 'EISDIR', 'EPERM', 'EINVAL', 'EACCES')) throw e;
  } finally {
    await h?.close();
  }
}

/** Write a new file (never overwriting) and fsync it. On any failure (a full disk) the partial file is removed. */
async function writeDurable(file: string, data: Uint8Array | string): Promise<void> {
  const h = await fs.open(file, 'wx');
  try {
    await h.writeFile(data);
    await h.sync();
  } catch (e) {
    await h.close().catch(() => undefined);
    await fs.rm(file, { force: true });
    throw e;
  }
  await h.close();
}

/**
 * A file of RESERVE_BYTES kept in the data directory while there is space, removed when a delete meets a full
 * disk: the delete's lock file then fits, and the delete frees far more. Recreated when space allows.
 */
const RESERVE = 'reserve.bin';
const RESERVE_BYTES = 256 * 1024;

function dataFileName(version: number): string {
  return `v${version}-${hex(8)}.rgb`;
}

function summarise(id: string, data: GraphData, version: number, createdAt: string, updatedAt: string): GraphSummary {
  return {
    id, name: data.name, directed: data.directed, version, customers: data.ids.length, ties: data.src.length, createdAt, updatedAt,
    ...(data.stepDuration !== undefined ? { stepDuration: data.stepDuration } : {}),
    ...(data.source !== undefined ? { source: data.source } : {}),
  };
}

/** A timestamp strictly after `prev` (ISO strings compare as times), so updatedAt never goes back. */
function nowAfter(prev?: string): string {
  let t = Date.now();
  if (prev) t = Math.max(t, Date.parse(prev));
  return new Date(t).toISOString();
}

export class FileStore implements GraphStore {
  readonly kind = 'file';
  readonly dir: string;
  private readonly graphsDir: string;
  private readonly locksDir: string;
  private readonly lockTimeoutMs: number;
  private readonly revalidateMs: number;
  private readonly summaries: SummaryCache;
  private readonly pending = new Set<Promise<unknown>>();
  private closed = false;

  constructor(opts: FileStoreOptions) {
    this.dir = path.resolve(opts.dir);
    this.graphsDir = path.join(this.dir, 'graphs');
    this.locksDir = path.join(this.dir, 'locks');
    this.lockTimeoutMs = opts.lockTimeoutMs ?? 30_000;
    this.revalidateMs = Math.max(0, opts.revalidateMs ?? DEFAULT_REVALIDATE_MS);
    this.summaries = summaryCacheOf(this.dir);
  }

  /** Create the directory if needed, clean crash leftovers, and return a ready store. */
  static async open(dir: string, opts: Omit<FileStoreOptions, 'dir'> = {}): Promise<FileStore> {
    const store = new FileStore({ ...opts, dir });
    await store.init();
    return store;
  }

  async init(): Promise<void> {
    await fs.mkdir(this.graphsDir, { recursive: true });
    await fs.mkdir(this.locksDir, { recursive: true });
    await this.cleanup();
    await this.keepReserve();
  }

  /** Create the reserve file if it is missing and the disk has room (best effort, never an error). */
  private async keepReserve(): Promise<void> {
    const file = path.join(this.dir, RESERVE);
    try {
      if ((await fs.stat(file)).size === RESERVE_BYTES) return;
    } catch {
      /* missing */
    }
    const tmp = `${file}.${process.pid}-${hex(4)}.tmp`;
    try {
      await writeDurable(tmp, new Uint8Array(RESERVE_BYTES));
      await fs.rename(tmp, file);
    } catch {
      await fs.rm(tmp, { force: true }).catch(() => undefined);
    }
  }

  private graphDir(id: string): string {
    return path.join(this.graphsDir, id);
  }

  private lockPath(id: string): string {
    return path.join(this.locksDir, `${id}.lock`);
  }

  /** Caller ids touch no path until they match the generated pattern. */
  private checkId(id: unknown): string {
    if (typeof id !== 'string' || !ID_PATTERN.test(id)) throw new NotFoundError(`graph ${JSON.stringify(String(id).slice(0, 80))} not found`);
    return id;
  }

  /** Run an operation unless closed, and remember it until it settles (close() waits for it). */
  private track<T>(op: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new AppError('the graph store is closed', { statusCode: 503, code: 'closed' }));
    const p = op().catch((e: unknown) => {
      if (isDiskFull(e)) throw new InsufficientStorageError(undefined, e);
      throw e;
    });
    this.pending.add(p);
    void p.then(
      () => this.pending.delete(p),
      () => this.pending.delete(p),
    );
    return p;
  }

  private pointerPath(id: string): string {
    return path.join(this.graphDir(id), POINTER);
  }

  /**
   * Read current.json from disk (never the cache) and remember its summary, unless one of this process's
   * writes completed meanwhile (then what was read may be older than the cache).
   */
  private async readPointer(id: string): Promise<Pointer> {
    const writes = this.summaries.writes;
    let text: string;
    let sig: Signature;
    let h: fs.FileHandle | undefined;
    try {
      h = await fs.open(this.pointerPath(id), 'r');
      sig = signatureOf(await h.stat({ bigint: true }));
      text = await h.readFile('utf8');
    } catch (e) {
      if (isCode(e, 'ENOENT', 'ENOTDIR')) {
        if (this.summaries.writes === writes) this.summaries.entries.delete(id);
        throw new NotFoundError(`graph ${id} not found`);
      }
      throw e;
    } finally {
      await h?.close();
    }
    const p = JSON.parse(text) as Pointer;
    if (p.format !== POINTER_FORMAT || typeof p.file !== 'string' || !DATA_FILE.test(p.file) || p.summary?.id !== id) {
      throw new AppError(`graph ${id}: pointer file is not understood`, { statusCode: 500, code: 'corrupt-graph', expose: false });
    }
    if (this.summaries.writes === writes) this.summaries.entries.set(id, { summary: { ...p.summary }, sig, checkedAt: performance.now() });
    return p;
  }

  /** After one of this process's writes made `summary` current: cache it (with the pointer's identity). */
  private async remember(id: string, summary: GraphSummary): Promise<void> {
    this.forget(id);
    let sig: Signature;
    try {
      sig = signatureOf(await fs.stat(this.pointerPath(id), { bigint: true }));
    } catch {
      return; // not cached: the next get reads the disk
    }
    this.summaries.writes++; // a read that started before this point may have seen an older pointer
    this.summaries.entries.set(id, { summary: { ...summary }, sig, checkedAt: performance.now() });
  }

  private forget(id: string): void {
    this.summaries.writes++;
    this.summaries.entries.delete(id);
  }

  /** The cached summary if fresh enough, else one stat (re-read only if current.json changed). */
  private cachedSummary(id: string): GraphSummary | Promise<GraphSummary> {
    const e = this.summaries.entries.get(id);
    if (!e) return this.readPointer(id).then((p) => p.summary);
    if (performance.now() - e.checkedAt < this.revalidateMs) return e.summary;
    if (e.checking) return e.checking;
    const writes = this.summaries.writes;
    const checking = (async () => {
      let st: Signature | undefined;
      try {
        st = signatureOf(await fs.stat(this.pointerPath(id), { bigint: true }));
      } catch (err) {
        if (!isCode(err, 'ENOENT', 'ENOTDIR')) throw err;
      }
      if (st && sameSignature(st, e.sig)) {
        if (this.summaries.writes === writes) e.checkedAt = performance.now();
        return e.summary;
      }
      return (await this.readPointer(id)).summary; // changed or gone (NotFound): the disk decides
    })();
    e.checking = checking;
    void checking.then(
      () => (e.checking = undefined),
      () => (e.checking = undefined),
    );
    return checking;
  }

  private async withGraphLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    return withLock(this.lockPath(id), fn, { timeoutMs: this.lockTimeoutMs, what: `graph ${id}` });
  }

  create(data: GraphData): Promise<GraphSummary> {
    return this.track(() => this.doCreate(data));
  }

  private async doCreate(data: GraphData): Promise<GraphSummary> {
    const bytes = await encodeGraphAsync(data); // a large graph off the event loop (codec-thread.ts)
    const at = nowAfter();
    for (;;) {
      const id = `g_${hex(8)}`;
      const staging = path.join(this.graphsDir, `.staging-${process.pid}-${hex(8)}`);
      activeStaging.add(staging);
      await fs.mkdir(staging);
      try {
        const summary = summarise(id, data, 1, at, at);
        const file = dataFileName(1);
        await writeDurable(path.join(staging, file), bytes);
        await writeDurable(path.join(staging, POINTER), JSON.stringify({ format: POINTER_FORMAT, file, summary } satisfies Pointer));
        await syncDir(staging);
        try {
          await fs.rename(staging, this.graphDir(id));
        } catch (e) {
          if (isCode(e, 'EEXIST', 'ENOTEMPTY')) continue; // 64-bit id collision: draw another
          throw e;
        }
        await syncDir(this.graphsDir);
        await this.remember(id, summary);
        return summary;
      } finally {
        await fs.rm(staging, { recursive: true, force: true });
        activeStaging.delete(staging);
      }
    }
  }

  list(): Promise<GraphSummary[]> {
    return this.track(() => this.doList());
  }

  private async doList(): Promise<GraphSummary[]> {
    const ids = (await fs.readdir(this.graphsDir)).filter((n) => ID_PATTERN.test(n));
    const out: GraphSummary[] = [];
    // A bounded number of pointer reads at a time: thousands of graphs must not exhaust file handles.
    for (let i = 0; i < ids.length; i += 64) {
      const batch = await Promise.all(
        ids.slice(i, i + 64).map((id) =>
          this.readPointer(id).then(
            (p) => p.summary,
            (e: unknown) => {
              if (e instanceof NotFoundError) return null; // deleted meanwhile
              throw e;
            },
          ),
        ),
      );
      for (const s of batch) if (s) out.push(s);
    }
    out.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return out;
  }

  get(id: string): Promise<GraphSummary> {
    return this.track(async () => ({ ...(await this.cachedSummary(this.checkId(id))) }));
  }

  load(id: string): Promise<{ summary: GraphSummary; data: GraphData }> {
    return this.track(async () => this.doLoad(this.checkId(id)));
  }

  private async doLoad(id: string): Promise<{ summary: GraphSummary; data: GraphData }> {
    // A replace may retire the data file between reading the pointer and the file: read the pointer again.
    for (let attempt = 0; ; attempt++) {
      const p = await this.readPointer(id);
      let buf: Buffer;
      try {
        buf = await fs.readFile(path.join(this.graphDir(id), p.file));
      } catch (e) {
        if (isCode(e, 'ENOENT') && attempt < 20) continue;
        if (isCode(e, 'ENOENT')) throw new NotFoundError(`graph ${id} not found`);
        throw e;
      }
      return { summary: p.summary, data: await decodeGraphAsync(buf) }; // a large file off the event loop
    }
  }

  replace(id: string, data: GraphData, opts: { ifVersion?: number } = {}): Promise<GraphSummary> {
    return this.track(async () => {
      const gid = this.checkId(id);
      return this.withGraphLock(gid, () => this.doReplace(gid, data, opts.ifVersion));
    });
  }

  private async doReplace(id: string, data: GraphData, ifVersion: number | undefined): Promise<GraphSummary> {
    const cur = await this.readPointer(id);
    if (ifVersion !== undefined && cur.summary.version !== ifVersion) {
      throw new ConflictError(`graph ${id} is at version ${cur.summary.version}, not ${ifVersion}`);
    }
    const dir = this.graphDir(id);
    const version = cur.summary.version + 1;
    const summary = summarise(id, data, version, cur.summary.createdAt, nowAfter(cur.summary.updatedAt));
    const file = dataFileName(version);
    await writeDurable(path.join(dir, file), await encodeGraphAsync(data));
    const tmp = path.join(dir, `.tmp-${hex(8)}`);
    try {
      await writeDurable(tmp, JSON.stringify({ format: POINTER_FORMAT, file, summary } satisfies Pointer));
      await fs.rename(tmp, path.join(dir, POINTER));
      this.forget(id); // from here the cached summary is old, whatever happens next
    } catch (e) {
      await fs.rm(tmp, { force: true });
      await fs.rm(path.join(dir, file), { force: true });
      throw e;
    }
    await syncDir(dir);
    await this.remember(id, summary);
    await fs.rm(path.join(dir, cur.file), { force: true });
    return summary;
  }

  /** Works on a full disk: when the lock file does not fit, the reserve file is given up to make room. */
  delete(id: string): Promise<void> {
    return this.track(async () => {
      const gid = this.checkId(id);
      try {
        await this.withGraphLock(gid, () => this.doDelete(gid));
      } catch (e) {
        if (!isDiskFull(e)) throw e;
        await fs.rm(path.join(this.dir, RESERVE), { force: true });
        await this.withGraphLock(gid, () => this.doDelete(gid));
        await this.keepReserve(); // the delete freed space: take the reserve back if it fits
      }
    });
  }

  private async doDelete(id: string): Promise<void> {
    await this.readPointer(id); // NotFound when absent
    const trash = path.join(this.graphsDir, `.trash-${hex(8)}`);
    await fs.rename(this.graphDir(id), trash);
    this.forget(id);
    await syncDir(this.graphsDir);
    await fs.rm(trash, { recursive: true, force: true });
  }

  async ready(): Promise<boolean> {
    if (this.closed) return false;
    try {
      await fs.access(this.graphsDir, fsc.R_OK | fsc.W_OK);
      return true;
    } catch {
      return false;
    }
  }

  /** Wait for operations in flight, then refuse new ones. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.pending]);
  }

  /** Remove what crashed writers left behind (see the layout note at the top). */
  private async cleanup(): Promise<void> {
    for (const name of await fs.readdir(this.graphsDir)) {
      const full = path.join(this.graphsDir, name);
      if (name.startsWith('.trash-')) {
        await fs.rm(full, { recursive: true, force: true });
      } else if (name.startsWith('.staging-')) {
        const pid = Number(name.split('-')[1]);
        if (!activeStaging.has(full) && (pid === process.pid || !pidAlive(pid))) await fs.rm(full, { recursive: true, force: true });
      } else if (ID_PATTERN.test(name)) {
        // On a full disk the lock file may not fit: leave the leftovers for the next start rather than not start.
        await tryWithLock(this.lockPath(name), () => this.cleanGraph(name)).catch((e: unknown) => {
          if (!isDiskFull(e)) throw e;
        });
      }
    }
    for (const name of await fs.readdir(this.locksDir)) {
      const m = LOCK_TEMP.exec(name);
      if (m && (Number(m[1]) === process.pid || !pidAlive(Number(m[1])))) await fs.rm(path.join(this.locksDir, name), { force: true });
    }
  }

  private async cleanGraph(id: string): Promise<void> {
    let live: string;
    try {
      live = (await this.readPointer(id)).file;
    } catch (e) {
      if (e instanceof NotFoundError) return;
      throw e;
    }
    const dir = this.graphDir(id);
    for (const name of await fs.readdir(dir)) {
      if (name !== POINTER && name !== live) await fs.rm(path.join(dir, name), { force: true });
    }
  }
}
