import { esc, num, pct } from './format.js';

/**
 * Charts as self-contained SVG text (inline styles, fixed size), so that what is shown is also what is exported
 * as SVG, and as PNG after drawing it on a canvas.
 */

export const COLORS = { negative: '#b3261e', positive: '#1b7a3a', neutral: '#5f6b7a', grid: '#e3e7ec', text: '#1d2733', accent: '#1f5fbf', amber: '#b86e00', violet: '#6b3fa0' };

/** White-ish (236) -> `rgb`, by f in 0..1 (eased, so that small values still show). */
export function mixColor([r, g, b]: readonly [number, number, number], f: number): string {
  const t = Math.max(0, Math.min(1, f)) ** 0.6;
  const mix = (c: number) => Math.round(236 + (c - 236) * t);
  return `rgb(${mix(r)},${mix(g)},${mix(b)})`;
}

/** Dash patterns (SVG stroke-dasharray) that tell series apart without colour: solid, dashed, dotted, dash-dot. */
export const DASHES = { solid: '', dashed: '6 4', dotted: '2 3', dashDot: '8 3 2 3' };
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"';

export interface Series {
  name: string;
  color: string;
  points: { x: number; y: number; lo?: number; hi?: number }[];
  dashed?: boolean;
  /** A dash pattern (DASHES); wins over `dashed`. */
  dash?: string;
}

function dashOf(s: Series): string {
  const d = s.dash ?? (s.dashed ? DASHES.dashed : '');
  return d ? ` stroke-dasharray="${d}"` : '';
}

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 4, 5, 6, 8, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/**
 * A line chart with shaded 95% bands. `xLabel(x)` writes the axis ticks (steps, or hours), `yLabel(y)` the value
 * ticks (default: rounded numbers); `yMin` / `yMax` fix the value axis (shares 0..1, opinions -1..1).
 */
export function lineChart(series: Series[], opts: {
  title: string; xTitle: string; yTitle: string; xLabel?: (x: number) => string; yLabel?: (y: number) => string; yMin?: number; yMax?: number;
  width?: number; height?: number;
}): string {
  const W = opts.width ?? 720;
  const H = opts.height ?? 300;
  // The legend is a row under the title, above the plot: it never hides a curve.
  const m = { l: 56, r: 16, t: series.length > 0 ? 52 : 34, b: 44 };
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const xMax = Math.max(1, ...xs);
  const yMin = opts.yMin ?? 0;
  const yMax = opts.yMax ?? niceMax(Math.max(0, ...series.flatMap((s) => s.points.map((p) => p.hi ?? p.y))));
  const X = (x: number) => m.l + ((W - m.l - m.r) * x) / xMax;
  const Y = (y: number) => H - m.b - ((H - m.t - m.b) * (y - yMin)) / (yMax - yMin);
  const yText = opts.yLabel ?? num;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ${FONT} font-size="12" role="img" aria-label="${esc(opts.title)}">`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="${m.l}" y="18" font-size="13" font-weight="600" fill="${COLORS.text}">${esc(opts.title)}</text>`);
  for (let i = 0; i <= 4; i++) {
    const v = yMin + ((yMax - yMin) * i) / 4;
    out.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${Y(v)}" y2="${Y(v)}" stroke="${COLORS.grid}"/>`);
    out.push(`<text x="${m.l - 6}" y="${Y(v) + 4}" text-anchor="end" fill="${COLORS.neutral}">${esc(yText(v))}</text>`);
  }
  // About ten ticks, at a round step (1, 2, 5, 10, 20, 25, 50 …).
  const raw = Math.max(1, xMax / 10);
  const p10 = 10 ** Math.floor(Math.log10(raw));
  const tickEvery = [1, 2, 2.5, 5, 10].map((k) => k * p10).find((k) => k >= raw && Number.isInteger(k)) ?? 10 * p10;
  for (let x = 0; x <= xMax; x += tickEvery) {
    out.push(`<text x="${X(x)}" y="${H - m.b + 16}" text-anchor="middle" fill="${COLORS.neutral}">${esc(opts.xLabel ? opts.xLabel(x) : String(x))}</text>`);
  }
  out.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 8}" text-anchor="middle" fill="${COLORS.neutral}">${esc(opts.xTitle)}</text>`);
  out.push(`<text transform="translate(14 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle" fill="${COLORS.neutral}">${esc(opts.yTitle)}</text>`);
  for (const s of series) {
    const band = s.points.filter((p) => p.lo !== undefined && p.hi !== undefined);
    if (band.length > 1) {
      const upper = band.map((p) => `${X(p.x)},${Y(p.hi!)}`);
      const lower = band.map((p) => `${X(p.x)},${Y(p.lo!)}`).reverse();
      out.push(`<polygon points="${[...upper, ...lower].join(' ')}" fill="${s.color}" fill-opacity="0.16" stroke="none"/>`);
    }
    out.push(`<polyline points="${s.points.map((p) => `${X(p.x)},${Y(p.y)}`).join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"${dashOf(s)}/>`);
  }
  // The legend: each series' colour and dash, side by side.
  let lx = m.l;
  for (const s of series) {
    const ly = 34;
    out.push(`<line x1="${lx}" x2="${lx + 22}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dashOf(s)}/>`);
    out.push(`<text x="${lx + 28}" y="${ly + 4}" fill="${COLORS.text}">${esc(s.name)}</text>`);
    lx += 28 + s.name.length * 6.6 + 18;
  }
  out.push('</svg>');
  return out.join('');
}

