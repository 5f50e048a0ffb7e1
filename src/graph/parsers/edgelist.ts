import { GraphBuilder } from '../builder.js';
import type { GraphData, ImportReport } from '../model.js';
import { ParseError } from '../../errors.js';
import { forEachLineBytes, type ByteInput, type InputOptions } from './input.js';

export interface EdgeListOptions extends InputOptions {
  name: string;
  directed: boolean;
  /** Read every line as text (the reference reading the byte fast path must equal; for tests). */
  textOnly?: boolean;
}

/**
 * SNAP-style edge lists: one tie per line, `source target [weight]`, fields separated by any run of spaces
 * or tabs, LF or CRLF endings. Lines whose first non-blank character is `#` or `%` are comments; blank
 * lines are skipped. Streaming: one line at a time, so a 10-million-line file is never held whole.
 *
 * **Count headers.** Some published files (NetHEPT.txt, the Inf-VAE graph.txt files) start with a line
 * `N M` giving the number of nodes and of edges. The first data line is read as such a header — not as a
 * tie — exactly when all of these hold once the file has been read:
 *   - it has two fields, both non-negative decimal integers N and M, and M > 0;
 *   - exactly M data lines follow it;
 *   - every id in those lines is a non-negative decimal integer <= N, and they name at most N distinct ids.
 * Then the header's N customers are all created: ids 0..N-1 (or 1..N when some id equals N, i.e. the
 * file is 1-indexed), so nodes without ties are kept as isolated customers. The report's `warnings` says
 * so. Otherwise the line is an ordinary tie (it is added after the others, which only changes the order
 * of customer indices).
 */
export async function parseEdgeList(input: ByteInput, opts: EdgeListOptions): Promise<{ data: GraphData; report: ImportReport }> {
  const b = new GraphBuilder({ name: opts.name, directed: opts.directed, source: opts.source, format: 'edgelist', parallelTies: opts.parallelTies });
  const fields: string[] = ['', '', '', ''];
  let candidate: { n: number; m: number; line: number; a: string; b: string } | null = null;
  let firstData = true;
  let dataLines = 0;
  let allInts = true;
  let maxInt = -1;
  const noteId = (id: string) => {
    if (!allInts) return;
    const v = decimal(id);
    if (v < 0) allInts = false;
    else if (v > maxInt) maxInt = v;
  };

  const noteInt = (v: number) => {
    if (allInts && v > maxInt) maxInt = v;
  };
  // Lines are read as bytes. The common line — ASCII, two or three fields, both ids canonical decimal integers
  // (`17 42`, `17 42 0.5`) — goes straight to the builder as numbers: no line, id or field string is made
  // (a 7M-line R-MAT file: 1.7 s of CPU in reading lines and ids instead of 4.6 s). Every other line is decoded (fatal UTF-8: invalid bytes name the line)
  // and read as text exactly as before; the two paths give the same ties, ids, errors and report.
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const textOnly = opts.textOnly === true;
  const starts = [0, 0, 0];
  const ends = [0, 0, 0];
  const values = [0, 0, 0];
  const onText = (line: string, lineNo: number) => {
    const k = split(line, fields);
    if (k === 0) return; // blank or comment
    if (k === 1) b.fail(lineNo, `malformed line: expected "source target [weight]", got one field ${JSON.stringify(clipLine(line))}`);
    if (k > 3) b.fail(lineNo, `malformed line: expected "source target [weight]", got more than 3 fields ${JSON.stringify(clipLine(line))}`);
    if (firstData) {
      firstData = false;
      if (k === 2) {
        const n = decimal(fields[0]);
        const m = decimal(fields[1]);
        if (n >= 0 && m > 0) {
          candidate = { n, m, line: lineNo, a: fields[0], b: fields[1] };
          return;
        }
      }
    }
    dataLines++;
    if (candidate !== null) {
      noteId(fields[0]);
      noteId(fields[1]);
    }
    b.addTie(fields[0], fields[1], k === 3 ? { weight: fields[2] as unknown as number } : {}, lineNo); // builder checks numbers given as text
  };
  const slow = (bytes: Uint8Array, start: number, end: number, lineNo: number) => {
    // The BOM a UTF-8 decoder drops at the start of a stream.
    if (lineNo === 1 && end - start >= 3 && bytes[start] === 0xef && bytes[start + 1] === 0xbb && bytes[start + 2] === 0xbf) start += 3;
    let line: string;
    try {
      line = decoder.decode(bytes.subarray(start, end));
    } catch (e) {
      throw new ParseError(opts.source, lineNo, 'invalid UTF-8', e);
    }
    onText(line, lineNo);
  };
  await forEachLineBytes(input, opts, (bytes, start, end, lineNo) => {
    const k = asciiIntFields(bytes, start, end, starts, ends, values);
    if (k === 0) return; // blank or an ASCII comment
    if (k < 0 || firstData || textOnly) return slow(bytes, start, end, lineNo);
    dataLines++;
    if (candidate !== null) {
      noteInt(values[0]);
      noteInt(values[1]);
    }
    // latin1 = ASCII here (asciiIntFields saw no byte above 0x7f).
    const attrs = k === 3 ? { weight: latin1(bytes, starts[2], ends[2]) as unknown as number } : {};
    b.addIntTie(values[0], values[1], attrs, lineNo);
  });

  const warnings: string[] = [];
  let records = dataLines;
  if (candidate !== null) {
    const c: { n: number; m: number; line: number; a: string; b: string } = candidate;
    if (dataLines === c.m && allInts && maxInt <= c.n && b.customerCount <= c.n) {
      const base = maxInt === c.n ? 1 : 0;
      for (let i = 0; i < c.n; i++) b.addCustomer(String(i + base), {}, c.line);
      warnings.push(
        `line ${c.line}: "${c.a} ${c.b}" read as a header (${c.n} customers, ${c.m} ties), not as a tie; ` +
          `customers ${base}..${c.n - 1 + base} created, including any without ties`,
      );
    } else {
      b.addTie(c.a, c.b, {}, c.line);
      records++;
    }
  }
  b.records = records;
  const result = b.finish();
  if (warnings.length > 0) result.report.warnings = warnings;
  return result;
}

