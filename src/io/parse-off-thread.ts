import { Worker } from 'node:worker_threads';
import { AppError, CancelledError, PayloadTooLargeError } from '../errors.js';
import type { GraphData, ImportReport } from '../graph/model.js';
import type { ByteInput, ParseOptions } from '../graph/parse.js';

/**
 * parseGraph in a worker thread, so that a big or hostile upload (a 150 MB edge list, a GraphML DOM, a
 * 100 MB JSON document) never blocks the event loop: /health and every other request keep being answered
 * while it parses. The input is read here (it is the HTTP request) and posted to the worker chunk by chunk,
 * at most MAX_IN_FLIGHT chunks ahead of what it has consumed, so memory stays bounded by the parser's own
 * needs. The worker's heap is capped (`maxHeapMb`, RIPPLE_IMPORT_HEAP): an input that needs more is a 413,
 * never an out-of-memory crash of the server. Errors keep their status, code and details.
 */
export interface OffThreadOptions extends ParseOptions {
  /** Old-generation heap of the worker, in MB (RIPPLE_IMPORT_HEAP). */
  maxHeapMb?: number;
}

const MAX_IN_FLIGHT = 8;

/** Where the worker entry is: next to this file when built; dist/ when running from TypeScript sources (vitest). */
function parseWorkerUrl(): URL {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const i = here.lastIndexOf('/src/');
    return new URL(`${here.slice(0, i)}/dist/src/io/parse-worker.js`);
  }
  return new URL('./parse-worker.js', here);
}

type Outgoing =
  | { type: 'ack'; channel: 'ties' | 'customers' }
  | { type: 'done'; data: GraphData; report: ImportReport }
  | { type: 'error'; error: { name: string; message: string; statusCode?: number; code?: string; details?: Record<string, unknown> } };

async function* chunksOf(input: ByteInput | undefined): AsyncGenerator<Uint8Array> {
  if (input === undefined) return;
  if (input instanceof Uint8Array) {
    yield input;
    return;
  }
  for await (const c of input) yield typeof c === 'string' ? Buffer.from(c) : c;
}

export async function parseOffThread(input: ByteInput, opts: OffThreadOptions): Promise<{ data: GraphData; report: ImportReport }> {
  const { customers, signal, maxHeapMb, ...rest } = opts;
  if (signal?.aborted) throw new CancelledError(`import of ${opts.source} cancelled`);
  const worker = new Worker(parseWorkerUrl(), {
    workerData: { opts: rest, hasCustomers: customers !== undefined },
    ...(maxHeapMb ? { resourceLimits: { maxOldGenerationSizeMb: maxHeapMb } } : {}),
  });
  let settled = false;
  let outstanding = 0;
  let onAck: (() => void) | undefined;
  let stop: ((e: unknown) => void) | undefined;
  const stopped = new Promise<never>((_, reject) => (stop = reject));
  stopped.catch(() => undefined);

  const result = new Promise<{ data: GraphData; report: ImportReport }>((resolve, reject) => {
    worker.on('message', (m: Outgoing) => {
      if (m.type === 'ack') {
        outstanding--;
        onAck?.();
        onAck = undefined;
      } else if (m.type === 'done') {
        settled = true;
        resolve({ data: m.data, report: m.report });
      } else {
        settled = true;
        const e = m.error;
        reject(e.statusCode !== undefined ? new AppError(e.message, { statusCode: e.statusCode, code: e.code, details: e.details }) : new Error(e.message));
      }
    });
    worker.on('error', (err: Error & { code?: string }) => {
      settled = true;
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        reject(new PayloadTooLargeError(`${opts.source}: parsing needs more than ${maxHeapMb} MB of memory (RIPPLE_IMPORT_HEAP); send a smaller graph or raise the limit`));
      } else reject(err);
    });
    worker.on('exit', (code) => {
      if (!settled) {
        settled = true;
        reject(new Error(`import worker exited with code ${code}`));
      }
    });
  });
  result.catch(() => undefined);
  const onAbort = () => stop?.(new CancelledError(`import of ${opts.source} cancelled`));
  signal?.addEventListener('abort', onAbort, { once: true });

  const feed = async () => {
    for (const [channel, src] of [['customers', customers], ['ties', input]] as const) {
      if (channel === 'customers' && src === undefined) continue;
      for await (const chunk of chunksOf(src)) {
        if (settled) return;
        while (outstanding >= MAX_IN_FLIGHT && !settled) await Promise.race([new Promise<void>((r) => (onAck = r)), result.then(() => undefined), stopped]);
        if (settled) return;
        // A copy: request chunks may be views into a shared pool that must not be detached by the transfer.
        const own = new Uint8Array(chunk);
        outstanding++;
        worker.postMessage({ type: 'chunk', channel, bytes: own }, [own.buffer]);
      }
      worker.postMessage({ type: 'end', channel });
    }
  };
  try {
    await Promise.race([feed(), stopped, result.then(() => undefined)]);
    return await Promise.race([result, stopped]);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    settled = true;
    await worker.terminate();
  }
}
