/**
 * A small SVG chart renderer (no browser, no dependencies): line charts with optional CI bands and markers,
 * scatter plots (linear or log axes) and histograms. Pure functions from data to an SVG string; output is
 * deterministic (fixed number formatting) so charts can be committed and diffed.
 */

export interface Series {
  name: string;
  /** Points in x order; lo/hi draw a band (e.g. a 95% CI). */
  points: { x: number; y: number; lo?: number; hi?: number }[];
  /** Draw markers only (a scatter), no line. */
  markersOnly?: boolean;
}

/** Why a series is not drawn: listed under the legend instead (an empty or all-zero line says nothing). */
export interface OmittedSeries {
  name: string;
  reason: string;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
  logX?: boolean;
  logY?: boolean;
  /** Draw the line y = x (predicted vs observed). */
  diagonal?: boolean;
  /** Force y to start at 0 (default true for linear y). */
  yFromZero?: boolean;
  /** Leave out series whose every y is 0 (listed in a note under the legend). Default true. */
  omitZeroSeries?: boolean;
}

export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

const MARGIN = { left: 70, right: 20, top: 40, bottom: 55 };

/**
 * How series are told apart besides colour (they often overlap: degree discount right under degree): each has
 * its own dash pattern and marker shape, and markers are staggered along the line so both stay visible.
 */
export const DASHES = ['', '7 4', '2 3', '10 3 2 3', '4 2', '12 4', '1 3', '6 2 1 2 1 2'];
export const MARKERS = ['circle', 'square', 'triangle', 'diamond', 'cross', 'triangle-down', 'plus', 'star'] as const;
export type MarkerShape = (typeof MARKERS)[number];

/** Average glyph width as a share of the font size (Helvetica; bold slightly wider): for wrapping, never for layout-critical maths. */
const CHAR_EM = 0.56;
const TITLE_SIZE = 15;
const TITLE_LINE = 19;

/** Words wrapped into lines of at most `width` px at `size` px (a word longer than a line gets a line of its own). */
export function wrapText(text: string, width: number, size: number, bold = false): string[] {
  const per = Math.max(8, Math.floor(width / (size * (bold ? CHAR_EM + 0.04 : CHAR_EM))));
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line === '') line = word;
    else if (line.length + 1 + word.length <= per) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}

/** SVG path of a marker centred on (x, y). */
export function markerPath(shape: MarkerShape, x: number, y: number, size = 3.5): string {
  const a = size;
  const p = (pts: [number, number][]) => `M${pts.map(([u, v]) => `${r(x + u)},${r(y + v)}`).join('L')}Z`;
  switch (shape) {
    case 'circle': return `M${r(x - a)},${r(y)}a${r(a)},${r(a)} 0 1,0 ${r(2 * a)},0a${r(a)},${r(a)} 0 1,0 ${r(-2 * a)},0Z`;
    case 'square': return p([[-a, -a], [a, -a], [a, a], [-a, a]]);
    case 'triangle': return p([[0, -a * 1.2], [a * 1.1, a * 0.8], [-a * 1.1, a * 0.8]]);
    case 'triangle-down': return p([[0, a * 1.2], [a * 1.1, -a * 0.8], [-a * 1.1, -a * 0.8]]);
    case 'diamond': return p([[0, -a * 1.3], [a * 1.1, 0], [0, a * 1.3], [-a * 1.1, 0]]);
    case 'cross': {
      const t = a * 0.45;
      return p([[-a, -a + t], [-a + t, -a], [0, -t], [a - t, -a], [a, -a + t], [t, 0], [a, a - t], [a - t, a], [0, t], [-a + t, a], [-a, a - t], [-t, 0]]);
    }
    case 'plus': {
      const t = a * 0.4;
      return p([[-t, -a], [t, -a], [t, -t], [a, -t], [a, t], [t, t], [t, a], [-t, a], [-t, t], [-a, t], [-a, -t], [-t, -t]]);
    }
    case 'star': {
      const pts: [number, number][] = [];
      for (let i = 0; i < 10; i++) {
        const rad = i % 2 === 0 ? a * 1.3 : a * 0.55;
        const ang = -Math.PI / 2 + (i * Math.PI) / 5;
        pts.push([rad * Math.cos(ang), rad * Math.sin(ang)]);
      }
      return p(pts);
    }
  }
}

