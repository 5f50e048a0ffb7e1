import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { sleep, startAbuseServer } from './abuse-helper.js';

/** A raw client: what it wrote, what it got back, and when the server closed it. */
interface RawClient {
  socket: Socket;
  received: () => string;
  closed: Promise<number>;
}

function rawClient(port: number, first: string): RawClient {
  const socket = connect(port, '127.0.0.1');
  let got = '';
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => {
    got += d;
  });
  socket.on('error', () => {});
  const t0 = performance.now();
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(performance.now() - t0)));
  socket.write(first);
  return { socket, received: () => got, closed };
}

const statusOf = (raw: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0);
const bodyOf = (raw: string) => JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as { status: number; code: string; detail: string };

/** Abuse class: slow clients. Trickling sockets must neither take the in-flight cap nor stay forever. */
describe('abuse: slow clients', () => {
  it('trickled bodies hold no in-flight slot, are capped on their own and cut at the minimum rate; other clients are served', async () => {
    const s = await startAbuseServer({
      RIPPLE_MAX_IN_FLIGHT: '3', RIPPLE_MAX_RECEIVING: '6', RIPPLE_BODY_TIMEOUT: '800', RIPPLE_BODY_MIN_RATE: '1000',
    });
    const before = await s.snapshot();
    const head = (path: string) =>
      `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n1 2\n`;
    // 10 uploads and JSON bodies trickling one byte per 100 ms (10 B/s): more than both caps.
    const trickles: RawClient[] = [];
    for (let i = 0; i < 10; i++) {
      trickles.push(rawClient(s.port, head(i % 2 === 0 ? '/graphs/import?format=edgelist&name=t' : '/graphs')));
      await sleep(30); // older than the 100 ms a body gets before its rate is judged
    }
    const timer = setInterval(() => {
      for (const t of trickles) if (!t.socket.destroyed) t.socket.write('3');
    }, 100);
    try {
      await sleep(150);
      // Past RIPPLE_MAX_RECEIVING each newcomer cut the slowest trickle (408) instead of being turned away.
      expect(s.app.receiving?.()).toBeLessThanOrEqual(6);
      expect(trickles.filter((t) => statusOf(t.received()) === 503)).toHaveLength(0);
      // Meanwhile other clients get their answers: the in-flight cap (3) is not held by the trickles.
      for (let i = 0; i < 6; i++) {
        const res = await fetch(`${s.url}/graphs/${s.graphId}`);
        expect(res.status).toBe(200);
      }
      const sim = await fetch(`${s.url}/graphs/${s.graphId}/simulations`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'ic', seeds: ['a'], p: 0.5, runs: 100, seed: 1 }),
      });
      expect(sim.status).toBe(200);
      // Every trickle is closed within a window or two of RIPPLE_BODY_TIMEOUT, the receiving ones with 408 problem+json.
      const times = await Promise.race([Promise.all(trickles.map((t) => t.closed)), sleep(5000).then(() => null)]);
      expect(times, 'every trickle closed').not.toBeNull();
      const cut = trickles.filter((t) => statusOf(t.received()) === 408);
      expect(cut.length).toBe(10);
      const p = bodyOf(cut[0].received());
      expect(p).toMatchObject({ status: 408, code: 'body-too-slow' });
      expect(p.detail).toMatch(/RIPPLE_BODY_MIN_RATE/);
      // The server's counts dropped when it cut each trickle (before it destroyed the socket), so they are 0 by the
      // time the clients have seen their sockets closed: no waiting for the server's close events.
      expect(s.app.receiving?.()).toBe(0);
      expect(s.app.inFlight?.()).toBe(0);
    } finally {
      clearInterval(timer);
      for (const t of trickles) t.socket.destroy();
    }
    // A fast upload of the same size still works (the rate rule does not hurt honest clients).
    const ok = await fetch(`${s.url}/graphs/import?format=edgelist&name=fast`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '1 2\n2 3\n' });
    expect(ok.status).toBe(201);
    await fetch(`${s.url}/graphs/${((await ok.json()) as { id: string }).id}`, { method: 'DELETE' });
    await s.expectSurvived(before);
  });

  it('with every body fast enough (rate rule off) a full receiving cap answers 503 problem+json', async () => {
    const s = await startAbuseServer({ RIPPLE_MAX_RECEIVING: '2', RIPPLE_BODY_MIN_RATE: '0' });
    const before = await s.snapshot();
    const head = `POST /graphs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`;
    const held = [rawClient(s.port, head), rawClient(s.port, head)];
    await sleep(100);
    const third = rawClient(s.port, head);
    await sleep(100);
    expect(statusOf(third.received())).toBe(503);
    expect(bodyOf(third.received()).detail).toMatch(/RIPPLE_MAX_RECEIVING/);
    expect(s.app.receiving?.()).toBe(2);
    for (const c of [...held, third]) c.socket.destroy();
    await sleep(50);
    // Clients that drop mid-body are no longer receiving: the counts follow their sockets' close.
    expect(s.app.receiving?.()).toBe(0);
    expect((await fetch(`${s.url}/graphs`)).status).toBe(200);
    await s.expectSurvived(before);
  });

  it('trickled headers are cut by RIPPLE_HEADERS_TIMEOUT; over-long URLs and headers answer 414/431 problem+json', async () => {
    const s = await startAbuseServer({ RIPPLE_HEADERS_TIMEOUT: '600' });
    const before = await s.snapshot();
    const slowloris = rawClient(s.port, 'GET /graphs HTTP/1.1\r\nHost: x\r\n');
    const timer = setInterval(() => {
      if (!slowloris.socket.destroyed) slowloris.socket.write('X-A: b\r\n');
    }, 100);
    try {
      const ms = await Promise.race([slowloris.closed, sleep(4000).then(() => -1)]);
      expect(ms).toBeGreaterThan(0);
      expect(statusOf(slowloris.received())).toBe(408);
      expect(bodyOf(slowloris.received()).code).toBe('request-timeout');
    } finally {
      clearInterval(timer);
      slowloris.socket.destroy();
    }

    const longUrl = rawClient(s.port, `GET /graphs/${'x'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    await longUrl.closed;
    expect(statusOf(longUrl.received())).toBe(414);
    expect(bodyOf(longUrl.received())).toMatchObject({ status: 414, code: 'uri-too-long' });

    const bigHeader = rawClient(s.port, `GET /graphs HTTP/1.1\r\nHost: x\r\nX-Big: ${'y'.repeat(20_000)}\r\n\r\n`);
    await bigHeader.closed;
    expect(statusOf(bigHeader.received())).toBe(431);
    expect(bodyOf(bigHeader.received())).toMatchObject({ status: 431, code: 'header-fields-too-large' });
    expect(bigHeader.received()).toMatch(/content-type: application\/problem\+json/i);
    await s.expectSurvived(before);
  });
});
