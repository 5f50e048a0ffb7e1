import { describe, expect, it } from 'vitest';
import { isoDuration, parseDuration, stepAt } from '../src/graph/duration.js';
import { buildTestApp } from './helper.js';

/** Time in hours (issue 17 point 3): stepDuration on graphs and requests, durations in reports, answers at a time. */

const PATH = { name: 'path', ties: [{ source: 'a', target: 'b' }, { source: 'b', target: 'c' }, { source: 'c', target: 'd' }] };

describe('ISO 8601 step durations', () => {
  it('parses weeks to seconds, refuses years, months and zero, and writes them back normalised', () => {
    expect(parseDuration('PT2H')).toEqual({ seconds: 7200 });
    expect(parseDuration('P1DT12H')).toEqual({ seconds: 129_600 });
    expect(parseDuration('PT0,5H')).toEqual({ seconds: 1800 });
    expect(parseDuration('P1W')).toEqual({ seconds: 604_800 });
    for (const bad of ['P1Y', 'P2M', 'PT0S', 'P', 'PT', '2h', 'PT-1H', 'P1DT']) expect(parseDuration(bad), bad).toHaveProperty('error');
    expect(isoDuration(7200)).toBe('PT2H');
    expect(isoDuration(5400)).toBe('PT1H30M');
    expect(isoDuration(129_600)).toBe('P1DT12H');
    expect(stepAt(5400, 3600)).toBe(1); // 90 minutes with 1-hour steps: after step 1
    expect(stepAt(7200, 3600)).toBe(2);
    expect(stepAt(3600, 7200)).toBe(0);
  });
});

