import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { CancelledError, ParseError, PayloadTooLargeError } from '../../errors.js';

/** Raw input of a parser: one buffer or a stream of chunks (an fs stream, an HTTP request body). */
export type ByteInput = AsyncIterable<Uint8Array> | Uint8Array;

export interface InputOptions {
  /** Input name for error messages. */
  source: string;
  /** Cap on decompressed bytes read. */
  maxBytes?: number;
  /**
   * Gzip input: decompressed bytes may be at most this many times the compressed bytes read so far (plus
   * GZIP_SLACK_BYTES), so a bomb is bounded by what was sent, not only by maxBytes (default DEFAULT_MAX_GZIP_RATIO).
   */
  maxRatio?: number;
  signal?: AbortSignal;
  /** Parallel ties: merged (default) or counted into the kept tie's weight (BuilderOptions.parallelTies). */
  parallelTies?: 'merge' | 'count';
}

/**
 * Default bound on the decompression ratio. Real graph files compress 4-10× (SNAP edge lists, the demo JSON: 8×);
 * a gzip bomb reaches 1000×.
 */
export const DEFAULT_MAX_GZIP_RATIO = 100;
/** Decompressed bytes always allowed on top of the ratio (tiny files). */
export const GZIP_SLACK_BYTES = 1 << 20;

export function checkSignal(signal: AbortSignal | undefined, source: string): void {
  if (signal?.aborted) throw new CancelledError(`import of ${source} cancelled`);
}

async function* chunksOf(input: ByteInput): AsyncGenerator<Uint8Array> {
  if (input instanceof Uint8Array) {
    yield input;
    return;
  }
  for await (const c of input) {
    // Tolerate streams opened with an encoding: re-encode instead of failing on a string chunk.
    yield typeof c === 'string' ? new TextEncoder().encode(c) : c;
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * The input's bytes, decompressed when it starts with the gzip magic bytes 1f 8b (whatever its name says),
 * streaming: no more than a chunk or two is held at a time. Enforces `maxBytes` on the decompressed size
 * (a gzip bomb stops at the cap) and checks `signal` between chunks.
 */
export async function* inputBytes(input: ByteInput, opts: InputOptions): AsyncGenerator<Uint8Array> {
  const { source, signal } = opts;
  const max = opts.maxBytes ?? Infinity;
  checkSignal(signal, source);
  const it = chunksOf(input)[Symbol.asyncIterator]();
  try {
    const head: Uint8Array[] = [];
    let headLength = 0;
    let ended = false;
    while (headLength < 2) {
      const r = await it.next();
      if (r.done) {
        ended = true;
        break;
      }
      if (r.value.length > 0) {
        head.push(r.value);
        headLength += r.value.length;
      }
    }
    const first = concat(head);
    const gzip = first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b;
    let total = 0;
    const count = (n: number) => {
      total += n;
      if (total > max) throw new PayloadTooLargeError(`${source}: larger than the limit of ${max} bytes${gzip ? ' once decompressed' : ''}`);
    };
    if (!gzip) {
      if (first.length > 0) {
        count(first.length);
        yield first;
      }
      while (!ended) {
        checkSignal(signal, source);
        const r = await it.next();
        if (r.done) break;
        count(r.value.length);
        yield r.value;
      }
      return;
    }
    // Compressed: feed the raw chunks through a streaming gunzip.
    async function* raw(): AsyncGenerator<Uint8Array> {
      yield first;
      while (!ended) {
        checkSignal(signal, source);
        const r = await it.next();
        if (r.done) return;
        yield r.value;
      }
    }
    const ratio = opts.maxRatio ?? DEFAULT_MAX_GZIP_RATIO;
    let compressed = 0;
    const countRatio = (n: number) => {
      if (total > ratio * compressed + GZIP_SLACK_BYTES) {
        throw new PayloadTooLargeError(
          `${source}: decompresses to more than ${ratio} times its compressed size (${total} bytes from ${compressed}; RIPPLE_MAX_GZIP_RATIO): refused as a gzip bomb`,
        );
      }
      return n;
    };
    const counted = async function* (): AsyncGenerator<Uint8Array> {
      for await (const c of raw()) {
        compressed += c.length;
        yield c;
      }
    };
    const rawStream = Readable.from(counted(), { objectMode: false });
    const gunzip = createGunzip();
    pipeline(rawStream, gunzip, () => {
      /* errors surface through the iteration below */
    });
    try {
      for await (const chunk of gunzip as AsyncIterable<Uint8Array>) {
        checkSignal(signal, source);
        count(chunk.length);
        countRatio(chunk.length);
        yield chunk;
      }
    } catch (e) {
      if (isZlibError(e)) throw new ParseError(source, undefined, `truncated or corrupt gzip (${(e as Error).message})`, e);
      throw e;
    } finally {
      gunzip.destroy();
      rawStream.destroy();
    }
  } finally {
    // Not awaited: with gzip the raw reader reads ahead, so the input may have a read in flight (an HTTP body whose
    // client waits for our answer before it sends more), and an async generator's return() waits behind it — a 413 or
    // 400 found in what was sent would wait for bytes that may never come. The input finishes once that read settles.
    void it.return?.(undefined)?.catch(() => undefined);
  }
}

function isZlibError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const code = (e as NodeJS.ErrnoException).code;
  return typeof code === 'string' && code.startsWith('Z_');
}

const LF = 0x0a;

/** Position of the first byte that makes `bytes` invalid UTF-8 (the whole array if it is only incomplete at the end). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i];
    let need: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return i;
    if (i + need >= n) return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if ((c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return n;
}

/** Number of bytes at the end of `bytes` that start a UTF-8 sequence the chunk does not complete (0..3). */
function incompleteTail(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let k = 1; k <= 3 && k <= n; k++) {
    const b = bytes[n - k];
    if ((b & 0xc0) === 0x80) continue;
    if (b < 0xc0) return 0;
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
    return need > k ? k : 0;
  }
  return 0;
}

