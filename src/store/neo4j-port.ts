/**
 * The few driver operations the Neo4j store uses, as narrow interfaces. `neo4jPort()` in
 * neo4j-store.ts adapts a real neo4j-driver `Driver` to them; tests can pass a recording fake.
 * Keeping the surface this small makes it obvious that every query goes through `run(text, params)`
 * with a constant text (see neo4j-cypher.ts) and data only in `params`.
 */

/** One result row. */
export interface CypherRecord {
  get(key: string): unknown;
}

/** A transaction: run a constant Cypher text with parameters; rows stream as they arrive. */
export interface CypherTx {
  run(query: string, params: Record<string, unknown>): AsyncIterable<CypherRecord>;
}

export interface CypherSession {
  /** Managed read transaction (the driver retries transient failures by re-running `work`). */
  executeRead<T>(work: (tx: CypherTx) => Promise<T>): Promise<T>;
  /** Managed write transaction (retried on transient failures: `work` must be idempotent per attempt). */
  executeWrite<T>(work: (tx: CypherTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface CypherDriver {
  session(opts: { database?: string; mode: 'read' | 'write' }): CypherSession;
  verifyConnectivity(opts: { database?: string }): Promise<void>;
  close(): Promise<void>;
}

/** Run one query and collect its (few) rows. For large results iterate `tx.run` directly. */
export async function collect(tx: CypherTx, query: string, params: Record<string, unknown>): Promise<CypherRecord[]> {
  const rows: CypherRecord[] = [];
  for await (const r of tx.run(query, params)) rows.push(r);
  return rows;
}
