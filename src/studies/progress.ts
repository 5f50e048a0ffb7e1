import cliProgress from 'cli-progress';

/**
 * Progress of a study over its cells: a cli-progress bar with ETA on a TTY; otherwise one plain line at
 * most every `intervalMs` (and at the end), so logs of overnight runs show how far they got.
 */
export interface StudyProgress {
  /** `done` units of `total`; `what` names the current cell. */
  update(done: number, what?: string): void;
  stop(): void;
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function createStudyProgress(o: { label: string; total: number; unit?: string; stream: NodeJS.WritableStream & { isTTY?: boolean }; intervalMs?: number; quiet?: boolean }): StudyProgress {
  if (o.quiet) return { update() {}, stop() {} };
  const t0 = performance.now();
  if (o.stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream: o.stream as NodeJS.WriteStream, format: `${o.label} [{bar}] {value}/{total} ${o.unit ?? 'cells'} | {duration_formatted} | ETA {eta_formatted} | {what}`, hideCursor: true, etaBuffer: 20 },
      cliProgress.Presets.shades_classic,
    );
    bar.start(o.total, 0, { what: '' });
    let stopped = false;
    return {
      update(done, what) {
        if (!stopped) bar.update(done, { what: (what ?? '').slice(0, 50) });
      },
      stop() {
        if (stopped) return;
        stopped = true;
        bar.stop();
      },
    };
  }
  const interval = o.intervalMs ?? 10_000;
  let lastAt = -Infinity;
  let last = 0;
  const line = (done: number, what?: string) => {
    const el = performance.now() - t0;
    const eta = done > 0 ? (el / done) * (o.total - done) : NaN;
    o.stream.write(`${o.label}: ${done}/${o.total} ${o.unit ?? 'cells'} (${o.total ? Math.floor((100 * done) / o.total) : 100}%), elapsed ${formatDuration(el)}, ETA ${formatDuration(eta)}${what ? ` — ${what}` : ''}\n`);
  };
  return {
    update(done, what) {
      last = done;
      const now = performance.now();
      if (now - lastAt >= interval) {
        lastAt = now;
        line(done, what);
      }
    },
    stop() {
      line(last);
    },
  };
}
