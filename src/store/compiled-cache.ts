import { NotFoundError } from '../errors.js';
import { compiledBytes, type CompiledGraph } from '../graph/compile.js';
import { compileAsync } from './codec-thread.js';
import type { GraphData } from '../graph/model.js';
import type { GraphStore, GraphSummary } from './types.js';

export interface CompiledEntry {
  summary: GraphSummary;
  graph: CompiledGraph;
  data: GraphData;
}

interface Slot {
  version: number;
  promise: Promise<CompiledEntry>;
  /** The entry once loaded: a hit returns it without chaining on the load's promise. */
  entry?: CompiledEntry;
  /** Known once loaded; 0 while loading (loading entries are never evicted). */
  bytes: number;
}

/** Default memory bound: 512 MiB of compiled graphs and their data. */
export const DEFAULT_CACHE_BYTES = 512 * 1024 * 1024;

/** Bytes of a GraphData: its typed arrays plus about two bytes per character of strings. */
export function dataBytes(d: GraphData): number {
  let b = 0;
  for (const a of [d.followers, d.value, d.activity, d.src, d.dst, d.weight, d.p, d.channel]) if (a) b += a.byteLength;
  const strings = (arr: readonly (string | null)[] | null) => {
    if (!arr) return 0;
    let s = 0;
    for (const x of arr) s += 16 + (x ? 2 * x.length : 0);
    return s;
  };
  return b + strings(d.ids) + strings(d.labels) + strings(d.segments);
}

/**
 * Compiled graphs by (graph id, version) (DESIGN §2), least recently used evicted first once the
 * total exceeds `maxBytes`. Each get asks the store for the current version (the FileStore answers from
 * memory: its own writes at once, other processes' within its revalidateMs), so a replace made by any process is seen; the graph is loaded and compiled once per version, and
 * concurrent gets of the same version share that one load. A single graph larger than the bound
 * is still served (and is the only one kept).
 */
export class CompiledCache {
  private readonly store: Pick<GraphStore, 'load' | 'get'>;
  readonly maxBytes: number;
  /** Insertion order = recency (a hit moves the slot to the end). Keyed by generated graph ids (a Map). */
  private readonly slots = new Map<string, Slot>();
  private total = 0;
  /** Loads and compiles done (for tests and metrics). */
  compiles = 0;

  constructor(opts: { store: Pick<GraphStore, 'load' | 'get'>; maxBytes?: number }) {
    this.store = opts.store;
    this.maxBytes = opts.maxBytes ?? DEFAULT_CACHE_BYTES;
  }

  /** Bytes held by loaded entries. */
  get bytes(): number {
    return this.total;
  }

  get size(): number {
    return this.slots.size;
  }

  async get(id: string): Promise<CompiledEntry> {
    let version: number;
    try {
      ({ version } = await this.store.get(id));
    } catch (e) {
      if (e instanceof NotFoundError) this.invalidate(id); // deleted: free its memory now
      throw e;
    }
    const slot = this.slots.get(id);
    if (slot && slot.version === version) {
      this.slots.delete(id);
      this.slots.set(id, slot);
      return slot.entry ?? slot.promise;
    }
    if (slot) this.drop(id, slot);
    const fresh: Slot = { version, bytes: 0, promise: Promise.resolve(null as never) };
    fresh.promise = (async () => {
      const { summary, data } = await this.store.load(id);
      this.compiles++;
      const graph = await compileAsync(data); // a large graph off the event loop (codec-thread.ts)
      fresh.version = summary.version; // the load may have seen a newer version than get() did
      fresh.bytes = compiledBytes(graph) + dataBytes(data);
      const entry: CompiledEntry = { summary, graph, data };
      if (this.slots.get(id) === fresh) {
        fresh.entry = entry;
        this.total += fresh.bytes;
        this.evict(fresh);
      }
      return entry;
    })();
    this.slots.set(id, fresh);
    fresh.promise.catch(() => {
      if (this.slots.get(id) === fresh) this.slots.delete(id);
    });
    return fresh.promise;
  }

  /** Forget a graph (after replace or delete). Gets in flight still resolve for their callers. */
  invalidate(id: string): void {
    const slot = this.slots.get(id);
    if (slot) this.drop(id, slot);
  }

  clear(): void {
    for (const [id, slot] of [...this.slots]) this.drop(id, slot);
  }

  private drop(id: string, slot: Slot): void {
    this.slots.delete(id);
    this.total -= slot.bytes;
    slot.bytes = 0;
  }

  private evict(keep: Slot): void {
    for (const [id, slot] of this.slots) {
      if (this.total <= this.maxBytes) return;
      if (slot === keep || slot.bytes === 0) continue;
      this.drop(id, slot);
    }
  }
}