function countLf(bytes: Uint8Array, end: number): number {
  let k = 0;
  for (let i = 0; i < end; i++) if (bytes[i] === LF) k++;
  return k;
}

/**
 * Decode the input as UTF-8 (fatal: invalid bytes are a ParseError naming the line), streaming, and yield
 * text chunks. `linesBefore` reports how many line feeds preceded a failing chunk so the error names the line.
 */
export async function* inputText(input: ByteInput, opts: InputOptions): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let lines = 0;
  let pending: Uint8Array | null = null; // bytes of an incomplete sequence at the end of the last chunk
  for await (const chunk of inputBytes(input, opts)) {
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch (e) {
      const bytes: Uint8Array = pending ? concat([pending, chunk]) : chunk;
      const at = firstInvalidUtf8(bytes);
      throw new ParseError(opts.source, lines + countLf(bytes, at) + 1, 'invalid UTF-8', e);
    }
    lines += countLf(chunk, chunk.length);
    // The decoder holds back an incomplete character at the end; keep its bytes (never a line feed) so a
    // failure in the next chunk is located from where that character started.
    const tail = incompleteTail(chunk);
    pending = tail > 0 ? concat([...(pending && tail === chunk.length ? [pending] : []), chunk.subarray(chunk.length - tail)]) : null;
    if (text.length > 0) yield text;
  }
  try {
    const tail = decoder.decode();
    if (tail.length > 0) yield tail;
  } catch (e) {
    throw new ParseError(opts.source, lines + 1, 'invalid UTF-8 (truncated character at the end of the input)', e);
  }
}

/**
 * Call `onLine(line, lineNumber)` for every line of the input (LF or CRLF; a final line without a newline
 * counts), streaming: only the current chunk and one partial line are held. Line numbers start at 1.
 */
export async function forEachLine(input: ByteInput, opts: InputOptions, onLine: (line: string, lineNo: number) => void): Promise<number> {
  let carry = '';
  let lineNo = 0;
  for await (const text of inputText(input, opts)) {
    let start = 0;
    let idx = text.indexOf('\n');
    if (carry.length > 0) {
      if (idx < 0) {
        carry += text;
        continue;
      }
      onLine(stripCr(carry + text.slice(0, idx)), ++lineNo);
      carry = '';
      start = idx + 1;
      idx = text.indexOf('\n', start);
    }
    while (idx >= 0) {
      onLine(stripCr(text.slice(start, idx)), ++lineNo);
      start = idx + 1;
      idx = text.indexOf('\n', start);
    }
    carry = start < text.length ? text.slice(start) : '';
  }
  if (carry.length > 0) onLine(stripCr(carry), ++lineNo);
  return lineNo;
}

/**
 * forEachLine over bytes: `onLine(bytes, start, end, lineNumber)` for every line (LF or CRLF stripped; a final line
 * without a newline counts), without decoding. The bytes are a view valid only during the call. The caller decodes
 * (and so validates as UTF-8) what it needs — a parser that takes every non-ASCII line through a fatal decoder keeps
 * forEachLine's checks. Streaming: a partial line is carried over in one growing buffer.
 */
export async function forEachLineBytes(
  input: ByteInput,
  opts: InputOptions,
  onLine: (bytes: Uint8Array, start: number, end: number, lineNo: number) => void,
): Promise<number> {
  let carry = new Uint8Array(0);
  let carried = 0;
  let lineNo = 0;
  const emit = (b: Uint8Array, s: number, e: number) => onLine(b, s, e > s && b[e - 1] === 13 ? e - 1 : e, ++lineNo);
  const keep = (b: Uint8Array, s: number, e: number) => {
    const need = carried + (e - s);
    if (need > carry.length) {
      const next = new Uint8Array(Math.max(need, 2 * carry.length, 256));
      next.set(carry.subarray(0, carried));
      carry = next;
    }
    carry.set(b.subarray(s, e), carried);
    carried = need;
  };
  for await (const chunk of inputBytes(input, opts)) {
    let start = 0;
    let idx = chunk.indexOf(LF);
    if (carried > 0) {
      if (idx < 0) {
        keep(chunk, 0, chunk.length);
        continue;
      }
      keep(chunk, 0, idx);
      emit(carry, 0, carried);
      carried = 0;
      start = idx + 1;
      idx = chunk.indexOf(LF, start);
    }
    while (idx >= 0) {
      emit(chunk, start, idx);
      start = idx + 1;
      idx = chunk.indexOf(LF, start);
    }
    if (start < chunk.length) keep(chunk, start, chunk.length);
  }
  if (carried > 0) emit(carry, 0, carried);
  return lineNo;
}

function stripCr(line: string): string {
  return line.length > 0 && line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
}

/** The whole input as one string (for formats that need the whole document: JSON, XML), bounded by maxBytes. */
export async function readText(input: ByteInput, opts: InputOptions): Promise<string> {
  const parts: string[] = [];
  for await (const t of inputText(input, opts)) parts.push(t);
  return parts.join('');
}
