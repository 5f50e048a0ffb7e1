import { z } from 'zod';
import { decodeCursor, encodeCursor } from '../graph/browse.js';

/**
 * Cursor pagination for lists ordered by (createdAt, id): GET /graphs and GET /jobs. A cursor is the
 * (createdAt, id) of the last item of a page, so the next page starts right after it even when items were
 * added or deleted in between. Cursors are opaque (base64url JSON) and checked when read.
 */

export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 1000;

export const pageQueryShape = {
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).optional().describe(`Items per page (1..${MAX_PAGE}, default ${DEFAULT_PAGE}).`),
  cursor: z.string().min(1).max(2048).optional().describe('`nextCursor` of the previous page.'),
};

export const nextCursorSchema = z.string().optional().describe('Pass as `cursor` for the next page; absent on the last page (so a list that fits one page reads as before).');

interface Keyed {
  id: string;
  createdAt: string;
}

const byKey = (a: Keyed, b: Keyed) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Sort by (createdAt, id): the order GET /graphs pages in. */
export const sortByCreation = <T extends Keyed>(items: readonly T[]): T[] => [...items].sort(byKey);

/**
 * One page of `items`, which come in creation order. The page after a cursor starts after the cursor's item
 * (found by id), or — when that item is gone — at the first item created after it.
 */
export function paginate<T extends Keyed>(sorted: readonly T[], q: { limit?: number; cursor?: string }): { page: T[]; nextCursor?: string } {
  let start = 0;
  if (q.cursor !== undefined) {
    const c = decodeCursor<Keyed>(q.cursor, (x) => (typeof x.createdAt === 'string' && typeof x.id === 'string' ? { createdAt: x.createdAt, id: x.id } : undefined));
    const at = sorted.findIndex((x) => x.id === c.id);
    if (at >= 0) start = at + 1;
    else while (start < sorted.length && byKey(sorted[start], c) <= 0) start++;
  }
  const limit = q.limit ?? DEFAULT_PAGE;
  const page = sorted.slice(start, start + limit);
  const last = page[page.length - 1];
  return start + limit < sorted.length && last ? { page, nextCursor: encodeCursor({ createdAt: last.createdAt, id: last.id }) } : { page };
}
