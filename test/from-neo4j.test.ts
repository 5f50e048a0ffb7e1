/**
 * Bring your own graph (issue 11, point 6): POST /graphs/from-neo4j, PUT /graphs/{id}/from-neo4j and
 * `ripple import --from-neo4j`. What needs no database (validation, the SSRF guard, no Neo4j configured, a refresh of
 * a graph without a source) always runs; the rest runs against a real Neo4j (NEO4J_URI; `npm run neo4j:start`) on a
 * graph this file creates in its own labels (`:Person_<run>` / `:KNOWS_<run>`, odd ids) and removes afterwards.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import neo4j, { type Driver } from 'neo4j-driver';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { buildApp } from '../src/api/app.js';
import { loadConfig } from '../src/config.js';
import { createNeo4jStore } from '../src/store/neo4j-store.js';
import { bin, ripple } from './cli-helper.js';
import { buildTestApp, tempDir } from './helper.js';
import { checkResponses } from './openapi-contract.js';

const NEO4J_URI = process.env.NEO4J_URI;
const NEO4J_ENV: Record<string, string> = NEO4J_URI
  ? { NEO4J_URI, NEO4J_USER: process.env.NEO4J_USER ?? 'neo4j', NEO4J_PASSWORD: process.env.NEO4J_PASSWORD ?? '', ...(process.env.NEO4J_DATABASE ? { NEO4J_DATABASE: process.env.NEO4J_DATABASE } : {}) }
  : {};
if (!NEO4J_URI) console.log('from-neo4j tests against a real Neo4j skipped: set NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD (eval "$(npm run -s neo4j:start)") to run them');

// Answers are checked against /openapi.json (buildTestApp); here they are read field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = (body: string) => JSON.parse(body) as Record<string, any>;

describe('from-neo4j without a database: validation, the SSRF guard, no Neo4j configured', () => {
  it('answers 422 when the server has no Neo4j to read, and 400 for a request that says nothing or too much', async () => {
    const { app } = await buildTestApp();
    const none = await app.inject({ method: 'POST', url: '/graphs/from-neo4j', payload: { nodeLabel: 'Person', relationshipType: 'KNOWS' } });
    expect(none.statusCode).toBe(422);
    expect(json(none.body)).toMatchObject({ code: 'neo4j-source-not-configured' });
    expect(none.headers['content-type']).toMatch(/^application\/problem\+json/);
    for (const [payload, path] of [
      [{}, 'body.nodeLabel'],
      [{ nodeLabel: 'Person' }, 'body.relationshipType'],
      [{ nodesQuery: 'RETURN 1 AS id' }, 'body.relationshipsQuery'],
      [{ nodeLabel: 'P', relationshipType: 'K', nodesQuery: 'RETURN 1 AS id', relationshipsQuery: 'RETURN 1 AS source, 2 AS target' }, 'body.nodesQuery'],
      [{ nodeLabel: 'P', relationshipType: 'K', parameters: { a: 1 } }, 'body.parameters'],
      [{ nodeLabel: 'P', relationshipType: 'K', mapping: { colour: 'c' } }, 'body.mapping.colour'],
      [{ nodeLabel: 'P', relationshipType: 'K', rowLimit: 0 }, 'body.rowLimit'],
    ] as const) {
      const res = await app.inject({ method: 'POST', url: '/graphs/from-neo4j', payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(json(res.body).errors.map((e: { path: string }) => e.path), JSON.stringify(payload)).toContain(path);
    }
  });

  it('never connects where the configuration does not say: another URI or database is a 422 before any connection', async () => {
    // NEO4J_URI points at a closed port: any connection attempt would end in a 503, not the 422s below.
    const { app } = await buildTestApp({ NEO4J_URI: 'bolt://127.0.0.1:1', NEO4J_USER: 'neo4j', NEO4J_PASSWORD: 'secret-pw-1' });
    const base = { nodeLabel: 'Person', relationshipType: 'KNOWS' };
    for (const uri of ['bolt://169.254.169.254:7687', 'neo4j://internal.example:7687', 'bolt://127.0.0.1:7688']) {
      const res = await app.inject({ method: 'POST', url: '/graphs/from-neo4j', payload: { ...base, uri } });
      expect(res.statusCode, uri).toBe(422);
      expect(json(res.body)).toMatchObject({ code: 'neo4j-source-not-allowed', errors: [{ path: 'body.uri' }] });
      expect(json(res.body).detail).toContain('RIPPLE_NEO4J_SOURCES');
    }
    const db = await app.inject({ method: 'POST', url: '/graphs/from-neo4j', payload: { ...base, database: 'system' } });
    expect(db.statusCode).toBe(422);
    expect(json(db.body)).toMatchObject({ code: 'neo4j-source-not-allowed', errors: [{ path: 'body.database' }] });
    for (const uri of ['http://127.0.0.1:1/', 'bolt://neo4j:guess@127.0.0.1:1']) {
      const res = await app.inject({ method: 'POST', url: '/graphs/from-neo4j', payload: { ...base, uri } });
      expect(res.statusCode, uri).toBe(400);
    }
    // The configured server itself, named in any spelling, is allowed: it is tried (and is down: 503 with Retry-After).
    const own = await app.inject({ method: 'POST', url: '/graphs/from-neo4j', payload: { ...base, uri: 'BOLT://127.0.0.1:1' } });
    expect(own.statusCode).toBe(503);
    expect(own.headers['retry-after']).toBe('5');
    expect(json(own.body).code).toBe('neo4j-source-unavailable');
    expect(own.body).not.toContain('secret-pw-1');
  });

  it('reads RIPPLE_NEO4J_SOURCES without ever printing a password', () => {
    expect(() => loadConfig({ RIPPLE_NEO4J_SOURCES: 'https://u:hunter22@x' })).toThrow(/RIPPLE_NEO4J_SOURCES: item 1 is not a bolt/);
    expect(() => loadConfig({ RIPPLE_NEO4J_SOURCES: 'https://u:hunter22@x' })).not.toThrow(/hunter22/);
    const c = loadConfig({ RIPPLE_NEO4J_SOURCES: 'bolt://reader:p%2Cw@Graph.Example:7687, neo4j+s://other', RIPPLE_NEO4J_SOURCE_DATABASES: 'crm,sales' });
    expect(c.neo4jSources.uris).toEqual([{ uri: 'bolt://graph.example:7687', user: 'reader', password: 'p,w' }, { uri: 'neo4j+s://other:7687' }]);
    expect(c.neo4jSources.databases).toEqual(['crm', 'sales']);
  });

  it('PUT on a graph that was not read from Neo4j is a 409 (a 404 for no graph)', async () => {
    const { app } = await buildTestApp({ NEO4J_URI: 'bolt://127.0.0.1:1', NEO4J_USER: 'neo4j', NEO4J_PASSWORD: 'secret-pw-1' });
    const created = await app.inject({ method: 'POST', url: '/graphs', payload: { name: 'file', ties: [{ source: 'a', target: 'b' }] } });
    const id = json(created.body).id as string;
    const res = await app.inject({ method: 'PUT', url: `/graphs/${id}/from-neo4j` });
    expect(res.statusCode).toBe(409);
    expect(json(res.body).detail).toMatch(/has no Neo4j source/);
    const missing = await app.inject({ method: 'PUT', url: '/graphs/g_0000000000000000/from-neo4j', payload: {} });
    expect(missing.statusCode).toBe(404);
  });

  it.skipIf(!existsSync(bin))('ripple import --from-neo4j: one line and exit 2 for bad flags', async () => {
    const dir = await tempDir();
    const env = { RIPPLE_DATA_DIR: dir };
    const cases: [string[], RegExp][] = [
      [['import', '--from-neo4j'], /^ripple: --node-label: give nodeLabel and relationshipType/],
      [['import', '--from-neo4j', '--node-label', 'P', '--relationship-type', 'K', '--map', 'colour=c'], /^ripple: --map\[colour\]: unknown parameter/],
      [['import', 'x.csv', '--node-label', 'P'], /^ripple: --node-label: only used with --from-neo4j/],
    ];
    for (const [args, message] of cases) {
      const r = await ripple(args, env);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    const none = await ripple(['import', '--from-neo4j', '--node-label', 'P', '--relationship-type', 'K'], env);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^ripple: no Neo4j to read from: this server has no NEO4J_URI/);
  });
});

describe.skipIf(!NEO4J_URI)('from-neo4j against a real Neo4j, on a graph in its own labels', () => {
  const run = randomBytes(4).toString('hex');
  const L = `Person_${run}`;
  const T = `KNOWS_${run}`;
  const long = 'x'.repeat(10_000);
  // Odd ids (data, never code), one integer id, every attribute under the data team's own property names.
  const people = [
    { customerId: '__proto__', name: 'Proto', ltv: 120.5, fans: 10, tier: 'gold', act: 0.5 },
    { customerId: '../x', name: 'Dots', ltv: 80, fans: 0, tier: 'gold', act: 1 },
    { customerId: 'ünï cødé', name: 'Üni', ltv: 5, fans: 3, tier: 'silver', act: 0.25 },
    { customerId: long, name: 'Long', ltv: 1, fans: 1, tier: 'gold', act: 0.75 },
  ];
  let driver: Driver;
  const cypher = async (q: string, params: Record<string, unknown> = {}) =>
    (await driver.executeQuery(q, params, { database: process.env.NEO4J_DATABASE })).records;

  beforeAll(async () => {
    driver = neo4j.driver(NEO4J_URI!, neo4j.auth.basic(NEO4J_ENV.NEO4J_USER, NEO4J_ENV.NEO4J_PASSWORD));
    await cypher(`UNWIND $people AS p CREATE (n:\`${L}\`) SET n = p`, { people });
    await cypher(`CREATE (:\`${L}\` {customerId: 42, name: 'Int', ltv: 7})`);
    // Ties: a chain, one carrying strength/prob, a repeated one and a self-loop (counted, as the file importers do).
    const ties = [
      ['__proto__', '../x', 2, 0.3], ['../x', 'ünï cødé', null, null], ['ünï cødé', long, 1.5, 0.9], [long, 42, null, 0.1],
      ['__proto__', '../x', 9, 0.9], ['../x', '../x', null, null],
    ];
    await cypher(`UNWIND $ties AS t MATCH (a:\`${L}\` {customerId: t[0]}), (b:\`${L}\` {customerId: t[1]}) CREATE (a)-[:\`${T}\` {strength: t[2], prob: t[3]}]->(b)`, { ties });
  });

  afterAll(async () => {
    if (!driver) return;
    await cypher(`MATCH (n:\`${L}\`) DETACH DELETE n`);
    await driver.close();
  });

  const app = (env: Record<string, string> = {}) => buildTestApp({ ...NEO4J_ENV, ...env });
  const byLabel = { nodeLabel: L, relationshipType: T, mapping: { id: 'customerId', label: 'name', value: 'ltv', followers: 'fans', segment: 'tier', activity: 'act', weight: 'strength', p: 'prob' } };

  it('reads a label and a relationship type with a property mapping, records its source and reads it again', async () => {
    const { app: a } = await app();
    const res = await a.inject({ method: 'POST', url: '/graphs/from-neo4j', payload: { name: 'crm', ...byLabel } });
    expect(res.statusCode, res.body).toBe(201);
    const g = json(res.body);
    expect(res.headers.location).toBe(`/graphs/${g.id}`);
    expect(g).toMatchObject({ name: 'crm', directed: true, customers: 5, ties: 4, version: 1 });
    expect(g.report).toMatchObject({ format: 'neo4j', customers: 5, ties: 4, records: 11, selfLoopsDropped: 1, duplicatesMerged: 1 });
    expect(g.source).toMatchObject({ type: 'neo4j', nodeLabel: L, relationshipType: T, directed: true, mapping: byLabel.mapping });
    expect(JSON.stringify(g.source)).not.toContain(NEO4J_ENV.NEO4J_PASSWORD);
    const proto = json((await a.inject({ method: 'GET', url: `/graphs/${g.id}/customers/${encodeURIComponent('__proto__')}` })).body);
    expect(proto).toMatchObject({ id: '__proto__', label: 'Proto', value: 120.5, followers: 10, segment: 'gold', activity: 0.5, degree: { in: 0, out: 1 } });
    const int = json((await a.inject({ method: 'GET', url: `/graphs/${g.id}/customers/42` })).body);
    expect(int).toMatchObject({ id: '42', label: 'Int', value: 7, degree: { in: 1, out: 0 } });
    expect((await a.inject({ method: 'GET', url: `/graphs/${g.id}/customers/${encodeURIComponent(long)}` })).statusCode).toBe(200);
    // The first of the repeated ties is kept, with its own weight and p.
    const exported = json((await a.inject({ method: 'GET', url: `/graphs/${g.id}/export?format=json` })).body);
    expect(exported.ties).toContainEqual({ source: '__proto__', target: '../x', weight: 2, p: 0.3 });
    expect((await a.inject({ method: 'GET', url: `/graphs/${g.id}` })).json().source).toEqual(g.source);

    // The data team's graph changes; a refresh reads the recorded source again, keeping the name and step duration.
    await a.inject({ method: 'PATCH', url: `/graphs/${g.id}`, payload: { stepDuration: 'PT2H' } });
    await cypher(`MATCH (a:\`${L}\` {customerId: 42}) CREATE (a)-[:\`${T}\`]->(:\`${L}\` {customerId: 'new'})`);
    onTestFinished(() => cypher(`MATCH (n:\`${L}\` {customerId: 'new'}) DETACH DELETE n`).then(() => undefined));
    const again = await a.inject({ method: 'PUT', url: `/graphs/${g.id}/from-neo4j?ifVersion=2` });
    expect(again.statusCode, again.body).toBe(200);
    expect(json(again.body)).toMatchObject({ id: g.id, name: 'crm', version: 3, customers: 6, ties: 5, stepDuration: 'PT2H', source: { nodeLabel: L } });
    expect(Date.parse(json(again.body).source.importedAt)).toBeGreaterThanOrEqual(Date.parse(g.source.importedAt));
    const stale = await a.inject({ method: 'PUT', url: `/graphs/${g.id}/from-neo4j?ifVersion=2` });
    expect(stale.statusCode).toBe(409);
    // A replace by JSON is no longer a snapshot of Neo4j.
    const replaced = await a.inject({ method: 'PUT', url: `/graphs/${g.id}`, payload: { name: 'crm', ties: [{ source: 'a', target: 'b' }] } });
    expect(json(replaced.body).source).toBeUndefined();
  });

  it('runs two read-only Cypher queries with parameters, columns mapped, unmapped ones reported', async () => {
    const { app: a } = await app();
    const payload = {
      name: 'gold',
      nodesQuery: `MATCH (p:\`${L}\`) WHERE p.tier = $tier RETURN p.customerId AS id, p.ltv AS money, p.name AS shown, p.fans AS extra`,
      relationshipsQuery: `MATCH (x:\`${L}\`)-[k:\`${T}\`]->(y:\`${L}\`) WHERE x.tier = $tier AND y.tier = $tier RETURN x.customerId AS source, y.customerId AS target, k.strength AS weight`,
      parameters: { tier: 'gold' },
      mapping: { value: 'money', label: 'shown' },
      directed: false,
    };
    const res = await a.inject({ method: 'POST', url: '/graphs/from-neo4j', payload });
    expect(res.statusCode, res.body).toBe(201);
    const g = json(res.body);
    // gold: __proto__, ../x, long; ties among them: __proto__-../x (twice: merged), ../x self-loop (dropped).
    expect(g).toMatchObject({ directed: false, customers: 3, ties: 1, report: { selfLoopsDropped: 1, duplicatesMerged: 1 } });
    expect(g.report.warnings).toEqual(['nodesQuery: column "extra" not mapped to an attribute: ignored']);
    expect(g.source).toMatchObject({ parameters: { tier: 'gold' }, nodesQuery: payload.nodesQuery });
    const dots = json((await a.inject({ method: 'GET', url: `/graphs/${g.id}/customers/${encodeURIComponent('../x')}` })).body);
    expect(dots).toMatchObject({ label: 'Dots', value: 80, degree: { in: 1, out: 1 } });
  });

  it('refuses queries that write, call procedures, LOAD CSV or USE another database, before they run (422)', async () => {
    const { app: a } = await app();
    const ties = `MATCH (x:\`${L}\`)-[:\`${T}\`]->(y:\`${L}\`) RETURN x.customerId AS source, y.customerId AS target`;
    const refused = [
      `MATCH (p:\`${L}\`) SET p.touched = true RETURN p.customerId AS id`,
      `CREATE (p:\`${L}\` {customerId: 'intruder'}) RETURN p.customerId AS id`,
      `MATCH (p:\`${L}\`) DETACH DELETE p RETURN 'x' AS id`,
      'CALL dbms.components() YIELD name RETURN name AS id',
      "LOAD CSV FROM 'http://127.0.0.1:1/ids.csv' AS row RETURN row[0] AS id",
      'USE system MATCH (n) RETURN n.name AS id',
      // EXPLAIN gives these query type "r": only the plan's operators (TerminateTransactions, ShowTransactions) tell.
      "TERMINATE TRANSACTIONS 'neo4j-transaction-1' YIELD transactionId RETURN transactionId AS id",
      'SHOW TRANSACTIONS YIELD transactionId RETURN transactionId AS id',
    ];
    for (const nodesQuery of refused) {
      const res = await a.inject({ method: 'POST', url: '/graphs/from-neo4j', payload: { nodesQuery, relationshipsQuery: ties } });
      expect(res.statusCode, `${nodesQuery}: ${res.body}`).toBe(422);
      expect(json(res.body).code, nodesQuery).toMatch(/^neo4j-query-(not-read-only|error)$/);
      expect(json(res.body).errors[0].path, nodesQuery).toBe('body.nodesQuery');
    }
    const writes = await a.inject({ method: 'POST', url: '/graphs/from-neo4j', payload: { nodesQuery: refused[0], relationshipsQuery: ties } });
    expect(json(writes.body)).toMatchObject({ code: 'neo4j-query-not-read-only' });
    expect(json(writes.body).detail).toMatch(/nodesQuery is refused: it reads and writes/);
    const [touched] = await cypher(`MATCH (p:\`${L}\`) WHERE p.touched OR p.customerId = 'intruder' RETURN count(p) AS n`);
    expect(touched.get('n').toNumber()).toBe(0);
    expect((await cypher(`MATCH (p:\`${L}\`) RETURN count(p) AS n`))[0].get('n').toNumber()).toBe(5);
  });

  it('names an unknown label or type, a syntax error, too many rows (422) and a timeout (504)', async () => {
    const { app: a } = await app();
    const post = (payload: object) => a.inject({ method: 'POST', url: '/graphs/from-neo4j', payload });
    const label = await post({ ...byLabel, nodeLabel: `Nobody_${run}` });
    expect(label.statusCode).toBe(422);
    expect(json(label.body)).toMatchObject({ code: 'neo4j-query-error', errors: [{ path: 'body.nodeLabel' }] });
    expect(json(label.body).detail).toContain(`Nobody_${run}`);
    const type = await post({ ...byLabel, relationshipType: `NEVER_${run}` });
    expect(json(type.body)).toMatchObject({ code: 'neo4j-query-error', errors: [{ path: 'body.relationshipType' }] });
    const syntax = await post({ nodesQuery: 'MATCH (n RETURN n', relationshipsQuery: 'RETURN 1 AS source, 2 AS target' });
    expect(syntax.statusCode).toBe(422);
    expect(json(syntax.body).detail).toMatch(/^nodesQuery: /);
    const missing = await post({ nodesQuery: 'RETURN $nope AS id', relationshipsQuery: 'RETURN 1 AS source, 2 AS target' });
    expect(missing.statusCode).toBe(422);
    const rows = await post({ ...byLabel, rowLimit: 3 });
    expect(rows.statusCode).toBe(422);
    expect(json(rows.body)).toMatchObject({ code: 'neo4j-row-limit', errors: [{ path: 'body.rowLimit' }] });
    expect(json(rows.body).detail).toMatch(/nodesQuery returned more than 3 rows: raise rowLimit \(at most RIPPLE_NEO4J_MAX_ROWS = 10000000\)/);
    const over = await post({ ...byLabel, rowLimit: 10_000_001, timeoutSeconds: 301 });
    expect(over.statusCode).toBe(400);
    expect(json(over.body).errors.map((e: { path: string }) => e.path)).toEqual(['body.rowLimit', 'body.timeoutSeconds']);
    const started = Date.now();
    const slow = await post({
      nodesQuery: 'UNWIND range(1, 1000000000) AS x WITH x WHERE x < 0 RETURN toString(x) AS id',
      relationshipsQuery: 'RETURN 1 AS source, 2 AS target', timeoutSeconds: 0.5,
    });
    expect(slow.statusCode, slow.body).toBe(504);
    expect(json(slow.body)).toMatchObject({ code: 'neo4j-timeout' });
    expect(json(slow.body).detail).toMatch(/longer than timeoutSeconds = 0.5 s .*raise timeoutSeconds \(at most RIPPLE_NEO4J_MAX_TIMEOUT = 300 s\)/);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('faults of the data are 400s naming the query and the row, as a file import names the file and the line', async () => {
    const { app: a } = await app();
    const post = (nodesQuery: string, relationshipsQuery = 'UNWIND [] AS x RETURN x AS source, x AS target') =>
      a.inject({ method: 'POST', url: '/graphs/from-neo4j', payload: { nodesQuery, relationshipsQuery } });
    const cases: [Awaited<ReturnType<typeof post>>, RegExp][] = [
      [await post("UNWIND ['a', 'b', 'a'] AS id RETURN id"), /^nodesQuery:3: duplicate customer id "a"$/],
      [await post("UNWIND ['a', null] AS id RETURN id"), /^nodesQuery:2: missing customer id \(column "id" is null\)$/],
      [await post('UNWIND [1.5] AS id RETURN id'), /^nodesQuery:1: customer id must be a string or an integer, got the number 1.5$/],
      [await post(`MATCH (n:\`${L}\`) RETURN n AS id`), /^nodesQuery:1: customer id must be a string or an integer, got a node/],
      [await post("UNWIND ['a', 'b'] AS id RETURN id", "RETURN 'a' AS source, 'zz' AS target"), /^relationshipsQuery:1: tie to unknown customer "zz"$/],
      [await post("UNWIND ['a'] AS id RETURN id, 2 AS activity"), /^nodesQuery:1: activity must be in \[0, 1\], got 2$/],
    ];
    for (const [res, message] of cases) {
      expect(res.statusCode, res.body).toBe(400);
      expect(json(res.body).detail).toMatch(message);
    }
    const noId = await post('RETURN 1 AS key');
    expect(noId.statusCode).toBe(422);
    expect(json(noId.body).detail).toMatch(/nodesQuery returns no column "id"/);
    const empty = await post(`MATCH (n:\`${L}\`) WHERE false RETURN n.customerId AS id`);
    expect(json(empty.body).detail).toBe('nodesQuery returned no rows: a graph needs customers');
  });

  it('stores the snapshot in Ripple\'s own Neo4j store too, source and refresh included', async () => {
    const config = loadConfig({ ...NEO4J_ENV, RIPPLE_STORE: 'neo4j', RIPPLE_DEMO: 'false', LOG_LEVEL: 'silent', RIPPLE_DATA_DIR: await tempDir() });
    const store = await createNeo4jStore({ uri: NEO4J_URI!, user: NEO4J_ENV.NEO4J_USER, password: NEO4J_ENV.NEO4J_PASSWORD, database: process.env.NEO4J_DATABASE }, { sweepEveryMs: 0 });
    const a = await buildApp(config, { store, pool: null });
    const contract = checkResponses(a);
    onTestFinished(async () => {
      await a.close();
      await store.close();
    });
    const res = await a.inject({ method: 'POST', url: '/graphs/from-neo4j', payload: { ...byLabel } });
    expect(res.statusCode, res.body).toBe(201);
    const g = json(res.body);
    onTestFinished(() => store.delete(g.id).catch(() => undefined));
    expect(g).toMatchObject({ name: `${L}/${T}`, customers: 5, ties: 4 });
    const listed = json((await a.inject({ method: 'GET', url: '/graphs?limit=1000' })).body).graphs.find((x: { id: string }) => x.id === g.id);
    expect(listed.source).toEqual(g.source);
    const again = await a.inject({ method: 'PUT', url: `/graphs/${g.id}/from-neo4j`, payload: {} });
    expect(json(again.body)).toMatchObject({ version: 2, customers: 5, source: { nodeLabel: L } });
    expect(contract.violations()).toEqual([]);
  });

  it.skipIf(!existsSync(bin))('ripple import --from-neo4j stores it; a query that writes is one line and exit 2', async () => {
    const dir = await tempDir();
    const query = join(dir, 'nodes.cypher');
    await writeFile(query, `MATCH (p:\`${L}\`) WHERE p.tier = $tier RETURN p.customerId AS id, p.ltv AS value`);
    const env = { ...NEO4J_ENV, RIPPLE_DATA_DIR: dir };
    const ok = await ripple(['import', '--from-neo4j', '--nodes-query', `@${query}`, '--param', 'tier=silver', '--name', 'silver',
      '--relationships-query', `MATCH (x:\`${L}\`)-[:\`${T}\`]->(y:\`${L}\`) WHERE x.tier = $tier AND y.tier = $tier RETURN x.customerId AS source, y.customerId AS target`, '--json'], env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ name: 'silver', customers: 1, ties: 0, report: { format: 'neo4j' }, source: { parameters: { tier: 'silver' } } });
    const bad = await ripple(['import', '--from-neo4j', '--nodes-query', `MATCH (p:\`${L}\`) SET p.x = 1 RETURN p.customerId AS id`, '--relationships-query', 'RETURN 1 AS source, 1 AS target'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/^ripple: nodesQuery is refused: it reads and writes/);
    const rows = await ripple(['import', '--from-neo4j', '--node-label', L, '--relationship-type', T, '--map', 'id=customerId', '--undirected', '--row-limit', '2'], env);
    expect(rows.code).toBe(2);
    expect(rows.stderr).toMatch(/^ripple: nodesQuery returned more than 2 rows: raise --row-limit/);
  });
});
