import { durationWords, isoDuration, parseDuration } from '../graph/duration.js';

/**
 * Answers a person can read (issue 17): the `summary` sentences of a scenario or compare report, with rounded
 * figures and their 95% ranges, in the graph's currency — or in customers' worth when the graph has no customer
 * values — and time in hours when the step duration is known. The JSON keeps full precision; only the words round.
 */

interface Mc { mean: number; ci95: [number, number] }

export interface ReadableReport {
  customers: string[];
  experience: 'negative' | 'positive';
  reach: Mc;
  negative: Mc;
  positive: Mc;
  impressions: Mc;
  money: { currency: string; atRisk: Mc; earned: Mc; net: Mc };
  valuesAreDefaults: boolean;
  truncatedByHorizon: boolean;
  lastStep: { step: number; newMean: number; shareOfReach: number };
  /** Each opinion's time to peak (steps) over the `runs` runs in which it reaches someone after step 0; null: in none. */
  peaks: { negative: (Mc & { runs: number }) | null; positive: (Mc & { runs: number }) | null };
  /** Runs made. */
  runs: number;
  stepSeconds: number | null;
  horizon: number;
  response: { atStep: number; effectiveness: number; public: boolean; at?: string } | null;
}

const grouped = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 });

/** A count or amount rounded for reading: whole numbers from 10 on, one decimal below. */
export function round(x: number): string {
  const s = Math.abs(x) >= 10 ? grouped.format(x) : oneDecimal.format(x);
  return s === '-0' ? '0' : s.replace(/^-/, '−');
}

/** "26–27", or "26" when both ends round alike. */
function span(ci: [number, number], f: (x: number) => string = round): string {
  const [a, b] = [f(ci[0]), f(ci[1])];
  return a === b ? a : ci[0] < 0 && ci[1] <= 0 ? `${a} to ${b}` : `${a}–${b}`;
}

/** A figure and, unless it rounds to the same number, its range: "27 (26–28)", "0". */
function fig(x: Mc, f: (x: number) => string = round): string {
  const r = span(x.ci95, f);
  return r === f(x.mean) ? f(x.mean) : `${f(x.mean)} (${r})`;
}

const SYMBOLS: Record<string, string> = { EUR: '€', USD: '$', GBP: '£', JPY: '¥', INR: '₹', CHF: 'CHF ' };

function moneyText(x: number, currency: string, perCustomer: boolean): string {
  if (perCustomer) return round(x);
  const sym = SYMBOLS[currency.toUpperCase()];
  const v = round(Math.abs(x));
  const sign = x < 0 && v !== '0' ? '−' : '';
  return sym ? `${sign}${sym}${v}` : `${sign}${v} ${currency}`;
}

/** A step, and its time when the step duration is known: "step 3 (6 hours)". */
export function stepText(step: number, stepSeconds: number | null): string {
  return stepSeconds === null ? `step ${step}` : `step ${step} (${durationWords(step * stepSeconds)})`;
}

/** " (1.3–1.4 hours)", " (23 hours to 1 day 1 hour)", or "" when both ends read as `mean` does. */
function timeSpan(lo: number, hi: number, mean: string): string {
  const [a, b] = [durationWords(lo), durationWords(hi)];
  if (a === b && a === mean) return '';
  const unit = (w: string) => /^([\d.]+) (\w+?)s?$/.exec(w);
  const [ua, ub] = [unit(a), unit(b)];
  return ua && ub && ua[2] === ub[2] ? ` (${ua[1]}–${b})` : ` (${a} to ${b})`;
}

/**
 * One opinion's time to peak as words: "for the negative opinion at step 1.3 (1.3–1.4)", with the step duration
 * "… after about 2.7 hours (2.6–2.8 hours)", and "in the 820 of 2,000 runs where it spreads" when it does not spread in
 * every run.
 */
function peakText(p: (Mc & { runs: number }) | null, opinion: string, r: { stepSeconds: number | null; runs: number }): string | null {
  if (!p) return null;
  const s = r.stepSeconds;
  const at = s === null
    ? `at step ${fig(p)}`
    : `after about ${durationWords(p.mean * s)}${timeSpan(Math.max(0, p.ci95[0]) * s, p.ci95[1] * s, durationWords(p.mean * s))}`;
  const share = p.runs < r.runs ? ` in the ${grouped.format(p.runs)} of ${grouped.format(r.runs)} runs where it spreads` : '';
  return `for the ${opinion} opinion ${at}${share}`;
}

function who(ids: string[]): string {
  if (ids.length === 1) return ids[0];
  return `${ids.length} customers (${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ', …' : ''})`;
}

