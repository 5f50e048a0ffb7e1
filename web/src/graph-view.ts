import Graph from 'graphology';
import forceAtlas2 from 'graphology-layout-forceatlas2';
import Sigma from 'sigma';
import { COLORS } from './charts.js';
import { esc, pct } from './format.js';
import type { Neighbourhood } from './types.js';

/**
 * The complainant's neighbourhood as a graph: graphology holds it, ForceAtlas2 lays it out (deterministic: it
 * starts from a circle per depth), sigma.js draws it with WebGL. Each customer is coloured by how often it is
 * reached. The same positions and colours also make an SVG (export, and the view when WebGL is missing).
 */

export interface Placed {
  id: string;
  label: string;
  x: number;
  y: number;
  size: number;
  color: string;
  frequency: number;
  center: boolean;
}

/** White -> the opinion's colour, by frequency 0..1. */
export function reachColor(f: number, experience: 'negative' | 'positive'): string {
  const [r, g, b] = experience === 'negative' ? [179, 38, 30] : [27, 122, 58];
  const t = Math.max(0, Math.min(1, f)) ** 0.6;
  const mix = (c: number) => Math.round(236 + (c - 236) * t);
  return `rgb(${mix(r)},${mix(g)},${mix(b)})`;
}

/**
 * Lay out the neighbourhood. Colours run from white (never reached) to the opinion's full colour at `scale`, the
 * highest frequency among the friends (so that a spread that rarely goes far still shows who it reaches most).
 */
export function layout(n: Neighbourhood, freq: Map<string, number>, experience: 'negative' | 'positive'): { graph: Graph; placed: Placed[]; scale: number } {
  let scale = 0;
  for (const c of n.customers) if (c.id !== n.center) scale = Math.max(scale, freq.get(c.id) ?? 0);
  scale = scale > 0 ? scale : 1;
  const graph = new Graph({ type: 'undirected', multi: false });
  const byDepth = new Map<number, number>();
  for (const c of n.customers) byDepth.set(c.depth, (byDepth.get(c.depth) ?? 0) + 1);
  const seen = new Map<number, number>();
  for (const c of n.customers) {
    const k = seen.get(c.depth) ?? 0;
    seen.set(c.depth, k + 1);
    const count = byDepth.get(c.depth)!;
    const angle = (2 * Math.PI * k) / Math.max(1, count);
    const radius = c.depth * 10;
    const center = c.id === n.center;
    const f = center ? 1 : (freq.get(c.id) ?? 0);
    graph.addNode(c.id, {
      x: radius * Math.cos(angle),
      y: radius * Math.sin(angle),
      size: center ? 12 : 3 + Math.min(9, Math.sqrt(c.degree)),
      label: c.label ?? c.id,
      color: center ? (experience === 'negative' ? COLORS.negative : COLORS.positive) : reachColor(f / scale, experience),
      frequency: f,
      center,
    });
  }
  for (const t of n.ties) if (t.source !== t.target && graph.hasNode(t.source) && graph.hasNode(t.target) && !graph.hasEdge(t.source, t.target)) graph.addEdge(t.source, t.target, { color: '#cfd6de', size: 0.6 });
  if (graph.order > 2) forceAtlas2.assign(graph, { iterations: 200, settings: { ...forceAtlas2.inferSettings(graph), barnesHutOptimize: graph.order > 400 } });
  graph.setNodeAttribute(n.center, 'fixed', true);
  const placed: Placed[] = graph.mapNodes((id, a) => ({ id, label: a.label as string, x: a.x as number, y: a.y as number, size: a.size as number, color: a.color as string, frequency: a.frequency as number, center: a.center as boolean }));
  return { graph, placed, scale };
}

/** The same drawing as SVG text. */
export function neighbourhoodSvg(graph: Graph, placed: Placed[], title: string, W = 560, H = 420): string {
  const xs = placed.map((p) => p.x);
  const ys = placed.map((p) => p.y);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const pad = 24;
  const s = Math.min((W - 2 * pad) / Math.max(1e-9, x1 - x0), (H - 2 * pad - 20) / Math.max(1e-9, y1 - y0));
  const X = (x: number) => pad + (x - x0) * s + (W - 2 * pad - (x1 - x0) * s) / 2;
  const Y = (y: number) => pad + 20 + (y1 - y) * s; // y up, as sigma draws it
  const at = new Map(placed.map((p) => [p.id, p]));
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="11" role="img" aria-label="${esc(title)}">`, `<rect width="${W}" height="${H}" fill="#fff"/>`, `<text x="8" y="18" font-size="13" font-weight="600" fill="${COLORS.text}">${esc(title)}</text>`];
  graph.forEachEdge((_e, _a, s1, t1) => {
    const a = at.get(s1)!;
    const b = at.get(t1)!;
    out.push(`<line x1="${X(a.x).toFixed(1)}" y1="${Y(a.y).toFixed(1)}" x2="${X(b.x).toFixed(1)}" y2="${Y(b.y).toFixed(1)}" stroke="#cfd6de" stroke-width="0.6"/>`);
  });
  const r = (p: Placed) => Math.max(2, p.size * 0.55);
  for (const p of [...placed].sort((a, b) => Number(a.center) - Number(b.center))) {
    out.push(`<circle cx="${X(p.x).toFixed(1)}" cy="${Y(p.y).toFixed(1)}" r="${r(p).toFixed(1)}" fill="${p.color}" stroke="#8a96a3" stroke-width="0.5"><title>${esc(p.label)}: ${pct(p.frequency)}</title></circle>`);
  }
  const c = placed.find((p) => p.center);
  if (c) out.push(`<text x="${X(c.x) + r(c) + 4}" y="${Y(c.y) + 4}" font-weight="600" fill="${COLORS.text}">${esc(c.label)}</text>`);
  out.push('</svg>');
  return out.join('');
}

let current: Sigma | null = null;

/** Show it in `container` with sigma.js; without WebGL, as SVG. Returns how it is drawn. */
export function show(container: HTMLElement, graph: Graph, svg: string): 'webgl' | 'svg' {
  current?.kill();
  current = null;
  container.replaceChildren();
  try {
    current = new Sigma(graph, container, { allowInvalidContainer: true, renderEdgeLabels: false, labelRenderedSizeThreshold: 10, defaultEdgeColor: '#cfd6de', zIndex: true });
    return 'webgl';
  } catch {
    container.innerHTML = svg;
    return 'svg';
  }
}
