/**
 * Neo4j errors and URIs as Ripple shows them, without loading neo4j-driver (the file store never loads it): used by
 * the Neo4j store and by the reader of a data team's own graph (src/services/neo4j-import.ts).
 */
import { AppError } from '../errors.js';

/** The URI as it may be logged: no user info, never a password. */
export function redactUri(uri: string): string {
  try {
    const u = new URL(uri);
    if (u.username || u.password) {
      u.username = '';
      u.password = '';
    }
    return u.toString().replace(/\/$/, '');
  } catch {
    return uri.replace(/\/\/[^@/]*@/, '//');
  }
}

/** A store that cannot reach its database: 503, message shown (it names the URI, never the password). */
export class StoreUnavailableError extends AppError {
  constructor(message: string, cause?: unknown) {
    super(message, { statusCode: 503, code: 'store-unavailable', expose: true, cause, details: { retryAfterSeconds: 5 } });
  }
}

/**
 * The driver's errors that mean "the database is not there" (stopped, restarting, network gone), as opposed to an
 * error of the query: ServiceUnavailable and SessionExpired (neo4j-driver error codes), and socket errors.
 */
export function isConnectionError(e: unknown): boolean {
  if (e instanceof StoreUnavailableError) return true;
  const code = (e as { code?: unknown } | null)?.code;
  if (code === 'ServiceUnavailable' || code === 'SessionExpired') return true;
  if (typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND)$/.test(code)) return true;
  return false;
}
