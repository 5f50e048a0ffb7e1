import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { describe, expect, it, onTestFinished } from 'vitest';
import { buildApp } from '../src/api/app.js';
import { loadConfig } from '../src/config.js';
import { computeCentrality } from '../src/influence/centrality/index.js';
import type { CentralityMetric } from '../src/influence/centrality/types.js';
import { GDS_DROP, GDS_METRICS, GDS_NOT_INSTALLED, GDS_PROJECT, GDS_VERSION } from '../src/influence/gds.js';
import { CentralityEngines, GDS_NEEDS_NEO4J } from '../src/services/centrality-engines.js';
import type { CypherDriver, CypherRecord, CypherSession, CypherTx } from '../src/store/neo4j-port.js';
import { Neo4jStore } from '../src/store/neo4j-store.js';
import { buildTestApp, tempDir } from './helper.js';
import { FakeNeo4j } from './neo4j-fake.js';

/**
 * The Neo4j store wired into the API: CENTRALITY_ENGINE picks local or GDS, /ready follows the database. Runs on the
 * recording fake driver (test/neo4j-fake.ts) plus a fake GDS catalogue below — NOT Neo4j and NOT GDS. A fake is used
 * for what a real server cannot show on demand: the exact GDS calls a route sends (and that none is sent below the
 * auto threshold), a replace injected between reading the graph and streaming the scores, a database that stops
 * answering /ready at a chosen moment. The same behaviours against a real Neo4j + GDS are test/gds-neo4j.test.ts and
 * test/neo4j-faults.test.ts.
 */

const GDS_QUERIES = new Set<string>([GDS_VERSION, GDS_PROJECT, GDS_DROP, ...[...GDS_METRICS.values()].map((m) => m.query)]);

/** A fake driver that knows the store's queries (FakeNeo4j) and, when `installed`, the GDS ones. */
class FakeWithGds implements CypherDriver {
  readonly inner = new FakeNeo4j();
  /** GDS queries sent, in order (the store's own queries are in inner.calls). */
  readonly gdsCalls: { query: string; params: Record<string, unknown> }[] = [];
  installed = true;
  /** Scores the fake stream answers per customer idx (by metric query). */
  scores = new Map<string, Float64Array>();

  private rows(query: string, params: Record<string, unknown>): Record<string, unknown>[] {
    this.gdsCalls.push({ query, params });
    if (!this.installed) throw new Error('Neo.ClientError.Procedure.ProcedureNotFound: There is no procedure with the name `gds.version`');
    if (query === GDS_VERSION) return [{ version: '2.6.0' }];
    if (query === GDS_DROP) return [{ graphName: params.name }];
    if (query === GDS_PROJECT) {
      let nodes = 0;
      for (const c of this.inner.state.customers.values()) if (c.graphId === params.graphId && c.version === Number(params.slot)) nodes++;
      return [{ nodes, relationships: 0 }];
    }
    const s = this.scores.get(query);
    if (!s) throw new Error(`fake gds: no scores for ${query}`);
    return Array.from(s, (score, idx) => ({ idx, score }));
  }

  private wrap(tx: CypherTx): CypherTx {
    return {
      run: (query, params) => {
        if (!GDS_QUERIES.has(query)) return tx.run(query, params);
        const rows = this.rows(query, params);
        return (async function* (): AsyncGenerator<CypherRecord> {
          for (const r of rows) yield { get: (k: string) => r[k] ?? null };
        })();
      },
    };
  }

  session(opts: { database?: string; mode: 'read' | 'write' }): CypherSession {
    const s = this.inner.session(opts);
    return {
      executeRead: (work) => s.executeRead((tx) => work(this.wrap(tx))),
      executeWrite: (work) => s.executeWrite((tx) => work(this.wrap(tx))),
      close: () => s.close(),
    };
  }

  verifyConnectivity(_opts: { database?: string }): Promise<void> {
    return this.inner.verifyConnectivity();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** A directed graph with a clear PageRank order. */
const graphBody = {
  name: 'wire', directed: true,
  customers: ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id })),
  ties: [
    { source: 'a', target: 'b' }, { source: 'c', target: 'b' }, { source: 'd', target: 'b' }, { source: 'b', target: 'e' },
    { source: 'e', target: 'a' }, { source: 'd', target: 'c' }, { source: 'e', target: 'b' },
  ],
};

