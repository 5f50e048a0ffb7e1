import { COLORS, mixColor } from './charts.js';
import { esc, num } from './format.js';
import type { Family, Neighbourhood, Trace } from './types.js';

/**
 * A catalogue model's traced run (`trace: true`: run 0 of the request, on its stream (seed, 0)) read for the
 * customer's neighbourhood: who was reached when and by whom (spread models), or who ends for or against the brand
 * and who changed their mind (opinion models). Pure: from the API's events to colours, a legend and a table, so that
 * the drawing (graph-view.ts), its SVG export and the table say the same.
 */

/** The key of an undirected edge (either direction), as the drawing looks its ties up. */
export const edgeKey = (a: string, b: string) => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);

/** What happened to one customer in the traced run. */
export interface Outcome {
  /** Spread models: when it was first reached (a step; time units for ctic). Undefined: not reached. */
  reachedAt?: number;
  /** Who reached it (spread) or who last changed its mind (opinion); null: a seed, or it changed on its own. */
  by?: string | null;
  /** Its state at the end of the run (or where the trace stops). */
  final: string;
  /** Opinion models: its opinion at step 0. */
  start: string;
  /** Opinion models: how often it changed its mind after step 0. */
  changes: number;
  /** Opinion models: when it last changed its mind. */
  lastChange?: number;
}

const opinionFamily = (f: Family) => f === 'opinion' || f === 'hk';

/** States that are not "reached": the start, and a customer blocked (immune) before it adopted. */
const NOT_REACHED = new Set(['susceptible', 'blocked']);

/**
 * Each customer's outcome from the events, in the order they happened. A customer with no event kept its start:
 * "against" in the binary opinion models (only the seeds and forShare's holders are logged at step 0; HK logs
 * everyone), not reached in the spread models.
 */
export function outcomes(trace: Trace, family: Family): Map<string, Outcome> {
  const out = new Map<string, Outcome>();
  const opinion = opinionFamily(family);
  for (const e of trace.events) {
    let o = out.get(e.to);
    if (!o) {
      o = { final: opinion ? 'against' : 'susceptible', start: opinion ? 'against' : 'susceptible', changes: 0 };
      out.set(e.to, o);
    }
    if (opinion) {
      if (e.time === 0) o.start = e.state;
      else {
        o.changes++;
        o.lastChange = e.time;
        o.by = e.from;
      }
    } else if (o.reachedAt === undefined && !NOT_REACHED.has(e.state)) {
      o.reachedAt = e.time;
      o.by = e.from;
    }
    o.final = e.state;
  }
  return out;
}

export interface LegendItem {
  color: string;
  text: string;
  /** A line (the run's path), not a swatch. */
  line?: boolean;
}

export interface TraceView {
  /** The colour and tip of every customer shown (the centre included). */
  looks: Map<string, { color: string; frequency: number; tip: string }>;
  centerColor: string;
  /** Ties on the run's path: who reached whom, or who last changed whose mind (edgeKey). */
  tree: Set<string>;
  legend: LegendItem[];
  /** One sentence: what the run did among the customers shown. */
  caption: string;
  head: string[];
  rows: string[][];
}

const RGB = {
  accent: [31, 95, 191] as const,
  positive: [27, 122, 58] as const,
  negative: [179, 38, 30] as const,
  amber: [184, 110, 0] as const,
};
const UNREACHED = '#e6eaee';

/** "for" / "against" / a compartment name as the table writes it. */
const STATE_WORDS: Record<string, string> = {
  for: 'for', against: 'against', susceptible: 'not reached', infected: 'passing it on', exposed: 'heard, not passing it on yet',
  recovered: 'done with it', removed: 'done with it', weakened: 'doubtful', adopting: 'adopted', blocked: 'blocked', reached: 'reached',
};
export const stateWord = (s: string) => STATE_WORDS[s] ?? s;

/**
 * The view of a traced run on the neighbourhood `n`. `when(t)` writes a time of the trace (a step, or for ctic a time
 * in its units) as the page does elsewhere; `name(id)` a customer.
 */
