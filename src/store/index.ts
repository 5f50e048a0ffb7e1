import { AppError } from '../errors.js';
import { FileStore } from './file-store.js';
import type { GraphStore } from './types.js';

export type { GraphStore, GraphSummary } from './types.js';
export { FileStore } from './file-store.js';
export { CompiledCache, type CompiledEntry } from './compiled-cache.js';
export { encodeGraph, decodeGraph, CorruptGraphError } from './codec.js';

export interface StoreConfig {
  store: 'file' | 'neo4j';
  /** Directory of the file store (RIPPLE_DATA_DIR, default ./data); created if missing. */
  dataDir: string;
}

/** The store the configuration names (RIPPLE_STORE). Wire it once and pass it in; never a singleton. */
export async function createStore(cfg: StoreConfig): Promise<GraphStore> {
  switch (cfg.store) {
    case 'file':
      return FileStore.open(cfg.dataDir);
    case 'neo4j':
      throw new AppError('RIPPLE_STORE=neo4j is not available yet', { statusCode: 500, code: 'config', expose: true });
    default:
      throw new AppError(`RIPPLE_STORE=${String(cfg.store)} is not a store (use file or neo4j)`, { statusCode: 500, code: 'config', expose: true });
  }
}
