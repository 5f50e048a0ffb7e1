/**
 * CSV writing shared by every door (study tables, HTTP `text/csv` answers): RFC 4180 quoting, numbers at full
 * precision (shortest round-trip), null / non-finite as an empty cell, `\n` line ends.
 */

export type Scalar = string | number | boolean | null;

/** One RFC 4180 field. */
export function csvField(v: Scalar | undefined): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV text: the header is `columns` when given, else the union of the rows' keys in first-seen order. */
export function toCsv(rows: readonly Record<string, Scalar | undefined>[], columns?: readonly string[]): string {
  let header: string[];
  if (columns) header = [...columns];
  else {
    header = [];
    const seen = new Set<string>();
    for (const r of rows) {
      for (const k of Object.keys(r)) {
        if (seen.has(k)) continue;
        seen.add(k);
        header.push(k);
      }
    }
  }
  const lines = [header.map((h) => csvField(h)).join(',')];
  for (const r of rows) lines.push(header.map((h) => csvField(r[h] ?? null)).join(','));
  return `${lines.join('\n')}\n`;
}
