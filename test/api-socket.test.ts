import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { buildTestApp } from './helper.js';

/** POST a chunked body of `total` bytes to a listening app and return status, headers and body of the answer. */
function postChunked(port: number, path: string, total: number): Promise<{ status: number; type: string; body: string; sent: number }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    const req = request({ port, path, method: 'POST', headers: { 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body, sent }));
    });
    req.on('error', reject);
    const line = Buffer.from('123456 654321\n'.repeat(4096)); // 57 kB per chunk
    const pump = () => {
      while (sent < total) {
        sent += line.length;
        if (!req.write(line)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

describe('uploads over a real socket', () => {
  it('an over-limit streamed upload gets a 413 problem, not a reset, and the server stays up', async () => {
    const { app } = await buildTestApp({ RIPPLE_UPLOAD_LIMIT: '256kb' });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const res = await postChunked(port, '/graphs/import?format=edgelist&name=big', 8 * 1024 * 1024);
    expect(res.status).toBe(413);
    expect(res.type).toMatch(/application\/problem\+json/);
    expect(JSON.parse(res.body)).toMatchObject({ status: 413, detail: expect.stringMatching(/262144 bytes/) });
    // Under the limit on the same server: imported.
    const ok = await postChunked(port, '/graphs/import?format=edgelist&name=small', 100 * 1024);
    expect(ok.status).toBe(201);
    expect(JSON.parse(ok.body)).toMatchObject({ name: 'small', customers: 2, ties: 1, report: { duplicatesMerged: expect.any(Number) } });
  });
});