export interface SeriesStyle {
  color: string;
  dash: string;
  marker: MarkerShape;
}

/** The style of the i-th series (colour, dash, marker all cycle, at different periods). */
export function seriesStyle(i: number): SeriesStyle {
  return { color: PALETTE[i % PALETTE.length], dash: DASHES[i % DASHES.length], marker: MARKERS[i % MARKERS.length] };
}

/** The last finite y of a series (for the legend order: the legend reads top-down as the lines end). */
function endValue(s: Series): number {
  for (let i = s.points.length - 1; i >= 0; i--) if (Number.isFinite(s.points[i].y)) return s.points[i].y;
  return -Infinity;
}

/** Split series into those drawn and those left out (no finite point, or 0 throughout when `omitZero`). */
export function partitionSeries(series: readonly Series[], omitZero = true): { shown: Series[]; omitted: OmittedSeries[] } {
  const shown: Series[] = [];
  const omitted: OmittedSeries[] = [];
  for (const s of series) {
    const finite = s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
    if (finite.length === 0) omitted.push({ name: s.name, reason: 'no data' });
    else if (omitZero && finite.every((p) => p.y === 0 && (p.hi ?? 0) === 0)) omitted.push({ name: s.name, reason: '0 throughout' });
    else shown.push(s);
  }
  return { shown, omitted };
}

/** Indices of `series` in legend order: by the value where each line ends, highest first (ties: input order). */
export function legendOrder(series: readonly Series[]): number[] {
  return series.map((s, i) => ({ i, end: endValue(s) })).sort((a, b) => b.end - a.end || a.i - b.i).map((e) => e.i);
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Round for SVG coordinates (2 decimals, no "-0"). */
function r(x: number): string {
  const v = Math.round(x * 100) / 100;
  return Object.is(v, -0) ? '0' : String(v);
}

/** "Nice" tick values covering [lo, hi] (1, 2, 5 × 10^k steps); whole numbers only when `integer` (k, steps). */
export function niceTicks(lo: number, hi: number, count = 6, integer = false): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const nice = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const step = integer ? Math.max(1, nice) : nice;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) out.push(Math.abs(t) < step * 1e-9 ? 0 : Number(t.toPrecision(12)));
  return out;
}

function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    const t = 10 ** e;
    if (t >= lo * 0.999 && t <= hi * 1.001) out.push(t);
  }
  return out.length >= 2 ? out : [lo, hi];
}

export function formatTick(t: number): string {
  if (t === 0) return '0';
  const a = Math.abs(t);
  if (a >= 1e6 || a < 1e-3) return t.toExponential(0);
  if (a >= 1000) return String(Math.round(t));
  return String(Number(t.toPrecision(4)));
}

interface Scale {
  map(v: number): number;
  ticks: number[];
}

function scale(lo: number, hi: number, a: number, b: number, log: boolean, integer = false): Scale {
  if (log) {
    const l0 = Math.log10(lo);
    const l1 = Math.log10(hi);
    const d = l1 - l0 || 1;
    return { map: (v) => a + ((Math.log10(Math.max(v, lo)) - l0) / d) * (b - a), ticks: logTicks(lo, hi) };
  }
  const ticks = niceTicks(lo, hi, 6, integer);
  const lo2 = Math.min(lo, ticks[0]);
  const hi2 = Math.max(hi, ticks[ticks.length - 1]);
  const d = hi2 - lo2 || 1;
  return { map: (v) => a + ((v - lo2) / d) * (b - a), ticks };
}

