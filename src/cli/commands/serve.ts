import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import type { CliContext } from '../context.js';

/** `ripple serve [--port N] [--host H]`: run the HTTP API (same as `npm start`). */
export default function register(program: Command, _ctx: CliContext): void {
  program
    .command('serve')
    .description('run the HTTP API (OpenAPI docs at /docs)')
    .option('--port <n>', 'port (overrides PORT, default 3000)')
    .option('--host <host>', 'interface (overrides HOST, default 127.0.0.1)')
    .action(async (opts: { port?: string; host?: string }, cmd: Command) => {
      const g = cmd.optsWithGlobals<{ dataDir?: string; workers?: string }>();
      const config = loadConfig(process.env, { dataDir: g.dataDir, workers: g.workers, port: opts.port, host: opts.host });
      // Loaded on demand: the other commands do not pay for Fastify's start-up.
      const { startServer } = await import('../../server.js');
      await startServer(config); // logs "Server listening at …"; runs until SIGINT/SIGTERM
    });
}
