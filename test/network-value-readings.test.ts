import { describe, expect, it } from 'vitest';
import { barabasiAlbert } from '../bench/generators.js';
import { simulate, simulateRuns } from '../src/diffusion/simulate.js';
import { GraphBuilder } from '../src/graph/builder.js';
import { compile, type CompiledGraph } from '../src/graph/compile.js';
import { customerValue, rankValues } from '../src/influence/value.js';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ripple } from './cli-helper.js';
import { buildTestApp, tempDir } from './helper.js';

/**
 * Issue 19 point 5: the network value's two readings — value-weighted reach (today's `network`) and Domingos &
 * Richardson's incremental value given organic adopters — and activity's two readings, per-arc and gate. Exact values
 * by enumerating every live-edge world (and every baseline, and every gate) of tiny graphs.
 */

interface Tiny {
  ids: string[];
  ties: [string, string, number][];
  values: number[];
  activity?: number[];
}

function build(t: Tiny): CompiledGraph {
  const b = new GraphBuilder({ name: 't', directed: true, source: 'test', format: 'json' });
  t.ids.forEach((id, i) => b.addCustomer(id, { value: t.values[i], ...(t.activity ? { activity: t.activity[i] } : {}) }));
  for (const [u, v, p] of t.ties) b.addTie(u, v, { p });
  return compile(b.finish().data);
}

/**
 * Exact expectations by enumeration: every live-edge world (arc a live with p_a), every gate (customer u passes things
 * on with probability activity_u; `gate` false: activity multiplies the arcs instead) and every organic baseline (each
 * customer adopts on its own with `share`, on top of the `fixed` ones). Returns, per customer v, the expected value
 * reached from {v} and the incremental value E[value(B ∪ {v}) − value(B)], and the expected reach from `seed`.
 */
function exact(t: Tiny, o: { fixed?: string[]; share?: number; gate?: boolean; seed?: string }) {
  const n = t.ids.length;
  const m = t.ties.length;
  const idx = new Map(t.ids.map((id, i) => [id, i]));
  const act = t.activity ?? t.ids.map(() => 1);
  const from = t.ties.map(([u]) => idx.get(u)!);
  const to = t.ties.map(([, v]) => idx.get(v)!);
  const share = o.share ?? 0;
  const fixed = (o.fixed ?? []).map((id) => idx.get(id)!);
  const valueReached = new Float64Array(n);
  const incremental = new Float64Array(n);
  let reachFromSeed = 0;
  const closure = (start: number, live: boolean[]) => {
    let mask = start;
    for (let changed = true; changed;) {
      changed = false;
      for (let a = 0; a < m; a++) if (live[a] && mask & (1 << from[a]) && !(mask & (1 << to[a]))) {
        mask |= 1 << to[a];
        changed = true;
      }
    }
    return mask;
  };
  const worth = (mask: number) => t.values.reduce((s, x, v) => s + (mask & (1 << v) ? x : 0), 0);
  const gates = o.gate ? 1 << n : 1;
  for (let g = 0; g < gates; g++) {
    let pg = 1;
    if (o.gate) for (let u = 0; u < n; u++) pg *= g & (1 << u) ? act[u] : 1 - act[u];
    if (pg === 0) continue;
    for (let w = 0; w < 1 << m; w++) {
      let pw = pg;
      const live: boolean[] = [];
      for (let a = 0; a < m; a++) {
        const pa = o.gate ? t.ties[a][2] : t.ties[a][2] * act[from[a]];
        const on = (w & (1 << a)) !== 0;
        pw *= on ? pa : 1 - pa;
        live.push(on && (!o.gate || (g & (1 << from[a])) !== 0));
      }
      if (pw === 0) continue;
      for (let v = 0; v < n; v++) valueReached[v] += pw * worth(closure(1 << v, live));
      if (o.seed !== undefined) reachFromSeed += pw * popcount(closure(1 << idx.get(o.seed)!, live));
      for (let bm = 0; bm < 1 << n; bm++) {
        if (fixed.some((f) => !(bm & (1 << f)))) continue; // the fixed ones are always in
        let pb = pw;
        for (let u = 0; u < n; u++) if (!fixed.includes(u)) pb *= bm & (1 << u) ? share : 1 - share;
        if (pb === 0) continue;
        const without = worth(closure(bm, live));
        for (let v = 0; v < n; v++) incremental[v] += pb * (worth(closure(bm | (1 << v), live)) - without);
      }
    }
  }
  return { valueReached, incremental, reachFromSeed };
}