function extent(values: number[], log: boolean): [number, number] {
  const v = values.filter((x) => Number.isFinite(x) && (!log || x > 0));
  if (v.length === 0) return log ? [1, 10] : [0, 1];
  let lo = Math.min(...v);
  let hi = Math.max(...v);
  if (lo === hi) {
    if (log) {
      lo /= 2;
      hi *= 2;
    } else {
      lo -= 0.5;
      hi += 0.5;
    }
  }
  return [lo, hi];
}

/** Title lines for a chart `w` wide, and the top margin they need. */
function titleLayout(title: string, w: number): { lines: string[]; top: number } {
  const lines = wrapText(title, w - 24, TITLE_SIZE, true);
  return { lines, top: MARGIN.top + (lines.length - 1) * TITLE_LINE };
}

function frame(o: ChartOptions, w: number, h: number, xs: Scale, ys: Scale, body: string[], legend: string[], plotW: number, title: { lines: string[]; top: number }): string {
  const x0 = MARGIN.left;
  const x1 = plotW - MARGIN.right;
  const y0 = h - MARGIN.bottom;
  const y1 = title.top;
  const grid: string[] = [];
  for (const t of xs.ticks) {
    const x = xs.map(t);
    grid.push(`<line x1="${r(x)}" y1="${r(y1)}" x2="${r(x)}" y2="${r(y0)}" stroke="#e5e5e5"/>`);
    grid.push(`<text x="${r(x)}" y="${r(y0 + 18)}" text-anchor="middle">${escapeXml(formatTick(t))}</text>`);
  }
  for (const t of ys.ticks) {
    const y = ys.map(t);
    grid.push(`<line x1="${r(x0)}" y1="${r(y)}" x2="${r(x1)}" y2="${r(y)}" stroke="#e5e5e5"/>`);
    grid.push(`<text x="${r(x0 - 6)}" y="${r(y + 4)}" text-anchor="end">${escapeXml(formatTick(t))}</text>`);
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${w}" height="${h}" fill="white"/>`,
    ...title.lines.map((line, i) => `<text x="${r(w / 2)}" y="${22 + i * TITLE_LINE}" text-anchor="middle" font-size="${TITLE_SIZE}" font-weight="bold">${escapeXml(line)}</text>`),
    ...grid,
    `<rect x="${r(x0)}" y="${r(y1)}" width="${r(x1 - x0)}" height="${r(y0 - y1)}" fill="none" stroke="#444"/>`,
    `<text x="${r((x0 + x1) / 2)}" y="${r(h - 14)}" text-anchor="middle">${escapeXml(o.xLabel)}</text>`,
    `<text transform="translate(16 ${r((y0 + y1) / 2)}) rotate(-90)" text-anchor="middle">${escapeXml(o.yLabel)}</text>`,
    ...body,
    ...legend,
    `</svg>`,
    '',
  ].join('\n');
}

/** Legend to the right of the plot area (never over the data): width it needs. */
function legendWidth(names: string[]): number {
  return names.length === 0 ? 0 : 44 + 7 * Math.max(...names.map((n) => n.length));
}

const NOTE_WIDTH = 34; // characters per note line under the legend

/** The note on left-out series, as lines. */
function omittedNote(omitted: readonly OmittedSeries[]): string[] {
  if (omitted.length === 0) return [];
  return ['not shown:', ...omitted.flatMap((o) => wrapText(`${o.name} (${o.reason})`, NOTE_WIDTH * 7, 12).map((l, i) => (i === 0 ? `· ${l}` : `  ${l}`)))];
}

