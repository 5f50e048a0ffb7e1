import Graph from 'graphology';
import forceAtlas2 from 'graphology-layout-forceatlas2';
import Sigma from 'sigma';
import { COLORS, mixColor } from './charts.js';
import { esc, pct } from './format.js';
import { edgeKey } from './trace-view.js';
import type { Neighbourhood } from './types.js';

/**
 * The complainant's neighbourhood as a graph: graphology holds it, ForceAtlas2 lays it out (deterministic: it
 * starts from a circle per depth), sigma.js draws it with WebGL. Each customer is coloured by how often it is
 * reached (the scenario), or by what happened to it in one traced run (a catalogue model: trace-view.ts). The same
 * positions and colours also make an SVG (export, and the view when WebGL is missing).
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
  /** What a pointer over the customer says in the SVG ("Customer 5: 42%", "c0005: reached at step 2"). */
  tip: string;
}

/** White -> the opinion's colour, by frequency 0..1. */
export function reachColor(f: number, experience: 'negative' | 'positive'): string {
  const [r, g, b] = experience === 'negative' ? [179, 38, 30] : [27, 122, 58];
  return mixColor([r, g, b], f);
}

/** How one customer is drawn: its colour, the number its tip shows, the tip. */
export interface Look {
  color: string;
  frequency: number;
  tip: string;
}

/** The colour of an edge on the traced run's path (who reached whom), and of the others. */
export const TREE_EDGE = '#1d2733';
const PLAIN_EDGE = '#cfd6de';

/**
 * Lay out the neighbourhood. Colours run from white (never reached) to the opinion's full colour at `scale`, the
 * highest frequency among the friends (so that a spread that rarely goes far still shows who it reaches most).
 */
export function layout(n: Neighbourhood, freq: Map<string, number>, experience: 'negative' | 'positive'): { graph: Graph; placed: Placed[]; scale: number } {
  let scale = 0;
  for (const c of n.customers) if (c.id !== n.center) scale = Math.max(scale, freq.get(c.id) ?? 0);
  scale = scale > 0 ? scale : 1;
  const center = experience === 'negative' ? COLORS.negative : COLORS.positive;
  const { graph, placed } = place(n, (id, label) => {
    const f = freq.get(id) ?? 0;
    return { color: reachColor(f / scale, experience), frequency: f, tip: id === n.center ? `${label}: speaks up` : `${label}: ${pct(f)}` };
  }, center);
  return { graph, placed, scale };
}

/**
 * Lay out the neighbourhood with each customer's look from `lookOf` (the centre: `centerColor`); the edges in
 * `tree` (edgeKey) are drawn dark and thicker: the path of a traced run.
 */
export function place(n: Neighbourhood, lookOf: (id: string, label: string) => Look, centerColor: string, tree?: Set<string>): { graph: Graph; placed: Placed[] } {
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
    const label = c.label ?? c.id;
    const look = lookOf(c.id, label);
    graph.addNode(c.id, {
      x: radius * Math.cos(angle),
      y: radius * Math.sin(angle),
      size: center ? 12 : 3 + Math.min(9, Math.sqrt(c.degree)),
      label,
      color: center ? centerColor : look.color,
      frequency: center ? 1 : look.frequency,
      tip: look.tip,
      center,
    });
  }
  for (const t of n.ties) {
    if (t.source === t.target || !graph.hasNode(t.source) || !graph.hasNode(t.target) || graph.hasEdge(t.source, t.target)) continue;
    const onPath = tree?.has(edgeKey(t.source, t.target)) === true;
    graph.addEdge(t.source, t.target, onPath ? { color: TREE_EDGE, size: 1.8, zIndex: 1 } : { color: PLAIN_EDGE, size: 0.6, zIndex: 0 });
  }
  if (graph.order > 2) forceAtlas2.assign(graph, { iterations: 200, settings: { ...forceAtlas2.inferSettings(graph), barnesHutOptimize: graph.order > 400 } });
  graph.setNodeAttribute(n.center, 'fixed', true);
  const placed: Placed[] = graph.mapNodes((id, a) => ({
    id, label: a.label as string, x: a.x as number, y: a.y as number, size: a.size as number, color: a.color as string, frequency: a.frequency as number,
    center: a.center as boolean, tip: a.tip as string,
  }));
  return { graph, placed };
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
  // Plain edges first, the traced run's path over them.
  const edges: { a: Placed; b: Placed; color: string; size: number; z: number }[] = [];
  graph.forEachEdge((_e, attr, s1, t1) => edges.push({ a: at.get(s1)!, b: at.get(t1)!, color: (attr.color as string) ?? PLAIN_EDGE, size: (attr.size as number) ?? 0.6, z: (attr.zIndex as number) ?? 0 }));
  for (const e of edges.sort((x, y) => x.z - y.z)) {
    out.push(`<line x1="${X(e.a.x).toFixed(1)}" y1="${Y(e.a.y).toFixed(1)}" x2="${X(e.b.x).toFixed(1)}" y2="${Y(e.b.y).toFixed(1)}" stroke="${e.color}" stroke-width="${e.size}"/>`);
  }
  const r = (p: Placed) => Math.max(2, p.size * 0.55);
  for (const p of [...placed].sort((a, b) => Number(a.center) - Number(b.center))) {
    out.push(`<circle cx="${X(p.x).toFixed(1)}" cy="${Y(p.y).toFixed(1)}" r="${r(p).toFixed(1)}" fill="${p.color}" stroke="#8a96a3" stroke-width="0.5"><title>${esc(p.tip)}</title></circle>`);
  }
  const c = placed.find((p) => p.center);
  if (c) out.push(`<text x="${X(c.x) + r(c) + 4}" y="${Y(c.y) + 4}" font-weight="600" fill="${COLORS.text}">${esc(c.label)}</text>`);
  out.push('</svg>');
  return out.join('');
}

/** The sigma.js renderer of each view (the scenario's neighbourhood, a model run's), killed before it is redrawn. */
const renderers = new Map<HTMLElement, Sigma>();

/** Show it in `container` with sigma.js; without WebGL, as SVG. Returns how it is drawn. */
export function show(container: HTMLElement, graph: Graph, svg: string): 'webgl' | 'svg' {
  renderers.get(container)?.kill();
  renderers.delete(container);
  container.replaceChildren();
  try {
    renderers.set(container, new Sigma(graph, container, { allowInvalidContainer: true, renderEdgeLabels: false, labelRenderedSizeThreshold: 10, defaultEdgeColor: PLAIN_EDGE, zIndex: true }));
    return 'webgl';
  } catch {
    container.innerHTML = svg;
    return 'svg';
  }
}
