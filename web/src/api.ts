/**
 * The page's door to the Ripple API: same origin, JSON, problem+json errors shown by their `detail`, and an
 * API key kept in sessionStorage (this tab only) when the server asks for one (401).
 */

const KEY = 'ripple.apiKey';

/** An answer that is not 2xx: its problem+json `detail` as the message, and the fields it names (validation). */
export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly code?: string, readonly errors: { path: string; message: string }[] = []) {
    super(message);
  }
}

type KeyPrompt = (retry: boolean) => Promise<string>;
let askForKey: KeyPrompt = () => Promise.reject(new ApiError(401, 'an API key is required'));

export function onKeyNeeded(prompt: KeyPrompt): void {
  askForKey = prompt;
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const key = sessionStorage.getItem(KEY);
  return key ? { ...extra, authorization: `Bearer ${key}` } : extra;
}

async function problemOf(res: Response): Promise<ApiError> {
  try {
    const p = (await res.json()) as { detail?: string; title?: string; code?: string; errors?: { path: string; message: string }[] };
    return new ApiError(res.status, p.detail ?? p.title ?? res.statusText, p.code, Array.isArray(p.errors) ? p.errors : []);
  } catch {
    return new ApiError(res.status, `${res.status} ${res.statusText}`);
  }
}

/** fetch with the key; a 401 asks for a key (again) and retries. */
export async function request(path: string, init: RequestInit & { accept?: string } = {}): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(path, {
      ...init,
      headers: headers({ accept: init.accept ?? 'application/json', ...(init.body ? { 'content-type': 'application/json' } : {}) }),
    });
    if (res.status !== 401 || attempt >= 5) {
      if (!res.ok) throw await problemOf(res);
      return res;
    }
    const key = await askForKey(attempt > 0 || sessionStorage.getItem(KEY) !== null);
    sessionStorage.setItem(KEY, key);
  }
}

export async function getJson<T>(path: string): Promise<T> {
  return (await request(path)).json() as Promise<T>;
}

export async function postJson<T>(path: string, body: unknown): Promise<{ status: number; body: T }> {
  const res = await request(path, { method: 'POST', body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as T };
}

export interface JobView {
  id: string;
  state: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  progress: number;
  etaMs: number | null;
  result?: unknown;
  error?: { status: number; code: string; detail: string };
}

/**
 * Follow a job's server-sent events (read with fetch, so the key goes in a header) until it ends; `onProgress`
 * sees each update. Resolves with the finished job (succeeded, failed or cancelled).
 */
export async function followJob(id: string, onProgress: (job: JobView) => void, signal?: AbortSignal): Promise<JobView> {
  const res = await request(`/jobs/${encodeURIComponent(id)}/events`, { accept: 'text/event-stream', signal });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  let last: JobView | undefined;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += value;
    let cut: number;
    while ((cut = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, cut);
      buf = buf.slice(cut + 2);
      let event = 'message';
      let data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data += line.slice(5).trim();
      }
      if (!data) continue;
      last = JSON.parse(data) as JobView;
      onProgress(last);
      if (event === 'done' || event === 'error') {
        await reader.cancel().catch(() => undefined);
        return last;
      }
    }
  }
  // The stream closed without a final event: ask once.
  return last && (last.state === 'succeeded' || last.state === 'failed' || last.state === 'cancelled') ? last : getJson<JobView>(`/jobs/${encodeURIComponent(id)}`);
}

export async function cancelJob(id: string): Promise<void> {
  await request(`/jobs/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

/** Run an engine request as a job (`?async=true`), with progress, cancellable. */
export async function runAsJob<T>(path: string, body: unknown, hooks: { onJob: (id: string) => void; onProgress: (job: JobView) => void }): Promise<{ result: T; jobId: string }> {
  const sep = path.includes('?') ? '&' : '?';
  const { status, body: answer } = await postJson<{ job: JobView } | T>(`${path}${sep}async=true`, body);
  if (status !== 202) return { result: answer as T, jobId: '' };
  const job = (answer as { job: JobView }).job;
  hooks.onJob(job.id);
  const end = await followJob(job.id, hooks.onProgress);
  if (end.state === 'succeeded') {
    const full = end.result !== undefined ? end : await getJson<JobView>(`/jobs/${encodeURIComponent(job.id)}`);
    return { result: full.result as T, jobId: job.id };
  }
  if (end.state === 'cancelled') throw new ApiError(499, 'cancelled', 'cancelled');
  throw new ApiError(end.error?.status ?? 500, end.error?.detail ?? 'the job failed', end.error?.code);
}
