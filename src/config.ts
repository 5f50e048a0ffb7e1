import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { AppError } from './errors.js';
import { CENTRALITY_ENGINES, parseCentralityEngine, type CentralityEngine } from './influence/centrality/engine-setting.js';

/**
 * Configuration (DESIGN §8): read from the environment once, validated with zod, frozen and passed in.
 * Nothing reads `process.env` after this. A bad value stops start-up with a message naming the variable.
 * There are no secret defaults: Neo4j credentials and API keys must be given explicitly.
 */

/** A configuration value that is not acceptable. The message names the variable. */
export class ConfigError extends AppError {
  constructor(message: string) {
    super(message, { statusCode: 400, code: 'bad-config' });
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const UNITS = new Map<string, number>([
  ['', 1], ['b', 1],
  ['k', 1024], ['kb', 1024], ['kib', 1024],
  ['m', 1024 ** 2], ['mb', 1024 ** 2], ['mib', 1024 ** 2],
  ['g', 1024 ** 3], ['gb', 1024 ** 3], ['gib', 1024 ** 3],
]);

/** "10MB", "512 mb", "1.5GiB", "1048576" -> bytes (KB/MB/GB are powers of 1024). */
export function parseBytes(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = UNITS.get(m[2].toLowerCase());
  if (unit === undefined) return undefined;
  const n = Math.floor(Number(m[1]) * unit);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

const bytes = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((s, ctx) => {
      const n = parseBytes(s);
      if (n === undefined) {
        ctx.addIssue({ code: 'custom', message: `must be a size in bytes such as 1048576, 10MB or 1GB (got ${JSON.stringify(s)})` });
        return z.NEVER;
      }
      return n;
    });

const bool = (fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (s === undefined || s.trim() === '') return fallback;
      const v = s.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off'].includes(v)) return false;
      ctx.addIssue({ code: 'custom', message: `must be true or false (got ${JSON.stringify(s)})` });
      return z.NEVER;
    });

const int = (fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (s === undefined || s.trim() === '') return fallback;
      const n = Number(s);
      if (!/^\s*\d+\s*$/.test(s) || !Number.isSafeInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be an integer from ${min} to ${max} (got ${JSON.stringify(s)})` });
        return z.NEVER;
      }
      return n;
    });

/** A size in bytes, or unset/0 = no limit (0 in the result). */
function optionalBytes(s: string | undefined, ctx: z.RefinementCtx): number {
  if (s === undefined || s.trim() === '' || s.trim() === '0') return 0;
  const n = parseBytes(s);
  if (n === undefined) {
    ctx.addIssue({ code: 'custom', message: `must be a size in bytes such as 1073741824, 1GB, or 0 for no limit (got ${JSON.stringify(s)})` });
    return z.NEVER;
  }
  return n;
}

const optionalText = z
  .string()
  .optional()
  .transform((s) => (s === undefined || s.trim() === '' ? undefined : s));

/**
 * Default work budget of a synchronous request, in estimated arcs examined (runs × arcs for a simulation, n·m for
 * all-sources centrality, …: see src/api/budget.ts). 250M keeps a 1000-run simulation on the demo graph (18k arcs:
 * 18M) and on ego-Facebook (176k arcs: 176M, ~0.12 s on 2 cores) and IMM k=10 on the demo graph (~208M, ~0.4 s)
 * synchronous; exact betweenness on ego-Facebook (713M, ~2.6 s) becomes a job (202).
 */
export const DEFAULT_SYNC_BUDGET = 250_000_000;

/** The environment variables Ripple reads, with defaults. */
export const envSchema = z
  .object({
    PORT: int(3000, 0, 65535),
    HOST: z.string().trim().min(1).default('127.0.0.1'),
    RIPPLE_DATA_DIR: z.string().trim().min(1).default('./data'),
    RIPPLE_STORE: z.enum(['file', 'neo4j']).default('file'),
    NEO4J_URI: optionalText,
    NEO4J_USER: optionalText,
    NEO4J_PASSWORD: optionalText,
    NEO4J_DATABASE: optionalText,
    // Neo4j store tuning (src/store/neo4j-store.ts): rows per write transaction, lease of a write in progress.
    NEO4J_BATCH_SIZE: int(50_000, 1, 10_000_000),
    NEO4J_WRITE_LEASE_MS: int(60_000, 100, 86_400_000),
    RIPPLE_WORKERS: z.string().optional(),
    RIPPLE_API_KEYS: optionalText,
    LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
    RIPPLE_BODY_LIMIT: bytes('10MB'),
    RIPPLE_UPLOAD_LIMIT: bytes('512MB'),
    RIPPLE_DEMO: bool(true),
    // Hard edges (src/api/hardening.ts).
    RIPPLE_CORS_ORIGINS: optionalText,
    RIPPLE_RATE_LIMIT: int(0, 0, 1_000_000_000),
    RIPPLE_UNDER_PRESSURE: bool(true),
    RIPPLE_MAX_EVENT_LOOP_DELAY: int(1000, 0, 3_600_000),
    RIPPLE_MAX_EVENT_LOOP_UTILIZATION: z
      .string()
      .optional()
      .transform((s, ctx) => {
        if (s === undefined || s.trim() === '') return 0;
        const n = Number(s);
        if (!Number.isFinite(n) || n < 0 || n > 1) {
          ctx.addIssue({ code: 'custom', message: `must be a number from 0 to 1 (got ${JSON.stringify(s)})` });
          return z.NEVER;
        }
        return n;
      }),
    RIPPLE_MAX_HEAP: z.string().optional().transform((s, ctx) => optionalBytes(s, ctx)),
    RIPPLE_MAX_RSS: z.string().optional().transform((s, ctx) => optionalBytes(s, ctx)),
    RIPPLE_MAX_IN_FLIGHT: int(256, 0, 1_000_000),
    RIPPLE_RETRY_AFTER: int(5, 1, 86_400),
    RIPPLE_SYNC_BUDGET: int(DEFAULT_SYNC_BUDGET, 0, Number.MAX_SAFE_INTEGER),
    RIPPLE_MAX_GZIP_RATIO: int(100, 1, 100_000),
    RIPPLE_MAX_RESULT_BYTES: bytes('64MB'),
    RIPPLE_MAX_REQUEST_MEMORY: bytes('1GB'),
    RIPPLE_JOB_RESULTS_BYTES: bytes('256MB'),
    RIPPLE_MAX_XML_ELEMENTS: int(1_000_000, 1, 1_000_000_000),
    RIPPLE_IMPORT_HEAP: int(3072, 64, 1_048_576),
    RIPPLE_MAX_XML_DEPTH: int(64, 2, 10_000),
    // Failed authentications per client IP per minute before 429 (src/api/auth.ts); 0 = no limit.
    RIPPLE_AUTH_FAIL_LIMIT: int(20, 0, 1_000_000),
    // Slow clients (src/api/slow-clients.ts): all in milliseconds except the rate.
    RIPPLE_HEADERS_TIMEOUT: int(10_000, 1, 3_600_000),
    RIPPLE_REQUEST_TIMEOUT: int(600_000, 0, 86_400_000),
    RIPPLE_KEEP_ALIVE_TIMEOUT: int(5_000, 1, 3_600_000),
    RIPPLE_BODY_TIMEOUT: int(10_000, 1, 3_600_000),
    RIPPLE_BODY_MIN_RATE: int(1024, 0, 1_000_000_000),
    RIPPLE_MAX_RECEIVING: int(64, 0, 1_000_000),
    // Scale-out (src/distributed/): unset RIPPLE_REDIS_URL = in-process jobs.
    RIPPLE_REDIS_URL: optionalText.refine((s) => s === undefined || /^rediss?:\/\//.test(s), 'must be a redis:// or rediss:// URL'),
    RIPPLE_REDIS_PREFIX: z.string().trim().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 letters, digits, _ . -').default('ripple'),
    RIPPLE_CHUNKS: int(32, 1, 4096),
    RIPPLE_CHUNK_LOCK_MS: int(10_000, 1000, 600_000),
    RIPPLE_JOB_TTL: int(900, 1, 30 * 86_400),
    RIPPLE_MAX_QUEUED: int(32, 0, 1_000_000),
    RIPPLE_MAX_WAIT: int(60, 0, 3600),
    CENTRALITY_ENGINE: z
      .string()
      .optional()
      .transform((s, ctx): CentralityEngine => {
        try {
          return parseCentralityEngine(s);
        } catch {
          ctx.addIssue({ code: 'custom', message: `must be one of ${CENTRALITY_ENGINES.join(', ')} (got ${JSON.stringify(s)})` });
          return z.NEVER;
        }
      }),
  })
  .superRefine((env, ctx) => {
    if (env.RIPPLE_STORE !== 'neo4j') return;
    for (const key of ['NEO4J_URI', 'NEO4J_USER', 'NEO4J_PASSWORD'] as const) {
      if (env[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'is required when RIPPLE_STORE=neo4j' });
    }
  });

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  store: 'file' | 'neo4j';
  neo4j: { uri?: string; user?: string; password?: string; database?: string };
  /**
   * Neo4j store tuning: rows per write transaction (NEO4J_BATCH_SIZE, 50 000) and the lease of a write in progress
   * (NEO4J_WRITE_LEASE_MS, 60 000: a write whose process died is removed by the sweep once its lease ran out).
   */
  neo4jOptions: { batchSize: number; deleteBatchSize: number; writeLeaseMs: number };
  /** Worker threads for simulations and centrality (>= 1). */
  workers: number;
  /** Accepted API keys; empty = no authentication. */
  apiKeys: readonly string[];
  logLevel: LogLevel;
  /** Largest JSON request body, in bytes. */
  bodyLimit: number;
  /** Largest raw upload (as sent, possibly gzip-compressed), in bytes. Decompressed content may be 4x this. */
  uploadLimit: number;
  /** Import the demo graph when the store is empty at start-up. */
  demo: boolean;
  /** Origins allowed by CORS (RIPPLE_CORS_ORIGINS, comma-separated; `*` = any); empty = CORS off. */
  corsOrigins: readonly string[];
  /** Requests per minute per API key (per client IP without keys); 0 = no rate limit (RIPPLE_RATE_LIMIT). */
  rateLimit: number;
  /** Load shedding (503 + Retry-After); every limit 0 = that check off. */
  pressure: {
    enabled: boolean;
    /** Mean event-loop delay in ms (RIPPLE_MAX_EVENT_LOOP_DELAY, default 1000). */
    maxEventLoopDelay: number;
    /** Event-loop utilisation 0..1 over each 250 ms sample (RIPPLE_MAX_EVENT_LOOP_UTILIZATION, default 0 = off: a saturated but healthy loop reads ~1). */
    maxEventLoopUtilization: number;
    /** V8 heap used, bytes (RIPPLE_MAX_HEAP, default 0 = off). */
    maxHeapUsedBytes: number;
    /** Resident set size, bytes (RIPPLE_MAX_RSS, default 0 = off). */
    maxRssBytes: number;
    /** Requests being served at once, beyond which new ones get 503 (RIPPLE_MAX_IN_FLIGHT, default 256). */
    maxInFlight: number;
    /** Seconds sent in Retry-After with a 503 (RIPPLE_RETRY_AFTER, default 5). */
    retryAfterSeconds: number;
  };
  /** Work (estimated arcs examined) above which an API request becomes a job: 202 (RIPPLE_SYNC_BUDGET). */
  syncBudget: number;
  /** Gzip uploads: decompressed bytes ≤ this × compressed bytes received (+1 MiB) (RIPPLE_MAX_GZIP_RATIO, default 100). */
  maxGzipRatio: number;
  /** Memory budget (src/api/budget.ts): estimated answer size and memory of one engine request (422 past them), results held by jobs. */
  memory: {
    /** RIPPLE_MAX_RESULT_BYTES (64 MB). */
    maxResultBytes: number;
    /** RIPPLE_MAX_REQUEST_MEMORY (1 GB). */
    maxRequestMemory: number;
    /** RIPPLE_JOB_RESULTS_BYTES (256 MB): finished jobs' results held at once; the oldest are dropped past it. */
    jobResultsBytes: number;
  };
  /** GEXF/GraphML uploads: most elements (RIPPLE_MAX_XML_ELEMENTS, 1,000,000: 413 beyond) and nesting (RIPPLE_MAX_XML_DEPTH, 64: 400 beyond). */
  maxXmlElements: number;
  /** Heap (MB) of the worker thread that parses a large upload (RIPPLE_IMPORT_HEAP, 3072): an upload needing more is a 413. */
  importHeapMb: number;
  maxXmlDepth: number;
  /** Failed authentications per client IP per minute; beyond it 429 (RIPPLE_AUTH_FAIL_LIMIT, default 20; 0 = off). */
  authFailLimit: number;
  /** Timeouts against slow clients (src/api/slow-clients.ts). */
  slowClients: {
    /** ms to receive the request line and headers (RIPPLE_HEADERS_TIMEOUT, 10 s): Node's headersTimeout, 408. */
    headersTimeout: number;
    /** ms to receive a whole request, body included (RIPPLE_REQUEST_TIMEOUT, 10 min; 0 = none): Node's requestTimeout, 408. */
    requestTimeout: number;
    /** ms an idle keep-alive connection is kept (RIPPLE_KEEP_ALIVE_TIMEOUT, 5 s). */
    keepAliveTimeout: number;
    /** Window in ms over which a body must arrive at bodyMinRate (RIPPLE_BODY_TIMEOUT, 10 s). */
    bodyTimeout: number;
    /** Bytes per second a request body must average over every bodyTimeout window (RIPPLE_BODY_MIN_RATE, 1024; 0 = off). */
    bodyMinRate: number;
    /** Requests still receiving their body at once; one more gets 503 (RIPPLE_MAX_RECEIVING, 64; 0 = no cap). */
    maxReceiving: number;
  };
  /**
   * Where centrality runs (CENTRALITY_ENGINE, default local): `gds` in Neo4j with the GDS plugin (Neo4j store only),
   * `auto` in Neo4j for graphs of GDS_AUTO_THRESHOLD customers + arcs or more when GDS is installed.
   */
  centralityEngine: CentralityEngine;
  /** Jobs (src/jobs, src/distributed): in-process, or shared through Redis when `redis.url` is set. */
  jobs: {
    /** How long a finished job and its result are kept, in ms (RIPPLE_JOB_TTL seconds, default 900). */
    ttlMs: number;
    /** Jobs waiting beyond the running ones; one more is a 503 (RIPPLE_MAX_QUEUED, default 32). */
    maxQueued: number;
    /** Longest `Prefer: wait=N` honoured, in seconds (RIPPLE_MAX_WAIT, default 60). */
    maxWaitSeconds: number;
  };
  /** Scale-out through Redis (BullMQ). */
  redis: {
    /** RIPPLE_REDIS_URL; undefined = in-process jobs (the default). */
    url?: string;
    /** Key prefix of every queue and key (RIPPLE_REDIS_PREFIX, default `ripple`). */
    prefix: string;
    /** A fan-out (runs, RR-set batches, centrality sources) of a job submitted here is cut into about this many chunks (RIPPLE_CHUNKS, default 32). */
    chunks: number;
    /** Lock of a chunk or job being worked on; a worker silent this long has its work taken again (RIPPLE_CHUNK_LOCK_MS, default 10000). */
    lockMs: number;
  };
}

/** Flags that override the environment (the CLI's --data-dir, --workers). */
export interface ConfigOverrides {
  dataDir?: string;
  workers?: string | number;
  port?: string | number;
  host?: string;
}

/**
 * Parse the environment (default `process.env`) into a frozen Config. Throws ConfigError naming the first
 * bad variable(s), e.g. `RIPPLE_WORKERS: must be an integer from 1 to 1024 (got "many")`.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env, overrides: ConfigOverrides = {}): Readonly<Config> {
  const input: Record<string, string | undefined> = { ...env };
  if (overrides.dataDir !== undefined) input.RIPPLE_DATA_DIR = overrides.dataDir;
  if (overrides.workers !== undefined) input.RIPPLE_WORKERS = String(overrides.workers);
  if (overrides.port !== undefined) input.PORT = String(overrides.port);
  if (overrides.host !== undefined) input.HOST = overrides.host;
  // Blank variables count as unset (a `FOO=` line in a .env file).
  for (const [k, v] of Object.entries(input)) if (v !== undefined && v.trim() === '') input[k] = undefined;

  const parsed = envSchema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.') || 'environment'}: ${i.message}`);
    throw new ConfigError(`invalid configuration: ${lines.join('; ')}`);
  }
  const e = parsed.data;
  const cores = Math.max(1, availableParallelism());
  const workers = int(cores, 1, 1024).safeParse(e.RIPPLE_WORKERS);
  if (!workers.success) {
    const flag = overrides.workers !== undefined ? '--workers' : 'RIPPLE_WORKERS';
    throw new ConfigError(`invalid configuration: ${flag}: ${workers.error.issues[0].message}`);
  }
  const apiKeys = (e.RIPPLE_API_KEYS ?? '').split(',').map((k) => k.trim()).filter((k) => k.length > 0);
  // Fail closed: a variable that is set but names no key (",", " , ") is a typo, not "no authentication".
  if (e.RIPPLE_API_KEYS !== undefined && apiKeys.length === 0) {
    throw new ConfigError(`invalid configuration: RIPPLE_API_KEYS: is set but lists no key (got ${JSON.stringify(e.RIPPLE_API_KEYS)}); unset it to turn authentication off`);
  }
  return deepFreeze({
    port: e.PORT,
    host: e.HOST,
    dataDir: e.RIPPLE_DATA_DIR,
    store: e.RIPPLE_STORE,
    neo4j: { uri: e.NEO4J_URI, user: e.NEO4J_USER, password: e.NEO4J_PASSWORD, database: e.NEO4J_DATABASE },
    neo4jOptions: { batchSize: e.NEO4J_BATCH_SIZE, deleteBatchSize: e.NEO4J_BATCH_SIZE, writeLeaseMs: e.NEO4J_WRITE_LEASE_MS },
    workers: workers.data,
    apiKeys,
    logLevel: e.LOG_LEVEL,
    bodyLimit: e.RIPPLE_BODY_LIMIT,
    uploadLimit: e.RIPPLE_UPLOAD_LIMIT,
    demo: e.RIPPLE_DEMO,
    corsOrigins: (e.RIPPLE_CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter((o) => o.length > 0),
    rateLimit: e.RIPPLE_RATE_LIMIT,
    pressure: {
      enabled: e.RIPPLE_UNDER_PRESSURE,
      maxEventLoopDelay: e.RIPPLE_MAX_EVENT_LOOP_DELAY,
      maxEventLoopUtilization: e.RIPPLE_MAX_EVENT_LOOP_UTILIZATION,
      maxHeapUsedBytes: e.RIPPLE_MAX_HEAP,
      maxRssBytes: e.RIPPLE_MAX_RSS,
      maxInFlight: e.RIPPLE_MAX_IN_FLIGHT,
      retryAfterSeconds: e.RIPPLE_RETRY_AFTER,
    },
    syncBudget: e.RIPPLE_SYNC_BUDGET,
    authFailLimit: e.RIPPLE_AUTH_FAIL_LIMIT,
    maxGzipRatio: e.RIPPLE_MAX_GZIP_RATIO,
    memory: { maxResultBytes: e.RIPPLE_MAX_RESULT_BYTES, maxRequestMemory: e.RIPPLE_MAX_REQUEST_MEMORY, jobResultsBytes: e.RIPPLE_JOB_RESULTS_BYTES },
    maxXmlElements: e.RIPPLE_MAX_XML_ELEMENTS,
    importHeapMb: e.RIPPLE_IMPORT_HEAP,
    maxXmlDepth: e.RIPPLE_MAX_XML_DEPTH,
    slowClients: {
      headersTimeout: e.RIPPLE_HEADERS_TIMEOUT,
      requestTimeout: e.RIPPLE_REQUEST_TIMEOUT,
      keepAliveTimeout: e.RIPPLE_KEEP_ALIVE_TIMEOUT,
      bodyTimeout: e.RIPPLE_BODY_TIMEOUT,
      bodyMinRate: e.RIPPLE_BODY_MIN_RATE,
      maxReceiving: e.RIPPLE_MAX_RECEIVING,
    },
    centralityEngine: e.CENTRALITY_ENGINE,
    jobs: { ttlMs: e.RIPPLE_JOB_TTL * 1000, maxQueued: e.RIPPLE_MAX_QUEUED, maxWaitSeconds: e.RIPPLE_MAX_WAIT },
    redis: { url: e.RIPPLE_REDIS_URL, prefix: e.RIPPLE_REDIS_PREFIX, chunks: e.RIPPLE_CHUNKS, lockMs: e.RIPPLE_CHUNK_LOCK_MS },
  });
}

function deepFreeze<T extends object>(o: T): Readonly<T> {
  for (const v of Object.values(o)) if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) deepFreeze(v as object);
  return Object.freeze(o);
}
