import { describe, expect, it, vi } from 'vitest';
import { AppError, CancelledError, InputError, NotFoundError } from '../src/errors.js';
import { JobManager, QueueFullError, ShuttingDownError, type JobContext, type JobEvent, type JobManagerOptions } from '../src/jobs/index.js';

/** Let queued microtasks and promise callbacks run. */
/**
 * Let settled work finish its bookkeeping: a few turns of the loop, not one — a finished job's result size is counted
 * in slices that yield (one turn sufficed on an idle machine only).
 */
const flush = async () => {
  for (let i = 0; i < 10; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

/** A fake piece of work the test finishes by hand. `obeyAbort`: reject with the signal's reason when aborted (as the worker pool does). */
function work(opts: { obeyAbort?: boolean; value?: unknown } = {}) {
  let resolve!: (v: unknown) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<unknown>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const w = {
    started: 0,
    ctx: undefined as JobContext | undefined,
    aborted: false,
    resolve: (v: unknown = opts.value) => resolve(v),
    reject,
    run: (ctx: JobContext) => {
      w.started++;
      w.ctx = ctx;
      ctx.signal.addEventListener('abort', () => {
        w.aborted = true;
        if (opts.obeyAbort ?? true) reject(ctx.signal.reason);
      });
      return promise;
    },
  };
  return w;
}

function setup(opts: JobManagerOptions = {}) {
  const clock = { t: Date.UTC(2025, 0, 1) };
  let n = 0;
  const jobs = new JobManager({ now: () => clock.t, idGenerator: () => `job-${++n}`, ...opts });
  return { jobs, clock };
}

describe('JobManager: queue and concurrency', () => {
  it('runs at most `concurrency` jobs, starts the rest in FIFO order as slots free up', async () => {
    const { jobs } = setup({ concurrency: 2 });
    const order: number[] = [];
    const ws = Array.from({ length: 5 }, (_, i) => {
      const w = work({ value: i });
      const run = w.run;
      w.run = (ctx) => {
        order.push(i);
        return run(ctx);
      };
      return w;
    });
    const views = ws.map((w, i) => jobs.submit({ kind: 'fake', graphId: 'g', run: w.run }).id + `#${i}`);
    expect(views).toEqual(['job-1#0', 'job-2#1', 'job-3#2', 'job-4#3', 'job-5#4']);
    await flush();
    expect(order).toEqual([0, 1]);
    expect(jobs.get('job-1').state).toBe('running');
    expect(jobs.get('job-3')).toMatchObject({ state: 'queued', queuePosition: 1, startedAt: null });
    expect(jobs.get('job-5').queuePosition).toBe(3);
    expect(jobs.stats()).toMatchObject({ queued: 3, running: 2 });

    ws[1].resolve();
    await flush();
    expect(order).toEqual([0, 1, 2]);
    expect(jobs.get('job-4').queuePosition).toBe(1);
    ws[0].resolve();
    ws[2].resolve();
    await flush();
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(jobs.list({ state: 'running' }).map((j) => j.id)).toEqual(['job-4', 'job-5']);
    ws[3].resolve();
    ws[4].resolve();
    await flush();
    expect(jobs.list().map((j) => j.state)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(jobs.get('job-3').result).toBe(2);
    expect(ws.every((w) => w.started === 1)).toBe(true);
  });

  it('refuses a job beyond maxQueued with 503 and a Retry-After hint from the running ETA', async () => {
    const { jobs, clock } = setup({ concurrency: 1, maxQueued: 1 });
    const a = work();
    jobs.submit({ kind: 'fake', run: a.run });
    jobs.submit({ kind: 'fake', run: work().run });
    await flush();
    clock.t += 10_000;
    a.ctx!.progress(0.5); // 10 s for half -> 10 s left
    let caught: unknown;
    try {
      jobs.submit({ kind: 'fake', run: work().run });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(QueueFullError);
    expect(caught).toBeInstanceOf(AppError);
    expect(caught).toMatchObject({ statusCode: 503, code: 'jobs-queue-full', expose: true, retryAfterSeconds: 10, details: { retryAfterSeconds: 10 } });
    expect(jobs.list()).toHaveLength(2);
  });

  it('with maxQueued 0 accepts only what can start at once', async () => {
    const { jobs } = setup({ concurrency: 1, maxQueued: 0 });
    const a = work();
    jobs.submit({ kind: 'fake', run: a.run });
    expect(() => jobs.submit({ kind: 'fake', run: work().run })).toThrow(QueueFullError);
    a.resolve();
    await flush();
    expect(jobs.submit({ kind: 'fake', run: work().run }).state).toBe('running');
  });
});

describe('JobManager: progress and ETA', () => {
  it('has no ETA before progress, then elapsed × (1 − p) / p; progress clamps, never decreases, ignores NaN', async () => {
    const { jobs, clock } = setup();
    const w = work();
    const start = clock.t;
    const v0 = jobs.submit({ kind: 'sim', run: w.run });
    expect(v0).toMatchObject({ state: 'running', progress: 0, etaMs: null, createdAt: new Date(start).toISOString(), startedAt: new Date(start).toISOString(), finishedAt: null });
    await flush();
    clock.t += 1000;
    expect(jobs.get(v0.id).etaMs).toBeNull();
    w.ctx!.progress(0.25, { runsDone: 250, runs: 1000 });
    expect(jobs.get(v0.id)).toMatchObject({ progress: 0.25, etaMs: 3000, info: { runsDone: 250, runs: 1000 } });
    clock.t += 1000; // no news for a second: the estimate grows with the elapsed time
    expect(jobs.get(v0.id).etaMs).toBe(6000);
    w.ctx!.progress(0.8);
    expect(jobs.get(v0.id).etaMs).toBe(500);
    w.ctx!.progress(0.5); // lower: ignored
    w.ctx!.progress(Number.NaN);
    expect(jobs.get(v0.id).progress).toBe(0.8);
    w.ctx!.progress(7);
    expect(jobs.get(v0.id)).toMatchObject({ progress: 1, etaMs: 0 });
    w.resolve({ reach: 12 });
    await flush();
    clock.t += 500;
    expect(jobs.get(v0.id)).toMatchObject({ state: 'succeeded', progress: 1, etaMs: 0, result: { reach: 12 }, finishedAt: new Date(start + 2000).toISOString() });
    w.ctx!.progress(0.1); // after the end: ignored
    expect(jobs.get(v0.id).progress).toBe(1);
  });

  it('throttles progress events: by step, and by time when only little changed', async () => {
    const { jobs, clock } = setup({ progressStep: 0.25, progressIntervalMs: 100 });
    const w = work();
    const { id } = jobs.submit({ kind: 'sim', run: w.run });
    const events: JobEvent[] = [];
    jobs.subscribe(id, (e) => events.push(e));
    await flush();
    for (let i = 1; i <= 8; i++) w.ctx!.progress(i / 8); // same instant: only every 0.25
    expect(events.map((e) => e.job.progress)).toEqual([0.25, 0.5, 0.75, 1]);
    expect(jobs.get(id).progress).toBe(1);

    const w2 = work();
    const j2 = jobs.submit({ kind: 'sim', run: w2.run });
    const ev2: number[] = [];
    jobs.subscribe(j2.id, (e) => {
      if (e.type === 'progress') ev2.push(e.job.progress);
    });
    w.resolve();
    await flush();
    w2.ctx!.progress(0.01);
    clock.t += 50;
    w2.ctx!.progress(0.02);
    expect(ev2).toEqual([]);
    clock.t += 50; // 100 ms since the start: the pending change goes out
    w2.ctx!.progress(0.03);
    expect(ev2).toEqual([0.03]);
    clock.t += 100;
    w2.ctx!.progress(0.03); // nothing new: nothing sent
    expect(ev2).toEqual([0.03]);
    w2.ctx!.progress(0.03, { phase: 'rr-sets' }); // new info counts as news
    expect(ev2).toEqual([0.03, 0.03]);
  });
});

describe('JobManager: cancellation', () => {
  it('a cancelled queued job never starts', async () => {
    const { jobs } = setup({ concurrency: 1 });
    const a = work();
    const b = work();
    jobs.submit({ kind: 'fake', run: a.run });
    const jb = jobs.submit({ kind: 'fake', run: b.run });
    const v = jobs.cancel(jb.id);
    expect(v).toMatchObject({ state: 'cancelled', error: { status: 499, code: 'cancelled' } });
    expect(v.finishedAt).not.toBeNull();
    expect(b.aborted).toBe(false); // never started, so nobody listened
    expect(jobs.stats()).toMatchObject({ queued: 0, running: 1 });
    a.resolve();
    await flush();
    await flush();
    expect(b.started).toBe(0);
    expect(jobs.get(jb.id).state).toBe('cancelled');
  });

  it('cancelling a running job fires its signal, frees the slot and starts the next', async () => {
    const { jobs } = setup({ concurrency: 1 });
    const a = work();
    const b = work({ value: 'b' });
    const ja = jobs.submit({ kind: 'fake', run: a.run });
    const jb = jobs.submit({ kind: 'fake', run: b.run });
    await flush();
    expect(a.started).toBe(1);
    const v = jobs.cancel(ja.id);
    expect(a.ctx!.signal.aborted).toBe(true);
    expect(a.ctx!.signal.reason).toBeInstanceOf(CancelledError);
    expect(a.aborted).toBe(true);
    expect(v.state).toBe('cancelled');
    await flush();
    expect(b.started).toBe(1);
    expect(jobs.get(jb.id).state).toBe('running');
    b.resolve();
    await flush();
    expect(jobs.get(jb.id)).toMatchObject({ state: 'succeeded', result: 'b' });
    expect(jobs.get(ja.id)).toMatchObject({ state: 'cancelled' });
    expect(jobs.get(ja.id).result).toBeUndefined();
  });

  it('keeps the slot until a run that ignores the signal settles, and drops its late result', async () => {
    const { jobs } = setup({ concurrency: 1 });
    const a = work({ obeyAbort: false, value: 'late' });
    const b = work();
    const ja = jobs.submit({ kind: 'fake', run: a.run });
    jobs.submit({ kind: 'fake', run: b.run });
    await flush();
    jobs.cancel(ja.id);
    await flush();
    expect(b.started).toBe(0);
    expect(jobs.stats().running).toBe(1);
    a.resolve();
    await flush();
    expect(b.started).toBe(1);
    expect(jobs.get(ja.id).state).toBe('cancelled');
    expect(jobs.get(ja.id).result).toBeUndefined();
  });

  it('a run that rejects with CancelledError or an AbortError ends cancelled; cancel of a finished job changes nothing', async () => {
    const { jobs } = setup({ concurrency: 2 });
    const a = work();
    const b = work();
    const ja = jobs.submit({ kind: 'fake', run: a.run });
    const jb = jobs.submit({ kind: 'fake', run: b.run });
    await flush();
    a.reject(new CancelledError('pool closed'));
    const abort = new Error('The operation was aborted');
    abort.name = 'AbortError';
    b.reject(abort);
    await flush();
    expect(jobs.get(ja.id).state).toBe('cancelled');
    expect(jobs.get(jb.id).state).toBe('cancelled');

    const c = work({ value: 3 });
    const jc = jobs.submit({ kind: 'fake', run: c.run });
    c.resolve();
    await flush();
    const before = jobs.get(jc.id);
    expect(jobs.cancel(jc.id)).toEqual(before);
    expect(c.ctx!.signal.aborted).toBe(false);
  });

  it('cancelGraph cancels the queued and running jobs of one graph only', async () => {
    const { jobs } = setup({ concurrency: 1 });
    const ws = [work(), work(), work()];
    jobs.submit({ kind: 'fake', graphId: 'g1', run: ws[0].run });
    jobs.submit({ kind: 'fake', graphId: 'g2', run: ws[1].run });
    jobs.submit({ kind: 'fake', graphId: 'g1', run: ws[2].run });
    await flush();
    expect(jobs.cancelGraph('g1').map((j) => j.id)).toEqual(['job-1', 'job-3']);
    expect(ws[0].aborted).toBe(true);
    await flush();
    expect(ws[1].started).toBe(1);
    expect(ws[2].started).toBe(0);
    expect(jobs.cancelGraph('nope')).toEqual([]);
  });
});

describe('JobManager: failures', () => {
  it('maps an exposable AppError to its status/code/message and anything else to a bare 500', async () => {
    const internal: unknown[] = [];
    const { jobs } = setup({ concurrency: 4, onInternalError: (_job, e) => internal.push(e) });
    const make = (err: unknown) => jobs.submit({ kind: 'fake', run: () => Promise.reject(err) }).id;
    const bad = make(new InputError('k must be at most 100'));
    const secret = new Error('ENOENT: /srv/ripple/secret/path');
    const boom = make(secret);
    const hidden = make(new AppError('db password wrong', { statusCode: 502, code: 'upstream' }));
    const sync = jobs.submit({
      kind: 'fake',
      run: () => {
        throw new TypeError('x is undefined');
      },
    }).id;
    await flush();
    expect(jobs.get(bad)).toMatchObject({ state: 'failed', error: { status: 400, code: 'bad-input', detail: 'k must be at most 100' } });
    expect(jobs.get(boom).error).toEqual({ status: 500, code: 'internal', detail: 'internal error' });
    expect(jobs.get(hidden).error).toEqual({ status: 502, code: 'internal', detail: 'internal error' });
    expect(jobs.get(sync).error).toEqual({ status: 500, code: 'internal', detail: 'internal error' });
    expect(JSON.stringify(jobs.list())).not.toMatch(/secret|password|undefined/);
    expect(internal).toHaveLength(3);
    expect(internal).toContain(secret);
    expect(jobs.get(bad).result).toBeUndefined();
    expect(jobs.get(bad).etaMs).toBeNull();
  });
});

describe('JobManager: keeping, listing, ids', () => {
  it('forgets finished jobs after the TTL (and beyond maxFinished), with their graph lists', async () => {
    const { jobs, clock } = setup({ ttlMs: 1000, maxFinished: 2, concurrency: 3 });
    const ws = [work(), work(), work()];
    const ids = ws.map((w, i) => jobs.submit({ kind: 'fake', graphId: i < 2 ? 'g' : 'h', run: w.run }).id);
    await flush();
    ws[0].resolve();
    await flush();
    clock.t += 600;
    ws[1].resolve();
    await flush();
    clock.t += 399;
    expect(jobs.get(ids[0]).state).toBe('succeeded'); // 999 ms old
    clock.t += 1;
    expect(() => jobs.get(ids[0])).toThrow(NotFoundError);
    expect(jobs.list({ graphId: 'g' }).map((j) => j.id)).toEqual([ids[1]]);
    expect(jobs.list({ graphId: 'h' }).map((j) => j.state)).toEqual(['running']); // running jobs never expire
    clock.t += 10_000;
    expect(jobs.list({ graphId: 'g' })).toEqual([]);
    expect(jobs.list().map((j) => j.id)).toEqual([ids[2]]);

    // maxFinished: the oldest finished goes first even inside the TTL
    const more = [work(), work(), work()];
    const moreIds = more.map((w) => jobs.submit({ kind: 'fake', run: w.run }).id);
    ws[2].resolve();
    await flush();
    for (const w of more) w.resolve();
    await flush();
    expect(jobs.stats().finished).toBe(2);
    expect(jobs.list().map((j) => j.id)).toEqual(moreIds.slice(1));
  });

  it('releases expired results on an unref\'d timer, without waiting for the next call', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const jobs = new JobManager({ ttlMs: 60_000 });
      const table = (jobs as unknown as { jobs: Map<string, unknown> }).jobs; // white box: no public call may sweep
      const w = work({ value: 'r' });
      jobs.submit({ kind: 'fake', graphId: 'g', run: w.run });
      w.resolve();
      await flush();
      expect(table.size).toBe(1);
      vi.advanceTimersByTime(59_999);
      expect(table.size).toBe(1);
      vi.advanceTimersByTime(2);
      expect(table.size).toBe(0);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('lists per graph and per state without results', async () => {
    const { jobs } = setup({ concurrency: 1 });
    const a = work({ value: { big: [1, 2, 3] } });
    jobs.submit({ kind: 'sim', graphId: 'g1', run: a.run });
    jobs.submit({ kind: 'imm', graphId: 'g2', run: work().run });
    jobs.submit({ kind: 'sim', graphId: 'g1', run: work().run });
    a.resolve();
    // A finished job's result size is counted in slices (several turns of the loop), so wait for the state, not for
    // one turn: one setImmediate was enough only on an idle machine (it failed once in a fresh-clone CI run).
    await vi.waitFor(() => expect(jobs.get('job-1').state).toBe('succeeded'));
    const g1 = jobs.list({ graphId: 'g1' });
    expect(g1.map((j) => [j.id, j.kind, j.state])).toEqual([['job-1', 'sim', 'succeeded'], ['job-3', 'sim', 'queued']]);
    expect(g1[0].result).toBeUndefined();
    expect(jobs.get('job-1').result).toEqual({ big: [1, 2, 3] });
    expect(jobs.list({ graphId: 'g1', state: 'queued' }).map((j) => j.id)).toEqual(['job-3']);
    expect(jobs.list({ state: 'running' }).map((j) => j.graphId)).toEqual(['g2']);
    expect(jobs.list({ graphId: '__proto__' })).toEqual([]);
  });

  it('makes random UUID ids by default and answers 404 to malformed or hostile ones', () => {
    const jobs = new JobManager();
    const a = jobs.submit({ kind: 'fake', run: () => new Promise(() => {}) });
    const b = jobs.submit({ kind: 'fake', run: () => new Promise(() => {}) });
    expect(a.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.id).not.toBe(b.id);
    for (const id of ['__proto__', 'constructor', '../../etc/passwd', '', 'x'.repeat(65), 'a b', 'toString']) {
      let caught: unknown;
      try {
        jobs.get(id);
      } catch (e) {
        caught = e;
      }
      expect(caught, id).toBeInstanceOf(NotFoundError);
      expect((caught as NotFoundError).statusCode).toBe(404);
      expect(() => jobs.cancel(id)).toThrow(NotFoundError);
      expect(() => jobs.subscribe(id, () => {})).toThrow(NotFoundError);
    }
    expect(() => jobs.get(a.id.toUpperCase())).toThrow(NotFoundError);
  });

  it('refuses an id generator that repeats itself or makes unsafe ids', () => {
    const dup = new JobManager({ idGenerator: () => 'same' });
    dup.submit({ kind: 'fake', run: () => new Promise(() => {}) });
    expect(() => dup.submit({ kind: 'fake', run: () => new Promise(() => {}) })).toThrow(/duplicate/);
    const bad = new JobManager({ idGenerator: () => '../x' });
    expect(() => bad.submit({ kind: 'fake', run: () => new Promise(() => {}) })).toThrow(/malformed/);
    expect(() => new JobManager({ concurrency: 0 })).toThrow(/concurrency/);
  });
});

describe('JobManager: subscribe', () => {
  it('delivers state and progress events until the end, then nothing; unsubscribe stops delivery', async () => {
    const { jobs, clock } = setup({ concurrency: 1 });
    const a = work();
    const b = work({ value: 42 });
    jobs.submit({ kind: 'fake', run: a.run });
    const jb = jobs.submit({ kind: 'fake', run: b.run });
    const seen: string[] = [];
    const other: string[] = [];
    const throwing = () => {
      throw new Error('socket closed');
    };
    jobs.subscribe(jb.id, throwing);
    jobs.subscribe(jb.id, (e) => seen.push(`${e.type}:${e.job.state}:${e.job.progress}${e.job.result === undefined ? '' : `:${String(e.job.result)}`}`));
    const off = jobs.subscribe(jb.id, (e) => other.push(e.type));
    a.resolve();
    await flush();
    clock.t += 1000;
    b.ctx!.progress(0.5);
    off();
    off();
    b.ctx!.progress(0.9);
    b.resolve();
    await flush();
    expect(seen).toEqual(['state:running:0', 'progress:running:0.5', 'progress:running:0.9', 'state:succeeded:1:42']);
    expect(other).toEqual(['state', 'progress']);
    const late: string[] = [];
    jobs.subscribe(jb.id, (e) => late.push(e.type))();
    expect(late).toEqual([]);
  });

  it('sends the cancelled state to subscribers, with the error', async () => {
    const { jobs } = setup();
    const w = work();
    const { id } = jobs.submit({ kind: 'fake', run: w.run });
    const events: JobEvent[] = [];
    jobs.subscribe(id, (e) => events.push(e));
    await flush();
    jobs.cancel(id);
    await flush();
    expect(events.map((e) => `${e.type}:${e.job.state}`)).toEqual(['state:cancelled']);
    expect(events[0].job.error).toEqual({ status: 499, code: 'cancelled', detail: 'cancelled by request' });
  });
});

describe('JobManager: close', () => {
  it('cancels queued and running jobs, waits for running runs to settle, then refuses new work', async () => {
    const { jobs } = setup({ concurrency: 2 });
    const a = work(); // obeys the signal
    const b = work({ obeyAbort: false }); // finishes its unit of work first
    const c = work();
    const [ja, jb, jc] = [a, b, c].map((w) => jobs.submit({ kind: 'fake', run: w.run }).id);
    await flush();
    let closed = false;
    const closing = jobs.close().then(() => {
      closed = true;
    });
    expect(jobs.close()).toBe(jobs.close());
    expect([ja, jb, jc].map((id) => jobs.get(id).state)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(a.aborted && b.aborted).toBe(true);
    await flush();
    expect(closed).toBe(false);
    expect(c.started).toBe(0);
    b.resolve();
    await closing;
    expect(closed).toBe(true);
    expect(c.started).toBe(0);
    let caught: unknown;
    try {
      jobs.submit({ kind: 'fake', run: work().run });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ShuttingDownError);
    expect(caught).toMatchObject({ statusCode: 503 });
    expect(jobs.get(jb).state).toBe('cancelled'); // still readable after close
  });

  it('closes at once when idle', async () => {
    const { jobs } = setup();
    await expect(jobs.close()).resolves.toBeUndefined();
  });
});
