import { pipeline, Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { ParseError } from '../../errors.js';
import { GraphBuilder } from '../builder.js';
import type { GraphData, ImportReport } from '../model.js';
import { inputText, type ByteInput, type InputOptions } from './input.js';

export interface CsvOptions extends InputOptions {
  name: string;
  directed: boolean;
  /** Optional customers CSV: when given, ties may only name its customers. */
  customers?: ByteInput;
  customersSource?: string;
}

/** Header names (lower-cased) -> column role. */
const TIE_COLUMNS = new Map<string, 'source' | 'target' | 'weight' | 'p' | 'channel'>([
  ['source', 'source'], ['from', 'source'],
  ['target', 'target'], ['to', 'target'],
  ['weight', 'weight'], ['p', 'p'], ['channel', 'channel'],
]);
const CUSTOMER_COLUMNS = new Map<string, 'id' | 'label' | 'followers' | 'value' | 'segment' | 'activity'>([
  ['id', 'id'], ['label', 'label'], ['followers', 'followers'], ['value', 'value'], ['segment', 'segment'], ['activity', 'activity'],
]);

/**
 * CSV with a header row: ties `source,target[,weight,p,channel]` (case-insensitive; `from,to` also
 * accepted), and optionally customers `id[,label,followers,value,segment,activity]` in a second file.
 * RFC 4180 quoting (csv-parse, streaming), BOM and surrounding blanks ignored, empty lines skipped, an empty
 * cell means "not given". Columns with other names are ignored and listed in the report's `warnings`.
 */
export async function parseCsv(input: ByteInput, opts: CsvOptions): Promise<{ data: GraphData; report: ImportReport }> {
  const b = new GraphBuilder({ name: opts.name, directed: opts.directed, source: opts.source, format: 'csv', parallelTies: opts.parallelTies });
  const warnings: string[] = [];
  let records = 0;
  if (opts.customers !== undefined) {
    const source = opts.customersSource ?? 'customers.csv';
    records += await eachRecord(opts.customers, { ...opts, source }, CUSTOMER_COLUMNS, ['id'], warnings, (get, line) => {
      try {
        b.addCustomer(get('id'), {
          label: get('label'), followers: raw(get('followers')), value: raw(get('value')), segment: get('segment'), activity: raw(get('activity')),
        }, line);
      } catch (e) {
        // The builder names the ties file; these lines are the customers file's.
        if (e instanceof ParseError && e.file === opts.source) throw new ParseError(source, e.line, problemOf(e), e);
        throw e;
      }
    }, (line, problem) => { throw new ParseError(source, line, problem); });
    b.closeCustomers();
  }
  records += await eachRecord(input, opts, TIE_COLUMNS, ['source', 'target'], warnings, (get, line) => {
    b.addTie(get('source'), get('target'), { weight: raw(get('weight')), p: raw(get('p')), channel: get('channel') }, line);
  }, (line, problem) => b.fail(line, problem));
  b.records = records;
  const result = b.finish();
  if (warnings.length > 0) result.report.warnings = warnings;
  return result;
}

function problemOf(e: ParseError): string {
  const prefix = e.line === undefined ? `${e.file}: ` : `${e.file}:${e.line}: `;
  return e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
}

/** Numeric cells stay text: the builder converts them with Number() and names the line when they are not numbers. */
function raw(cell: string | undefined): number | undefined {
  return cell as unknown as number | undefined;
}

/** Stream the records of one CSV, mapping header names to roles; `get(role)` is undefined for an empty cell. */
async function eachRecord<R extends string>(
  input: ByteInput,
  opts: InputOptions,
  columns: Map<string, R>,
  required: R[],
  warnings: string[],
  onRecord: (get: (role: R) => string | undefined, line: number) => void,
  fail: (line: number | undefined, problem: string) => never,
): Promise<number> {
  const text = Readable.from(inputText(input, opts), { objectMode: false });
  const parser = parse({ bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, info: true });
  pipeline(text, parser, () => {
    /* errors surface through the iteration below */
  });
  const roleAt = new Map<R, number>();
  let width = 0;
  let count = 0;
  let row: string[] = [];
  const get = (role: R): string | undefined => {
    const i = roleAt.get(role);
    if (i === undefined) return undefined;
    const v = row[i];
    return v === '' ? undefined : v;
  };
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const line = item.info.lines;
      row = item.record;
      if (width === 0) {
        width = row.length;
        const ignored: string[] = [];
        row.forEach((name, i) => {
          const role = columns.get(name.toLowerCase());
          if (role === undefined) ignored.push(name);
          else if (roleAt.has(role)) fail(line, `header names the ${role} column twice`);
          else roleAt.set(role, i);
        });
        const missing = required.filter((r) => !roleAt.has(r));
        if (missing.length > 0) {
          fail(line, `header must name the columns ${required.join(',')} (got ${JSON.stringify(row.join(',').slice(0, 120))}; known columns: ${[...new Set(columns.keys())].join(', ')})`);
        }
        if (ignored.length > 0) warnings.push(`${opts.source}: ignored columns ${ignored.map((c) => JSON.stringify(c)).join(', ')}`);
        continue;
      }
      if (row.length !== width) fail(line, `expected ${width} fields as in the header, got ${row.length}`);
      count++;
      onRecord(get, line);
    }
  } catch (e) {
    if (e instanceof CsvError) fail((e as CsvError & { lines?: number }).lines, `malformed CSV: ${e.message.replace(/ at line \d+$|,? on line \d+$/, '')}`);
    throw e;
  } finally {
    parser.destroy();
    text.destroy();
  }
  if (width === 0) fail(undefined, 'empty file (no header row)');
  return count;
}