/**
 * The fast reading of one line of bytes: 0 for a blank line or a comment that is all ASCII; 2 or 3 when the line is
 * ASCII with two or three fields whose first two are canonical decimal integers of at most 9 digits (their values in
 * `values`, every field's byte range in `starts`/`ends`); -1 for anything else (non-ASCII, one field or more than
 * three, another id) — read as text.
 */
function asciiIntFields(bytes: Uint8Array, start: number, end: number, starts: number[], ends: number[], values: number[]): number {
  let i = start;
  let k = 0;
  while (i < end) {
    let c = bytes[i];
    while (c === 32 || c === 9 || c === 13 || c === 12 || c === 11) {
      if (++i >= end) return k < 2 ? (k === 0 ? 0 : -1) : k;
      c = bytes[i];
    }
    if (k === 0 && (c === 35 /* # */ || c === 37) /* % */) {
      for (; i < end; i++) if (bytes[i] > 0x7f) return -1;
      return 0;
    }
    if (k === 3) return -1;
    const s = i;
    let v = 0;
    let digits = true;
    for (; i < end; i++) {
      c = bytes[i];
      if (c === 32 || c === 9 || c === 13 || c === 12 || c === 11) break;
      if (c > 0x7f) return -1;
      const d = c - 48;
      if (d < 0 || d > 9) digits = false;
      else v = v * 10 + d;
    }
    if (k < 2 && (!digits || i - s > 9 || (i - s > 1 && bytes[s] === 48))) return -1;
    starts[k] = s;
    ends[k] = i;
    values[k] = v;
    k++;
  }
  return k < 2 ? (k === 0 ? 0 : -1) : k;
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  let out = '';
  for (let i = start; i < end; i++) out += String.fromCharCode(bytes[i]);
  return out;
}

/**
 * Split a line into whitespace-separated fields (space, tab, CR, FF, VT) without a regex or an array per
 * line. Returns the field count (fields beyond 4 are not stored; 4 means "more than 3"); 0 for a blank or
 * comment line.
 */
function split(line: string, out: string[]): number {
  const n = line.length;
  let i = 0;
  let k = 0;
  while (i < n) {
    let c = line.charCodeAt(i);
    while (isSpace(c) && ++i < n) c = line.charCodeAt(i);
    if (i >= n) break;
    if (k === 0 && (c === 35 /* # */ || c === 37) /* % */) return 0;
    const start = i;
    while (++i < n && !isSpace(line.charCodeAt(i)));
    if (k === 4) return 4;
    out[k++] = line.slice(start, i);
  }
  return k;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 12 || c === 11;
}

/** Value of `s` when it is a non-negative decimal integer in canonical form (digits, no leading zero, at most 15), or -1. */
function decimal(s: string): number {
  if (s.length === 0 || s.length > 15 || (s.length > 1 && s.charCodeAt(0) === 48)) return -1;
  let v = 0;
  for (let i = 0; i < s.length; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

function clipLine(line: string): string {
  return line.length <= 80 ? line : `${line.slice(0, 80)}…`;
}
