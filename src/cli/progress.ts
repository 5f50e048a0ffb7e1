import cliProgress from 'cli-progress';

export interface Progress {
  /** Report `done` of `total` (total may change, e.g. precision mode). */
  update(done: number, total?: number): void;
  stop(): void;
}

const silent: Progress = { update() {}, stop() {} };

/**
 * A progress bar on stderr for long commands (simulate, centrality, study). Only when stderr is a terminal
 * and the output is not --json; otherwise a no-op, so callers never branch.
 */
export function createProgress(opts: { label: string; total: number; json?: boolean; stream?: NodeJS.WriteStream }): Progress {
  const stream = opts.stream ?? process.stderr;
  if (opts.json || !stream.isTTY) return silent;
  const bar = new cliProgress.SingleBar(
    { stream, format: `${opts.label} [{bar}] {percentage}% | {value}/{total} | {duration_formatted}`, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(opts.total, 0);
  let stopped = false;
  return {
    update(done, total) {
      if (stopped) return;
      if (total !== undefined) bar.setTotal(total);
      bar.update(done);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}
