/**
 * A local Neo4j Community 5.26 server with the Graph Data Science plugin, without Docker:
 *
 *   npm run neo4j:start     # prints NEO4J_URI=… NEO4J_USER=… NEO4J_PASSWORD=… (eval "$(npm run -s neo4j:start)")
 *   npm run neo4j:status    # the same lines when it runs (exit 0), "not running" (exit 3) when not
 *   npm run neo4j:stop      # stops it; the data stays for the next start
 *   npm run neo4j:reset     # stops it and removes its data, logs and password
 *
 * The jars come from Maven Central through neo4j/pom.xml (`mvn dependency:list`), copied once into
 * .neo4j/jars/<hash of the pom>/ (lib: the server; gds: the plugin's own jars, scanned for procedures; gds-lib: the
 * libraries the plugin needs beside the server's). The server runs Neo4j's own entry point
 * (org.neo4j.server.CommunityEntryPoint, what `neo4j console` runs) on 127.0.0.1 with Bolt only (no HTTP), its
 * config, data and logs under the instance folder (.neo4j/ unless NEO4J_LOCAL_DIR says otherwise).
 *
 * Environment: NEO4J_BOLT_PORT (7687), NEO4J_PASSWORD (generated on first start when unset, kept in
 * <instance>/password, mode 600), NEO4J_GDS (true; false starts a server without the plugin), NEO4J_HEAP (1g),
 * NEO4J_PAGECACHE (512m), NEO4J_START_TIMEOUT (seconds, 240), NEO4J_LOCAL_DIR (instance folder), JAVA_HOME.
 * Machine-readable lines go to stdout; what a person reads goes to stderr.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync, closeSync, copyFileSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync,
} from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import neo4j from 'neo4j-driver';
import { isMain } from '../src/is-main.js';

const USER = 'neo4j';
const HOST = '127.0.0.1';
const MAIN_CLASS = 'org.neo4j.server.CommunityEntryPoint';
const ADMIN_CLASS = 'org.neo4j.cli.AdminTool';

/** The repository root: the nearest folder above this module that holds neo4j/pom.xml. */
export function repoRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'neo4j', 'pom.xml'))) return dir;
    if (dirname(dir) === dir) throw new Error('neo4j: cannot find neo4j/pom.xml above ' + from);
  }
}

export interface LocalNeo4jSettings {
  root: string;
  /** Instance folder: conf/, data/, logs/, run/, password, server.json. */
  dir: string;
  port: number;
  gds: boolean;
  heap: string;
  pagecache: string;
  startTimeoutMs: number;
  /** Password asked for by the environment, if any. */
  password?: string;
  java: string;
}

class UsageError extends Error {}

function positiveInt(name: string, text: string | undefined, dflt: number, max = Number.MAX_SAFE_INTEGER): number {
  if (text === undefined || text === '') return dflt;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`${name} must be an integer from 1 to ${max} (got ${JSON.stringify(text)})`);
  return n;
}

function memory(name: string, text: string | undefined, dflt: string): string {
  if (text === undefined || text === '') return dflt;
  if (!/^\d+[kmgKMG]?$/.test(text)) throw new UsageError(`${name} must be a size such as 512m or 1g (got ${JSON.stringify(text)})`);
  return text.toLowerCase();
}

export function settingsFrom(env: NodeJS.ProcessEnv, root = repoRoot()): LocalNeo4jSettings {
  const gdsText = (env.NEO4J_GDS ?? 'true').toLowerCase();
  if (!['true', 'false', '1', '0', 'yes', 'no'].includes(gdsText)) throw new UsageError(`NEO4J_GDS must be true or false (got ${JSON.stringify(env.NEO4J_GDS)})`);
  const password = env.NEO4J_PASSWORD === '' ? undefined : env.NEO4J_PASSWORD;
  if (password !== undefined && password.length < 8) throw new UsageError('NEO4J_PASSWORD must have at least 8 characters (Neo4j\'s minimum)');
  return {
    root,
    dir: resolve(env.NEO4J_LOCAL_DIR || join(root, '.neo4j')),
    port: positiveInt('NEO4J_BOLT_PORT', env.NEO4J_BOLT_PORT, 7687, 65535),
    gds: ['true', '1', 'yes'].includes(gdsText),
    heap: memory('NEO4J_HEAP', env.NEO4J_HEAP, '1g'),
    pagecache: memory('NEO4J_PAGECACHE', env.NEO4J_PAGECACHE, '512m'),
    startTimeoutMs: positiveInt('NEO4J_START_TIMEOUT', env.NEO4J_START_TIMEOUT, 240) * 1000,
    password,
    java: env.JAVA_HOME ? join(env.JAVA_HOME, 'bin', 'java') : 'java',
  };
}

