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
}

export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

const MARGIN = { left: 70, right: 20, top: 40, bottom: 55 };

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

function frame(o: ChartOptions, w: number, h: number, xs: Scale, ys: Scale, body: string[], legend: string[], plotW = w): string {
  const x0 = MARGIN.left;
  const x1 = plotW - MARGIN.right;
  const y0 = h - MARGIN.bottom;
  const y1 = MARGIN.top;
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
    `<text x="${r(plotW / 2)}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(o.title)}</text>`,
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
  return names.length === 0 ? 0 : 40 + 7 * Math.max(...names.map((n) => n.length));
}

function legendBlock(names: string[], plotRight: number, marker: (i: number, x: number, y: number) => string): string[] {
  const out: string[] = [];
  const x = plotRight + 14;
  names.forEach((name, i) => {
    const y = MARGIN.top + 14 + i * 18;
    out.push(marker(i, x, y - 4));
    out.push(`<text x="${r(x + 22)}" y="${r(y)}">${escapeXml(name)}</text>`);
  });
  return out;
}

/** Line chart (markersOnly series: scatter) with CI bands where points carry lo/hi. */
export function lineChart(series: Series[], o: ChartOptions): string {
  const names = series.map((s) => s.name);
  const lw = legendWidth(names);
  const plotW = o.width ?? 720;
  const w = plotW + lw;
  const h = o.height ?? 440;
  const allX = series.flatMap((s) => s.points.map((p) => p.x));
  const allY = series.flatMap((s) => s.points.flatMap((p) => [p.y, p.lo ?? p.y, p.hi ?? p.y]));
  let [xlo, xhi] = extent(allX, !!o.logX);
  let [ylo, yhi] = extent(allY, !!o.logY);
  if (o.diagonal) {
    xlo = ylo = Math.min(xlo, ylo);
    xhi = yhi = Math.max(xhi, yhi);
  }
  if (!o.logY && (o.yFromZero ?? true)) ylo = Math.min(0, ylo);
  const xs = scale(xlo, xhi, MARGIN.left, plotW - MARGIN.right, !!o.logX, allX.every(Number.isInteger));
  const ys = scale(ylo, yhi, h - MARGIN.bottom, MARGIN.top, !!o.logY);
  const body: string[] = [];
  if (o.diagonal) {
    body.push(`<line x1="${r(xs.map(xlo))}" y1="${r(ys.map(ylo))}" x2="${r(xs.map(xhi))}" y2="${r(ys.map(yhi))}" stroke="#999" stroke-dasharray="4 3"/>`);
  }
  series.forEach((s, i) => {
    const c = PALETTE[i % PALETTE.length];
    const pts = s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && (!o.logX || p.x > 0) && (!o.logY || p.y > 0));
    const band = pts.filter((p) => p.lo !== undefined && p.hi !== undefined);
    if (band.length >= 2 && !s.markersOnly) {
      const upper = band.map((p) => `${r(xs.map(p.x))},${r(ys.map(p.hi!))}`);
      const lower = band.map((p) => `${r(xs.map(p.x))},${r(ys.map(p.lo!))}`).reverse();
      body.push(`<polygon points="${[...upper, ...lower].join(' ')}" fill="${c}" fill-opacity="0.18" stroke="none"/>`);
    }
    if (!s.markersOnly && pts.length >= 2) {
      body.push(`<polyline points="${pts.map((p) => `${r(xs.map(p.x))},${r(ys.map(p.y))}`).join(' ')}" fill="none" stroke="${c}" stroke-width="2"/>`);
    }
    if (s.markersOnly || pts.length < 25) {
      for (const p of pts) body.push(`<circle cx="${r(xs.map(p.x))}" cy="${r(ys.map(p.y))}" r="${s.markersOnly ? 2.5 : 3}" fill="${c}"${s.markersOnly ? ' fill-opacity="0.6"' : ''}/>`);
    }
    if (band.length === 1 && !s.markersOnly) {
      const p = band[0];
      body.push(`<line x1="${r(xs.map(p.x))}" y1="${r(ys.map(p.lo!))}" x2="${r(xs.map(p.x))}" y2="${r(ys.map(p.hi!))}" stroke="${c}" stroke-width="2"/>`);
    }
  });
  const legend = legendBlock(names, plotW - MARGIN.right, (i, x, y) =>
    `<line x1="${r(x)}" y1="${r(y)}" x2="${r(x + 16)}" y2="${r(y)}" stroke="${PALETTE[i % PALETTE.length]}" stroke-width="3"/>`);
  return frame(o, w, h, xs, ys, body, legend, plotW);
}

export interface HistogramBar {
  from: number;
  to: number;
  count: number;
}

/** Histogram of integer-bounded bins (inclusive from..to), heights as shares of all runs. */
export function histogramChart(bins: HistogramBar[], o: ChartOptions): string {
  const w = o.width ?? 720;
  const h = o.height ?? 400;
  const total = bins.reduce((s, b) => s + b.count, 0) || 1;
  const xlo = bins.length ? bins[0].from - 0.5 : 0;
  const xhi = bins.length ? bins[bins.length - 1].to + 0.5 : 1;
  const ymax = Math.max(1e-9, ...bins.map((b) => b.count / total));
  const xs = scale(xlo, xhi, MARGIN.left, w - MARGIN.right, false);
  const ys = scale(0, ymax, h - MARGIN.bottom, MARGIN.top, false);
  const body = bins.map((b) => {
    const xa = xs.map(b.from - 0.5);
    const xb = xs.map(b.to + 0.5);
    const y = ys.map(b.count / total);
    return `<rect x="${r(xa)}" y="${r(y)}" width="${r(Math.max(0.5, xb - xa - 1))}" height="${r(ys.map(0) - y)}" fill="${PALETTE[0]}"><title>${b.from}–${b.to}: ${b.count}</title></rect>`;
  });
  return frame(o, w, h, xs, ys, body, []);
}