/** Horizontal bars of shares (0..1), labelled. */
export function barChart(rows: { label: string; value: number }[], opts: { title: string; color: string; width?: number; empty: string }): string {
  const W = opts.width ?? 420;
  const rowH = 22;
  const m = { l: 150, r: 56, t: 30, b: 10 };
  const H = m.t + m.b + Math.max(1, rows.length) * rowH;
  const max = Math.max(0.0001, ...rows.map((r) => r.value));
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ${FONT} font-size="12" role="img" aria-label="${esc(opts.title)}">`];
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="8" y="18" font-size="13" font-weight="600" fill="${COLORS.text}">${esc(opts.title)}</text>`);
  if (rows.length === 0) out.push(`<text x="8" y="${m.t + 14}" fill="${COLORS.neutral}">${esc(opts.empty)}</text>`);
  rows.forEach((r, i) => {
    const y = m.t + i * rowH;
    const w = ((W - m.l - m.r) * r.value) / max;
    const label = r.label.length > 22 ? `${r.label.slice(0, 21)}…` : r.label;
    out.push(`<text x="${m.l - 6}" y="${y + 15}" text-anchor="end" fill="${COLORS.text}">${esc(label)}</text>`);
    out.push(`<rect x="${m.l}" y="${y + 4}" width="${Math.max(1, w)}" height="${rowH - 8}" fill="${opts.color}" rx="2"/>`);
    out.push(`<text x="${m.l + w + 6}" y="${y + 15}" fill="${COLORS.neutral}">${pct(r.value)}</text>`);
  });
  out.push('</svg>');
  return out.join('');
}

/** One row per variant: a dot at the mean and a whisker over the 95% interval. */
export function intervalChart(rows: { label: string; mean: number; lo: number; hi: number }[], opts: { title: string; color: string; format: (x: number) => string; width?: number }): string {
  const W = opts.width ?? 720;
  const rowH = 34;
  const m = { l: 190, r: 110, t: 34, b: 28 };
  const H = m.t + m.b + rows.length * rowH;
  const lo = Math.min(0, ...rows.map((r) => r.lo));
  const hi = niceMax(Math.max(0, ...rows.map((r) => r.hi)));
  const X = (x: number) => m.l + ((W - m.l - m.r) * (x - lo)) / Math.max(1e-9, hi - lo);
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ${FONT} font-size="12" role="img" aria-label="${esc(opts.title)}">`];
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="8" y="18" font-size="13" font-weight="600" fill="${COLORS.text}">${esc(opts.title)}</text>`);
  for (let i = 0; i <= 4; i++) {
    const v = lo + ((hi - lo) * i) / 4;
    out.push(`<line x1="${X(v)}" x2="${X(v)}" y1="${m.t - 4}" y2="${H - m.b}" stroke="${COLORS.grid}"/>`);
    out.push(`<text x="${X(v)}" y="${H - m.b + 16}" text-anchor="middle" fill="${COLORS.neutral}">${esc(opts.format(v))}</text>`);
  }
  rows.forEach((r, i) => {
    const y = m.t + i * rowH + rowH / 2;
    out.push(`<text x="${m.l - 10}" y="${y + 4}" text-anchor="end" fill="${COLORS.text}">${esc(r.label.length > 28 ? `${r.label.slice(0, 27)}…` : r.label)}</text>`);
    out.push(`<line x1="${X(r.lo)}" x2="${X(r.hi)}" y1="${y}" y2="${y}" stroke="${opts.color}" stroke-width="3"/>`);
    out.push(`<line x1="${X(r.lo)}" x2="${X(r.lo)}" y1="${y - 6}" y2="${y + 6}" stroke="${opts.color}" stroke-width="2"/>`);
    out.push(`<line x1="${X(r.hi)}" x2="${X(r.hi)}" y1="${y - 6}" y2="${y + 6}" stroke="${opts.color}" stroke-width="2"/>`);
    out.push(`<circle cx="${X(r.mean)}" cy="${y}" r="5" fill="${opts.color}"/>`);
    out.push(`<text x="${X(r.hi) + 10}" y="${y + 4}" fill="${COLORS.text}">${esc(opts.format(r.mean))}</text>`);
  });
  out.push('</svg>');
  return out.join('');
}