const say = (line: string) => process.stderr.write(`neo4j: ${line}\n`);

/** A value as a POSIX shell word (for eval). */
export function shellWord(v: string): string {
  return /^[A-Za-z0-9_.:/@%+=,-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`;
}

export function envLines(uri: string, password: string): string {
  return [`NEO4J_URI=${shellWord(uri)}`, `NEO4J_USER=${USER}`, `NEO4J_PASSWORD=${shellWord(password)}`, 'export NEO4J_URI NEO4J_USER NEO4J_PASSWORD', ''].join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Jars

interface Jars { lib: string; gds: string; gdsLib: string }

function resolvedPaths(listFile: string): Map<string, string> {
  // Lines: "   group:artifact:type[:classifier]:version:scope:/abs/path.jar"
  const out = new Map<string, string>();
  for (const line of readFileSync(listFile, 'utf8').split('\n')) {
    const m = /^\s+(\S+?):(\/.*\.jar)$/.exec(line);
    if (m) out.set(m[2], m[1]);
  }
  return out;
}

function mvnList(pom: string, profiles: string[], outFile: string): Map<string, string> {
  const args = ['-q', '-B', '-Dstyle.color=never', '-f', pom, ...profiles, 'dependency:list', '-DincludeScope=runtime', '-DoutputAbsoluteArtifactFilename=true', `-DoutputFile=${outFile}`];
  const r = spawnSync('mvn', args, { stdio: ['ignore', 2, 2] }); // stdout is for the NEO4J_* lines only
  if (r.error) throw new UsageError(`cannot run Maven (mvn): ${r.error.message}; install it (Debian: apt-get install maven)`);
  if (r.status !== 0) throw new UsageError(`mvn ${args.join(' ')} failed (exit ${r.status})`);
  return resolvedPaths(outFile);
}

/** The server's and the plugin's jars, resolved by Maven once per version of neo4j/pom.xml. */
export function ensureJars(root: string): Jars {
  const pom = join(root, 'neo4j', 'pom.xml');
  const hash = createHash('sha256').update(readFileSync(pom)).digest('hex').slice(0, 12);
  const base = join(root, '.neo4j', 'jars');
  const dir = join(base, hash);
  const jars = { lib: join(dir, 'lib'), gds: join(dir, 'gds'), gdsLib: join(dir, 'gds-lib') };
  if (existsSync(join(dir, '.complete'))) return jars;
  say(`fetching the Neo4j and GDS jars with Maven (neo4j/pom.xml, once) into ${dir}`);
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const server = mvnList(pom, ['-P', '!gds'], join(tmp, 'server.list'));
  const full = mvnList(pom, [], join(tmp, 'full.list'));
  if (server.size === 0) throw new UsageError('Maven resolved no jars for the server');
  for (const d of ['lib', 'gds', 'gds-lib']) mkdirSync(join(tmp, d));
  for (const path of server.keys()) copyFileSync(path, join(tmp, 'lib', path.slice(path.lastIndexOf('/') + 1)));
  let plugin = 0;
  for (const [path, gav] of full) {
    if (server.has(path)) continue;
    // Only GDS's own jars go where Neo4j scans for procedures; the libraries it needs are only on the classpath.
    const into = gav.startsWith('org.neo4j.gds:') ? 'gds' : 'gds-lib';
    if (into === 'gds') plugin++;
    copyFileSync(path, join(tmp, into, path.slice(path.lastIndexOf('/') + 1)));
  }
  if (plugin === 0) throw new UsageError('Maven resolved no GDS jars');
  writeFileSync(join(tmp, '.complete'), `${new Date().toISOString()}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  // Jars of older versions of the pom are no longer needed.
  for (const old of readdirSync(base)) if (old !== hash) rmSync(join(base, old), { recursive: true, force: true });
  return jars;
}

// ---------------------------------------------------------------------------------------------------------------
// Instance

interface ServerRecord { pid: number; port: number; gds: boolean; startedAt: string }

const paths = (s: LocalNeo4jSettings) => ({
  conf: join(s.dir, 'conf'),
  data: join(s.dir, 'data'),
  logs: join(s.dir, 'logs'),
  run: join(s.dir, 'run'),
  plugins: join(s.dir, 'plugins'),
  password: join(s.dir, 'password'),
  record: join(s.dir, 'server.json'),
});

function readRecord(s: LocalNeo4jSettings): ServerRecord | undefined {
  try {
    return JSON.parse(readFileSync(paths(s).record, 'utf8')) as ServerRecord;
  } catch {
    return undefined;
  }
}

/** True when pid is alive and is this instance's Neo4j (not a recycled pid). */
function isOurServer(pid: number, s: LocalNeo4jSettings): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmd.includes(MAIN_CLASS) && cmd.includes(`--config-dir=${paths(s).conf}`);
  } catch {
    return true; // no /proc: trust the pid
  }
}