async function neo4jApp(engine: string, opts: { installed?: boolean } = {}) {
  const fake = new FakeWithGds();
  fake.installed = opts.installed ?? true;
  const store = new Neo4jStore(fake, { uri: 'bolt://fake:7687', secret: 'pw' }, { readyTimeoutMs: 100 });
  await store.init();
  const config = loadConfig({
    RIPPLE_STORE: 'neo4j', NEO4J_URI: 'bolt://fake:7687', NEO4J_USER: 'neo4j', NEO4J_PASSWORD: 'pw', CENTRALITY_ENGINE: engine,
    RIPPLE_DATA_DIR: await tempDir(), RIPPLE_DEMO: 'false', LOG_LEVEL: 'silent',
  });
  const app = await buildApp(config, { store, pool: null });
  onTestFinished(async () => {
    await app.close();
    await store.close();
  });
  await app.ready();
  const res = await app.inject({ method: 'POST', url: '/graphs', payload: graphBody });
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json().id as string;
  const { graph } = await app.ripple.cache.get(id);
  return { app, fake, store, id, graph };
}

function expectProblem(res: LightMyRequestResponse, status: number) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  return res.json() as { detail: string; status: number };
}

const get = (app: FastifyInstance, url: string) => app.inject({ method: 'GET', url });
const projections = (fake: FakeWithGds) => fake.gdsCalls.filter((c) => c.query === GDS_PROJECT);
const withoutTiming = ({ elapsedMs: _e, cached: _c, engine: _g, ...rest }: Record<string, unknown>) => rest;

