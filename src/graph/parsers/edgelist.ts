import { GraphBuilder } from '../builder.js';
import type { GraphData, ImportReport } from '../model.js';
import { forEachLine, type ByteInput, type InputOptions } from './input.js';

export interface EdgeListOptions extends InputOptions {
  name: string;
  directed: boolean;
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

  await forEachLine(input, opts, (line, lineNo) => {
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
