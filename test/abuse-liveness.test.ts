import { once } from 'node:events';
import { get } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { describe, expect, it, onTestFinished } from 'vitest';
import { sleep, startAbuseServer } from './abuse-helper.js';
import { ripple } from './cli-helper.js';
import { tempDir } from './helper.js';

/**
 * /health latencies (ms) sampled every `everyMs` until `done` settles, each counted from when the probe was DUE (the
 * previous answer + everyMs), not from when it could be sent: a server stalled while the prober sleeps delays the
 * prober's timer too, and that delay counts.
 */
async function healthWhile(url: string, done: Promise<unknown>, everyMs = 10): Promise<number[]> {
  const out: number[] = [];
  let finished = false;
  void done.finally(() => (finished = true));
  let due = performance.now();
  while (!finished) {
    const res = await fetch(`${url}/health`);
    await res.arrayBuffer();
    const now = performance.now();
    out.push(now - due);
    expect(res.status).toBe(200);
    due = now + everyMs;
    await sleep(everyMs);
  }
  return out;
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

function graphml(nodes: number): string {
  const parts = ['<?xml version="1.0"?>\n<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n<key id="v" for="node" attr.name="value" attr.type="double"/>\n<graph edgedefault="undirected">\n'];
  for (let i = 0; i < nodes; i++) parts.push(`<node id="n${i}"><data key="v">${i % 100}</data></node>\n`);
  for (let i = 0; i < nodes; i++) parts.push(`<edge source="n${i}" target="n${(i * 7 + 1) % nodes}"/>\n`);
  parts.push('</graph>\n</graphml>\n');
  return parts.join('');
}

const upload = (url: string, path: string, body: Uint8Array | string, type = 'application/octet-stream') =>
  fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': type }, body });

/** One HTTP/1.1 answer parsed off a raw socket. */
interface RawAnswer {
  status: number;
  headers: Map<string, string>;
  body: string;
}

/**
 * A raw HTTP/1.1 connection (no client library smoothing anything over): what arrives is kept, an answer is
 * read once whole (Content-Length), `ended` says the server half-closed, `error` holds a reset.
 */
class RawConnection {
  private buf = Buffer.alloc(0);
  ended = false;
  error: NodeJS.ErrnoException | undefined;
  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => (this.buf = Buffer.concat([this.buf, d])));
    socket.on('end', () => (this.ended = true));
    socket.on('error', (e: NodeJS.ErrnoException) => (this.error ??= e));
  }
  static async open(port: number): Promise<RawConnection> {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    onTestFinished(() => void socket.destroy());
    return new RawConnection(socket);
  }
  /** Write and wait until the kernel took it (or the connection failed). */
  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed || !this.socket.writable) return resolve();
      this.socket.write(data, () => resolve());
    });
  }
  /** The next whole answer, within `ms`. */
  async answer(ms = 5000): Promise<RawAnswer> {
    const t0 = performance.now();
    for (;;) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end >= 0) {
        const lines = this.buf.subarray(0, end).toString('latin1').split('\r\n');
        const headers = new Map(lines.slice(1).map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
        const length = Number(headers.get('content-length') ?? 0);
        if (this.buf.length >= end + 4 + length) {
          const body = this.buf.subarray(end + 4, end + 4 + length).toString('utf8');
          this.buf = this.buf.subarray(end + 4 + length);
          return { status: Number(lines[0].split(' ')[1]), headers, body };
        }
      }
      if (this.error) throw new Error(`connection failed before a whole answer: ${this.error.code}`);
      if (this.ended) throw new Error('connection closed before a whole answer');
      if (performance.now() - t0 > ms) throw new Error(`no whole answer within ${ms} ms (have ${this.buf.length} bytes)`);
      await sleep(5);
    }
  }
}

const head = (method: string, path: string, type: string, length: number) =>
  `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${type}\r\nContent-Length: ${length}\r\n\r\n`;

/**
 * Abuse class: liveness, early answers. A request refused before its body has arrived (413 at the gzip ratio or
 * the declared length, 400 on a bad gzip header, 415) gets its problem+json answer and the rest of its body is
 * read and discarded (RFC 9112 §9.6): no reset under the client's feet, the connection usable afterwards; the
 * discarding is bounded in bytes and time (RIPPLE_LINGER_BYTES, RIPPLE_LINGER_TIMEOUT).
 */
