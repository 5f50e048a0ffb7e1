import { describe, expect, it } from 'vitest';
import { OFF_THREAD_JSON_CHARS } from '../src/api/json-body.js';
import { buildTestApp } from './helper.js';

/**
 * Ripple JSON bodies of OFF_THREAD_JSON_CHARS or more (POST /graphs, PUT /graphs/:id) are parsed, validated and built
 * on a worker thread (src/api/json-body.ts): the answers are the ones the in-thread path gives, errors included.
 */
describe('large JSON bodies off the event loop', () => {
  const ties = (n: number) => Array.from({ length: n }, (_, i) => ({ source: `c${i}`, target: `c${i + 1}` }));
  /** The same document, small (in-thread) and padded past the threshold with ignored customers' labels (off-thread). */
  const pair = (doc: Record<string, unknown>): [string, string] => {
    const small = JSON.stringify(doc);
    const pad = 'x'.repeat(OFF_THREAD_JSON_CHARS);
    const big = JSON.stringify({ ...doc, padding: pad });
    expect(small.length).toBeLessThan(OFF_THREAD_JSON_CHARS);
    expect(big.length).toBeGreaterThanOrEqual(OFF_THREAD_JSON_CHARS);
    return [small, big];
  };
  const strip = (b: Record<string, unknown>) => ({ ...b, requestId: undefined, id: undefined, createdAt: undefined, updatedAt: undefined, report: undefined });

  it('created, refused as invalid JSON, for a poisoned key, or with a field list: as in-thread', async () => {
    const { app } = await buildTestApp();
    const post = (payload: string) => app.inject({ method: 'POST', url: '/graphs', headers: { 'content-type': 'application/json' }, payload });
    const cases: [string, Record<string, unknown> | string, number][] = [
      ['valid', { name: 'g', ties: ties(10) }, 201],
      ['validation', { name: 'g', ties: [...ties(10), { source: 'a', target: 'b', p: 2 }], customers: [{ id: '' }] }, 400],
      ['parser', { name: 'g', customers: [{ id: 'a' }], ties: [{ source: 'a', target: 'zz' }] }, 400],
    ];
    for (const [what, doc, status] of cases) {
      const [small, big] = pair(doc as Record<string, unknown>);
      const a = await post(small);
      const b = await post(big);
      expect([a.statusCode, b.statusCode], `${what}: ${a.body.slice(0, 200)} / ${b.body.slice(0, 200)}`).toEqual([status, status]);
      expect(strip(b.json()), what).toEqual(strip(a.json()));
      if (status === 201) expect(b.json().report.warnings).toEqual(['ignored keys "padding"']);
    }
    // Not JSON at all, and a poisoned key: Fastify's own 400s.
    for (const [what, text] of [['invalid JSON', `{"name":"g","ties":[${'{},'.repeat(OFF_THREAD_JSON_CHARS / 3)}`], ['__proto__', `{"name":"g","ties":[],"__proto__":{"x":1},"p":"${'x'.repeat(OFF_THREAD_JSON_CHARS)}"}`]]) {
      const small = what === 'invalid JSON' ? '{"name":"g","ties":[' : '{"name":"g","ties":[],"__proto__":{"x":1}}';
      const a = await post(small);
      const b = await post(text);
      expect([a.statusCode, b.statusCode], what).toEqual([400, 400]);
      expect(strip(b.json()), what).toEqual(strip(a.json()));
    }
    // PUT takes the same path.
    const created = (await post(pair({ name: 'g', ties: ties(5) })[1])).json().id as string;
    const put = await app.inject({ method: 'PUT', url: `/graphs/${created}`, headers: { 'content-type': 'application/json' }, payload: pair({ name: 'h', ties: ties(7) })[1] });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({ version: 2, name: 'h', ties: 7 });
  });
});
