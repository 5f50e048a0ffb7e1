import { z } from 'zod';

/**
 * How long one step is (`stepDuration`, DESIGN §9): an ISO 8601 duration of weeks, days, hours, minutes and
 * seconds (`PT2H`, `PT30M`, `P1D`, `P1DT12H`, `PT0.5H`). Years and months are refused: their length varies, so
 * "step 3" would not be one time. Pure helpers: parse to seconds, write seconds back as ISO 8601 and as words.
 */

const ISO = /^P(?!$)(?:(\d+(?:[.,]\d+)?)W)?(?:(\d+(?:[.,]\d+)?)D)?(?:T(?=\d)(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/;

/** Longest step accepted: a year of seconds. */
const MAX_SECONDS = 366 * 86400;

/** Seconds in an ISO 8601 duration, or a message saying what is wrong with it. */
export function parseDuration(text: string): { seconds: number } | { error: string } {
  if (/^P(\d+([.,]\d+)?Y|\d+([.,]\d+)?M)/.test(text) || /^P[^T]*M/.test(text)) {
    return { error: `${JSON.stringify(text)}: years and months have no fixed length; give weeks, days, hours, minutes or seconds (e.g. P30D)` };
  }
  const m = ISO.exec(text);
  if (!m) return { error: `${JSON.stringify(text)} is not an ISO 8601 duration such as PT2H, PT30M or P1D` };
  const [w, d, h, mi, s] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v.replace(',', '.'))));
  const seconds = (((w * 7 + d) * 24 + h) * 60 + mi) * 60 + s;
  if (!(seconds > 0)) return { error: `${JSON.stringify(text)}: a step must last more than zero seconds` };
  if (seconds > MAX_SECONDS) return { error: `${JSON.stringify(text)}: a step of more than a year is not a time step` };
  return { seconds };
}

/** Seconds as a normalised ISO 8601 duration: 7200 -> PT2H, 5400 -> PT1H30M, 86400 -> P1D, 0 -> PT0S. */
export function isoDuration(seconds: number): string {
  if (!(seconds > 0)) return 'PT0S';
  let rest = Math.round(seconds * 1000) / 1000;
  const days = Math.floor(rest / 86400);
  rest -= days * 86400;
  const hours = Math.floor(rest / 3600);
  rest -= hours * 3600;
  const minutes = Math.floor(rest / 60);
  rest = Math.round((rest - minutes * 60) * 1000) / 1000;
  const time = `${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${rest ? `${rest}S` : ''}`;
  return `P${days ? `${days}D` : ''}${time ? `T${time}` : ''}`;
}

/** Seconds in words, rounded to what a reader needs: "2 hours", "1 day 6 hours", "45 minutes", "1.5 hours". */
export function durationWords(seconds: number): string {
  const unit = (x: number, name: string) => `${Number.isInteger(x) ? x : Math.round(x * 10) / 10} ${name}${x === 1 ? '' : 's'}`;
  if (seconds < 60) return unit(Math.round(seconds * 10) / 10, 'second');
  if (seconds < 3600) return unit(Math.round(seconds / 6) / 10, 'minute');
  if (seconds < 86400) return unit(Math.round(seconds / 360) / 10, 'hour');
  const days = Math.floor(seconds / 86400);
  const hours = Math.round((seconds - days * 86400) / 3600);
  return hours ? `${unit(days, 'day')} ${unit(hours, 'hour')}` : unit(days, 'day');
}

/**
 * The step an answer given at a time falls in: the answer acts after the activations of the last step that
 * has already happened, floor(seconds / step). "Within 2 hours" with one step = 1 h is after step 2; with one
 * step = 3 h it is step 0 (before the complaint spreads at all).
 */
export function stepAt(seconds: number, stepSeconds: number): number {
  return Math.floor(seconds / stepSeconds + 1e-9);
}

/** ISO 8601 text normalised (`PT120M` -> `PT2H`); the text must have passed stepDurationSchema. */
export function normaliseDuration(text: string): string {
  const d = parseDuration(text);
  if ('error' in d) throw new TypeError(d.error);
  return isoDuration(d.seconds);
}

/**
 * A step duration in a request, query or graph (validated; a plain string in the schema, so request examples and
 * types stay as written — normalise it with normaliseDuration).
 */
export const stepDurationSchema = z
  .string()
  .max(64)
  .superRefine((text, ctx) => {
    const d = parseDuration(text);
    if ('error' in d) ctx.addIssue({ code: 'custom', message: d.error });
  })
  .describe('How long one step is, ISO 8601: `PT2H`, `PT30M`, `P1D` (weeks, days, hours, minutes, seconds; not years or months).');
