import cliProgress from 'cli-progress';

/**
 * Progress of a study over its cells: a cli-progress bar on a TTY; otherwise one plain line at most every
 * `intervalMs` (and at the end), so logs of overnight runs show how far they got.
 *
 * With `work` (an estimate of each cell's work, e.g. runs × arcs) the bar and the ETA follow work, not cells, and
 * move within a cell as its runs finish: a study whose last cells are ten times larger gets an honest ETA.
 * The ETA is measured on this invocation's work only (cells reused from an earlier run do not make it optimistic).
 */
export interface StudyProgress {
  /** `done` cells finished; `what` names the current cell; `work` = work done so far (finished cells + the running cell's share). */
  update(done: number, what?: string, work?: number): void;
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

export interface StudyProgressOptions {
  label: string;
  /** Cells in the study. */
  total: number;
  /** Total estimated work (default: one unit per cell). */
  totalWork?: number;
  unit?: string;
  stream: NodeJS.WritableStream & { isTTY?: boolean };
  intervalMs?: number;
  quiet?: boolean;
  now?: () => number;
}

/** ETA from the work done in this invocation: elapsed / (work − work at the first update) × work left. */
export function workEta(elapsedMs: number, workNow: number, workAtStart: number, totalWork: number): number {
  const doneHere = workNow - workAtStart;
  if (!(doneHere > 0) || elapsedMs <= 0) return NaN;
  return (elapsedMs / doneHere) * Math.max(0, totalWork - workNow);
}

const TICKS = 1000;

export function createStudyProgress(o: StudyProgressOptions): StudyProgress {
  if (o.quiet) return { update() {}, stop() {} };
  const now = o.now ?? (() => performance.now());
  const totalWork = o.totalWork ?? o.total;
  const unit = o.unit ?? 'cells';
  let t0 = NaN;
  let startWork = NaN;
  let cells = 0;
  let work = 0;
  const measure = (done: number, w: number | undefined) => {
    cells = done;
    work = Math.min(totalWork, w ?? (o.totalWork === undefined ? done : work));
    if (Number.isNaN(t0)) {
      t0 = now();
      startWork = work;
    }
    const elapsed = now() - t0;
    return { elapsed, eta: cells >= o.total ? 0 : workEta(elapsed, work, startWork, totalWork), share: totalWork > 0 ? work / totalWork : 1 };
  };
  if (o.stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: o.stream as NodeJS.WriteStream,
        format: `${o.label} [{bar}] {percentage}% | {cells}/${o.total} ${unit} | {elapsed} | ETA {eta} | {what}`,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(TICKS, 0, { what: '', cells: 0, eta: '?', elapsed: '0s' });
    let stopped = false;
    return {
      update(done, what, w) {
        if (stopped) return;
        const m = measure(done, w);
        bar.update(Math.floor(m.share * TICKS), { what: (what ?? '').slice(0, 50), cells: done, eta: formatDuration(m.eta), elapsed: formatDuration(m.elapsed) });
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
  let lastWhat: string | undefined;
  const line = (m: { elapsed: number; eta: number; share: number }, what?: string) => {
    o.stream.write(`${o.label}: ${cells}/${o.total} ${unit} (${Math.floor(100 * m.share)}% of the work), elapsed ${formatDuration(m.elapsed)}, ETA ${formatDuration(m.eta)}${what ? ` — ${what}` : ''}\n`);
  };
  return {
    update(done, what, w) {
      const m = measure(done, w);
      lastWhat = what;
      const t = now();
      if (t - lastAt >= interval) {
        lastAt = t;
        line(m, what);
      }
    },
    stop() {
      line(measure(cells, work), cells < o.total ? lastWhat : undefined);
    },
  };
}
