import { InputError } from '../errors.js';
import { GRAPH_FORMATS, type GraphData, type GraphFormat, type ImportReport } from './model.js';
import { parseCsv } from './parsers/csv.js';
import { parseEdgeList } from './parsers/edgelist.js';
import type { ByteInput } from './parsers/input.js';
import { parseRippleJson } from './parsers/json.js';
import { parseXmlGraph } from './parsers/xml.js';

export { toRippleJson } from './parsers/json.js';
export type { ByteInput } from './parsers/input.js';

export interface ParseOptions {
  format: GraphFormat;
  /** Graph name. JSON/GEXF/GraphML may carry their own name: this option wins when non-empty. */
  name: string;
  /** Edge lists and CSV: default false (undirected). JSON/GEXF/GraphML: the file's own flag unless given. */
  directed?: boolean;
  /** Input name used in error messages ("facebook.txt", "upload"). */
  source: string;
  /** CSV only: an optional customers CSV; when given, ties may only name its customers. */
  customers?: AsyncIterable<Uint8Array> | Uint8Array;
  customersSource?: string;
  /** Cap on decompressed bytes read (per input) -> PayloadTooLargeError (413). */
  maxBytes?: number;
  /** GEXF/GraphML: most elements (413 beyond) and deepest nesting (400 beyond); defaults XML_LIMITS. */
  maxXmlElements?: number;
  maxXmlDepth?: number;
  /** Gzip: decompressed ≤ maxRatio × compressed bytes read (+1 MiB); default DEFAULT_MAX_GZIP_RATIO (100). */
  maxRatio?: number;
  signal?: AbortSignal;
  /** Parallel ties (the same pair on several lines): `merge` (default, first kept) or `count` (one tie, weight = their summed weights). */
  parallelTies?: 'merge' | 'count';
}

const EXTENSIONS = new Map<string, GraphFormat>([
  ['txt', 'edgelist'], ['tsv', 'edgelist'], ['edgelist', 'edgelist'], ['edges', 'edgelist'], ['el', 'edgelist'],
  ['csv', 'csv'],
  ['json', 'json'],
  ['gexf', 'gexf'],
  ['graphml', 'graphml'],
]);

/**
 * Default graph name for an input name: base name without `.gz` and its last extension
 * (`data/email-Eu-core.txt.gz` -> `email-Eu-core`, `upload` -> `upload`).
 */
export function graphNameOf(fileName: string): string {
  let name = fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
  if (name.toLowerCase().endsWith('.gz')) name = name.slice(0, -3);
  const dot = name.lastIndexOf('.');
  return (dot > 0 ? name.slice(0, dot) : name) || fileName;
}

/** Format from a file name's extension (case-insensitive), ignoring a trailing `.gz`; undefined if unknown. */
export function detectFormat(fileName: string): GraphFormat | undefined {
  let name = fileName.toLowerCase();
  if (name.endsWith('.gz')) name = name.slice(0, -3);
  const dot = name.lastIndexOf('.');
  const slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
  if (dot < 0 || dot < slash) return undefined;
  return EXTENSIONS.get(name.slice(dot + 1));
}

export function isGraphFormat(v: unknown): v is GraphFormat {
  return typeof v === 'string' && (GRAPH_FORMATS as readonly string[]).includes(v);
}

/**
 * Parse a graph from bytes (a buffer or a stream of chunks; gzip is detected by its magic bytes) into
 * GraphData with an import report. Every failure is a single error naming the input, the line when there is
 * one, and the problem (ParseError 400, PayloadTooLargeError 413, CancelledError 499); nothing partial is
 * returned.
 */
export async function parseGraph(input: ByteInput, opts: ParseOptions): Promise<{ data: GraphData; report: ImportReport }> {
  const base = { source: opts.source, maxBytes: opts.maxBytes, maxRatio: opts.maxRatio, signal: opts.signal, parallelTies: opts.parallelTies };
  // The option's name, else (JSON, GEXF, GraphML) the file's own, else the input's name without extensions.
  const fallbackName = graphNameOf(opts.source);
  if (opts.customers !== undefined && opts.format !== 'csv') {
    throw new InputError(`${opts.source}: a customers file is only read with the csv format (format is ${opts.format})`);
  }
  switch (opts.format) {
    case 'edgelist':
      return parseEdgeList(input, { ...base, name: opts.name || fallbackName, directed: opts.directed ?? false });
    case 'csv':
      return parseCsv(input, {
        ...base, name: opts.name || fallbackName, directed: opts.directed ?? false,
        ...(opts.customers !== undefined ? { customers: opts.customers, customersSource: opts.customersSource ?? 'customers' } : {}),
      });
    case 'json':
      return parseRippleJson(input, { ...base, name: opts.name, fallbackName, directed: opts.directed });
    case 'gexf':
    case 'graphml':
      return parseXmlGraph(input, {
        ...base, format: opts.format, name: opts.name, fallbackName, directed: opts.directed, maxElements: opts.maxXmlElements, maxDepth: opts.maxXmlDepth,
      });
    default:
      throw new InputError(`${opts.source}: unknown format ${JSON.stringify(String(opts.format))}: use one of ${GRAPH_FORMATS.join(', ')}`);
  }
}