describe('abuse: liveness, requests answered before their body arrived', () => {
  it('413 (gzip ratio, declared length), 400 (bad gzip) and 415 answer whole, then the rest of the body is drained and the connection stays usable', async () => {
    const s = await startAbuseServer({ RIPPLE_UPLOAD_LIMIT: '2MB' });
    const before = await s.snapshot();
    const bomb = gzipSync(Buffer.alloc(64 << 20, 0x31), { level: 9 }); // ~64 kB that inflate 1000×
    const badGzip = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x63, 0x00]), Buffer.alloc(400_000, 0x41)]);
    const cases = [
      { name: 'gzip bomb', path: '/graphs/import?format=edgelist&name=bomb', type: 'application/octet-stream', body: bomb, status: 413, detail: /gzip bomb/ },
      { name: 'bad gzip header', path: '/graphs/import?format=edgelist&name=bad', type: 'application/octet-stream', body: badGzip, status: 400, detail: /corrupt gzip/ },
      { name: 'declared over the limit', path: '/graphs/import?format=edgelist&name=big', type: 'application/octet-stream', body: Buffer.alloc(3 << 20, 0x20), status: 413, detail: /RIPPLE_UPLOAD_LIMIT/ },
      { name: 'content type', path: '/graphs/import?format=edgelist&name=png', type: 'image/png', body: Buffer.alloc(400_000, 0x20), status: 415, detail: /image\/png/ },
    ];
    for (const c of cases) {
      const conn = await RawConnection.open(s.port);
      await conn.write(head('POST', c.path, c.type, c.body.length));
      await conn.write(c.body.subarray(0, 16_384)); // enough to be refused; most of the body is still to come
      const a = await conn.answer().catch((e: Error) => Promise.reject(new Error(`${c.name}: ${e.message}`)));
      expect(a.status, c.name).toBe(c.status);
      expect(a.headers.get('content-type'), c.name).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(a.body).detail, c.name).toMatch(c.detail);
      expect(a.headers.get('connection'), c.name).not.toBe('close');
      // The client, unaware, sends the rest: the server reads it (and throws it away), then serves the next request.
      await conn.write(c.body.subarray(16_384));
      await conn.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      const next = await conn.answer().catch((e: Error) => Promise.reject(new Error(`${c.name}, the next request: ${e.message}`)));
      expect(next.status, c.name).toBe(200);
      expect(conn.error, c.name).toBeUndefined();
    }
    // And through a client library, several at once (the suite once saw ECONNRESET instead of the 413 under load).
    const answers = await Promise.all(Array.from({ length: 6 }, () => upload(s.url, '/graphs/import?format=edgelist&name=bomb', bomb)));
    expect(answers.map((r) => r.status)).toEqual(Array(6).fill(413));
    await s.expectSurvived(before);
  });

  it('the discarding is bounded: past RIPPLE_LINGER_BYTES or RIPPLE_LINGER_TIMEOUT the server half-closes after its answer', async () => {
    const s = await startAbuseServer({ RIPPLE_UPLOAD_LIMIT: '1MB', RIPPLE_LINGER_BYTES: '256kb', RIPPLE_LINGER_TIMEOUT: '300' });
    const before = await s.snapshot();
    // Bytes: a declared 64 MB body keeps coming after the 413; the server stops reading it after 256 kB more.
    const bytes = await RawConnection.open(s.port);
    await bytes.write(head('POST', '/graphs/import?format=edgelist&name=huge', 'application/octet-stream', 64 << 20));
    await bytes.write(Buffer.alloc(8192, 0x20));
    expect((await bytes.answer()).status).toBe(413);
    const chunk = Buffer.alloc(64 << 10, 0x20);
    for (let i = 0; i < 16 && !bytes.ended; i++) await bytes.write(chunk); // 1 MB offered
    for (let i = 0; i < 100 && !bytes.ended; i++) await sleep(10);
    expect(bytes.ended).toBe(true);
    // Time: a body that stops arriving after the answer is given up after 300 ms.
    const t0 = performance.now();
    const time = await RawConnection.open(s.port);
    await time.write(head('POST', '/graphs/import?format=edgelist&name=stalled', 'application/octet-stream', 64 << 20));
    await time.write(Buffer.alloc(8192, 0x20));
    expect((await time.answer()).status).toBe(413);
    for (let i = 0; i < 200 && !time.ended; i++) await sleep(10);
    expect(time.ended).toBe(true);
    expect(performance.now() - t0).toBeLessThan(1500);
    await s.expectSurvived(before);
  });
});

