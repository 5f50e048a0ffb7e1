import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';
import { compile, type CompiledGraph } from '../graph/compile.js';
import type { GraphData } from '../graph/model.js';
import { detectFormat, parseGraph } from '../graph/parse.js';
import { CompiledCache } from '../store/compiled-cache.js';
import { createStore } from '../store/index.js';
import type { GraphSpec } from './schema.js';

/** The file-system side of studies: graph loading with checksums, atomic writes, versions. */

/**
 * Bump when a change in the study code changes the numbers or the columns of a cell: old cells are then recomputed.
 * 2: voice cells gained each opinion's time to peak (`negative_time_to_peak_*`, `positive_time_to_peak_*`).
 */
export const STUDY_CODE_VERSION = 2;

/** The code version in cell hashes: ripple's package version + STUDY_CODE_VERSION. */
export function codeVersion(): string {
  return `${versions().ripple ?? '?'}+study.${STUDY_CODE_VERSION}`;
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface LoadedStudyGraph {
  name: string;
  graph: CompiledGraph;
  data: GraphData;
  /** sha256 of the file's bytes, or `store:ID@VERSION`. */
  checksum: string;
  /** How the file was read (format, directed, skipLines, parallelTies when not the default): part of a cell's hash with `checksum`; null for a stored graph. */
  read: { format: string; directed: boolean | null; skipLines: number; parallelTies?: 'count' } | null;
  source: string;
  customers: number;
  ties: number;
}

export interface StoreAccess {
  store: 'file' | 'neo4j';
  dataDir: string;
  /** NEO4J_* connection, for RIPPLE_STORE=neo4j. */
  neo4j?: { uri?: string; user?: string; password?: string; database?: string };
}

/** Resolve a path of the study file (relative to the study file's folder). */
export function studyPath(studyFile: string, p: string): string {
  return resolve(dirname(studyFile), p);
}

/** Every file a study reads must exist: else one InputError naming the YAML path and the data it needs. */
export function assertInputs(files: { yamlPath: string; file: string }[], requiresData: string | undefined, source: string): void {
  const missing = files.filter((f) => !existsSync(f.file));
  if (missing.length === 0) return;
  const list = missing.map((m) => `${m.yamlPath}: ${m.file} not found`).join('; ');
  throw new InputError(
    `study ${source} cannot run: ${list}.${requiresData ? ` This study needs ${requiresData}.` : ''}`,
    { missing: missing.map((m) => ({ path: m.yamlPath, file: m.file })) },
  );
}

export async function loadStudyGraph(spec: GraphSpec, studyFile: string, store: StoreAccess | undefined): Promise<LoadedStudyGraph> {
  if (spec.id !== undefined) {
    if (!store) throw new InputError(`graph ${spec.name}: stored graph ids need a store (RIPPLE_DATA_DIR)`);
    const s = await createStore(store);
    try {
      const { summary, graph, data } = await new CompiledCache({ store: s }).get(spec.id);
      return { name: spec.name, graph, data, checksum: `store:${summary.id}@${summary.version}`, read: null, source: `store:${summary.id}`, customers: summary.customers, ties: summary.ties };
    } finally {
      await s.close();
    }
  }
  const file = studyPath(studyFile, spec.file!);
  const raw = await readFile(file);
  const checksum = sha256(raw);
  let bytes: Uint8Array = raw;
  if (spec.skipLines > 0) {
    const text = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString('utf8');
    let at = 0;
    for (let i = 0; i < spec.skipLines; i++) {
      const nl = text.indexOf('\n', at);
      at = nl < 0 ? text.length : nl + 1;
    }
    bytes = Buffer.from(text.slice(at), 'utf8');
  }
  const format = spec.format ?? detectFormat(file);
  if (format === undefined) throw new InputError(`graph ${spec.name}: cannot tell the format of ${file}: give \`format\``);
  const { data } = await parseGraph(bytes, { format, name: spec.name, source: file, parallelTies: spec.parallelTies, ...(spec.directed !== undefined ? { directed: spec.directed } : {}) });
  const graph = compile(data);
  // parallelTies only when counted, so the hashes of cells stored before the option existed stay valid.
  const read = { format, directed: spec.directed ?? null, skipLines: spec.skipLines, ...(spec.parallelTies === 'count' ? { parallelTies: 'count' as const } : {}) };
  return { name: spec.name, graph, data, checksum, read, source: file, customers: graph.n, ties: data.directed ? graph.m : graph.m / 2 };
}

/** Write via a temporary file and rename, so a crash never leaves half a file. */
export async function writeAtomic(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

/** Rows already written in an earlier run (NDJSON, one per line); a torn last line is ignored. */
export async function readExistingRows<T>(path: string): Promise<T[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return [];
  }
  const out: T[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // an interrupted append: recomputed
    }
  }
  return out;
}


/** Versions for the manifest: ripple and the packages that shape the numbers and files. */
let cachedVersions: Record<string, string> | undefined;

export function versions(): Record<string, string> {
  if (cachedVersions) return { ...cachedVersions };
  const out: Record<string, string> = { node: process.version, studyCode: String(STUDY_CODE_VERSION) };
  // Walk up from this module (src/studies or dist/src/studies) to ripple's package.json.
  for (let dir = dirname(fileURLToPath(import.meta.url)), i = 0; i < 5; dir = dirname(dir), i++) {
    const f = join(dir, 'package.json');
    if (!existsSync(f)) continue;
    const pkg = JSON.parse(readFileSync(f, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'ripple') {
      out.ripple = pkg.version ?? '?';
      for (const dep of ['zod', 'yaml', 'graphology', 'cli-progress']) {
        const d = join(dir, 'node_modules', dep, 'package.json');
        if (existsSync(d)) out[dep] = (JSON.parse(readFileSync(d, 'utf8')) as { version: string }).version;
      }
      break;
    }
  }
  cachedVersions = out;
  return { ...out };
}