/** Legend entries (in `order`) then the note; returns the SVG and the height it takes below `top`. */
function legendBlock(
  names: string[], order: number[], plotRight: number, top: number, marker: (i: number, x: number, y: number) => string, note: string[] = [],
): { svg: string[]; height: number } {
  const out: string[] = [];
  const x = plotRight + 14;
  order.forEach((i, row) => {
    const y = top + 14 + row * 18;
    out.push(marker(i, x, y - 4));
    out.push(`<text x="${r(x + 28)}" y="${r(y)}">${escapeXml(names[i])}</text>`);
  });
  const noteTop = top + 14 + order.length * 18 + (order.length ? 8 : 0);
  note.forEach((line, k) => out.push(`<text x="${r(x)}" y="${r(noteTop + k * 15)}" fill="#555" font-size="11">${escapeXml(line)}</text>`));
  return { svg: out, height: noteTop - top + note.length * 15 };
}

/**
 * Line chart (markersOnly series: scatter) with CI bands where points carry lo/hi. Series differ by colour, dash
 * and marker shape; the legend lists them in the order the lines end (top line first); series with no data or 0
 * throughout are left out and named in a note; long titles wrap instead of clipping.
 */
export function lineChart(allSeries: Series[], o: ChartOptions): string {
  const { shown: series, omitted } = partitionSeries(allSeries, o.omitZeroSeries ?? true);
  const names = series.map((s) => s.name);
  const note = omittedNote(omitted);
  const lw = Math.max(legendWidth(names), note.length ? 14 + 7 * Math.max(...note.map((l) => l.length)) : 0);
  const plotW = o.width ?? 720;
  const w = plotW + lw;
  const title = titleLayout(o.title, w);
  const legendRows = names.length * 18 + (names.length ? 8 : 0) + note.length * 15 + 30;
  const h = Math.max((o.height ?? 440) + (title.top - MARGIN.top), title.top + legendRows + MARGIN.bottom);
  const allX = series.flatMap((s) => s.points.map((p) => p.x));
  const allY = series.flatMap((s) => s.points.flatMap((p) => [p.y, p.lo ?? p.y, p.hi ?? p.y]));
  let [xlo, xhi] = extent(allX, !!o.logX);
  let [ylo, yhi] = extent(allY, !!o.logY);
  if (o.diagonal) {
    xlo = ylo = Math.min(xlo, ylo);
    xhi = yhi = Math.max(xhi, yhi);
  }
  if (!o.logY && (o.yFromZero ?? true)) ylo = Math.min(0, ylo);
  if (!o.logY && !o.diagonal) {
    // Headroom: a line at the data's extreme (a flat baseline, a plateau) is not drawn on the frame.
    const pad = 0.04 * (yhi - ylo || 1);
    yhi += pad;
    if (!(o.yFromZero ?? true)) ylo -= pad;
  }
  const xs = scale(xlo, xhi, MARGIN.left, plotW - MARGIN.right, !!o.logX, allX.every(Number.isInteger));
  const ys = scale(ylo, yhi, h - MARGIN.bottom, title.top, !!o.logY);
  const body: string[] = [];
  if (o.diagonal) {
    body.push(`<line x1="${r(xs.map(xlo))}" y1="${r(ys.map(ylo))}" x2="${r(xs.map(xhi))}" y2="${r(ys.map(yhi))}" stroke="#999" stroke-dasharray="4 3"/>`);
  }
  const styles = series.map((_, i) => seriesStyle(i));
  // Bands first, under every line.
  series.forEach((s, i) => {
    const pts = drawable(s, o);
    const band = pts.filter((p) => p.lo !== undefined && p.hi !== undefined);
    if (band.length >= 2 && !s.markersOnly) {
      const upper = band.map((p) => `${r(xs.map(p.x))},${r(ys.map(p.hi!))}`);
      const lower = band.map((p) => `${r(xs.map(p.x))},${r(ys.map(p.lo!))}`).reverse();
      body.push(`<polygon points="${[...upper, ...lower].join(' ')}" fill="${styles[i].color}" fill-opacity="0.15" stroke="none"/>`);
    }
  });
  series.forEach((s, i) => {
    const { color, dash, marker } = styles[i];
    const pts = drawable(s, o);
    if (!s.markersOnly && pts.length >= 2) {
      body.push(`<polyline points="${pts.map((p) => `${r(xs.map(p.x))},${r(ys.map(p.y))}`).join(' ')}" fill="none" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
    }
    if (s.markersOnly) {
      for (const p of pts) body.push(`<circle cx="${r(xs.map(p.x))}" cy="${r(ys.map(p.y))}" r="2.5" fill="${color}" fill-opacity="0.6"/>`);
    } else {
      // At most ~12 markers per line, staggered by series so overlapping lines show every marker.
      const every = Math.max(1, Math.ceil(pts.length / 12));
      const phase = every > 1 ? Math.round((i * every) / Math.max(2, series.length)) % every : 0;
      // Earlier series get larger markers: where two series coincide, the later one sits inside the earlier one's.
      const size = markerSize(i, series.length);
      pts.forEach((p, j) => {
        if (j % every === phase || j === pts.length - 1) body.push(`<path d="${markerPath(marker, xs.map(p.x), ys.map(p.y), size)}" fill="${color}" stroke="white" stroke-width="0.6"/>`);
      });
    }
    const band = pts.filter((p) => p.lo !== undefined && p.hi !== undefined);
    if (band.length === 1 && !s.markersOnly) {
      const p = band[0];
      body.push(`<line x1="${r(xs.map(p.x))}" y1="${r(ys.map(p.lo!))}" x2="${r(xs.map(p.x))}" y2="${r(ys.map(p.hi!))}" stroke="${color}" stroke-width="2"/>`);
    }
  });
  const legend = legendBlock(names, legendOrder(series), plotW - MARGIN.right, title.top, (i, x, y) => {
    const { color, dash, marker } = styles[i];
    return `<line x1="${r(x)}" y1="${r(y)}" x2="${r(x + 22)}" y2="${r(y)}" stroke="${color}" stroke-width="2.5"${dash ? ` stroke-dasharray="${dash}"` : ''}/>` +
      `<path d="${markerPath(marker, x + 11, y, Math.min(5, markerSize(i, series.length)))}" fill="${color}" stroke="white" stroke-width="0.6"/>`;
  }, note);
  return frame(o, w, h, xs, ys, body, legend.svg, plotW, title);
}

/** Marker size of series i of n: from 3 (last) up by 1.2 per series before it, at most 7. */
function markerSize(i: number, n: number): number {
  return Math.min(7, 3 + 1.2 * (n - 1 - i));
}

function drawable(s: Series, o: ChartOptions): Series['points'] {
  return s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && (!o.logX || p.x > 0) && (!o.logY || p.y > 0));
}

export interface HistogramBar {
  from: number;
  to: number;
  count: number;
}

/** Histogram of integer-bounded bins (inclusive from..to), heights as shares of all runs. */
export function histogramChart(bins: HistogramBar[], o: ChartOptions): string {
  const w = o.width ?? 720;
  const title = titleLayout(o.title, w);
  const h = (o.height ?? 400) + (title.top - MARGIN.top);
  const total = bins.reduce((s, b) => s + b.count, 0) || 1;
  const xlo = bins.length ? bins[0].from - 0.5 : 0;
  const xhi = bins.length ? bins[bins.length - 1].to + 0.5 : 1;
  const ymax = Math.max(1e-9, ...bins.map((b) => b.count / total));
  const xs = scale(xlo, xhi, MARGIN.left, w - MARGIN.right, false);
  const ys = scale(0, ymax, h - MARGIN.bottom, title.top, false);
  const body = bins.map((b) => {
    const xa = xs.map(b.from - 0.5);
    const xb = xs.map(b.to + 0.5);
    const y = ys.map(b.count / total);
    return `<rect x="${r(xa)}" y="${r(y)}" width="${r(Math.max(0.5, xb - xa - 1))}" height="${r(ys.map(0) - y)}" fill="${PALETTE[0]}"><title>${b.from}–${b.to}: ${b.count}</title></rect>`;
  });
  return frame(o, w, h, xs, ys, body, [], w, title);
}
