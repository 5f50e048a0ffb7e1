import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyBaseLogger } from 'fastify';
import { InsufficientStorageError, isDiskFull } from '../errors.js';
import { readGraphFile } from '../io/read-graph-file.js';
import type { GraphStore, GraphSummary } from '../store/types.js';

export const DEMO_GRAPH_NAME = 'Demo customers';

/**
 * The shipped demo graph (`demo/demo-customers.json.gz`, made by scripts/make-demo-graph.ts). Found relative to
 * this module both from sources (src/api) and from the build (dist/src/api).
 */
export function demoGraphPath(): string | undefined {
  for (const rel of ['../../demo/demo-customers.json.gz', '../../../demo/demo-customers.json.gz']) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** Import the demo graph when the store holds no graph. Returns the new summary, or undefined when nothing was done. */
export async function loadDemoIfEmpty(store: GraphStore, log?: Pick<FastifyBaseLogger, 'info' | 'warn'>): Promise<GraphSummary | undefined> {
  if ((await store.list()).length > 0) return undefined;
  const path = demoGraphPath();
  if (!path) {
    log?.warn('demo graph file demo/demo-customers.json.gz not found: starting with an empty store');
    return undefined;
  }
  const { data } = await readGraphFile(path, { format: 'json', name: DEMO_GRAPH_NAME });
  let summary: GraphSummary;
  try {
    summary = await store.create(data);
  } catch (e) {
    // A full disk must not stop start-up: the server serves (and can delete) without the demo.
    if (!(e instanceof InsufficientStorageError) && !isDiskFull(e)) throw e;
    log?.warn('no disk space to import the demo graph: starting with an empty store');
    return undefined;
  }
  log?.info({ graph: summary.id, customers: summary.customers, ties: summary.ties }, 'store was empty: imported the demo graph');
  return summary;
}
