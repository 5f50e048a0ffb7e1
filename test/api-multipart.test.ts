import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import { buildTestApp } from './helper.js';

const TIES = 'source,target,weight\nc1,c2,2\nc2,c3,1\n';
const CUSTOMERS = 'id,label,followers,value,segment,activity\nc1,Ann,120,300,vip,0.9\nc2,Bo,40,80,regular,0.5\nc3,Cy,5,20,regular,0.1\nc4,Di,1,5,new,0\n';

interface Part {
  name: string;
  filename?: string;
  type?: string;
  data: string | Buffer;
}

const BOUNDARY = '----ripple-test-boundary-7f3a';

/** A multipart/form-data body built by hand (RFC 7578), so the exact bytes and part order are under control. */
function multipart(url: string, parts: Part[], method: 'POST' | 'PUT' = 'POST'): InjectOptions {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}`;
    chunks.push(Buffer.from(`--${BOUNDARY}\r\ncontent-disposition: ${disposition}\r\n${p.type ? `content-type: ${p.type}\r\n` : ''}\r\n`));
    chunks.push(Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return { method, url, headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }, payload: Buffer.concat(chunks) };
}

const ties = (data: string | Buffer = TIES, filename = 'ties.csv'): Part => ({ name: 'ties', filename, type: 'text/csv', data });
const customers = (data: string = CUSTOMERS, filename = 'customers.csv'): Part => ({ name: 'customers', filename, type: 'text/csv', data });

function expectProblem(res: LightMyRequestResponse, status: number, detail?: RegExp) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const p = res.json<{ status: number; detail: string }>();
  expect(p.status).toBe(status);
  if (detail) expect(p.detail).toMatch(detail);
  return p;
}

async function spoolFiles(): Promise<string[]> {
  return (await readdir(tmpdir())).filter((f) => f.startsWith(`ripple-spool-${process.pid}-`));
}

describe('multipart imports (ties + customers)', () => {
  it.each([
    ['customers then ties', [customers(), ties()]],
    ['ties then customers', [ties(), customers()]],
  ])('creates a graph with the customers\' attributes: %s', async (_label, parts) => {
    const { app } = await buildTestApp();
    const before = await spoolFiles();
    const res = await app.inject(multipart('/graphs/import?format=csv&name=crm', parts));
    expect(res.statusCode, res.body).toBe(201);
    const g = res.json<{ id: string; name: string; customers: number; ties: number }>();
    expect(g).toMatchObject({ name: 'crm', customers: 4, ties: 2 });
    expect(res.headers.location).toBe(`/graphs/${g.id}`);
    const c1 = (await app.inject(`/graphs/${g.id}/customers/c1`)).json<Record<string, unknown>>();
    expect(c1).toMatchObject({ id: 'c1', label: 'Ann', followers: 120, value: 300, segment: 'vip', activity: 0.9 });
    // c4 has no tie but is a customer of the file.
    const c4 = await app.inject(`/graphs/${g.id}/customers/c4`);
    expect(c4.statusCode).toBe(200);
    expect(c4.json()).toMatchObject({ value: 5, followers: 1, degree: { total: 0 } });
    expect(await spoolFiles()).toEqual(before); // the ties spool is removed
  });

  it('takes a ties part alone (any format, gzip, format from the file name)', async () => {
    const { app } = await buildTestApp();
    const csv = await app.inject(multipart('/graphs/import', [ties()]));
    expect(csv.statusCode, csv.body).toBe(201);
    expect(csv.json()).toMatchObject({ customers: 3, ties: 2, report: { format: 'csv' } });
    const edges = await app.inject(multipart('/graphs/import?name=e', [{ name: 'ties', filename: 'g.txt.gz', data: gzipSync('1 2\n2 3\n3 1\n') }]));
    expect(edges.statusCode, edges.body).toBe(201);
    expect(edges.json()).toMatchObject({ name: 'e', customers: 3, ties: 3, report: { format: 'edgelist' } });
  });

  it('400 for customers with a non-csv format, in either order; nothing stored', async () => {
    const { app } = await buildTestApp();
    const edges: Part = { name: 'ties', filename: 'g.txt', data: '1 2\n' };
    expectProblem(await app.inject(multipart('/graphs/import?format=edgelist', [customers(), edges])), 400, /only read with the csv format/);
    expectProblem(await app.inject(multipart('/graphs/import', [customers(), edges])), 400, /only read with the csv format.*edgelist/);
    expectProblem(await app.inject(multipart('/graphs/import', [edges, customers()])), 400, /only read with the csv format/);
    expect((await app.inject('/graphs')).json()).toEqual({ graphs: [] });
  });

  it('400 naming the file and line for a tie to an unknown customer, in either order; nothing stored', async () => {
    const { app } = await buildTestApp();
    const bad = 'source,target\nc1,c2\nc2,zed\n';
    for (const parts of [[customers(), ties(bad)], [ties(bad), customers()]]) {
      const p = expectProblem(await app.inject(multipart('/graphs/import?format=csv', parts)), 400);
      expect(p.detail).toMatch(/^ties\.csv:3: /);
      expect(p.detail).toMatch(/zed/);
    }
    expect((await app.inject('/graphs')).json()).toEqual({ graphs: [] });
  });

  it('400 for an extra part, a second ties, a field, no ties, or a malformed body; nothing stored', async () => {
    const { app } = await buildTestApp();
    const url = '/graphs/import?format=csv';
    expectProblem(await app.inject(multipart(url, [ties(), customers(), { name: 'notes', filename: 'n.txt', data: 'x' }])), 400, /unexpected multipart part "notes"/);
    expectProblem(await app.inject(multipart(url, [ties(), ties()])), 400, /ties given twice/);
    expectProblem(await app.inject(multipart(url, [customers(), customers(), ties()])), 400, /customers given twice/);
    expectProblem(await app.inject(multipart(url, [{ name: 'ties', data: 'a field, not a file' }])), 400, /unexpected multipart part "ties"/);
    expectProblem(await app.inject(multipart(url, [customers()])), 400, /without a ties part/);
    // Malformed bodies (truncated, no boundary) are the client's fault: 400, not 500.
    const whole = multipart(url, [ties(), customers()]).payload as Buffer;
    const headers = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };
    for (const payload of [whole.subarray(0, whole.length - 60), Buffer.from('garbage!!')]) {
      expectProblem(await app.inject({ method: 'POST', url, headers, payload }), 400, /malformed multipart body/);
    }
    expect((await app.inject('/graphs')).json()).toEqual({ graphs: [] });
  });

  it('413 past RIPPLE_UPLOAD_LIMIT (both parts counted together, and by content-length); nothing stored', async () => {
    const { app } = await buildTestApp({ RIPPLE_UPLOAD_LIMIT: '1kb' });
    const before = await spoolFiles();
    const bigTies = 'source,target\n' + Array.from({ length: 150 }, (_, i) => `c${i},c${i + 1}\n`).join('');
    expect(bigTies.length).toBeGreaterThan(1024);
    // Declared length over the limit: refused before reading.
    expectProblem(await app.inject(multipart('/graphs/import?format=csv', [ties(bigTies)])), 413, /limit/);
    // Streamed (no content-length): each part alone is under the limit, together they are over it.
    const half = 'source,target\n' + Array.from({ length: 90 }, (_, i) => `c${i},c${i + 1}\n`).join('');
    const manyCustomers = 'id,value\n' + Array.from({ length: 91 }, (_, i) => `c${i},${i}\n`).join('');
    expect(half.length).toBeLessThan(1024);
    expect(manyCustomers.length).toBeLessThan(1024);
    expect(half.length + manyCustomers.length).toBeGreaterThan(1024);
    for (const parts of [[customers(manyCustomers), ties(half)], [ties(half), customers(manyCustomers)]]) {
      const opts = multipart('/graphs/import?format=csv', parts);
      const body = opts.payload as Buffer;
      const chunks = Array.from({ length: Math.ceil(body.length / 256) }, (_, i) => body.subarray(i * 256, (i + 1) * 256));
      const res = await app.inject({ ...opts, payload: Readable.from(chunks) }); // a stream: no content-length
      expectProblem(res, 413, /limit of 1024 bytes/);
    }
    expect((await app.inject('/graphs')).json()).toEqual({ graphs: [] });
    expect(await spoolFiles()).toEqual(before);
  });

  it('PUT replaces a graph via multipart, keeping the customers\' attributes; a failed PUT changes nothing', async () => {
    const { app } = await buildTestApp();
    const created = await app.inject({ method: 'POST', url: '/graphs/import?format=edgelist&name=crm', payload: '1 2\n', headers: { 'content-type': 'text/plain' } });
    expect(created.statusCode, created.body).toBe(201);
    const { id } = created.json<{ id: string }>();
    const bad = await app.inject(multipart(`/graphs/${id}/import?format=csv`, [ties('source,target\nc1,nobody\n'), customers()], 'PUT'));
    expectProblem(bad, 400, /customers\.csv|ties\.csv/);
    expect((await app.inject(`/graphs/${id}`)).json()).toMatchObject({ version: 1, customers: 2 });

    const res = await app.inject(multipart(`/graphs/${id}/import?format=csv&ifVersion=1`, [ties(), customers()], 'PUT'));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id, name: 'crm', version: 2, customers: 4, ties: 2 });
    const c2 = (await app.inject(`/graphs/${id}/customers/c2`)).json<Record<string, unknown>>();
    expect(c2).toMatchObject({ label: 'Bo', followers: 40, value: 80, segment: 'regular' });
    expectProblem(await app.inject(multipart('/graphs/nope/import?format=csv', [ties()], 'PUT')), 404);
  });

  it('raw uploads still work alongside', async () => {
    const { app } = await buildTestApp();
    const res = await app.inject({ method: 'POST', url: '/graphs/import?format=csv&name=raw', payload: TIES, headers: { 'content-type': 'text/csv' } });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ name: 'raw', customers: 3, ties: 2 });
  });
});
