import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { expect, onTestFinished } from 'vitest';
import { buildApp } from '../src/api/app.js';
import { loadConfig, type Config } from '../src/config.js';
import { FileStore } from '../src/store/file-store.js';
import { checkResponses } from './openapi-contract.js';

export interface TestApp {
  app: FastifyInstance;
  store: FileStore;
  config: Readonly<Config>;
  dir: string;
}

/** A temp directory removed when the current test finishes. */
export async function tempDir(prefix = 'ripple-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  onTestFinished(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return dir;
}

/**
 * A fresh app on a FileStore in a temp data dir (fastify/demo test/helper.ts style): closed and removed when
 * the current test finishes. `env` overrides configuration variables (e.g. RIPPLE_UPLOAD_LIMIT).
 */
export async function buildTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const dir = await tempDir();
  const config = loadConfig({ RIPPLE_DATA_DIR: dir, RIPPLE_DEMO: 'false', LOG_LEVEL: 'silent', ...env });
  const store = await FileStore.open(dir);
  const app = await buildApp(config, { store });
  // Every answer is checked against the app's own OpenAPI document: a status, content type or body it does not
  // declare fails the test (test/openapi-contract.ts).
  const contract = checkResponses(app);
  onTestFinished(async () => {
    const violations = contract.violations();
    await app.close();
    await store.close();
    expect(violations, 'answers that do not match /openapi.json').toEqual([]);
  });
  await app.ready();
  return { app, store, config, dir };
}

/** A small Ripple JSON graph: a - b - c path plus d, with attributes. */
export function smallGraph(name = 'small') {
  return {
    name,
    directed: false,
    customers: [
      { id: 'a', label: 'Alice', followers: 10, value: 5, segment: 'loyal', activity: 0.5 },
      { id: 'b' },
      { id: 'c', value: 2 },
      { id: 'd' },
    ],
    ties: [
      { source: 'a', target: 'b' },
      { source: 'b', target: 'c', weight: 2 },
    ],
  };
}