/** Abuse class: liveness. Big or hostile uploads parse off the event loop, within bounds; /health stays fast. */
describe('abuse: liveness', () => {
  it('deeply nested or over-large XML is refused before any DOM is built (400/413), and a gzip bomb stops at its ratio', async () => {
    const s = await startAbuseServer({ RIPPLE_MAX_XML_ELEMENTS: '20000' });
    const before = await s.snapshot();
    // The adversarial case of the issue: an 11 kB gzip of a deeply nested GraphML.
    const deep = `<?xml version="1.0"?><graphml><graph>${'<data>'.repeat(200_000)}${'</data>'.repeat(200_000)}</graph></graphml>`;
    const deepGz = gzipSync(deep, { level: 9 });
    expect(deepGz.length).toBeLessThan(20_000);
    let t0 = performance.now();
    // Compressed, it inflates ~500×: refused at the gzip ratio; sent plain, at the nesting bound.
    const nestedGz = await upload(s.url, '/graphs/import?format=graphml&name=deep', deepGz);
    expect(nestedGz.status).toBe(413);
    expect(((await nestedGz.json()) as { detail: string }).detail).toMatch(/gzip bomb/);
    const nested = await upload(s.url, '/graphs/import?format=graphml&name=deep', deep);
    expect(nested.status).toBe(400);
    expect(((await nested.json()) as { detail: string }).detail).toMatch(/deep:1: XML nested deeper than 64 elements \(RIPPLE_MAX_XML_DEPTH\)/);
    expect(performance.now() - t0).toBeLessThan(20_000); // bounded: the issue saw a 26 s stall of every request
    const many = await upload(s.url, '/graphs/import?format=graphml&name=many', graphml(15_000));
    expect(many.status).toBe(413);
    expect(((await many.json()) as { detail: string }).detail).toMatch(/more than 20000 XML elements/);
    // A gzip bomb: 2 MB of zeros per kB sent is refused at the ratio (RIPPLE_MAX_GZIP_RATIO), long before the upload limit.
    const bomb = gzipSync(Buffer.alloc(64 << 20, 0x31), { level: 9 });
    t0 = performance.now();
    const bombed = await upload(s.url, '/graphs/import?format=edgelist&name=bomb', bomb);
    expect(bombed.status).toBe(413);
    expect(((await bombed.json()) as { detail: string }).detail).toMatch(/more than 100 times its compressed size/);
    expect(performance.now() - t0).toBeLessThan(20_000);
    await s.expectSurvived(before);
  });

  it('the CLI bounds a gzip bomb too: one line, exit 2, in bounded time and memory', async () => {
    const dir = await tempDir();
    const file = join(dir, 'bomb.txt.gz');
    await writeFile(file, gzipSync(Buffer.alloc(256 << 20, 0x31), { level: 9 })); // 256 MB of one digit, ~250 kB sent
    const t0 = performance.now();
    const r = await ripple(['info', '--file', file, '--json'], { RIPPLE_DATA_DIR: dir });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^ripple: bomb\.txt\.gz: decompresses to more than 100 times its compressed size/);
    expect(performance.now() - t0).toBeLessThan(20_000);
  });

  it('/health answers fast while a large GraphML upload parses', async () => {
    const s = await startAbuseServer();
    const before = await s.snapshot();
    const body = graphml(8_000); // 16k elements: seconds of DOM work, all in the import worker
    const pending = upload(s.url, '/graphs/import?format=graphml&name=big', body);
    const lat = await healthWhile(s.url, pending);
    const res = await pending;
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string; customers: number; ties: number };
    expect(created).toMatchObject({ customers: 8_000, ties: 8_000 });
    console.log(`liveness: /health during a 16k-element GraphML import: ${lat.length} probes, median ${quantile(lat, 0.5).toFixed(1)} ms, p95 ${quantile(lat, 0.95).toFixed(1)} ms, max ${Math.max(...lat).toFixed(1)} ms`);
    expect(lat.length).toBeGreaterThan(3);
    expect(quantile(lat, 0.5)).toBeLessThan(50);
    await fetch(`${s.url}/graphs/${created.id}`, { method: 'DELETE' });
    await s.expectSurvived(before);
  });

  it('/health answers fast while a 5 MB JSON graph of 100k customers is posted, read back and compiled, and replaced', async () => {
    const s = await startAbuseServer();
    const before = await s.snapshot();
    // 100 000 customers with values and 100 000 ties to seeded random targets (a stored file that does not compress away).
    const n = 100_000;
    // Made in a function: its 200 000 objects are garbage before the stages (a major GC of this shared process does not walk them).
    const body = ((): string => {
      let x = 12345;
      const rand = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 8;
      const customers = Array.from({ length: n }, (_, i) => ({ id: `c${i}`, value: i % 97 }));
      // Directed, one tie out of each customer, never to itself: no tie is dropped or merged.
      const ties = Array.from({ length: n }, (_, i) => ({ source: `c${i}`, target: `c${(i + 1 + (rand() % (n - 1))) % n}` }));
      return JSON.stringify({ name: 'big json', directed: true, customers, ties });
    })();
    expect(body.length).toBeGreaterThan(4e6);
    // Building it stalled this process (the server's too): the load shedder's event-loop delay sample settles first.
    await sleep(800);
    const figures: string[] = [];
    const stage = async (name: string, request: () => Promise<Response>) => {
      const t0 = performance.now();
      const pending = request().then(async (r) => ({ status: r.status, text: await r.text() }));
      const lat = await healthWhile(s.url, pending, 5);
      const res = await pending;
      const ms = performance.now() - t0;
      // The next ordinary request is served, not shed by the load shedder (it once saw the stall and answered 503).
      const after = await fetch(`${s.url}/graphs`);
      expect(after.status, `${name}: the request after it`).toBe(200);
      await after.arrayBuffer();
      const idle = await healthWhile(s.url, sleep(Math.min(ms, 3000)), 5);
      figures.push(`${name}: ${ms.toFixed(0)} ms, ${lat.length} probes, median ${quantile(lat, 0.5).toFixed(1)} ms, p95 ${quantile(lat, 0.95).toFixed(1)} ms, max ${Math.max(...lat).toFixed(1)} ms (idle: p95 ${quantile(idle, 0.95).toFixed(1)} ms, max ${Math.max(...idle).toFixed(1)} ms)`);
      return { ...res, lat, idle };
    };
    const json = { 'content-type': 'application/json' };
    const created = await stage('POST /graphs', () => fetch(`${s.url}/graphs`, { method: 'POST', headers: json, body }));
    expect(created.status, created.text.slice(0, 300)).toBe(201);
    const { id, customers: c, ties: t } = JSON.parse(created.text) as { id: string; customers: number; ties: number };
    expect({ c, t }).toEqual({ c: n, t: n });
    // The first read of the stored graph: decoded from its file and compiled (the compiled cache was empty).
    const compiled = await stage('load + compile', () => fetch(`${s.url}/graphs/${id}/centrality/degree?top=1`));
    expect(compiled.status, compiled.text.slice(0, 300)).toBe(200);
    const replaced = await stage('PUT /graphs/:id', () => fetch(`${s.url}/graphs/${id}`, { method: 'PUT', headers: json, body }));
    expect(replaced.status, replaced.text.slice(0, 300)).toBe(200);
    expect(JSON.parse(replaced.text)).toMatchObject({ id, version: 2, customers: n, ties: n });
    console.log(`liveness: /health during a ${(body.length / 1e6).toFixed(1)} MB JSON graph (100k customers): ${figures.join('; ')}`);
    const stages = [created, compiled, replaced];
    for (const { lat, idle } of stages) {
      expect(lat.length).toBeGreaterThan(3);
      // Before this work moved off the event loop: one stall of 2.3–6 s for the POST and the PUT, 0.45 s for the first
      // load + compile (2026-12-01, load ~19).
      expect(quantile(lat, 0.5)).toBeLessThan(50);
      // The bounds of the big-answer case below (its reasoning on GC pauses and CPU contention holds here too).
      expect(quantile(lat, 0.95)).toBeLessThan(50 + quantile(idle, 0.95));
      expect(Math.max(...lat)).toBeLessThan(250 + Math.max(...idle));
    }
    await fetch(`${s.url}/graphs/${id}`, { method: 'DELETE' });
    await s.expectSurvived(before);
  });

  it('/health answers in under 50 ms while a 21 MB answer is ranked, built and serialised (value top=100000; centrality top=all)', async () => {
    const s = await startAbuseServer();
    const before = await s.snapshot();
    // 100 000 customers on a ring with chords (an edge list of ~2.5 MB), imported like any upload.
    const n = 100_000;
    const lines: string[] = [];
    for (let i = 0; i < n; i++) lines.push(`c${i} c${(i + 1) % n}`, `c${i} c${(i * 7 + 3) % n}`);
    const imported = await upload(s.url, '/graphs/import?format=edgelist&name=wide', lines.join('\n'), 'text/plain');
    expect(imported.status, await imported.clone().text()).toBe(201);
    const { id } = (await imported.json()) as { id: string };
    // Loaded into the compiled cache first (once per graph version; that load is not what this test measures), and
    // the load shedder's event-loop delay sample given time to settle after it (a 503 then is retried).
    let warm = 0;
    for (let i = 0; i < 20 && warm !== 200; i++) {
      warm = (await fetch(`${s.url}/graphs/${id}/centrality/degree?top=1`)).status;
      await sleep(warm === 200 ? 600 : 300);
    }
    expect(warm).toBe(200);
    const figures: string[] = [];
    const during = async (path: string) => {
      let bytes = 0;
      let status = 0;
      const t0 = performance.now();
      // The body is read chunk by chunk as it streams (node:http: a cheap 'data' event per chunk), and joined and parsed
      // only after the probes: this client shares the event loop with the server, and its own concat and JSON.parse of
      // tens of MB would stall the probes too.
      const pending = new Promise<Buffer[]>((resolve, reject) => {
        get(`${s.url}${path}`, (res) => {
          status = res.statusCode ?? 0;
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => {
            chunks.push(c);
            bytes += c.length;
          });
          res.on('end', () => resolve(chunks));
          res.on('error', reject);
        }).on('error', reject);
      });
      // The GC pauses of this process while the answer runs, printed beside the probes: the worst probes left line up
      // with them (scavenges of the answer's rows, longer on a loaded machine).
      const gc: number[] = [];
      const observer = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) gc.push(e.duration);
      });
      observer.observe({ entryTypes: ['gc'] });
      const lat = await healthWhile(s.url, pending, 5);
      observer.disconnect();
      const body = Buffer.concat(await pending);
      const ms = performance.now() - t0;
      expect(status, body.subarray(0, 300).toString()).toBe(200);
      // The same prober against the same idle server for as long (up to 5 s): what this machine gives a /health
      // probe with nothing running (a few ms when quiet; more when the machine is shared). The bound below is on
      // what the big answer adds to it.
      const idle = await healthWhile(s.url, sleep(Math.min(ms, 5000)), 5);
      figures.push(`${path.split('?')[0].split('/').pop()}: ${(bytes / 1e6).toFixed(1)} MB in ${ms.toFixed(0)} ms, ${lat.length} probes, max ${Math.max(...lat).toFixed(1)} ms, p95 ${quantile(lat, 0.95).toFixed(1)} ms (idle: max ${Math.max(...idle).toFixed(1)} ms, p95 ${quantile(idle, 0.95).toFixed(1)} ms), GC pauses ${gc.length}, longest ${Math.max(0, ...gc).toFixed(1)} ms, ${gc.filter((d) => d > 20).length} over 20 ms`);
      return { raw: body, lat, idle, bytes };
    };
    const v = await during(`/graphs/${id}/value?top=100000&rrSets=20000&p=0.05`);
    const d = await during(`/graphs/${id}/centrality/degree?top=all`);
    // Parsed only now: this client's JSON.parse of 21 MB stalls the shared event loop (and the load shedder saw it).
    type Ranked = { top: { rank: number; id: string }[] };
    const value = { ...v, body: JSON.parse(v.raw.toString('utf8')) as Ranked };
    const degree = { ...d, body: JSON.parse(d.raw.toString('utf8')) as Ranked };
    console.log(`liveness: /health during big answers (100k customers): ${figures.join('; ')}`);
    // The answers are whole and ranked.
    expect(value.bytes).toBeGreaterThan(20e6);
    expect(value.body.top).toHaveLength(100_000);
    expect(degree.body.top).toHaveLength(n);
    expect(degree.body.top.map((t) => t.rank)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    for (const { lat, idle } of [value, degree]) {
      expect(lat.length).toBeGreaterThan(10); // probed all along, not once at the end
      // The goal is every probe under 50 ms. What is shown here: 95% of probes under 50 ms more than the idle
      // machine's own p95, and the worst under 250 ms more than the idle worst (before slicing: a 2–4 s stall). The
      // worst probes left (50–130 ms at load 4–10) are not one unsliced step: stall timestamps against stage marks and
      // slice timings (2026-12-01) put them on V8 GC pauses (scavenges of 10–90 ms while the 100 000 answer rows and
      // zod's encoded copies are young; printed above) and on slices stretched 5–10× by CPU contention; at load ~4
      // runs met worst < idle worst + 50 ms, at load 8–10 they did not, so the bound stays here.
      expect(quantile(lat, 0.95)).toBeLessThan(50 + quantile(idle, 0.95));
      expect(Math.max(...lat)).toBeLessThan(250 + Math.max(...idle));
    }
    await fetch(`${s.url}/graphs/${id}`, { method: 'DELETE' });
    await s.expectSurvived(before);
  });
});
