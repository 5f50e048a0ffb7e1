import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { expect, onTestFinished } from 'vitest';
import { buildApp } from '../src/api/app.js';
import { loadConfig, type Config } from '../src/config.js';
import { FileStore } from '../src/store/file-store.js';
import { smallGraph, tempDir } from './helper.js';
import { checkResponses } from './openapi-contract.js';

/**
 * The abuse suites (test/abuse-*.test.ts): one class of hostile input each, against a real listening server
 * on a FileStore, with one graph stored before the abuse. `expectSurvived()` then asserts the two things every
 * class must leave true: the server still answers /health fast, and every stored graph file is byte-identical.
 */
export interface AbuseServer {
  app: FastifyInstance;
  store: FileStore;
  config: Readonly<Config>;
  dir: string;
  url: string;
  port: number;
  graphId: string;
  /** sha256 of every file under graphs/ (the stored graphs), by relative path. */
  snapshot(): Promise<Map<string, string>>;
  expectSurvived(before: Map<string, string>): Promise<void>;
}

export async function snapshotGraphs(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      if (e.isDirectory()) await walk(full);
      else out.set(relative(dir, full), createHash('sha256').update(await readFile(full)).digest('hex'));
    }
  };
  await walk(join(dir, 'graphs'));
  return out;
}

export async function startAbuseServer(env: Record<string, string> = {}, opts: { dir?: string; graph?: unknown } = {}): Promise<AbuseServer> {
  const dir = opts.dir ?? (await tempDir('ripple-abuse-'));
  const config = loadConfig({ RIPPLE_DATA_DIR: dir, RIPPLE_DEMO: 'false', LOG_LEVEL: 'silent', RIPPLE_WORKERS: '1', ...env });
  const store = await FileStore.open(dir);
  const app = await buildApp(config, { store });
  const contract = checkResponses(app); // every answer against /openapi.json (test/openapi-contract.ts)
  onTestFinished(async () => {
    const violations = contract.violations();
    await app.close();
    await store.close();
    expect(violations, 'answers that do not match /openapi.json').toEqual([]);
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const key = config.apiKeys[0];
  const created = await app.inject({ method: 'POST', url: '/graphs', payload: opts.graph ?? smallGraph('kept'), headers: key ? { authorization: `Bearer ${key}` } : {} });
  expect(created.statusCode, created.body).toBe(201);
  const graphId = created.json<{ id: string }>().id;
  const snapshot = () => snapshotGraphs(dir);
  return {
    app, store, config, dir, url, port, graphId, snapshot,
    async expectSurvived(before) {
      const t0 = performance.now();
      const res = await fetch(`${url}/health`);
      const ms = performance.now() - t0;
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok' });
      expect(ms).toBeLessThan(1000);
      expect(await snapshot()).toEqual(before);
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Problem+json members every error answer carries. */
export function expectProblemBody(status: number, contentType: string | null, body: unknown) {
  expect(contentType ?? '').toMatch(/^application\/problem\+json/);
  expect(body).toMatchObject({ type: 'about:blank', status, title: expect.any(String), detail: expect.any(String), code: expect.any(String) });
}
