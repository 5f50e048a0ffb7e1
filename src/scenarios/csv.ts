/**
 * Reports as tidy CSV (`Accept: text/csv`): one figure per row, long format, so a spreadsheet or pandas reads
 * it without reshaping. Columns:
 *
 *   variant   compare mode: the variant's name ("" for a single report)
 *   section   figure | curve | passers | amplifiers | reached | difference | summary
 *   measure   e.g. reach, negative, money.atRisk, timeToPeak.negative; for curves negative.cumulative; the catalogue's
 *             models: compartment.NAME (curve, the mean in each state with its interval), consensus.share,
 *             consensus.step, consensus.forWins, finalShares.for / .against, finalMeanOpinion, withinHorizon,
 *             timeToReach.share / .value, reachByTime (curve, `time` the ISO 8601 time)
 *             (timeToPeak.negative / .positive: each opinion's time to peak per run, `negativeTimeToPeak` /
 *             `positiveTimeToPeak` of the JSON, over the runs in which that opinion spreads; no row when it never does)
 *   step      curves: the step; else empty
 *   time      the step's duration (ISO 8601) when the report has a step duration; for a time to peak, its mean's; else empty
 *   customer  passers / amplifiers / reached: the customer id; else empty
 *   mean, ci95_low, ci95_high   the figure and its 95% interval (frequency as a share for customers)
 *   unit      customers, impressions, steps, share, opinion, time units, or the money's currency / "per-customer value"
 *   baseline  differences: the variant compared against
 *
 * Numbers keep full precision (the JSON's), text is RFC 4180 quoted when needed.
 */

type Obj = Record<string, unknown>;
interface Mc { mean: number; ci95: [number, number] }

const COLUMNS = ['variant', 'section', 'measure', 'step', 'time', 'customer', 'mean', 'ci95_low', 'ci95_high', 'unit', 'baseline'] as const;
type Row = Partial<Record<(typeof COLUMNS)[number], string | number | null | undefined>>;