function running(s: LocalNeo4jSettings): ServerRecord | undefined {
  const r = readRecord(s);
  if (r && isOurServer(r.pid, s)) return r;
  return undefined;
}

function portOpen(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((done) => {
    const sock = createConnection({ host: HOST, port });
    const end = (v: boolean) => {
      sock.destroy();
      done(v);
    };
    sock.setTimeout(timeoutMs, () => end(false));
    sock.once('connect', () => end(true));
    sock.once('error', () => end(false));
  });
}

const uriOf = (port: number) => `bolt://${HOST}:${port}`;

function storedPassword(s: LocalNeo4jSettings): string | undefined {
  try {
    return readFileSync(paths(s).password, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** The data folder has been used by a server (the initial password can no longer be set). */
const initialised = (s: LocalNeo4jSettings) => existsSync(join(paths(s).data, 'databases'));

function writeConf(s: LocalNeo4jSettings, jars: Jars): void {
  const p = paths(s);
  for (const d of [p.conf, p.data, p.logs, p.run, p.plugins]) mkdirSync(d, { recursive: true });
  const lines = [
    '# Written by scripts/neo4j-server.ts at every start; edit that script, not this file.',
    `server.default_listen_address=${HOST}`,
    `server.default_advertised_address=${HOST}`,
    'server.bolt.enabled=true',
    `server.bolt.listen_address=${HOST}:${s.port}`,
    `server.bolt.advertised_address=${HOST}:${s.port}`,
    'server.http.enabled=false',
    'server.https.enabled=false',
    `server.directories.data=${p.data}`,
    `server.directories.logs=${p.logs}`,
    `server.directories.run=${p.run}`,
    // Neo4j scans every class of every jar here for procedures: only GDS's own jars, or nothing.
    `server.directories.plugins=${s.gds ? jars.gds : p.plugins}`,
    `server.memory.heap.initial_size=${s.heap}`,
    `server.memory.heap.max_size=${s.heap}`,
    `server.memory.pagecache.size=${s.pagecache}`,
    'dbms.security.procedures.unrestricted=gds.*',
    'dbms.usage_report.enabled=false',
    // A test database: keep the transaction logs small.
    'db.tx_log.rotation.retention_policy=2 files',
    'db.tx_log.rotation.size=64M',
    '',
  ];
  writeFileSync(join(p.conf, 'neo4j.conf'), lines.join('\n'));
}

function javaMajor(java: string): number {
  const r = spawnSync(java, ['-version'], { encoding: 'utf8' });
  if (r.error) throw new UsageError(`cannot run Java (${java}): ${r.error.message}; Neo4j 5.26 needs Java 17 or 21 (set JAVA_HOME)`);
  const m = /version "(\d+)(?:\.(\d+))?/.exec(r.stderr);
  if (!m) throw new UsageError(`cannot tell the version of ${java}`);
  return m[1] === '1' ? Number(m[2]) : Number(m[1]);
}

function classpath(s: LocalNeo4jSettings, jars: Jars): string {
  const parts = s.gds ? [`${jars.gds}/*`, `${jars.gdsLib}/*`, `${jars.lib}/*`] : [`${jars.lib}/*`];
  return parts.join(':');
}

/** The JVM options of Neo4j's default neo4j.conf (server.jvm.additional), which its bootloader would pass. */
const JVM_OPTIONS = [
  '-XX:+UseG1GC', '-XX:-OmitStackTraceInFastThrow', '-XX:+UnlockExperimentalVMOptions', '-XX:+TrustFinalNonStaticFields',
  '-XX:+DisableExplicitGC', '-Djdk.nio.maxCachedBufferSize=1024', '-Dio.netty.tryReflectionSetAccessible=true',
  '-Djdk.tls.ephemeralDHKeySize=2048', '-Djdk.tls.rejectClientInitiatedRenegotiation=true', '-XX:FlightRecorderOptions=stackdepth=256',
  '-XX:+UnlockDiagnosticVMOptions', '-XX:+DebugNonSafepoints', '--add-opens=java.base/java.nio=ALL-UNNAMED',
  '--add-opens=java.base/java.io=ALL-UNNAMED', '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED', '--enable-native-access=ALL-UNNAMED',
  '-Dlog4j2.disable.jmx=true', '-Dfile.encoding=UTF-8',
];

function setInitialPassword(s: LocalNeo4jSettings, jars: Jars, password: string): void {
  const p = paths(s);
  // `--` ends the options: a password starting with '-' (one generated base64url password in 64) is otherwise read as
  // an unknown option and the tool prints its usage.
  const r = spawnSync(s.java, ['-cp', `${jars.lib}/*`, ADMIN_CLASS, 'dbms', 'set-initial-password', '--', password], {
    env: { ...process.env, NEO4J_HOME: s.dir, NEO4J_CONF: p.conf },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new UsageError(`neo4j-admin dbms set-initial-password failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')}`);
}

function tail(file: string, n: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').filter((l) => !l.includes('Incorrect file descriptor')).slice(-n).join('\n');
  } catch {
    return '';
  }
}

async function boltAnswers(uri: string, password: string): Promise<'ok' | 'auth' | 'down'> {
  const driver = neo4j.driver(uri, neo4j.auth.basic(USER, password), { connectionTimeout: 2000, maxConnectionLifetime: 5000 });
  try {
    const session = driver.session();
    try {
      await session.run('RETURN 1');
      return 'ok';
    } finally {
      await session.close();
    }
  } catch (e) {
    const code = (e as { code?: string }).code ?? '';
    return code.startsWith('Neo.ClientError.Security') ? 'auth' : 'down';
  } finally {
    await driver.close();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function start(s: LocalNeo4jSettings): Promise<{ uri: string; password: string; pid: number; already: boolean }> {
  const p = paths(s);
  const current = running(s);
  if (current) {
    const password = storedPassword(s) ?? '';
    if (current.port !== s.port) say(`note: the running server listens on ${current.port}, not NEO4J_BOLT_PORT=${s.port}`);
    if (s.password !== undefined && s.password !== password) throw new UsageError('the running server has another password than NEO4J_PASSWORD (unset it, or npm run neo4j:reset)');
    say(`already running (pid ${current.pid}, ${uriOf(current.port)}${current.gds ? ', with GDS' : ', without GDS'})`);
    return { uri: uriOf(current.port), password, pid: current.pid, already: true };
  }
  mkdirSync(s.dir, { recursive: true });
  let password = storedPassword(s);
  if (initialised(s)) {
    if (password === undefined) throw new UsageError(`${p.data} has data but ${p.password} is gone: npm run neo4j:reset to start afresh`);
    if (s.password !== undefined && s.password !== password) {
      throw new UsageError('the data in this instance was created with another password than NEO4J_PASSWORD (unset it to use the stored one, or npm run neo4j:reset)');
    }
  } else {
    password = s.password ?? randomBytes(18).toString('base64url');
  }
  const major = javaMajor(s.java);
  if (major < 17) throw new UsageError(`Neo4j 5.26 needs Java 17 or later; ${s.java} is Java ${major} (set JAVA_HOME)`);
  if (await portOpen(s.port)) throw new UsageError(`port ${s.port} on ${HOST} is already in use by another process: set NEO4J_BOLT_PORT`);
  const jars = ensureJars(s.root);
  writeConf(s, jars);
  if (!initialised(s)) {
    setInitialPassword(s, jars, password);
    writeFileSync(p.password, `${password}\n`, { mode: 0o600 });
    chmodSync(p.password, 0o600);
  }
  const consoleLog = join(p.logs, 'console.log');
  const out = openSync(consoleLog, 'a');
  const args = [`-Xms${s.heap}`, `-Xmx${s.heap}`, ...JVM_OPTIONS, '-cp', classpath(s, jars), MAIN_CLASS, `--home-dir=${s.dir}`, `--config-dir=${p.conf}`];
  const child = spawn(s.java, args, { detached: true, stdio: ['ignore', out, out], cwd: s.dir, env: { ...process.env, NEO4J_HOME: s.dir, NEO4J_CONF: p.conf } });
  closeSync(out);
  const pid = child.pid;
  if (pid === undefined) throw new UsageError(`cannot start ${s.java}`);
  child.unref();
  const record: ServerRecord = { pid, port: s.port, gds: s.gds, startedAt: new Date().toISOString() };
  writeFileSync(p.record, JSON.stringify(record) + '\n');
  say(`starting Neo4j 5.26 (pid ${pid}, ${uriOf(s.port)}, ${s.gds ? 'with' : 'without'} GDS, heap ${s.heap}); logs in ${p.logs}`);
  const uri = uriOf(s.port);
  const deadline = Date.now() + s.startTimeoutMs;
  for (;;) {
    if (!alive(pid)) {
      rmSync(p.record, { force: true });
      throw new UsageError(`the server stopped while starting:\n${tail(join(p.logs, 'neo4j.log'), 15) || tail(consoleLog, 15)}`);
    }
    const state = await boltAnswers(uri, password);
    if (state === 'ok') break;
    if (state === 'auth') throw new UsageError(`Bolt answers on ${uri} but refuses the stored password (npm run neo4j:reset to start afresh)`);
    if (Date.now() > deadline) {
      await stop(s);
      throw new UsageError(`Bolt did not answer on ${uri} within ${s.startTimeoutMs / 1000} s (NEO4J_START_TIMEOUT); see ${p.logs}`);
    }
    await sleep(500);
  }
  say(`ready: ${uri} (user ${USER}; password in ${p.password})`);
  return { uri, password, pid, already: false };
}

export async function stop(s: LocalNeo4jSettings, timeoutMs = 120_000): Promise<boolean> {
  const r = running(s);
  if (!r) {
    rmSync(paths(s).record, { force: true });
    return false;
  }
  process.kill(r.pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (alive(r.pid) && Date.now() < deadline) await sleep(200);
  if (alive(r.pid)) {
    say(`pid ${r.pid} did not stop within ${timeoutMs / 1000} s: killing it`);
    process.kill(r.pid, 'SIGKILL');
    while (alive(r.pid)) await sleep(100);
  }
  rmSync(paths(s).record, { force: true });
  return true;
}

export async function reset(s: LocalNeo4jSettings): Promise<void> {
  await stop(s);
  const p = paths(s);
  for (const d of [p.conf, p.data, p.logs, p.run, p.plugins, p.password, p.record]) rmSync(d, { recursive: true, force: true });
}

async function main(argv: string[]): Promise<number> {
  const cmd = argv[0];
  const s = settingsFrom(process.env);
  switch (cmd) {
    case 'start': {
      const r = await start(s);
      process.stdout.write(envLines(r.uri, r.password));
      return 0;
    }
    case 'stop': {
      const pid = running(s)?.pid;
      say((await stop(s)) ? `stopped (pid ${pid}); the data stays in ${paths(s).data}` : 'not running');
      return 0;
    }
    case 'status': {
      const r = running(s);
      if (!r) {
        say(`not running${initialised(s) ? ` (data in ${paths(s).data})` : ''}`);
        return 3;
      }
      const uri = uriOf(r.port);
      const bolt = await boltAnswers(uri, storedPassword(s) ?? '');
      say(`running (pid ${r.pid}, ${uri}, ${r.gds ? 'with' : 'without'} GDS, since ${r.startedAt}; Bolt ${bolt === 'ok' ? 'answers' : 'does not answer yet'})`);
      process.stdout.write(envLines(uri, storedPassword(s) ?? ''));
      return bolt === 'ok' ? 0 : 4;
    }
    case 'reset': {
      await reset(s);
      say(`stopped and removed the data, logs and password in ${s.dir} (the jars stay)`);
      return 0;
    }
    default:
      throw new UsageError('usage: neo4j-server start|stop|status|reset');
  }
}

if (isMain(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      say(e instanceof UsageError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e));
      process.exit(1);
    },
  );
}
