import { CommanderError } from 'commander';

/** Exit codes: 0 ok, 1 failure, 2 usage or bad input (a bad flag, a bad file, an unknown graph). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** Cancelled by Ctrl-C (128 + SIGINT). */
export const EXIT_INTERRUPTED = 130;

/** Filesystem errors that mean "the path you gave is wrong", i.e. bad input. */
const INPUT_FS_CODES = new Set(['ENOENT', 'EISDIR', 'ENOTDIR', 'EACCES', 'EPERM']);

/** Exit code for an error: AppError 4xx and commander usage errors -> 2, everything else -> 1. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  const e = err as { statusCode?: unknown; code?: unknown } | null;
  if (e && e.code === 'cancelled') return EXIT_INTERRUPTED;
  if (e && typeof e.statusCode === 'number') return e.statusCode >= 400 && e.statusCode < 500 ? EXIT_USAGE : EXIT_FAILURE;
  if (e && typeof e.code === 'string' && INPUT_FS_CODES.has(e.code)) return EXIT_USAGE;
  return EXIT_FAILURE;
}

/** One line for stderr: `ripple: <message>` (the stack only with RIPPLE_DEBUG=1, on following lines). */
export function formatError(err: unknown, debug = process.env.RIPPLE_DEBUG === '1'): string {
  const message = err instanceof Error ? err.message : String(err);
  const line = `ripple: ${message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ').trim()}`;
  return debug && err instanceof Error && err.stack ? `${line}\n${err.stack}` : line;
}
