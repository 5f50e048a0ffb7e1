import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { InputError } from '../errors.js';
import { GRAPH_FORMATS, type GraphData, type GraphFormat, type ImportReport } from '../graph/model.js';
import { detectFormat, graphNameOf, parseGraph } from '../graph/parse.js';

export { graphNameOf };

export interface ReadGraphFileOptions {
  /** Default: from the file name (detectFormat). */
  format?: GraphFormat;
  /** Default: the name inside the file (JSON, GEXF, GraphML), else the base name without `.gz` and its format extension. */
  name?: string;
  directed?: boolean;
  /** Parallel ties: merged (default) or counted into one tie's weight (`count`). */
  parallelTies?: 'merge' | 'count';
  /** CSV only: a customers CSV file. */
  customersFile?: string;
  maxBytes?: number;
  signal?: AbortSignal;
}

/** Read and parse a graph file of any format of DESIGN §1, streaming (gzip by magic bytes). */
export async function readGraphFile(path: string, opts: ReadGraphFileOptions = {}): Promise<{ data: GraphData; report: ImportReport }> {
  const source = basename(path);
  const format = opts.format ?? detectFormat(path);
  if (format === undefined) {
    throw new InputError(`${source}: cannot tell the format from the file name: give a format (${GRAPH_FORMATS.join(', ')}) or use an extension (.txt .tsv .edgelist .edges .csv .json .gexf .graphml, optionally .gz)`);
  }
  await assertFile(path);
  if (opts.customersFile !== undefined) await assertFile(opts.customersFile);
  const stream = createReadStream(path, { highWaterMark: 1 << 16 });
  const customers = opts.customersFile !== undefined ? createReadStream(opts.customersFile, { highWaterMark: 1 << 16 }) : undefined;
  try {
    return await parseGraph(stream, {
      format,
      // Empty: the file's own name (JSON, GEXF, GraphML), else its base name without extensions.
      name: opts.name ?? '',
      source,
      ...(opts.directed !== undefined ? { directed: opts.directed } : {}),
      ...(opts.parallelTies !== undefined ? { parallelTies: opts.parallelTies } : {}),
      ...(customers !== undefined ? { customers, customersSource: basename(opts.customersFile!) } : {}),
      ...(opts.maxBytes !== undefined ? { maxBytes: opts.maxBytes } : {}),
      ...(opts.signal !== undefined ? { signal: opts.signal } : {}),
    });
  } finally {
    stream.destroy();
    customers?.destroy();
  }
}

async function assertFile(path: string): Promise<void> {
  let s;
  try {
    s = await stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`${path}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? (e as Error).message})`}`, undefined, e);
  }
  if (!s.isFile()) throw new InputError(`${path}: not a regular file`);
}
