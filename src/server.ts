import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { buildApp, createJobService } from './api/app.js';
import { loadDemoIfEmpty } from './api/demo.js';
import { cleanSpool } from './api/upload.js';
import { loadConfig, type Config } from './config.js';
import { WorkerPool } from './workers/pool.js';
import { isMain } from './is-main.js';

/**
 * Run the API: build the logger and the app (which opens the store), import the demo graph into an empty
 * store, close everything on SIGINT/SIGTERM (close-with-grace -> app.close() -> onClose hooks), listen.
 */
export async function startServer(config: Readonly<Config>): Promise<FastifyInstance> {
  const logger = pino({ level: config.logLevel });
  const stale = await cleanSpool(); // upload spool files of a process that died mid-upload
  if (stale.length > 0) logger.info({ removed: stale.length }, 'removed temporary upload files left by a previous process');
  // Engine work on config.workers threads (started on demand); long work as jobs. Both outlive the app and close after it.
  const pool = new WorkerPool({ workers: config.workers });
  // In-process jobs, or shared ones in Redis (RIPPLE_REDIS_URL): those outlive this process, closing only disconnects.
  const jobs = await createJobService(config, logger);
  const closeEngine = async () => {
    await jobs.close();
    await pool.close();
  };
  let app: FastifyInstance;
  try {
    app = await buildApp(config, { logger, pool, jobs });
  } catch (err) {
    await closeEngine();
    throw err;
  }
  app.addHook('preClose', async () => jobs.close()); // cancel jobs first: their event streams end, the server can drain
  app.addHook('onClose', async () => pool.close());
  closeWithGrace({ delay: 10_000, logger }, async ({ err, signal }) => {
    if (err) app.log.error({ err }, 'shutting down after an error');
    else app.log.info({ signal }, 'shutting down');
    await app.close();
  });
  try {
    if (config.demo) await loadDemoIfEmpty(app.ripple.store, app.log);
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    await app.close();
    throw err;
  }
  return app;
}


if (isMain(import.meta.url)) {
  try {
    await startServer(loadConfig());
  } catch (err) {
    // Start-up failures (bad configuration, unreadable data dir, port in use): one line, no stack.
    console.error(`ripple: ${err instanceof Error ? err.message : String(err)}`);
    if (process.env.RIPPLE_DEBUG === '1' && err instanceof Error) console.error(err.stack);
    process.exit(1);
  }
}
