import type { CompiledGraph } from '../graph/compile.js';
import { checkCelfSize } from '../influence/celf.js';
import { checkK, findInfluencers, influencersProgress, type InfluencersOptions, type InfluencersResult } from '../influence/influencers.js';
import type { InfluencersRequest } from '../influence/schemas.js';
import { checkActivityReading } from '../diffusion/request.js';

/**
 * The influencers service that the route (`POST /graphs/:id/influencers`), the job operation (src/jobs/ops.ts)
 * and the CLI (`ripple influencers`) share: the checks made at the door, before any work or job, and the run with
 * its progress mapped to one share done (selection 0..0.8, the engine's re-estimate 0.8..1).
 */

/**
 * The door checks of a parsed request on a graph: k at most the customers (400; `k` names the field as the caller
 * shows it: `{ label: 'k', path: 'body.k' }` over HTTP, `{ label: '--k' }` on the command line), and CELF's size
 * limit (422 now, not from inside a job the client would have to poll); `activity: gate` with model lt is a 400.
 */
export function checkInfluencersRequest(graph: CompiledGraph, req: InfluencersRequest, k: { label: string; path?: string } = { label: 'k' }): void {
  checkK(graph, req.k, k.label, k.path);
  checkActivityReading(req.model, req.activity, k.path?.startsWith('body.') ? 'body.activity' : 'activity');
  if (req.method === 'celf') checkCelfSize(graph, req.celfRuns);
}

/** Run a request; `progress` gets the share done and the phase's own counts. */
export function runInfluencers(
  graph: CompiledGraph, req: unknown, o: Omit<InfluencersOptions, 'onProgress'> & { progress?: (share: number, info: { phase: string; done: number; total: number }) => void } = {},
): Promise<InfluencersResult> {
  const { progress, ...rest } = o;
  return findInfluencers(graph, req as never, {
    ...rest,
    onProgress: progress ? (phase, done, total) => progress(influencersProgress(phase, done, total), { phase, done, total }) : undefined,
  });
}
