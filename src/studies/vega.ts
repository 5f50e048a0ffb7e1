import { legendOrder, partitionSeries, seriesStyle, type ChartOptions, type HistogramBar, type Series } from './svg.js';

/**
 * Vega-Lite v5 specs of the study charts, written beside each SVG (`chart.vl.json`) so a chart can be restyled or
 * re-rendered (vega-embed, Altair's `alt.Chart.from_json`, the Vega editor) from the same numbers. Data are inline;
 * the encodings mirror the SVG: colour, dash and marker per series, legend in end order, CI bands as areas, log
 * axes when the SVG has them, left-out series named in the description.
 */

export type VegaLiteSpec = Record<string, unknown>;

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

/** A line chart (optionally bands and scatter series) as Vega-Lite. */
export function lineChartSpec(allSeries: Series[], o: ChartOptions): VegaLiteSpec {
  const { shown, omitted } = partitionSeries(allSeries, o.omitZeroSeries ?? true);
  const order = legendOrder(shown).map((i) => shown[i].name);
  const styles = new Map(shown.map((s, i) => [s.name, seriesStyle(i)]));
  const values = shown.flatMap((s) =>
    s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)).map((p) => ({
      series: s.name, x: p.x, y: p.y, ...(p.lo !== undefined && p.hi !== undefined ? { lo: p.lo, hi: p.hi } : {}),
    })));
  const domain = shown.map((s) => s.name);
  const scaleOf = (log: boolean | undefined, zero: boolean) => (log ? { type: 'log' } : { zero });
  const x = { field: 'x', type: 'quantitative', title: o.xLabel, scale: scaleOf(o.logX, false) };
  const y = { field: 'y', type: 'quantitative', title: o.yLabel, scale: scaleOf(o.logY, !o.logY && (o.yFromZero ?? true)) };
  const color = { field: 'series', type: 'nominal', title: null, sort: order, scale: { domain, range: domain.map((n) => styles.get(n)!.color) } };
  const layers: VegaLiteSpec[] = [];
  if (values.some((v) => 'lo' in v)) {
    layers.push({
      transform: [{ filter: 'isValid(datum.lo)' }],
      mark: { type: 'area', opacity: 0.15 },
      encoding: { x, y: { field: 'lo', type: 'quantitative', scale: y.scale, title: o.yLabel }, y2: { field: 'hi' }, color: { ...color, legend: null } },
    });
  }
  const scatter = shown.filter((s) => s.markersOnly).map((s) => s.name);
  const lines = shown.filter((s) => !s.markersOnly).map((s) => s.name);
  if (lines.length) {
    layers.push({
      transform: [{ filter: { field: 'series', oneOf: lines } }],
      mark: { type: 'line', point: true, strokeWidth: 2 },
      encoding: {
        x, y, color,
        strokeDash: { field: 'series', type: 'nominal', sort: order, legend: null, scale: { domain, range: domain.map((n) => dashArray(styles.get(n)!.dash)) } },
        shape: { field: 'series', type: 'nominal', sort: order, legend: null, scale: { domain, range: domain.map((n) => vegaShape(styles.get(n)!.marker)) } },
        tooltip: [{ field: 'series' }, { field: 'x', title: o.xLabel }, { field: 'y', title: o.yLabel }, { field: 'lo' }, { field: 'hi' }],
      },
    });
  }
  if (scatter.length) {
    layers.push({
      transform: [{ filter: { field: 'series', oneOf: scatter } }],
      mark: { type: 'point', filled: true, opacity: 0.6, size: 20 },
      encoding: { x, y, color },
    });
  }
  if (o.diagonal) {
    const ext = values.flatMap((v) => [v.x, v.y]).filter((t) => !o.logX || t > 0);
    const lo = Math.min(...ext);
    const hi = Math.max(...ext);
    layers.push({ data: { values: [{ x: lo, y: lo }, { x: hi, y: hi }] }, mark: { type: 'line', color: '#999', strokeDash: [4, 3] }, encoding: { x, y } });
  }
  return {
    $schema: SCHEMA,
    title: { text: o.title, limit: 0 },
    description: omitted.length ? `not shown: ${omitted.map((s) => `${s.name} (${s.reason})`).join('; ')}` : undefined,
    width: o.width ?? 720,
    height: o.height ?? 440,
    data: { values },
    layer: layers,
  };
}

/** A histogram (shares of runs per bin) as Vega-Lite. */
export function histogramSpec(bins: HistogramBar[], o: ChartOptions): VegaLiteSpec {
  const total = bins.reduce((s, b) => s + b.count, 0) || 1;
  return {
    $schema: SCHEMA,
    title: { text: o.title, limit: 0 },
    width: o.width ?? 720,
    height: o.height ?? 400,
    data: { values: bins.map((b) => ({ from: b.from - 0.5, to: b.to + 0.5, count: b.count, share: b.count / total })) },
    mark: { type: 'rect', color: seriesStyle(0).color },
    encoding: {
      x: { field: 'from', type: 'quantitative', title: o.xLabel },
      x2: { field: 'to' },
      y: { field: 'share', type: 'quantitative', title: o.yLabel },
      tooltip: [{ field: 'from' }, { field: 'to' }, { field: 'count' }, { field: 'share', format: '.3f' }],
    },
  };
}

function dashArray(dash: string): number[] {
  return dash === '' ? [1, 0] : dash.split(' ').map(Number);
}

function vegaShape(marker: string): string {
  switch (marker) {
    case 'plus':
      return 'cross';
    case 'star':
      return 'diamond';
    default:
      return marker;
  }
}
