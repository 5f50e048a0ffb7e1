import { serialize } from 'node:v8';
import { Queue, QueueEvents, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { WorkerPool } from '../workers/pool.js';
import { AppError, CancelledError, NotFoundError } from '../errors.js';
import { settlesWithin } from '../timeout.js';
import { runOp, type OpCall } from '../jobs/ops.js';
import { CentralityEngines } from '../services/centrality-engines.js';
import { CompiledCache, type CompiledEntry } from '../store/compiled-cache.js';
import { createStore } from '../store/index.js';
import type { GraphStore } from '../store/types.js';
import { BlobCache, decode } from './codec.js';
import { bullConnection, connect, names, QUEUE_CHUNKS, QUEUE_JOBS } from './redis.js';
import { ChunkWatcher, failureOf, RemotePool, type ChunkData } from './remote-pool.js';

/**
 * `ripple worker`: a process that takes engine work from Redis. Two BullMQ workers share its threads:
 *
 * - the coordinator takes Ripple jobs (`<prefix>:jobs`): loads the graph by (id, version), runs the
 *   operation (src/jobs/ops.ts) — the very function the API runs in-process — on a RemotePool, and stores the
 *   result for the TTL;
 * - the chunk worker takes pieces of any job (`<prefix>:chunks`) and runs them on RIPPLE_WORKERS threads.
 *
 * Faults: a worker killed mid-chunk stops renewing its locks; BullMQ's stalled-job check (every lockMs / 2)
 * puts the chunk, or the job, back in the queue for another worker (up to 5 times). A cancel (the
 * `<prefix>:cancel` channel) stops the chunks of that job on every worker at once. SIGTERM (close()): the chunks
 * running get `graceMs` to finish, then are handed back (moved to wait) as are the jobs being coordinated.
 */

export interface WorkerProcessOptions {
  log: Logger;
  /** Injected store (tests); default: the configured one, closed with the worker. */
  store?: GraphStore;
  /** How long running chunks may take to finish on close() before they are handed back (default 10 s). */
  graceMs?: number;
}

export interface RippleWorker {
  readonly threads: number;
  /** Chunks and jobs taken so far (for tests and the log). */
  readonly stats: { jobs: number; chunks: number };
  close(): Promise<void>;
}

interface Active {
  rippleJob: string;
  controller: AbortController;
  remote?: RemotePool;
}

const HANDOVER = 'handover';
/**
 * How long close() waits for Redis to answer beyond the grace period before it drops the connections: short when
 * Redis is already away (nothing will answer), generous when it is up but slow (a busy machine), so that the
 * hand-back of running chunks completes instead of being cut off.
 */
const CLOSE_SLACK_MS = 2000;
const CLOSE_SLOW_REDIS_MS = 20_000;


export async function startWorker(config: Readonly<Config>, opts: WorkerProcessOptions): Promise<RippleWorker> {
  const url = config.redis.url;
  if (!url) throw new AppError('ripple worker needs RIPPLE_REDIS_URL (the Redis that the API instances use)', { statusCode: 400, code: 'bad-config' });
  const { log } = opts;
  const prefix = config.redis.prefix;
  const keys = names(prefix);
  const keepMs = Math.max(config.jobs.ttlMs, 3_600_000);
  const lockDuration = config.redis.lockMs;
  const workerOpts = { prefix, lockDuration, stalledInterval: Math.max(500, Math.floor(lockDuration / 2)), maxStalledCount: 5 };

  const ownStore = opts.store === undefined;
  const store = opts.store ?? (await createStore({ store: config.store, dataDir: config.dataDir, neo4j: config.neo4j, neo4jOptions: config.neo4jOptions, logger: log }));
  const cache = new CompiledCache({ store });
  const engines = new CentralityEngines(config.centralityEngine, store);
  const pool = new WorkerPool({ workers: config.workers });
  const conn = connect(url, { blocking: true, name: 'ripple-worker' });
  const sub = connect(url, { blocking: true, name: 'ripple-worker-cancel' });
  const chunkQueue = new Queue(QUEUE_CHUNKS, { connection: conn, prefix });
  const chunkEvents = new QueueEvents(QUEUE_CHUNKS, { connection: bullConnection(url), prefix });
  const watcher = new ChunkWatcher(chunkEvents, chunkQueue, conn, keys);
  const blobs = new BlobCache((h) => conn.getBuffer(keys.blob(h)));
  const stats = { jobs: 0, chunks: 0 };
  const activeChunks = new Map<string, Active>();
  const activeJobs = new Map<string, Active>();
  let closing = false;

  // Say so when Redis cannot be reached (the connections keep retrying), at most every 30 s.
  let lastWarn = 0;
  const warn = (err: Error) => {
    if (closing || Date.now() - lastWarn < 30_000) return;
    lastWarn = Date.now();
    log.warn({ err: err.message, redis: url.replace(/\/\/[^@]*@/, '//***@') }, 'ripple worker: cannot reach Redis, retrying');
  };
  conn.on('error', warn);
  await sub.subscribe(keys.cancelChannel);
  sub.on('message', (_channel: string, message: string) => {
    if (message.startsWith('chunk ')) {
      activeChunks.get(message.slice(6))?.controller.abort(new CancelledError());
      return;
    }
    activeJobs.get(message)?.controller.abort(new CancelledError('cancelled by request'));
    for (const a of activeChunks.values()) if (a.rippleJob === message) a.controller.abort(new CancelledError('cancelled by request'));
  });

  /** The graph at exactly this version, or a clear error (it was replaced or deleted since the job was made). */
  async function graphAt(graphId: string, version: number): Promise<CompiledEntry> {
    let e: CompiledEntry;
    const deadline = Date.now() + 5000;
    for (;;) {
      try {
        e = await cache.get(graphId);
      } catch (err) {
        if (err instanceof NotFoundError) throw new NotFoundError(`graph ${graphId} is not in this worker's store (deleted, or the worker reads another store)`);
        throw err;
      }
      // A file store on a shared volume may show a replace a moment later than the API did.
      if (e.summary.version >= version || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    if (e.summary.version !== version) {
      throw new AppError(
        `graph ${graphId} is at version ${e.summary.version} in this worker's store; the job was made on version ${version}, which cannot be read any more`,
        { statusCode: 409, code: 'graph-version-gone', expose: true },
      );
    }
    return e;
  }

  const cancelled = async (rippleJob: string) => (await conn.exists(keys.cancel(rippleJob))) === 1;

  /** Throw so that BullMQ fails the job at once, with the problem as its reason (no retry: the same input fails the same way). */
  function fail(e: unknown): never {
    const f = failureOf(e);
    if (f.status >= 500 && f.code === 'internal') log.error({ err: e }, 'ripple worker: job failed');
    throw new UnrecoverableError(JSON.stringify(f));
  }

  async function handBack(job: Job, token: string | undefined): Promise<never> {
    await job.moveToWait(token);
    throw new WaitingError();
  }

  const link = (signal: AbortSignal | undefined, controller: AbortController) => {
    if (!signal) return;
    if (signal.aborted) controller.abort(signal.reason);
    else signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
  };

  const coordinator = new Worker(QUEUE_JOBS, async (job: Job, token?: string, signal?: AbortSignal) => {
    stats.jobs++;
    const id = job.id!;
    const data = job.data as { graphId: string; graphVersion: number; op: OpCall; chunks?: number };
    if (await cancelled(id)) fail(new CancelledError('cancelled by request'));
    const controller = new AbortController();
    link(signal, controller);
    const remote = new RemotePool({
      jobId: id, graphId: data.graphId, graphVersion: data.graphVersion, chunks: chunkQueue, watcher, conn, keys, chunkCount: data.chunks ?? config.redis.chunks, keepMs,
    });
    activeJobs.set(id, { rippleJob: id, controller, remote });
    let lastProgress = 0;
    const progress = (fraction: number, info?: object) => {
      const now = Date.now();
      if (now - lastProgress < 200 && fraction < 1) return;
      lastProgress = now;
      void job.updateProgress({ fraction, ...(info ? { info } : {}) }).catch(() => {});
    };
    let handedBack = false;
    try {
      const entry = await graphAt(data.graphId, data.graphVersion);
      const result = await runOp(data.op, entry, { pool: remote, signal: controller.signal, progress, centralityEngines: engines, maxRequestMemory: config.memory.maxRequestMemory });
      await conn.set(keys.result(id), JSON.stringify(result), 'PX', config.jobs.ttlMs);
      return { stored: true, chunks: remote.chunksMade };
    } catch (e) {
      if (controller.signal.reason === HANDOVER) {
        handedBack = true;
        return await handBack(job, token);
      }
      if (controller.signal.aborted || (await cancelled(id))) fail(new CancelledError(activeJobs.get(id) ? 'cancelled by request' : 'cancelled'));
      fail(e);
    } finally {
      activeJobs.delete(id);
      // A handed-back job keeps its chunks: the next coordinator reads the finished ones back.
      if (!handedBack) await remote.cleanup().catch(() => {});
    }
  }, { ...workerOpts, connection: bullConnection(url), concurrency: 2 });

  const chunker = new Worker(QUEUE_CHUNKS, async (job: Job, token?: string, signal?: AbortSignal) => {
    stats.chunks++;
    const d = job.data as ChunkData;
    if (await cancelled(d.job)) fail(new CancelledError('cancelled by request'));
    const controller = new AbortController();
    link(signal, controller);
    activeChunks.set(job.id!, { rippleJob: d.job, controller });
    let last = 0;
    try {
      const entry = await graphAt(d.graphId, d.graphVersion);
      const payload = await decode(d.payload, blobs);
      const result = await pool.run(d.task, entry.graph, payload, {
        signal: controller.signal,
        onProgress: (p) => {
          const now = Date.now();
          if (now - last < 250) return;
          last = now;
          void job.updateProgress(p as object).catch(() => {});
        },
      });
      await conn.set(keys.chunk(job.id!), serialize(result), 'PX', keepMs);
      return { bytes: true };
    } catch (e) {
      if (controller.signal.reason === HANDOVER) return await handBack(job, token);
      fail(controller.signal.aborted ? new CancelledError() : e);
    } finally {
      activeChunks.delete(job.id!);
    }
  }, { ...workerOpts, connection: bullConnection(url), concurrency: pool.size });

  for (const w of [coordinator, chunker]) {
    w.on('error', (err) => {
      if (!closing) log.warn({ err: err.message }, 'ripple worker: redis');
    });
  }
  chunkQueue.on('error', () => {});
  chunkEvents.on('error', () => {});

  return {
    threads: pool.size,
    stats,
    async close() {
      if (closing) return;
      closing = true;
      // Redis away: nothing can be handed back (that is a Redis command), so the running chunks stop at once and
      // their locks lapse; BullMQ's stalled-job check gives them to another worker when Redis is back.
      const redisUp = conn.status === 'ready';
      // Jobs being coordinated go back at once (their finished chunks stay); running chunks get graceMs to finish.
      for (const a of activeJobs.values()) {
        if (a.remote) a.remote.keepChunks = true;
        a.controller.abort(HANDOVER);
      }
      const graceMs = redisUp ? (opts.graceMs ?? 10_000) : 0;
      const grace = setTimeout(() => {
        for (const a of activeChunks.values()) a.controller.abort(HANDOVER);
      }, graceMs);
      // Each Redis-side step is bounded: a BullMQ close waits for its blocking connection, which never answers
      // while Redis is away. Past the bound the connections are dropped instead of closed politely.
      const bound = graceMs + (redisUp ? CLOSE_SLOW_REDIS_MS : CLOSE_SLACK_MS);
      const closed = await settlesWithin(Promise.all([coordinator.close(!redisUp), chunker.close(!redisUp)]), bound);
      clearTimeout(grace);
      watcher.close();
      const quit = await settlesWithin(Promise.allSettled([chunkEvents.close(), chunkQueue.close(), sub.quit(), conn.quit()]), closed ? CLOSE_SLACK_MS : 0);
      if (!redisUp || !closed || !quit) {
        log.warn({ redis: redisUp ? 'slow' : 'unreachable' }, 'ripple worker: Redis did not answer the close; connections dropped');
        for (const c of [conn, sub]) c.disconnect();
        // BullMQ's disconnect() waits for a connection that is never ready while Redis is away: bounded too.
        await settlesWithin(Promise.allSettled([coordinator.disconnect(), chunker.disconnect(), chunkEvents.disconnect(), chunkQueue.disconnect()]), CLOSE_SLACK_MS);
      }
      await pool.close();
      if (ownStore) await store.close();
    },
  };
}