/** The sentences of one scenario report. */
export function scenarioSummary(r: ReadableReport): string {
  const out: string[] = [];
  const what = r.experience === 'negative' ? 'A complaint' : 'Praise';
  const within = r.stepSeconds === null ? `within ${r.horizon} steps` : `within ${durationWords(r.horizon * r.stepSeconds)} (${r.horizon} steps of ${durationWords(r.stepSeconds)})`;
  const reach = fig(r.reach).replace(/^([^ ]+)/, '$1 customers');
  out.push(`${what} from ${who(r.customers)} reaches about ${reach} ${within}: about ${fig(r.negative)} end up negative and ${fig(r.positive)} positive.`);
  if (r.response && r.experience === 'negative') {
    const atSeconds = r.response.at !== undefined && r.stepSeconds !== null ? parseDuration(r.response.at) : null;
    // An answer asked for at a time between two step ends acts after the last step already over: say so in one clause.
    const asked = atSeconds && 'seconds' in atSeconds && atSeconds.seconds !== r.response.atStep * r.stepSeconds!
      ? `Asked to answer at ${durationWords(atSeconds.seconds)}, which falls in step ${r.response.atStep + 1}, the brand answers`
      : 'The brand answers';
    const when = r.response.atStep === 0 ? 'before the complaint spreads (step 0)' : `after ${stepText(r.response.atStep, r.stepSeconds)}`;
    out.push(`${asked} ${when}, ${r.response.public ? 'in public' : 'in private'}, and wins the complainant over in ${round(100 * r.response.effectiveness)}% of runs.`);
  } else if (r.experience === 'negative') {
    out.push('The brand does not answer.');
  }
  const peaks = [peakText(r.peaks.negative, 'negative', r), peakText(r.peaks.positive, 'positive', r)].filter((x): x is string => x !== null);
  if (peaks.length) out.push(`Newly reached customers peak, on average, ${peaks.join(', and ')}.`);
  const per = r.valuesAreDefaults;
  const m = (x: number) => moneyText(x, r.money.currency, per);
  const unit = per ? ' customers’ worth' : '';
  out.push(`About ${fig(r.money.atRisk, m).replace(/^([^ ]+)/, `$1${unit}`)} of customer value is at risk and ${fig(r.money.earned, m)} is earned: net ${fig(r.money.net, m)}.`);
  if (per) out.push('The graph gives no customer values, so every customer counts as 1 and money is in customers’ worth, not in a currency.');
  out.push(`Impressions: about ${fig(r.impressions)}.`);
  if (r.truncatedByHorizon) {
    out.push(`It is still spreading at the horizon: in its last step, ${stepText(r.lastStep.step, r.stepSeconds)}, about ${round(r.lastStep.newMean)} customers were newly reached (${round(100 * r.lastStep.shareOfReach)}% of all reached), so a longer horizon would reach more.`);
  }
  if (r.stepSeconds === null) out.push('Time is in steps (rounds of passing it on): neither the graph nor the request sets a step duration.');
  return out.join(' ');
}

export interface ReadableDifference {
  from: string;
  to: string;
  negative: Mc;
  money: { atRisk: Mc & { relative: Mc | null }; net: Mc & { relative: Mc | null } };
}

/** The sentences of a compare report: each variant against the first. */
export function compareSummary(variants: (ReadableReport & { name: string })[], differences: ReadableDifference[]): string {
  if (variants.length === 0) return '';
  const base = variants[0];
  const per = base.valuesAreDefaults;
  const m = (x: number) => moneyText(x, base.money.currency, per);
  const out: string[] = [`Compared with “${base.name}” (${round(base.negative.mean)} negative customers, ${m(base.money.atRisk.mean)} at risk), on the same random runs:`];
  for (const d of differences) {
    const sure = (x: Mc) => x.ci95[0] > 0 || x.ci95[1] < 0;
    const neg = d.negative;
    const negText = sure(neg)
      ? `${neg.mean < 0 ? 'lowers' : 'raises'} the negative customers by ${round(Math.abs(neg.mean))} (${span([Math.abs(neg.ci95[0]), Math.abs(neg.ci95[1])].sort((a, b) => a - b) as [number, number])})`
      : 'leaves the negative customers about the same';
    const risk = d.money.atRisk;
    const rel = risk.relative;
    const riskText = sure(risk)
      ? `${risk.mean < 0 ? 'cuts' : 'adds to'} the money at risk by ${m(Math.abs(risk.mean))}${rel ? ` (${round(Math.abs(100 * rel.mean))}%, range ${span([Math.abs(100 * rel.ci95[0]), Math.abs(100 * rel.ci95[1])].sort((a, b) => a - b) as [number, number])}%)` : ''}${risk.mean < 0 ? ', a smaller loss' : ', a larger loss'}`
      : 'makes no clear difference to the money at risk';
    const net = d.money.net;
    const abs = (ci: [number, number]) => [Math.abs(ci[0]), Math.abs(ci[1])].sort((x, y) => x - y) as [number, number];
    const netText = sure(net) ? `net ${net.mean > 0 ? 'improves' : 'worsens'} by ${m(Math.abs(net.mean))} (${span(abs(net.ci95), m)})` : 'net is about the same';
    out.push(`“${d.to}” ${negText}, ${riskText}; ${netText}.`);
  }
  out.push('Differences are paired run by run; a range that spans zero is no clear difference.');
  return out.join(' ');
}

/** The ISO 8601 time of a step, or undefined without a step duration. */
export function stepDurationOf(step: number, stepSeconds: number | null): string | undefined {
  return stepSeconds === null ? undefined : isoDuration(step * stepSeconds);
}
