import { AppError } from '../errors.js';
import { FileStore } from './file-store.js';
import type { Neo4jStoreOptions, StoreLogger } from './neo4j-store.js';
import type { GraphStore } from './types.js';

export type { GraphStore, GraphSummary } from './types.js';
export { FileStore } from './file-store.js';
export { CompiledCache, type CompiledEntry } from './compiled-cache.js';
export { encodeGraph, encodeGraphParallel, decodeGraph, CorruptGraphError } from './codec.js';

export interface StoreConfig {
  store: 'file' | 'neo4j';
  /** Directory of the file store (RIPPLE_DATA_DIR, default ./data); created if missing. */
  dataDir: string;
  /** Connection of the Neo4j store (NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE); required for `neo4j`. */
  neo4j?: { uri?: string; user?: string; password?: string; database?: string };
  /** Tuning of the Neo4j store (batch sizes, timeouts); defaults suit production. */
  neo4jOptions?: Omit<Neo4jStoreOptions, 'logger'>;
  /** pino-compatible logger for the store's own messages (start-up sweep, failed clean-ups). */
  logger?: StoreLogger;
}

const configError = (message: string) => new AppError(message, { statusCode: 500, code: 'config', expose: true });

/**
 * The store the configuration names (RIPPLE_STORE). Wire it once and pass it in; never a singleton.
 * `neo4j` connects before it returns (StoreUnavailableError naming the URI, never the password, when the
 * database cannot be reached); neo4j-driver is loaded only then.
 */
export async function createStore(cfg: StoreConfig): Promise<GraphStore> {
  switch (cfg.store) {
    case 'file':
      return FileStore.open(cfg.dataDir);
    case 'neo4j': {
      const n = cfg.neo4j ?? {};
      const missing = (['uri', 'user', 'password'] as const).filter((k) => n[k] === undefined || n[k] === '');
      if (missing.length > 0) {
        throw configError(`RIPPLE_STORE=neo4j needs ${missing.map((k) => `NEO4J_${k.toUpperCase()}`).join(', ')}`);
      }
      const { createNeo4jStore } = await import('./neo4j-store.js');
      return createNeo4jStore(
        { uri: n.uri!, user: n.user!, password: n.password!, ...(n.database !== undefined ? { database: n.database } : {}) },
        { ...cfg.neo4jOptions, ...(cfg.logger ? { logger: cfg.logger } : {}) },
      );
    }
    default:
      throw configError(`RIPPLE_STORE=${String(cfg.store)} is not a store (use file or neo4j)`);
  }
}