describe('stepDuration over HTTP', () => {
  it('is set at import, changed or removed by PATCH (a new version), and read back in summaries and exports', async () => {
    const { app } = await buildTestApp();
    const created = await app.inject({ method: 'POST', url: '/graphs', payload: { ...PATH, stepDuration: 'PT120M' } });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    expect(created.json().stepDuration).toBe('PT2H');
    expect((await app.inject(`/graphs/${id}`)).json()).toMatchObject({ stepDuration: 'PT2H', version: 1 });
    expect((await app.inject(`/graphs/${id}/export`)).json().stepDuration).toBe('PT2H');

    const raw = await app.inject({ method: 'POST', url: '/graphs/import?format=edgelist&name=e&stepDuration=PT30M', headers: { 'content-type': 'text/plain' }, payload: 'a b\nb c\n' });
    expect(raw.json().stepDuration).toBe('PT30M');
    const badQuery = await app.inject({ method: 'POST', url: '/graphs/import?format=edgelist&name=e&stepDuration=P1M', headers: { 'content-type': 'text/plain' }, payload: 'a b\n' });
    expect(badQuery.statusCode).toBe(400);
    expect(badQuery.json().detail).toMatch(/months have no fixed length/);

    const patched = await app.inject({ method: 'PATCH', url: `/graphs/${id}`, payload: { stepDuration: 'PT1H', name: 'renamed' } });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ stepDuration: 'PT1H', name: 'renamed', version: 2, customers: 4, ties: 3 });
    expect((await app.inject({ method: 'PATCH', url: `/graphs/${id}?ifVersion=1`, payload: { stepDuration: 'PT3H' } })).statusCode).toBe(409);
    expect((await app.inject({ method: 'PATCH', url: `/graphs/${id}`, payload: { stepDuration: 'soon' } })).statusCode).toBe(400);
    expect((await app.inject({ method: 'PATCH', url: `/graphs/${id}`, payload: { colour: 'red' } })).statusCode).toBe(400);
    const removed = await app.inject({ method: 'PATCH', url: `/graphs/${id}`, payload: { stepDuration: null } });
    expect(removed.json()).not.toHaveProperty('stepDuration');
    expect(removed.json().version).toBe(3);
    expect((await app.inject({ method: 'PATCH', url: '/graphs/g_0000000000000000', payload: {} })).statusCode).toBe(404);
  });

  it('gives every time of a report in steps and as a duration, and turns an answer at a time into the step it falls in', async () => {
    const { app } = await buildTestApp();
    const id = (await app.inject({ method: 'POST', url: '/graphs', payload: { ...PATH, stepDuration: 'PT1H' } })).json().id as string;
    const base = { customer: 'a', p: 1, negativityBias: 1, runs: 50, seed: 2 };
    const res = await app.inject({ method: 'POST', url: `/graphs/${id}/scenarios`, payload: { ...base, response: { at: 'PT90M', effectiveness: 1, public: false } } });
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json();
    expect(r.stepDuration).toBe('PT1H');
    expect(r.assumptions.response).toEqual({ atStep: 1, effectiveness: 1, public: false, at: 'PT1H30M' });
    expect(r.negativeSteps.slice(0, 4).map((s: { step: number; duration: string }) => [s.step, s.duration])).toEqual([[0, 'PT0S'], [1, 'PT1H'], [2, 'PT2H'], [3, 'PT3H']]);
    // The complainant turns at step 1 (−1 negative) as b hears it (+1): the negative curve peaks at step 2.
    expect(r.timeToPeak.negative).toEqual({ step: 2, newMean: 1, duration: 'PT2H' });
    expect(r.lastStep).toMatchObject({ step: 20, duration: 'PT20H' });
    // Per run, b (step 1), c (step 2) and d (step 3) are each newly negative: a tie at every step, the first counts;
    // the private turn reaches no one, so praise has no time to peak. The combined figure has its times too.
    expect(r.negativeTimeToPeak).toEqual({ mean: 1, sd: 0, stderr: 0, ci95: [1, 1], runs: 50, duration: { mean: 'PT1H', ci95: ['PT1H', 'PT1H'] } });
    expect(r.positiveTimeToPeak).toBeNull();
    expect(r.timeToPeak.duration).toEqual({ mean: 'PT1H', ci95: ['PT1H', 'PT1H'] });
    // One plain sentence for an answer asked for between two step ends (no brackets in a row).
    expect(r.summary).toContain('Asked to answer at 1.5 hours, which falls in step 2, the brand answers after step 1 (1 hour), in private, and wins the complainant over in 100% of runs.');
    expect(r.summary).not.toMatch(/\) \(/);
    expect(r.summary).toContain('Newly reached customers peak, on average, for the negative opinion after about 1 hour.');
    // The request's stepDuration wins over the graph's.
    const r2 = (await app.inject({ method: 'POST', url: `/graphs/${id}/scenarios`, payload: { ...base, stepDuration: 'PT2H', response: { at: 'PT2H', effectiveness: 1, public: false } } })).json();
    expect([r2.stepDuration, r2.assumptions.response.atStep]).toEqual(['PT2H', 1]);
    expect(r2.summary).toMatch(/within 1 day 16 hours \(20 steps of 2 hours\)/);
    expect((await app.inject({ method: 'POST', url: `/graphs/${id}/scenarios`, payload: { ...base, response: { at: 'PT1H', atStep: 1 } } })).statusCode).toBe(400);
  });

  it('without a step duration, time is in steps and an answer at a time is a 400 that says what to do', async () => {
    const { app } = await buildTestApp();
    const id = (await app.inject({ method: 'POST', url: '/graphs', payload: PATH })).json().id as string;
    const r = (await app.inject({ method: 'POST', url: `/graphs/${id}/scenarios`, payload: { customer: 'a', runs: 20 } })).json();
    expect(r.stepDuration).toBeNull();
    expect(r.steps[0]).not.toHaveProperty('duration');
    expect(r.summary).toMatch(/Time is in steps/);
    const bad = await app.inject({ method: 'POST', url: `/graphs/${id}/scenarios`, payload: { customer: 'a', response: { at: 'PT2H' } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().detail).toMatch(/no step duration is known: give `stepDuration`/);
  });

  it('reports reachOf: how often each asked-for customer is reached', async () => {
    const { app } = await buildTestApp();
    const id = (await app.inject({ method: 'POST', url: '/graphs', payload: PATH })).json().id as string;
    const r = (await app.inject({ method: 'POST', url: `/graphs/${id}/scenarios`, payload: { customer: 'a', p: 1, negativityBias: 1, runs: 30, amplifiers: 0, reachOf: ['d', 'b'] } })).json();
    expect(r.reachOf).toEqual([{ id: 'd', frequency: 1 }, { id: 'b', frequency: 1 }]);
    expect(r.amplifiers).toEqual([]);
    const half = (await app.inject({ method: 'POST', url: `/graphs/${id}/scenarios`, payload: { customer: 'a', p: 0.5, negativityBias: 1, runs: 4000, reachOf: ['b', 'c'] } })).json();
    expect(Math.abs(half.reachOf[0].frequency - 0.5)).toBeLessThan(0.03); // P(b) = p
    expect(Math.abs(half.reachOf[1].frequency - 0.25)).toBeLessThan(0.03); // P(c) = p²
  });
});
