import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { InputError } from '../../errors.js';
import type { CliContext } from '../context.js';

/**
 * `ripple worker` (also `npm run worker`): take engine work from Redis (RIPPLE_REDIS_URL) on RIPPLE_WORKERS
 * threads until SIGINT/SIGTERM. Start any number, on any hosts that reach the Redis and the graph store.
 */
export default function register(program: Command, _ctx: CliContext): void {
  program
    .command('worker')
    .description('take engine work (simulations, scenarios, centrality, RR sets) from Redis; needs RIPPLE_REDIS_URL')
    .option('--redis <url>', 'Redis URL (overrides RIPPLE_REDIS_URL)')
    .option('--grace <ms>', 'on SIGTERM, how long running chunks may take to finish before they are handed back', '10000')
    .action(async (opts: { redis?: string; grace: string }, cmd: Command) => {
      const g = cmd.optsWithGlobals<{ dataDir?: string; workers?: string }>();
      const env = { ...process.env, ...(opts.redis ? { RIPPLE_REDIS_URL: opts.redis } : {}) };
      const config = loadConfig(env, { dataDir: g.dataDir, workers: g.workers });
      if (!config.redis.url) throw new InputError('ripple worker needs RIPPLE_REDIS_URL (or --redis URL): the Redis that the API instances use');
      const grace = Number(opts.grace);
      if (!Number.isInteger(grace) || grace < 0) throw new InputError(`--grace must be a whole number of milliseconds, got ${JSON.stringify(opts.grace)}`);
      // Loaded on demand: the other commands do not load BullMQ.
      const { pino } = await import('pino');
      const { startWorker } = await import('../../distributed/worker.js');
      const log = pino({ level: config.logLevel });
      const worker = await startWorker(config, { log, graceMs: grace });
      log.info({ threads: worker.threads, redis: redacted(config.redis.url), prefix: config.redis.prefix, store: config.store }, 'ripple worker ready');
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          log.info({ signal, ...worker.stats }, 'ripple worker stopping: running chunks finish or are handed back');
          void worker.close().then(resolve, (err: unknown) => {
            log.error({ err }, 'ripple worker: close failed');
            resolve();
          });
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
      log.info(worker.stats, 'ripple worker stopped');
      // Everything is closed or dropped; a handle a library still holds must not keep a stopped worker alive.
      setTimeout(() => process.exit(process.exitCode ?? 0), 3000).unref();
    });
}

/** The URL without its password, for the log. */
function redacted(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'redis';
  }
}