function field(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  return /[",\r\n]|^\s|\s$/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isMc = (v: unknown): v is Mc => isObj(v) && typeof v.mean === 'number' && Array.isArray(v.ci95);

function moneyUnit(r: Obj): string {
  const m = r.money as Obj | undefined;
  if (r.valuesAreDefaults === true) return 'per-customer value';
  return typeof m?.currency === 'string' ? m.currency : '';
}

function figure(rows: Row[], variant: string, measure: string, v: unknown, unit: string): void {
  if (!isMc(v)) return;
  const time = isObj((v as unknown as Obj).duration) ? ((v as unknown as Obj).duration as Obj).mean as string : undefined;
  rows.push({ variant, section: 'figure', measure, ...(time !== undefined ? { time } : {}), mean: v.mean, ci95_low: v.ci95[0], ci95_high: v.ci95[1], unit });
}

function steps(rows: Row[], variant: string, name: string, list: unknown): void {
  if (!Array.isArray(list)) return;
  for (const s of list as Obj[]) {
    for (const kind of ['cumulative', 'new'] as const) {
      const mean = s[`${kind}Mean`];
      const ci = s[`${kind}Ci95`] as [number, number] | undefined;
      if (typeof mean !== 'number') continue;
      rows.push({
        variant, section: 'curve', measure: `${name}.${kind}`, step: s.step as number, time: (s.duration as string | undefined) ?? '',
        mean, ci95_low: ci?.[0], ci95_high: ci?.[1], unit: 'customers',
      });
    }
  }
}

/** The catalogue models' curves (`compartments` with `compartmentsCi95`, CTIC's `reachByTime`) and figures. */
function modelRows(rows: Row[], variant: string, r: Obj): void {
  if (Array.isArray(r.compartments)) {
    const cis = Array.isArray(r.compartmentsCi95) ? (r.compartmentsCi95 as Obj[]) : [];
    (r.compartments as Obj[]).forEach((c, i) => {
      for (const [name, mean] of Object.entries(c)) {
        if (name === 'step' || typeof mean !== 'number') continue;
        const ci = cis[i]?.[name] as [number, number] | undefined;
        rows.push({ variant, section: 'curve', measure: `compartment.${name}`, step: c.step as number, mean, ci95_low: ci?.[0], ci95_high: ci?.[1], unit: name === 'meanOpinion' ? 'opinion' : 'customers' });
      }
    });
  }
  if (Array.isArray(r.reachByTime)) {
    for (const p of r.reachByTime as Obj[]) rows.push({ variant, section: 'curve', measure: 'reachByTime', time: p.duration as string, mean: p.mean as number, unit: 'customers' });
  }
  const c = r.consensus as Obj | undefined;
  if (c) {
    figure(rows, variant, 'consensus.share', c.share, 'share');
    figure(rows, variant, 'consensus.step', c.step, 'steps');
    figure(rows, variant, 'consensus.forWins', c.forWins, 'share');
  }
  const f = r.finalShares as Obj | undefined;
  if (f) for (const k of ['for', 'against']) figure(rows, variant, `finalShares.${k}`, f[k], 'share');
  figure(rows, variant, 'finalMeanOpinion', r.finalMeanOpinion, 'opinion');
  figure(rows, variant, 'withinHorizon', r.withinHorizon, 'customers');
  const t = r.timeToReach as Obj | undefined;
  if (t) {
    figure(rows, variant, 'timeToReach.share', t.share, 'share');
    figure(rows, variant, 'timeToReach.value', t.value, 'time units');
  }
}

function ranked(rows: Row[], variant: string, section: string, list: unknown): void {
  if (!Array.isArray(list)) return;
  for (const a of list as Obj[]) {
    if (typeof a.id === 'string' && typeof a.frequency === 'number') rows.push({ variant, section, measure: 'frequency', customer: a.id, mean: a.frequency, unit: 'share of runs' });
  }
}

function reportRows(rows: Row[], r: Obj, variant = ''): void {
  const money = moneyUnit(r);
  if (typeof r.summary === 'string') rows.push({ variant, section: 'summary', measure: r.summary });
  figure(rows, variant, 'reach', r.reach, 'customers');
  figure(rows, variant, 'negative', r.negative, 'customers');
  figure(rows, variant, 'positive', r.positive, 'customers');
  figure(rows, variant, 'impressions', r.impressions, 'impressions');
  const m = r.money as Obj | undefined;
  if (m) for (const k of ['atRisk', 'earned', 'net']) figure(rows, variant, `money.${k}`, m[k], money);
  const v = r.valueExposed as Obj | undefined;
  figure(rows, variant, 'valueExposed', v, money);
  if (v && isMc(v.share)) figure(rows, variant, 'valueExposed.share', v.share, 'share');
  const ttp = r.timeToPeak as Obj | undefined;
  if (ttp) {
    figure(rows, variant, 'timeToPeak', ttp, 'steps');
    for (const k of ['negative', 'positive']) figure(rows, variant, `timeToPeak.${k}`, r[`${k}TimeToPeak`], 'steps');
  }
  steps(rows, variant, 'all', r.steps);
  steps(rows, variant, 'negative', r.negativeSteps);
  steps(rows, variant, 'positive', r.positiveSteps);
  modelRows(rows, variant, r);
  ranked(rows, variant, 'passers', r.passers);
  ranked(rows, variant, 'amplifiers', r.amplifiers);
  ranked(rows, variant, 'reached', r.reachOf);
}

function differenceRows(rows: Row[], d: Obj, money: string): void {
  const push = (measure: string, v: unknown, unit: string) => {
    if (!isMc(v)) return;
    rows.push({ variant: d.to as string, section: 'difference', measure, mean: v.mean, ci95_low: v.ci95[0], ci95_high: v.ci95[1], unit, baseline: d.from as string });
    const rel = (v as unknown as Obj).relative;
    if (isMc(rel)) rows.push({ variant: d.to as string, section: 'difference', measure: `${measure}.relative`, mean: rel.mean, ci95_low: rel.ci95[0], ci95_high: rel.ci95[1], unit: 'share', baseline: d.from as string });
  };
  for (const k of ['reach', 'negative', 'positive']) push(k, d[k], 'customers');
  push('impressions', d.impressions, 'impressions');
  push('timeToPeak', d.timeToPeak, 'steps');
  for (const k of ['negative', 'positive']) push(`timeToPeak.${k}`, d[`${k}TimeToPeak`], 'steps');
  push('valueExposed', d.valueExposed, money);
  const m = d.money as Obj | undefined;
  if (m) for (const k of ['atRisk', 'earned', 'net']) push(`money.${k}`, m[k], money);
}

/** True for the answers this module can write: scenario reports, compare results and simulation results. */
export function hasCsv(body: unknown): boolean {
  return isObj(body) && (Array.isArray(body.variants) || isMc(body.reach));
}

/** A scenario report, a compare result or a simulation result as tidy CSV (see the module comment). */
export function reportCsv(body: unknown): string {
  if (!hasCsv(body)) throw new TypeError('reportCsv: not a report');
  const b = body as Obj;
  const rows: Row[] = [];
  if (Array.isArray(b.variants)) {
    if (typeof b.summary === 'string') rows.push({ section: 'summary', measure: b.summary });
    const variants = b.variants as Obj[];
    for (const v of variants) reportRows(rows, v, String(v.name));
    const money = variants[0] ? moneyUnit(variants[0]) : '';
    for (const d of (b.differences as Obj[] | undefined) ?? []) differenceRows(rows, d, money);
  } else {
    reportRows(rows, b);
  }
  return [COLUMNS.join(','), ...rows.map((r) => COLUMNS.map((c) => field(r[c])).join(','))].join('\r\n') + '\r\n';
}
