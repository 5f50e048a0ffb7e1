/** Numbers as a person reads them: rounded to what the interval can support, with thousands separators. */

const nf = (digits: number) => new Intl.NumberFormat('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: 0 });

/**
 * A minus sign as the scenario summary writes it (U+2212 "−", not the hyphen Intl gives), and none on a figure that
 * rounds to zero ("-0", "-€0.00").
 */
function minus(s: string): string {
  if (!s.startsWith('-')) return s;
  return /[1-9]/.test(s) ? `−${s.slice(1)}` : s.slice(1);
}

export function num(x: number): string {
  if (!Number.isFinite(x)) return '–';
  const a = Math.abs(x);
  return minus(nf(a >= 100 ? 0 : a >= 10 ? 1 : 2).format(x));
}

export function pct(x: number): string {
  return `${minus(nf(x >= 0.1 ? 0 : 1).format(100 * x))}%`;
}

export function money(x: number, currency: string, perCustomer: boolean): string {
  if (perCustomer) return `${num(x)} per-customer units`;
  try {
    return minus(new Intl.NumberFormat('en-GB', { style: 'currency', currency, maximumFractionDigits: Math.abs(x) >= 100 ? 0 : 2 }).format(x));
  } catch {
    return `${num(x)} ${currency}`;
  }
}

export function range(ci: [number, number], f: (x: number) => string = num): string {
  return `${f(ci[0])} – ${f(ci[1])}`;
}

/** An ISO 8601 duration (PT2H, P1D, PT30M) as words; undefined when it is not one. */
export function durationWords(iso: string | null | undefined): string | undefined {
  if (!iso) return undefined;
  const m = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(iso);
  if (!m) return undefined;
  const parts: string[] = [];
  const units = ['day', 'hour', 'minute', 'second'];
  m.slice(1).forEach((v, i) => {
    if (v !== undefined && Number(v) > 0) parts.push(`${v} ${units[i]}${Number(v) === 1 ? '' : 's'}`);
  });
  return parts.join(' ') || undefined;
}

/** Seconds in an ISO 8601 duration (days as 24 h). */
export function durationSeconds(iso: string | null | undefined): number | undefined {
  if (!iso) return undefined;
  const m = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(iso);
  if (!m) return undefined;
  const [d, h, mi, s] = m.slice(1).map((v) => Number(v ?? 0));
  return ((d * 24 + h) * 60 + mi) * 60 + s;
}

/** A time given in seconds, short: "2 h", "1 d 6 h", "45 min". */
export function shortTime(sec: number): string {
  if (sec % 86400 === 0 && sec > 0) return `${sec / 86400} d`;
  if (sec >= 86400) return `${Math.floor(sec / 86400)} d ${num((sec % 86400) / 3600)} h`;
  if (sec % 3600 === 0) return `${sec / 3600} h`;
  if (sec >= 3600) return `${num(sec / 3600)} h`;
  return `${num(sec / 60)} min`;
}

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
