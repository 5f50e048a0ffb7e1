import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../src/graph/builder.js';
import { compile } from '../src/graph/compile.js';
import { degreeOf, degreeStats, graphInfo } from '../src/graph/stats.js';

function build(directed: boolean, ties: [string, string][], isolated: string[] = []) {
  const b = new GraphBuilder({ name: 't', directed, source: 'test', format: 'edgelist' });
  for (const id of isolated) b.addCustomer(id, {});
  for (const [s, t] of ties) b.addTie(s, t);
  return compile(b.finish().data);
}

describe('graphInfo', () => {
  it('undirected: path a-b-c plus isolated d, and triangle e-f-g', () => {
    const g = build(false, [['a', 'b'], ['b', 'c'], ['e', 'f'], ['f', 'g'], ['g', 'e']], ['d']);
    const info = graphInfo(g);
    // ids: d first (declared), then a b c e f g. Degrees: d0 a1 b2 c1 e2 f2 g2.
    expect(info.customers).toBe(7);
    expect(info.ties).toBe(5);
    expect(info.arcs).toBe(10);
    expect(info.isolated).toBe(1);
    expect(info.components).toEqual({ count: 3, largest: 3 });
    expect(info.degree.total).toEqual({ min: 0, max: 2, mean: 10 / 7, median: 2 });
    expect(info.degree.in).toEqual(info.degree.total);
    expect(info.density).toBeCloseTo((2 * 5) / (7 * 6), 12);
  });

  it('directed: in, out and total = in + out; weak components ignore direction', () => {
    // a->b, c->b, b->d ; e->f
    const g = build(true, [['a', 'b'], ['c', 'b'], ['b', 'd'], ['e', 'f']]);
    const info = graphInfo(g);
    expect(info.ties).toBe(4);
    expect(info.arcs).toBe(4);
    expect(info.components).toEqual({ count: 2, largest: 4 });
    // out: a1 b1 c1 d0 e1 f0 -> sorted 0 0 1 1 1 1 -> median 1
    expect(info.degree.out).toEqual({ min: 0, max: 1, mean: 4 / 6, median: 1 });
    // in: a0 b2 c0 d1 e0 f1 -> sorted 0 0 0 1 1 2 -> median 0.5
    expect(info.degree.in).toEqual({ min: 0, max: 2, mean: 4 / 6, median: 0.5 });
    expect(info.degree.total.max).toBe(3);
    expect(info.density).toBeCloseTo(4 / 30, 12);
    const b = g.ids.indexOf('b');
    expect(degreeOf(g, b)).toEqual({ in: 2, out: 1, total: 3 });
  });

  it('one customer: no NaN', () => {
    const b = new GraphBuilder({ name: 't', directed: false, source: 'test', format: 'json' });
    b.addCustomer('only', {});
    const info = graphInfo(compile(b.finish().data));
    expect(info).toMatchObject({ customers: 1, ties: 0, arcs: 0, isolated: 1, density: 0, components: { count: 1, largest: 1 } });
    expect(info.degree.total).toEqual({ min: 0, max: 0, mean: 0, median: 0 });
  });

  it('degreeStats of nothing is all zero', () => {
    expect(degreeStats(new Int32Array(0))).toEqual({ min: 0, max: 0, mean: 0, median: 0 });
    expect(degreeStats(Int32Array.from([5, 1, 3, 9]))).toEqual({ min: 1, max: 9, mean: 4.5, median: 4 });
  });

  const karate = new URL('../../shared/data/karate/karate_club.edgelist', import.meta.url);
  it.skipIf(!existsSync(karate))('karate club matches networkx (degree, density, components)', () => {
    const ties = readFileSync(karate, 'utf8').trim().split('\n').map((l) => l.split(/\s+/) as [string, string]);
    const info = graphInfo(build(false, ties));
    // networkx 3: 34 nodes, 78 edges, degree min 1 max 17 mean 4.588 median 3, density 0.13903743, 1 component
    expect(info).toMatchObject({ customers: 34, ties: 78, components: { count: 1, largest: 34 } });
    expect(info.degree.total).toEqual({ min: 1, max: 17, mean: 156 / 34, median: 3 });
    expect(info.density).toBeCloseTo(0.13903743315508021, 12);
  });
  if (!existsSync(karate)) console.log('stats.test: ../shared/data/karate absent: skipping the karate check');
});
