/**
 * ISO 8601 durations for timed models (DESIGN §9 "Time"): `PnW`, `PnDTnHnMnS` with decimal fractions
 * (`PT1.5H`). Years and months are refused: their length is not fixed. Parsed to seconds.
 */
const RE = /^P(?!$)(?:(\d+(?:[.,]\d+)?)W)?(?:(\d+(?:[.,]\d+)?)D)?(?:T(?!$)(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/;

/** Seconds in an ISO 8601 duration, or null when it is not one this parser accepts. */
export function parseDuration(text: string): number | null {
  const m = RE.exec(text.trim().toUpperCase());
  if (!m) return null;
  const num = (x: string | undefined) => (x ? Number(x.replace(',', '.')) : 0);
  return num(m[1]) * 604_800 + num(m[2]) * 86_400 + num(m[3]) * 3600 + num(m[4]) * 60 + num(m[5]);
}

/** A duration in seconds as ISO 8601 (days, hours, minutes, seconds; seconds to the millisecond). */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'P9999D';
  let s = Math.round(seconds * 1000) / 1000;
  const d = Math.floor(s / 86_400);
  s -= d * 86_400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const mi = Math.floor(s / 60);
  s = Math.round((s - mi * 60) * 1000) / 1000;
  let out = 'P';
  if (d) out += `${d}D`;
  if (h || mi || s || !d) {
    out += 'T';
    if (h) out += `${h}H`;
    if (mi) out += `${mi}M`;
    if (s || (!h && !mi)) out += `${s}S`;
  }
  return out;
}