describe('GET /graphs/:id/centrality/:metric on the Neo4j store (fake driver + fake GDS: recorded calls, injected replace; not Neo4j)', () => {
  it('CENTRALITY_ENGINE=gds: projects, streams and drops in the database; same answer as local; cached the same way', async () => {
    const { app, fake, id, graph } = await neo4jApp('gds');
    const local = await computeCentrality(graph, 'pagerank', { cache: false });
    // The fake GDS answers the local scores times 7 (GDS PageRank is not normalised): the route rescales them.
    fake.scores.set(GDS_METRICS.get('pagerank')!.query, local.scores.map((x) => x * 7));
    const res = await get(app, `/graphs/${id}/centrality/pagerank?top=all`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.engine).toBe('gds');
    expect(body.cached).toBe(false);
    expect(fake.gdsCalls.map((c) => c.query)).toEqual([GDS_VERSION, GDS_PROJECT, GDS_METRICS.get('pagerank')!.query, GDS_DROP]);
    const slot = [...fake.inner.state.graphs.values()][0].liveVersion;
    expect(projections(fake)[0].params).toMatchObject({ graphId: id, slot, both: false, undirected: [] });
    for (const c of fake.gdsCalls) expect(c.query).not.toContain(id);

    // Same shape and the same numbers (to rounding) as the file store computing locally.
    const t = await buildTestApp();
    const created = await t.app.inject({ method: 'POST', url: '/graphs', payload: graphBody });
    const localBody = (await get(t.app, `/graphs/${created.json().id}/centrality/pagerank?top=all`)).json();
    expect(localBody.engine).toBeUndefined();
    type Answer = {
      top: { id: string; score: number; rank: number }[]; graphId: string; iterations?: number; converged?: boolean;
      residual?: number; tolerance?: number; convergence?: string;
    };
    const { top, graphId: _g, ...rest } = withoutTiming(body) as Answer;
    // GDS reports no iteration count or residual: otherwise the same fields (metric, version, customers, options).
    const { top: localTop, graphId: _l, iterations: _i, converged: _c, residual: _r, tolerance: _t, convergence: _v, ...localRest } = withoutTiming(localBody) as Answer;
    expect(rest).toEqual(localRest);
    expect(top.map((x) => [x.id, x.rank])).toEqual(localTop.map((x) => [x.id, x.rank]));
    top.forEach((x, i) => expect(x.score).toBeCloseTo(localTop[i].score, 12));

    // Second read: from the cache, still marked gds, no new GDS work; the customer page shows the cached score.
    const again = (await get(app, `/graphs/${id}/centrality/pagerank?top=all`)).json();
    expect(again).toMatchObject({ cached: true, engine: 'gds' });
    expect(again.top).toEqual(body.top);
    expect(projections(fake)).toHaveLength(1);
    const customer = (await get(app, `/graphs/${id}/customers/b`)).json();
    expect(JSON.stringify(customer)).toContain('pagerank');
    expect(app.ripple.centrality.computed).toBe(1);
  });

  it('metrics and options GDS does not reproduce stay local even with CENTRALITY_ENGINE=gds', async () => {
    const { app, fake, id, graph } = await neo4jApp('gds');
    for (const url of ['degree', 'louvain?seed=1', 'betweenness?k=2&seed=3', 'betweenness?normalized=false', 'closeness?weighted=true', 'hub?weighted=true']) {
      const res = await get(app, `/graphs/${id}/centrality/${url}`);
      expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
      expect(res.json().engine, url).toBeUndefined();
    }
    expect(projections(fake)).toHaveLength(0);
    // Betweenness with default options goes to GDS (raw counts rescaled to the networkx normalisation).
    const local = await computeCentrality(graph, 'betweenness', { normalized: false, cache: false });
    fake.scores.set(GDS_METRICS.get('betweenness')!.query, local.scores);
    const res = (await get(app, `/graphs/${id}/centrality/betweenness?top=all`)).json();
    expect(res.engine).toBe('gds');
    const want = await computeCentrality(graph, 'betweenness', { cache: false });
    for (const t of res.top as { id: string; score: number }[]) expect(t.score).toBeCloseTo(want.scores[graph.ids.indexOf(t.id)], 12);
  });

  it('CENTRALITY_ENGINE=gds without the GDS plugin: 503 problem+json saying how to install it, nothing queued', async () => {
    const { app, fake, id } = await neo4jApp('gds', { installed: false });
    const p = expectProblem(await get(app, `/graphs/${id}/centrality/pagerank`), 503);
    expect(p.detail).toBe(GDS_NOT_INSTALLED);
    expect(fake.gdsCalls.map((c) => c.query)).toEqual([GDS_VERSION]);
    expect(expectProblem(await get(app, `/graphs/${id}/centrality/closeness?async=true`), 503).detail).toBe(GDS_NOT_INSTALLED);
    expect((await get(app, '/jobs')).json().jobs).toEqual([]);
    expect((await get(app, `/graphs/${id}/centrality/degree`)).statusCode).toBe(200);
  });

  it('CENTRALITY_ENGINE=auto: local below the size threshold (GDS not even asked), GDS above it when installed', async () => {
    const { app, fake, id, graph, store } = await neo4jApp('auto');
    const r = await get(app, `/graphs/${id}/centrality/pagerank`);
    expect(r.statusCode).toBe(200);
    expect(r.json().engine).toBeUndefined();
    expect(fake.gdsCalls).toHaveLength(0);
    app.ripple.centralityEngines = new CentralityEngines('auto', store, { threshold: graph.n + graph.m });
    const local = await computeCentrality(graph, 'authority', { cache: false });
    fake.scores.set(GDS_METRICS.get('authority')!.query, local.scores.map((x) => x * 3));
    const e = (await get(app, `/graphs/${id}/centrality/authority?top=all`)).json();
    expect(e.engine).toBe('gds');
    for (const t of e.top as { id: string; score: number }[]) expect(t.score).toBeCloseTo(local.scores[graph.ids.indexOf(t.id)], 12);
    // auto without the plugin falls back to local, quietly.
    fake.installed = false;
    app.ripple.centralityEngines = new CentralityEngines('auto', store, { threshold: 1 });
    const k = await get(app, `/graphs/${id}/centrality/kcore`);
    expect(k.statusCode, k.body).toBe(200);
    expect(k.json().engine).toBeUndefined();
  });

  it('a replace between reading the graph and running GDS is a 409, not scores of another version', async () => {
    const { app, fake, id } = await neo4jApp('gds');
    fake.scores.set(GDS_METRICS.get('pagerank')!.query, new Float64Array(5).fill(1));
    const engines = app.ripple.centralityEngines;
    await app.ripple.store.replace(id, (await app.ripple.store.load(id)).data);
    await expect(engines.gds(id, 1, 'pagerank' as CentralityMetric, {})).rejects.toMatchObject({ statusCode: 409 });
    expect(projections(fake)).toHaveLength(0);
    const ok = await engines.gds(id, 2, 'pagerank' as CentralityMetric, {});
    expect(Array.from(ok.scores)).toEqual([0.2, 0.2, 0.2, 0.2, 0.2]);
  });
});