export function traceView(n: Neighbourhood, trace: Trace, family: Family, when: (t: number) => string, name: (id: string) => string): TraceView {
  const all = outcomes(trace, family);
  const shown = n.customers.map((c) => c.id);
  const opinion = opinionFamily(family);
  const none: Outcome = { final: opinion ? 'against' : 'susceptible', start: opinion ? 'against' : 'susceptible', changes: 0 };
  const of = (id: string) => all.get(id) ?? none;
  const looks = new Map<string, { color: string; frequency: number; tip: string }>();
  const tree = new Set<string>();
  const inView = new Set(shown);
  const lastTime = trace.events.length > 0 ? trace.events[trace.events.length - 1].time : 0;
  const cut = trace.truncated ? ` The trace keeps the first ${num(trace.events.length)} events: what happened after ${when(lastTime)} is not shown.` : '';
  const by = (o: Outcome, t: number | undefined) => (o.by ? name(o.by) : t === 0 ? 'a seed' : o.by === null ? 'on its own' : '—');
  if (opinion) {
    const colorOf = (o: Outcome) => {
      const isFor = o.final === 'for';
      const held = o.start === o.final;
      return isFor ? (held ? COLORS.positive : mixColor(RGB.positive, 0.4)) : held ? COLORS.negative : mixColor(RGB.negative, 0.4);
    };
    let nFor = 0;
    for (const id of shown) {
      const o = of(id);
      if (o.final === 'for') nFor++;
      looks.set(id, { color: colorOf(o), frequency: o.final === 'for' ? 1 : 0, tip: `${name(id)}: ${stateWord(o.final)} at the end${o.changes ? `, changed ${o.changes}×` : ''}` });
      if (o.by && inView.has(o.by)) tree.add(edgeKey(o.by, id));
    }
    const hk = family === 'hk';
    const legend: LegendItem[] = [
      { color: COLORS.positive, text: `for${hk ? ' (opinion > 0)' : ''}, as at step 0` },
      { color: mixColor(RGB.positive, 0.4), text: 'won over to for' },
      { color: COLORS.negative, text: `against${hk ? ' (opinion ≤ 0)' : ''}, as at step 0` },
      { color: mixColor(RGB.negative, 0.4), text: 'won over to against' },
    ];
    if (!hk) legend.push({ color: '#1d2733', text: 'who last changed whose mind', line: true });
    const rows = shown
      .map((id) => ({ id, o: of(id) }))
      .sort((a, b) => Number(b.o.final === 'for') - Number(a.o.final === 'for') || b.o.changes - a.o.changes)
      .map(({ id, o }) => [name(id), stateWord(o.final), stateWord(o.start), String(o.changes), o.lastChange === undefined ? '—' : when(o.lastChange), hk ? '—' : o.lastChange === undefined ? '—' : by(o, o.lastChange)]);
    return {
      looks, centerColor: colorOf(of(n.center)), tree, legend,
      caption: `At the end of the traced run, ${num(nFor)} of the ${num(shown.length)} customers shown are for the brand and ${num(shown.length - nFor)} against.${cut}`,
      head: ['Customer', 'At the end', 'At step 0', 'Changed', 'Last changed', 'Last told by'],
      rows,
    };
  }
  let tMin = Infinity;
  let tMax = -Infinity;
  for (const id of shown) {
    const t = of(id).reachedAt;
    if (t !== undefined && id !== n.center) {
      tMin = Math.min(tMin, t);
      tMax = Math.max(tMax, t);
    }
  }
  const shade = (t: number) => (tMax > tMin ? 1 - (0.7 * (t - tMin)) / (tMax - tMin) : 1);
  // CTIC logs one state, an arrival: reached or not.
  const endWord = (o: Outcome) => (family === 'ctic' ? (o.reachedAt === undefined ? 'not reached' : 'reached') : stateWord(o.final));
  let reached = 0;
  let blocked = 0;
  for (const id of shown) {
    const o = of(id);
    let color = UNREACHED;
    if (o.reachedAt !== undefined) {
      if (id !== n.center) reached++;
      color = mixColor(RGB.accent, shade(o.reachedAt));
      if (o.by && inView.has(o.by)) tree.add(edgeKey(o.by, id));
    } else if (o.final === 'blocked') {
      blocked++;
      color = mixColor(RGB.amber, 0.6);
    }
    const tip = o.reachedAt === undefined ? `${name(id)}: ${endWord(o)}` : `${name(id)}: reached at ${when(o.reachedAt)}, by ${by(o, o.reachedAt)}`;
    looks.set(id, { color, frequency: o.reachedAt === undefined ? 0 : 1, tip });
  }
  const legend: LegendItem[] = [];
  if (tMin <= tMax) {
    legend.push({ color: mixColor(RGB.accent, 1), text: `reached at ${when(tMin)}` });
    if (tMax > tMin) legend.push({ color: mixColor(RGB.accent, 0.3), text: `… at ${when(tMax)}` });
  }
  legend.push({ color: UNREACHED, text: 'not reached in this run' });
  if (blocked > 0) legend.push({ color: mixColor(RGB.amber, 0.6), text: 'blocked (never adopts)' });
  legend.push({ color: '#1d2733', text: 'who reached whom', line: true });
  const rows = shown
    .map((id) => ({ id, o: of(id) }))
    .sort((a, b) => (a.o.reachedAt ?? Infinity) - (b.o.reachedAt ?? Infinity))
    .map(({ id, o }) => [name(id), o.reachedAt === undefined ? '—' : when(o.reachedAt), o.reachedAt === undefined ? '—' : by(o, o.reachedAt), endWord(o)]);
  return {
    looks, centerColor: COLORS.accent, tree, legend,
    caption: `In the traced run ${num(reached)} of the ${num(shown.length - 1)} other customers shown were reached; the run reached ${num(trace.reach)} customers in all.${cut}`,
    head: ['Customer', 'Reached at', 'Reached by', 'At the end'],
    rows,
  };
}

/** The legend as HTML: swatches (or a line) with their words. */
export function legendHtml(items: LegendItem[]): string {
  return items
    .map((i) => (i.line
      ? `<span class="legend-item"><span class="legend-line" style="background:${i.color}"></span>${esc(i.text)}</span>`
      : `<span class="legend-item"><span class="swatch" style="background:${i.color}"></span>${esc(i.text)}</span>`))
    .join('');
}
