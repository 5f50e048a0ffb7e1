/**
 * Worker-thread entry of parseOffThread (src/io/parse-off-thread.ts): parses one upload with parseGraph, fed
 * chunk by chunk from the main thread, and posts back the GraphData (its typed arrays transferred, not copied).
 *
 * Messages in:  { type: 'chunk', channel: 'ties' | 'customers', bytes: Uint8Array } | { type: 'end', channel }.
 * Messages out: { type: 'ack', channel } after each chunk is consumed (flow control),
 *               { type: 'done', data, report } | { type: 'error', error: {name, message, statusCode?, code?, details?} }.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isAppError } from '../errors.js';
import { parseGraph, type ParseOptions } from '../graph/parse.js';
import type { GraphData } from '../graph/model.js';

type Channel = 'ties' | 'customers';
type Incoming = { type: 'chunk'; channel: Channel; bytes: Uint8Array } | { type: 'end'; channel: Channel };

const port = parentPort;
if (!port) throw new Error('parse-worker.ts must run in a worker thread');
const { opts, hasCustomers } = workerData as { opts: Omit<ParseOptions, 'customers' | 'signal'>; hasCustomers: boolean };

/** An async iterable over the chunks of one channel, acknowledging each as it is taken. */
function channel(name: Channel) {
  const queue: Uint8Array[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  const push = (msg: Incoming) => {
    if (msg.type === 'chunk') queue.push(msg.bytes);
    else ended = true;
    wake?.();
    wake = undefined;
  };
  async function* iterate(): AsyncGenerator<Uint8Array> {
    for (;;) {
      if (queue.length > 0) {
        const c = queue.shift()!;
        port!.postMessage({ type: 'ack', channel: name });
        yield c;
        continue;
      }
      if (ended) return;
      await new Promise<void>((r) => (wake = r));
    }
  }
  return { push, iterate };
}

const ties = channel('ties');
const customers = channel('customers');
port.on('message', (msg: Incoming) => (msg.channel === 'customers' ? customers : ties).push(msg));

function transferables(d: GraphData): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const a of [d.src, d.dst, d.weight, d.p, d.channel, d.followers, d.value, d.activity]) {
    if (a && a.buffer instanceof ArrayBuffer && !out.includes(a.buffer)) out.push(a.buffer);
  }
  return out;
}

try {
  const { data, report } = await parseGraph(ties.iterate(), { ...opts, ...(hasCustomers ? { customers: customers.iterate() } : {}) });
  port.postMessage({ type: 'done', data, report }, transferables(data));
} catch (e) {
  const err = e instanceof Error ? e : new Error(String(e));
  port.postMessage({
    type: 'error',
    error: { name: err.name, message: err.message, ...(isAppError(err) ? { statusCode: err.statusCode, code: err.code, details: err.details } : {}) },
  });
}
