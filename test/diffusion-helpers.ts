import { GraphBuilder } from '../src/graph/builder.js';
import { compile, type CompiledGraph } from '../src/graph/compile.js';
import type { TieAttributes } from '../src/graph/model.js';

export type Tie = [string, string, TieAttributes?];

export function build(directed: boolean, ties: Tie[], customers: { id: string; activity?: number }[] = []): CompiledGraph {
  const b = new GraphBuilder({ name: 't', directed, source: 'test', format: 'json' });
  for (const c of customers) b.addCustomer(c.id, { activity: c.activity ?? null });
  for (const [s, t, a] of ties) b.addTie(s, t, a ?? {});
  return compile(b.finish().data);
}

function reachFrom(g: CompiledGraph, seeds: number[], live: (arc: number) => boolean): number {
  const seen = new Uint8Array(g.n);
  const stack = [...seeds];
  for (const s of seeds) seen[s] = 1;
  let count = seeds.length;
  while (stack.length) {
    const u = stack.pop()!;
    for (let a = g.outOffsets[u]; a < g.outOffsets[u + 1]; a++) {
      const v = g.outTargets[a];
      if (!seen[v] && live(a)) {
        seen[v] = 1;
        count++;
        stack.push(v);
      }
    }
  }
  return count;
}

/** Exact expected IC reach: sum over all 2^m live-edge graphs (arc a live w.p. prob[a]). */
export function exactIc(g: CompiledGraph, seeds: number[], prob: ArrayLike<number>): number {
  const m = g.m;
  if (m > 20) throw new Error('too many arcs to enumerate');
  let e = 0;
  for (let mask = 0; mask < 1 << m; mask++) {
    let w = 1;
    for (let a = 0; a < m; a++) w *= mask & (1 << a) ? prob[a] : 1 - prob[a];
    if (w === 0) continue;
    e += w * reachFrom(g, seeds, (a) => (mask & (1 << a)) !== 0);
  }
  return e;
}

/** Exact expected LT reach: each customer keeps at most one in-arc q w.p. b[q] (none w.p. 1 - sum). */
export function exactLt(g: CompiledGraph, seeds: number[], b: ArrayLike<number>): number {
  const choice = new Int32Array(g.n); // index into in-arcs of v, or indeg = none
  const liveArc = new Uint8Array(g.m);
  let e = 0;
  const rec = (v: number, w: number): void => {
    if (w === 0) return;
    if (v === g.n) {
      liveArc.fill(0);
      for (let x = 0; x < g.n; x++) {
        const q = g.inOffsets[x] + choice[x];
        if (q < g.inOffsets[x + 1]) liveArc[g.inArc[q]] = 1;
      }
      e += w * reachFrom(g, seeds, (a) => liveArc[a] === 1);
      return;
    }
    const s = g.inOffsets[v];
    const deg = g.inOffsets[v + 1] - s;
    let sum = 0;
    for (let k = 0; k < deg; k++) {
      const bk = b[g.inArc[s + k]];
      sum += bk;
      choice[v] = k;
      rec(v + 1, w * bk);
    }
    choice[v] = deg;
    rec(v + 1, w * Math.max(0, 1 - sum));
  };
  rec(0, 1);
  return e;
}
