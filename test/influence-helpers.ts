import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GraphBuilder } from '../src/graph/builder.js';
import { compile, type CompiledGraph } from '../src/graph/compile.js';

/** Test helpers for the influence tests: small graphs and exact spreads by live-edge enumeration. */

export function makeGraph(
  edges: [string, string, number?][],
  o: { directed?: boolean; values?: [string, number][]; customers?: string[] } = {},
): CompiledGraph {
  const b = new GraphBuilder({ name: 't', directed: o.directed ?? true, source: 'test', format: 'json' });
  for (const id of o.customers ?? []) b.addCustomer(id, {});
  for (const [id, value] of o.values ?? []) b.addCustomer(id, { value });
  for (const [u, v, p] of edges) b.addTie(u, v, p === undefined ? {} : { p });
  return compile(b.finish().data);
}

export const dataDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../shared/data');

/** Karate club from ../shared/data, or null (with one printed line) when absent. */
export function karate(): CompiledGraph | null {
  const f = path.join(dataDir, 'karate/karate_club.edgelist');
  if (!existsSync(f)) {
    console.log(`skipped: karate club data not found at ${f}`);
    return null;
  }
  const edges = readFileSync(f, 'utf8').trim().split('\n').map((l) => l.trim().split(/\s+/) as [string, string]);
  return makeGraph(edges, { directed: false, customers: Array.from({ length: 34 }, (_, i) => String(i)) });
}

/**
 * Exact expected objective of every seed set of size <= 2 by enumerating live-edge graphs (Kempe et al.):
 * IC — every subset of arcs (2^m worlds); LT — every choice of at most one in-arc per customer.
 * `arcP` is per out-arc. Returns single[v] and pair(u, v) of Σ weight of customers reached.
 */
export function exactSpreads(g: CompiledGraph, model: 'ic' | 'lt', arcP: Float32Array, weights?: Float64Array): { single: Float64Array; pair: (u: number, v: number) => number } {
  const { n, m, outOffsets, outTargets, inOffsets, inArc } = g;
  if (n > 30) throw new Error('exactSpreads: n <= 30');
  const single = new Float64Array(n);
  const pairs = new Float64Array(n * n);
  const w = weights ?? new Float64Array(n).fill(1);
  const live = new Uint8Array(m);
  const reachMask = new Int32Array(n);
  const weightOf = (mask: number) => {
    let s = 0;
    for (let v = 0; v < n; v++) if (mask & (1 << v)) s += w[v];
    return s;
  };
  const accumulate = (prob: number) => {
    if (prob === 0) return;
    for (let s = 0; s < n; s++) {
      let mask = 1 << s;
      const stack = [s];
      while (stack.length) {
        const u = stack.pop()!;
        for (let a = outOffsets[u]; a < outOffsets[u + 1]; a++) {
          if (!live[a]) continue;
          const v = outTargets[a];
          if (!(mask & (1 << v))) {
            mask |= 1 << v;
            stack.push(v);
          }
        }
      }
      reachMask[s] = mask;
    }
    for (let u = 0; u < n; u++) {
      single[u] += prob * weightOf(reachMask[u]);
      for (let v = u + 1; v < n; v++) pairs[u * n + v] += prob * weightOf(reachMask[u] | reachMask[v]);
    }
  };
  if (model === 'ic') {
    if (m > 20) throw new Error('exactSpreads: m <= 20 for IC');
    for (let world = 0; world < 1 << m; world++) {
      let prob = 1;
      for (let a = 0; a < m; a++) {
        live[a] = (world >> a) & 1;
        prob *= live[a] ? arcP[a] : 1 - arcP[a];
      }
      accumulate(prob);
    }
  } else {
    const choice = new Int32Array(n).fill(-1); // -1 = none, else in-arc position
    const rec = (v: number, prob: number) => {
      if (v === n) {
        live.fill(0);
        for (let x = 0; x < n; x++) if (choice[x] >= 0) live[inArc[choice[x]]] = 1;
        accumulate(prob);
        return;
      }
      let sum = 0;
      for (let q = inOffsets[v]; q < inOffsets[v + 1]; q++) {
        const b = arcP[inArc[q]];
        sum += b;
        choice[v] = q;
        rec(v + 1, prob * b);
      }
      choice[v] = -1;
      rec(v + 1, prob * Math.max(0, 1 - sum));
    };
    rec(0, 1);
  }
  return { single, pair: (u, v) => (u < v ? pairs[u * n + v] : pairs[v * n + u]) };
}

/** The best pair by exact spread: [u, v, spread], and the runner-up spread. */
export function bestPair(n: number, pair: (u: number, v: number) => number): { best: [number, number]; spread: number; second: number } {
  let best: [number, number] = [0, 1];
  let spread = -1;
  let second = -1;
  for (let u = 0; u < n; u++) {
    for (let v = u + 1; v < n; v++) {
      const s = pair(u, v);
      if (s > spread) {
        second = spread;
        spread = s;
        best = [u, v];
      } else if (s > second) second = s;
    }
  }
  return { best, spread, second };
}