describe('CENTRALITY_ENGINE=gds on the file store', () => {
  it('answers 503 naming what is needed for the metrics GDS covers; the others still work', async () => {
    const t = await buildTestApp({ CENTRALITY_ENGINE: 'gds' });
    const id = (await t.app.inject({ method: 'POST', url: '/graphs', payload: graphBody })).json().id as string;
    expect(expectProblem(await get(t.app, `/graphs/${id}/centrality/pagerank`), 503).detail).toBe(GDS_NEEDS_NEO4J);
    expect((await get(t.app, `/graphs/${id}/centrality/in-degree`)).statusCode).toBe(200);
    const auto = await buildTestApp({ CENTRALITY_ENGINE: 'auto' });
    const id2 = (await auto.app.inject({ method: 'POST', url: '/graphs', payload: graphBody })).json().id as string;
    expect((await get(auto.app, `/graphs/${id2}/centrality/pagerank`)).statusCode).toBe(200);
  });
});

describe('/ready on the Neo4j store (fake driver: connectivity failure injected on demand; not Neo4j)', () => {
  it('200 while the database answers; 503 problem+json when it does not, and again 200 when it is back', async () => {
    const { app, fake } = await neo4jApp('local');
    const ok = await get(app, '/ready');
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ status: 'ready', store: 'neo4j' });
    fake.inner.connectivity = async () => {
      throw new Error('Connection refused');
    };
    expect(expectProblem(await get(app, '/ready'), 503).detail).toMatch(/neo4j store is not ready/);
    fake.inner.connectivity = () => new Promise(() => {}); // hangs: ready() times out
    expectProblem(await get(app, '/ready'), 503);
    fake.inner.connectivity = async () => {};
    expect((await get(app, '/ready')).statusCode).toBe(200);
    expect((await get(app, '/health')).statusCode).toBe(200);
  });
});

describe('ripple centrality with CENTRALITY_ENGINE (built CLI)', () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const bin = join(root, 'bin', 'ripple.js');
  const ripple = (args: string[], env: Record<string, string>) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH ?? '', RIPPLE_WORKERS: '1', ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      });
    });

  it('gds with a --file graph is a one-line error for GDS metrics; other metrics and auto run locally', async () => {
    if (!existsSync(join(root, 'dist', 'src', 'cli', 'main.js'))) throw new Error('this test runs the built CLI: run `npm run build` first (npm test does)');
    const dir = await tempDir();
    const file = join(dir, 'g.txt');
    await writeFile(file, 'a b\nb c\nc a\nc d\n');
    const bad = await ripple(['centrality', '--file', file, '--metric', 'pagerank'], { CENTRALITY_ENGINE: 'gds', RIPPLE_DATA_DIR: dir });
    expect(bad.code, bad.stderr).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr.trim().split('\n')).toEqual([`ripple: ${GDS_NEEDS_NEO4J}`]);
    const degree = await ripple(['centrality', '--file', file, '--metric', 'degree', '--json'], { CENTRALITY_ENGINE: 'gds', RIPPLE_DATA_DIR: dir });
    expect(degree.code, degree.stderr).toBe(0);
    expect(JSON.parse(degree.stdout).engine).toBeUndefined();
    const auto = await ripple(['centrality', '--file', file, '--metric', 'pagerank', '--json'], { CENTRALITY_ENGINE: 'auto', RIPPLE_DATA_DIR: dir });
    expect(auto.code, auto.stderr).toBe(0);
    expect(JSON.parse(auto.stdout).top[0].id).toBe('c');
    const typo = await ripple(['centrality', '--file', file, '--metric', 'pagerank'], { CENTRALITY_ENGINE: 'neo', RIPPLE_DATA_DIR: dir });
    expect(typo.code).not.toBe(0);
    expect(typo.stderr).toMatch(/CENTRALITY_ENGINE: must be one of local, gds, auto/);
  });

  it('RIPPLE_STORE=neo4j: missing NEO4J_PASSWORD stops with the variable named; an unreachable database names the URI only', async () => {
    const dir = await tempDir();
    const missing = await ripple(['graphs'], { RIPPLE_STORE: 'neo4j', NEO4J_URI: 'bolt://127.0.0.1:1', NEO4J_USER: 'neo4j', RIPPLE_DATA_DIR: dir });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/NEO4J_PASSWORD: is required when RIPPLE_STORE=neo4j/);
    const down = await ripple(['graphs'], { RIPPLE_STORE: 'neo4j', NEO4J_URI: 'bolt://127.0.0.1:1', NEO4J_USER: 'neo4j', NEO4J_PASSWORD: 'pw-secret-2', RIPPLE_DATA_DIR: dir });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^ripple: cannot connect to Neo4j at bolt:\/\/127\.0\.0\.1:1: /);
    expect(down.stderr).not.toContain('pw-secret-2');
  });
});