/** An estimate {mean, ci95} within 4 of its standard errors (the 95% half-width / 1.96) of the exact value. */
function near(est: { mean: number; ci95: [number, number] }, want: number, what: string): void {
  const se = (est.ci95[1] - est.ci95[0]) / (2 * 1.959963984540054);
  expect(Math.abs(est.mean - want), `${what}: ${est.mean} [${est.ci95[0]}, ${est.ci95[1]}] vs exact ${want}`).toBeLessThanOrEqual(4 * se + 1e-9);
}

const popcount = (x: number) => {
  let c = 0;
  for (; x; x &= x - 1) c++;
  return c;
};

// A diamond: a -> b, a -> c, b -> d, c -> d, and e alone. d is reached two ways, so who is reached anyway matters.
const diamond: Tiny = {
  ids: ['a', 'b', 'c', 'd', 'e'],
  ties: [['a', 'b', 0.6], ['a', 'c', 0.5], ['b', 'd', 0.7], ['c', 'd', 0.4]],
  values: [1, 2, 3, 5, 4],
};

describe('incremental network value (Domingos & Richardson): with the customer minus without, given organic adopters', () => {
  const g = build(diamond);
  const base = { model: 'ic', probability: 'attribute', p: 0, top: 5, rrSets: 400_000, seed: 5 } as const;

  it('path closed form: a -> b -> c with 0.5 each, baseline {c}: a adds 1 + 2·0.5, b adds 2, c adds 0', async () => {
    const path = build({ ids: ['a', 'b', 'c'], ties: [['a', 'b', 0.5], ['b', 'c', 0.5]], values: [1, 2, 4] });
    const r = await rankValues(path, { ...base, top: 3, baseline: ['c'], by: 'incremental' });
    const inc = new Map(r.top.map((x) => [x.id, x.incremental!]));
    expect(r.baseline).toEqual({ customers: 1, share: 0 });
    expect(inc.get('c')).toEqual({ mean: 0, ci95: [0, expect.any(Number)] }); // a baseline customer adds nothing
    for (const [id, want] of [['a', 2], ['b', 2]] as const) {
      near(inc.get(id)!, want, id);
      expect(Math.abs(inc.get(id)!.mean - want), id).toBeLessThan(0.03);
    }
    // the value-weighted reach reading is unchanged: a's network value counts c (4 · 0.25) even though c is reached anyway
    const a = r.top.find((x) => x.id === 'a')!;
    expect(Math.abs(a.networkValue - (2 * 0.5 + 4 * 0.25))).toBeLessThan(0.03);
  });

  it('a set baseline: every customer within 4 standard errors of the enumerated value, and the ranking is by it', async () => {
    const want = exact(diamond, { fixed: ['c'] }).incremental;
    const r = await rankValues(g, { ...base, baseline: ['c'], by: 'incremental' });
    for (const x of r.top) near(x.incremental!, want[diamond.ids.indexOf(x.id)], x.id);
    const means = r.top.map((x) => x.incremental!.mean);
    expect(means).toEqual([...means].sort((x, y) => y - x));
    // exact: e adds its own 4; d adds 5 only when c (always in) does not pass it on: 5·(1 − 0.4)
    expect(want[4]).toBeCloseTo(4, 12);
    expect(want[3]).toBeCloseTo(5 * 0.6, 12);
  });

  it('a share baseline (each customer organic with 0.2) and both together: within 4 standard errors of the enumeration', async () => {
    for (const o of [{ baselineShare: 0.2 }, { baselineShare: 0.3, baseline: ['b'] }]) {
      const want = exact(diamond, { share: o.baselineShare, fixed: o.baseline }).incremental;
      const r = await rankValues(g, { ...base, ...o });
      expect(r.baseline).toEqual({ customers: o.baseline?.length ?? 0, share: o.baselineShare });
      for (const x of r.top) near(x.incremental!, want[diamond.ids.indexOf(x.id)], `${x.id} ${JSON.stringify(o)}`);
    }
    // no baseline asked: no incremental field (answers as before)
    const plain = await rankValues(g, base);
    expect(plain.baseline).toBeUndefined();
    expect(plain.top[0].incremental).toBeUndefined();
  });

  it('RR sets agree with Monte Carlo (with minus without, paired runs) on a 200-customer graph', async () => {
    const ba = barabasiAlbert(200, 2, 3);
    const baseline = ['0', '1', '7'].map((i) => ba.ids[Number(i)]);
    const r = await rankValues(ba, { model: 'ic', probability: 'uniform', p: 0.1, top: 200, rrSets: 300_000, seed: 2, baseline });
    const common = { model: 'ic', probability: 'uniform', p: 0.1, runs: 20_000, seed: 9 } as const;
    const without = await simulateRuns(ba, { ...common, seeds: baseline }, {}, true);
    const checked = [ba.ids[2], ba.ids[3], ba.ids[50], ba.ids[199]];
    for (const id of checked) {
      const withIt = await simulateRuns(ba, { ...common, seeds: [...baseline, id] }, {}, true);
      const d = Float64Array.from(withIt.perRun!.value, (x, i) => x - without.perRun!.value[i]);
      const mean = d.reduce((s, x) => s + x, 0) / d.length;
      const sd = Math.sqrt(d.reduce((s, x) => s + (x - mean) ** 2, 0) / (d.length - 1));
      const rr = r.top.find((x) => x.id === id)!.incremental!;
      const rrSe = (rr.ci95[1] - rr.ci95[0]) / (2 * 1.96);
      const se = Math.hypot(sd / Math.sqrt(d.length), rrSe);
      expect(Math.abs(rr.mean - mean), `${id}: RR ${rr.mean} vs MC ${mean}`).toBeLessThan(4 * se + 1e-9);
    }
  });

  it('one customer\'s incremental value: exactly the ranking\'s figure for that customer, and the enumeration within 4 standard errors', async () => {
    const cases = [
      { baseline: ['c'] },
      { baselineShare: 0.2 },
      { baselineShare: 0.3, baseline: ['b'] },
    ];
    const rrSets = 100_000;
    for (const o of cases) {
      const want = exact(diamond, { fixed: o.baseline, share: o.baselineShare }).incremental;
      const ranking = await rankValues(g, { ...base, rrSets, ...o });
      for (const id of ['a', 'd']) {
        const one = await customerValue(g, id, { probability: 'attribute', p: 0, runs: 200, rrSets, seed: base.seed, ...o });
        const row = ranking.top.find((x) => x.id === id)!;
        expect(one.incremental, `${id} ${JSON.stringify(o)}`).toEqual(row.incremental);
        expect(one.baseline).toEqual(ranking.baseline);
        expect(one.rrSets).toBe(ranking.rrSets);
        near(one.incremental!, want[diamond.ids.indexOf(id)], `${id} ${JSON.stringify(o)}`);
      }
    }
    // under the gate too (the diamond with a quiet top): the enumeration of every gate, world and baseline
    const t: Tiny = { ...diamond, activity: [0.5, 1, 0.6, 1, 1] };
    const gated = build(t);
    const want = exact(t, { fixed: ['c'], gate: true }).incremental;
    const one = await customerValue(gated, 'a', { probability: 'attribute', p: 0, runs: 200, rrSets, seed: 3, baseline: ['c'], activity: 'gate' });
    near(one.incremental!, want[0], 'a gated');
    // no baseline: no incremental figure (the answer as before), and the value-weighted reach under its new name
    const plain = await customerValue(g, 'a', { probability: 'attribute', p: 0, runs: 2000, seed: 1 });
    expect(plain.incremental).toBeUndefined();
    expect(plain.baseline).toBeUndefined();
    expect(plain.valueWeightedReach).toEqual(plain.network);
  });

  it('API: baseline repeated in the query (ranking and one customer), an unknown baseline customer is a 404, a share out of range a 400; activity at every door', async () => {
    const { app } = await buildTestApp();
    const created = await app.inject({
      method: 'POST', url: '/graphs',
      payload: { name: 'diamond', directed: true, customers: diamond.ids.map((id, i) => ({ id, value: diamond.values[i] })), ties: diamond.ties.map(([source, target, p]) => ({ source, target, p })) },
    });
    const id = created.json().id as string;
    const ok = await app.inject({ url: `/graphs/${id}/value?probability=attribute&p=0&baseline=c&baseline=b&by=incremental&rrSets=20000&top=5` });
    expect(ok.statusCode).toBe(200);
    const body = ok.json();
    expect(body.baseline).toEqual({ customers: 2, share: 0 });
    expect(body.top.find((x: { id: string }) => x.id === 'b').incremental.mean).toBe(0);
    // the CSV table gains the incremental columns, with the JSON's numbers
    const csv = await app.inject({ url: `/graphs/${id}/value?probability=attribute&p=0&baseline=c&baseline=b&by=incremental&rrSets=20000&top=5`, headers: { accept: 'text/csv' } });
    expect(csv.statusCode).toBe(200);
    const [header, first] = csv.body.trim().split(/\r?\n/);
    expect(header).toBe(
      'rank,id,own_value,network_value,network_ci95_low,network_ci95_high,total_value,incremental_value,incremental_ci95_low,incremental_ci95_high,' +
        'value_weighted_reach,value_weighted_reach_ci95_low,value_weighted_reach_ci95_high',
    );
    expect(Number(first.split(',')[7])).toBe(body.top[0].incremental.mean);
    expect((await app.inject({ url: `/graphs/${id}/value?baseline=zz` })).statusCode).toBe(404);
    // one customer's value takes the same baseline: the ranking's figure; CSV gains its row; an unknown baseline is a 404
    const q = 'probability=attribute&p=0&baseline=c&baseline=b&rrSets=20000&runs=200';
    const oneA = await app.inject({ url: `/graphs/${id}/customers/a/value?${q}` });
    expect(oneA.statusCode, oneA.body).toBe(200);
    const rankedA = body.top.find((x: { id: string }) => x.id === 'a');
    expect(oneA.json()).toMatchObject({ incremental: rankedA.incremental, baseline: { customers: 2, share: 0 }, rrSets: body.rrSets });
    const oneCsv = (await app.inject({ url: `/graphs/${id}/customers/a/value?${q}`, headers: { accept: 'text/csv' } })).body.trim().split(/\r?\n/);
    expect(oneCsv.at(-1)!.split(',').slice(1, 3)).toEqual(['incremental_value', String(rankedA.incremental.mean)]);
    expect((await app.inject({ url: `/graphs/${id}/customers/a/value?baseline=zz` })).statusCode).toBe(404);
    expect((await app.inject({ url: `/graphs/${id}/customers/a/value?baselineShare=1` })).statusCode).toBe(400);
    expect((await app.inject({ url: `/graphs/${id}/value?baselineShare=1` })).statusCode).toBe(400);
    expect((await app.inject({ url: `/graphs/${id}/value?model=lt&activity=gate` })).statusCode).toBe(400);

    // The other doors of activity (test/activity-readings.test.ts has the numbers): a (activity 0.5) → b1..b6 → d, x → y1..y4.
    const gate = await app.inject({
      method: 'POST', url: '/graphs',
      payload: {
        name: 'gate', directed: true,
        customers: ['a', 'b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'd', 'x', 'y1', 'y2', 'y3', 'y4'].map((c) => ({ id: c, ...(c === 'a' ? { activity: 0.5 } : {}) })),
        ties: [
          ...[1, 2, 3, 4, 5, 6].flatMap((i) => [{ source: 'a', target: `b${i}`, p: 1 }, { source: `b${i}`, target: 'd', p: 1 }]),
          { source: 'x', target: 'y1', p: 1 }, { source: 'x', target: 'y2', p: 1 }, { source: 'x', target: 'y3', p: 1 }, { source: 'x', target: 'y4', p: 0.75 },
        ],
      },
    });
    const gid = gate.json().id as string;
    const inf = await app.inject({ method: 'POST', url: `/graphs/${gid}/influencers`, payload: { k: 1, method: 'celf', probability: 'attribute', p: 0, activity: 'gate', celfRuns: 5000, runs: 500, gainSamples: 5000 } });
    expect(inf.statusCode, inf.body).toBe(200);
    expect(inf.json()).toMatchObject({ activity: 'gate', seeds: [{ id: 'x' }] }); // per-arc it would be a
    const lt = await app.inject({ method: 'POST', url: `/graphs/${gid}/influencers`, payload: { k: 1, model: 'lt', activity: 'gate' } });
    expect(lt.statusCode).toBe(400);
    expect(lt.json().errors).toEqual([expect.objectContaining({ path: 'body.activity' })]);
    const ltSim = await app.inject({ method: 'POST', url: `/graphs/${gid}/simulations`, payload: { model: 'lt', seeds: ['a'], activity: 'gate' } });
    expect(ltSim.statusCode).toBe(400);
    expect(JSON.stringify(ltSim.json().errors)).toContain('activity');
    const sc = await app.inject({ method: 'POST', url: `/graphs/${gid}/scenarios`, payload: { customer: 'a', activity: 'gate', runs: 200 } });
    expect(sc.statusCode, sc.body).toBe(200);
    expect(sc.json().assumptions.activity).toBe('gate');
    expect((await app.inject({ method: 'POST', url: `/graphs/${gid}/scenarios`, payload: { customer: 'a', activity: 'loud' } })).statusCode).toBe(400);
    const sir = await app.inject({ method: 'POST', url: `/graphs/${gid}/simulations`, payload: { model: 'sir', seeds: ['a'], activity: 'gate', runs: 100 } });
    expect(sir.statusCode, sir.body).toBe(200);
  });
});

describe('activity: per-arc (a multiplier on every arc leaving the customer) or gate (passes it on at all with probability activity)', () => {
  // a has activity 0.5 and reaches d two ways: per-arc, b and c are reached independently; gated, together or not at all.
  const t: Tiny = { ...diamond, ties: [['a', 'b', 1], ['a', 'c', 1], ['b', 'd', 0.8], ['c', 'd', 0.5]], activity: [0.5, 1, 0.6, 1, 1] };
  const g = build(t);

  it('the enumerated expectations differ (a: 1 + 0.5 + 0.5 + …) and each simulation is within 4 standard errors of its own', async () => {
    const perArc = exact(t, { seed: 'a' }).reachFromSeed;
    const gated = exact(t, { seed: 'a', gate: true }).reachFromSeed;
    expect(Math.abs(perArc - gated)).toBeGreaterThan(0.05);
    for (const [activity, want] of [['per-arc', perArc], ['gate', gated]] as const) {
      const r = await simulate(g, { model: 'ic', seeds: ['a'], probability: 'attribute', p: 0, runs: 40_000, seed: 4, activity });
      expect(Math.abs(r.reach.mean - want), `${activity}: ${r.reach.mean} vs ${want}`).toBeLessThan(4 * r.reach.stderr);
    }
  });

  it('a gate only where activity is below 1: on a graph without activity both readings are the same runs, digit for digit', async () => {
    const plain = build({ ...diamond });
    const req = { model: 'ic' as const, seeds: ['a'], probability: 'attribute' as const, p: 0, runs: 2000, seed: 8 };
    const a = await simulate(plain, req);
    const b = await simulate(plain, { ...req, activity: 'gate' });
    expect({ ...b, elapsedMs: 0 }).toEqual({ ...a, elapsedMs: 0 });
    // uniform p takes the geometric-skip path: the gate is drawn there too
    const u = await simulate(g, { model: 'ic', seeds: ['a'], probability: 'uniform', p: 1, runs: 20_000, seed: 3, activity: 'gate' });
    const wantU = exact({ ...t, ties: t.ties.map(([x, y]) => [x, y, 1]) }, { seed: 'a', gate: true }).reachFromSeed;
    expect(Math.abs(u.reach.mean - wantU)).toBeLessThan(4 * u.reach.stderr + 1e-12);
  });

  it('the traced run is run 0 under the gate too (same draws)', async () => {
    const r = await simulate(g, { model: 'ic', seeds: ['a'], probability: 'attribute', p: 0, runs: 30, seed: 6, activity: 'gate', trace: true, samples: true });
    expect(r.trace!.reach).toBe(r.samples!.reach[0]);
    for (let seed = 1; seed <= 20; seed++) {
      const x = await simulate(g, { model: 'ic', seeds: ['a'], probability: 'attribute', p: 0, runs: 1, seed, activity: 'gate', trace: true, samples: true });
      expect(x.trace!.reach, `seed ${seed}`).toBe(x.samples!.reach[0]);
    }
  });

  it('voice reads activity the same way: with negativityBias 1 its complaint is the gated IC cascade; an answered complainant speaks twice or not at all', async () => {
    const gated = exact(t, { seed: 'a', gate: true }).reachFromSeed;
    const v = await simulate(g, { model: 'voice', seeds: ['a'], probability: 'attribute', p: 0, negativityBias: 1, runs: 40_000, seed: 5, activity: 'gate' });
    expect(Math.abs(v.negative!.mean - gated), `${v.negative!.mean} vs ${gated}`).toBeLessThan(4 * v.negative!.stderr);
    // answered at step 0, publicly, with effectiveness 1: the run is the praise cascade, gated the same way
    const praise = await simulate(g, { model: 'voice', seeds: ['a'], probability: 'attribute', p: 0, runs: 40_000, seed: 5, activity: 'gate', response: { atStep: 0, effectiveness: 1, public: true } });
    expect(Math.abs(praise.positive!.mean - gated)).toBeLessThan(4 * praise.positive!.stderr);
    // answered at step 1, publicly: a's second message (praise) passes through the same gate as its complaint. When a's
    // gate is shut (probability 0.5) nobody but a is reached, so P(reach = 1) = 0.5 exactly under the gate.
    const twice = await simulate(g, { model: 'voice', seeds: ['a'], probability: 'attribute', p: 0, runs: 40_000, seed: 6, activity: 'gate', response: { atStep: 1, effectiveness: 1, public: true }, exceedance: [2] });
    const reachedOthers = twice.exceedance![0].probability;
    expect(Math.abs(reachedOthers - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / 40_000));
    for (let seed = 1; seed <= 15; seed++) {
      const x = await simulate(g, { model: 'voice', seeds: ['a'], probability: 'attribute', p: 0, runs: 1, seed, activity: 'gate', response: { atStep: 1, effectiveness: 1, public: true }, trace: true, samples: true });
      expect(x.trace!.reach, `seed ${seed}`).toBe(x.samples!.reach[0]);
    }
  });

  it('value-weighted reach and one customer\'s value under the gate: RR sets and Monte Carlo within 4 standard errors of the enumeration', async () => {
    const want = exact(t, { gate: true }).valueReached;
    const r = await rankValues(g, { model: 'ic', probability: 'attribute', p: 0, top: 5, rrSets: 400_000, seed: 1, activity: 'gate' });
    expect(r.activity).toBe('gate');
    for (const x of r.top) near(x.total, want[t.ids.indexOf(x.id)], x.id);
    const one = await customerValue(g, 'a', { probability: 'attribute', p: 0, runs: 40_000, seed: 2, activity: 'gate' });
    expect(one.activity).toBe('gate');
    expect(Math.abs(one.total.mean - want[0])).toBeLessThan(4 * one.total.stderr);
    const perArc = exact(t, {}).valueReached[0];
    expect(Math.abs(perArc - want[0])).toBeGreaterThan(0.1); // the readings answer differently here
  });
});

describe('the command line takes the same fields (built CLI)', () => {
  it('ripple simulate --histogram-edges --samples --activity gate, ripple value --baseline --by incremental: the library\'s answers', async () => {
    const dir = await tempDir();
    const file = join(dir, 'diamond.json');
    await writeFile(file, JSON.stringify({
      name: 'diamond', directed: true,
      customers: diamond.ids.map((id, i) => ({ id, value: diamond.values[i], activity: i === 0 ? 0.5 : 1 })),
      ties: diamond.ties.map(([source, target, p]) => ({ source, target, p })),
    }));
    const g = build({ ...diamond, activity: [0.5, 1, 1, 1, 1] });
    const sim = await ripple(['simulate', '--file', file, '--seeds', 'a', '--probability', 'attribute', '--p', '0', '--runs', '300', '--seed', '3',
      '--activity', 'gate', '--histogram-edges', '1,2,4', '--samples', '--json'], { RIPPLE_WORKERS: '1' });
    expect(sim.code, sim.stderr).toBe(0);
    const cli = JSON.parse(sim.stdout);
    const lib = await simulate(g, { model: 'ic', seeds: ['a'], probability: 'attribute', p: 0, runs: 300, seed: 3, activity: 'gate', histogram: { edges: [1, 2, 4] }, samples: true });
    expect({ ...cli, elapsedMs: 0 }).toEqual({ ...lib, elapsedMs: 0 });
    expect(cli.reach.histogram.map((b: { from: number; to: number }) => [b.from, b.to])).toEqual([[1, 1], [2, 3]]);
    const val = await ripple(['value', '--file', file, '--probability', 'attribute', '--p', '0', '--rr-sets', '20000', '--top', '5',
      '--baseline', 'c', '--by', 'incremental', '--activity', 'gate', '--json'], { RIPPLE_WORKERS: '1' });
    expect(val.code, val.stderr).toBe(0);
    const libValue = await rankValues(g, { probability: 'attribute', p: 0, rrSets: 20_000, top: 5, baseline: ['c'], by: 'incremental', activity: 'gate' });
    expect({ ...JSON.parse(val.stdout), elapsedMs: 0 }).toEqual({ ...libValue, elapsedMs: 0 });
    // one customer's incremental value (--customer with --baseline) and the gate on influencers and scenarios
    const oneCli = await ripple(['value', '--file', file, '--customer', 'a', '--probability', 'attribute', '--p', '0', '--rr-sets', '20000', '--runs', '300',
      '--baseline', 'c', '--activity', 'gate', '--json'], { RIPPLE_WORKERS: '1' });
    expect(oneCli.code, oneCli.stderr).toBe(0);
    const libOne = await customerValue(g, 'a', { probability: 'attribute', p: 0, rrSets: 20_000, runs: 300, baseline: ['c'], activity: 'gate' });
    expect({ ...JSON.parse(oneCli.stdout), elapsedMs: 0 }).toEqual({ ...libOne, elapsedMs: 0 });
    expect(libOne.incremental).toEqual(libValue.top.find((x) => x.id === 'a')!.incremental);
    const inf = await ripple(['influencers', '--file', file, '--k', '1', '--method', 'degree', '--probability', 'attribute', '--p', '0', '--runs', '200',
      '--gain-samples', '2000', '--activity', 'gate', '--json'], { RIPPLE_WORKERS: '1' });
    expect(inf.code, inf.stderr).toBe(0);
    expect(JSON.parse(inf.stdout)).toMatchObject({ activity: 'gate', seeds: [{ id: 'a' }] });
    const bad = await ripple(['simulate', '--file', file, '--seeds', 'a', '--histogram-edges', '3,2']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/histogram/);
  });
});
