import type { JobManager } from './manager.js';
import type { OpCall } from './ops.js';
import { isTerminal, type JobContext, type JobListener, type JobState, type JobView } from './types.js';

/**
 * What the routes use of jobs, whichever way they are kept: in this process (EmbeddedJobs over the
 * JobManager, the default) or in Redis for every API instance and worker (src/distributed/redis-jobs.ts,
 * when RIPPLE_REDIS_URL is set). Every call is async because the Redis one is.
 */
export interface SubmitSpec {
  kind: string;
  graphId: string;
  graphVersion: number;
  /** The operation as data (what a Redis worker runs). */
  op: OpCall;
  /** The canonical request hash (ops.requestKey): an identical job in flight is joined, not started again. */
  key: string;
  /** The same operation as a closure (what an in-process job runs). */
  run: (ctx: JobContext) => Promise<unknown>;
}

export interface Submitted {
  job: JobView;
  /** True when an identical job was already in flight and this request joined it. */
  joined: boolean;
}

export interface JobService {
  readonly mode: 'embedded' | 'redis';
  /** Throws QueueFullError / ShuttingDownError / JobsUnavailableError (503s with retryAfterSeconds). */
  submit(spec: SubmitSpec): Promise<Submitted>;
  get(id: string): Promise<JobView>;
  list(filter?: { graphId?: string; state?: JobState }): Promise<JobView[]>;
  cancel(id: string): Promise<JobView>;
  cancelGraph(graphId: string): Promise<void>;
  /**
   * The job as it is now, and its events from then on (nothing missed in between). The listener gets
   * `progress` and `state` events; after a terminal state no more come. `off` is idempotent.
   */
  follow(id: string, listener: JobListener): Promise<{ first: JobView; off: () => void }>;
  /** Resolves with the job when it is finished or after `ms`, whichever is first. */
  waitFor(id: string, ms: number): Promise<JobView>;
  /** Can jobs be submitted now (readiness)? */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

/** Seconds a client should wait before asking again about this job (`Retry-After` of a 202). */
export function retryAfterFor(job: JobView): number {
  if (job.etaMs !== null && job.etaMs !== undefined) return Math.min(60, Math.max(1, Math.ceil(job.etaMs / 1000)));
  return job.state === 'queued' ? 2 : 1;
}

/** Wait for a terminal state through follow(): shared by both services. */
export async function waitThroughFollow(svc: Pick<JobService, 'follow' | 'get'>, id: string, ms: number): Promise<JobView> {
  let off: () => void = () => {};
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await new Promise<JobView>((resolve, reject) => {
      svc.follow(id, (e) => {
        if (e.type === 'state' && isTerminal(e.job.state)) resolve(e.job);
      }).then(({ first, off: o }) => {
        off = o;
        if (isTerminal(first.state)) return resolve(first);
        timer = setTimeout(() => resolve(svc.get(id)), Math.max(0, ms));
      }, reject);
    });
  } finally {
    off();
    if (timer) clearTimeout(timer);
  }
}

/** In-process jobs (RIPPLE_REDIS_URL unset): the JobManager, plus joining identical requests in flight. */
export class EmbeddedJobs implements JobService {
  readonly mode = 'embedded' as const;
  /** Request key -> job id, for jobs that may still be in flight (checked on use). */
  private readonly byKey = new Map<string, string>();

  constructor(readonly manager: JobManager) {}

  async submit(spec: SubmitSpec): Promise<Submitted> {
    const existing = this.byKey.get(spec.key);
    if (existing !== undefined) {
      try {
        const job = this.manager.get(existing);
        if (!isTerminal(job.state)) return { job, joined: true };
      } catch {
        // expired: start a new one
      }
      this.byKey.delete(spec.key);
    }
    const job = this.manager.submit({ kind: spec.kind, graphId: spec.graphId, run: spec.run });
    this.byKey.set(spec.key, job.id);
    const forget = () => {
      if (this.byKey.get(spec.key) === job.id) this.byKey.delete(spec.key);
    };
    try {
      const off = this.manager.subscribe(job.id, (e) => {
        if (e.type === 'state' && isTerminal(e.job.state)) {
          forget();
          off();
        }
      });
    } catch {
      forget();
    }
    return { job, joined: false };
  }

  async get(id: string): Promise<JobView> {
    return this.manager.get(id);
  }

  async list(filter: { graphId?: string; state?: JobState } = {}): Promise<JobView[]> {
    return this.manager.list(filter);
  }

  async cancel(id: string): Promise<JobView> {
    return this.manager.cancel(id);
  }

  async cancelGraph(graphId: string): Promise<void> {
    this.manager.cancelGraph(graphId);
  }

  async follow(id: string, listener: JobListener): Promise<{ first: JobView; off: () => void }> {
    // get + subscribe in the same tick miss nothing (JobManager's contract).
    const first = this.manager.get(id);
    const off = this.manager.subscribe(id, listener);
    return { first, off };
  }

  waitFor(id: string, ms: number): Promise<JobView> {
    return waitThroughFollow(this, id, ms);
  }

  async ready(): Promise<boolean> {
    return true;
  }

  close(): Promise<void> {
    return this.manager.close();
  }
}
