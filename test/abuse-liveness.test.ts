import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { sleep, startAbuseServer } from './abuse-helper.js';
import { ripple } from './cli-helper.js';
import { tempDir } from './helper.js';

/** /health latencies (ms) sampled every `everyMs` until `done` settles. */
async function healthWhile(url: string, done: Promise<unknown>, everyMs = 10): Promise<number[]> {
  const out: number[] = [];
  let finished = false;
  void done.finally(() => (finished = true));
  while (!finished) {
    const t0 = performance.now();
    const res = await fetch(`${url}/health`);
    await res.arrayBuffer();
    out.push(performance.now() - t0);
    expect(res.status).toBe(200);
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
});
