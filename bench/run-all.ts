/**
 * Runs every benchmark (or `--only name,name`) one after the other, each in its own Node process
 * (`process.execPath dist/bench/<name>.js`), streams its output, and records exit code, wall time and the
 * checksum it printed; then prints a summary table headed by the machine (cpu model, cores, memory, node).
 *
 *   npm run build && node dist/bench/run-all.js [--smoke] [--only graph-load,engine] [--json [FILE]] [--timeout S]
 *
 *   --smoke        passed through to every bench (small sizes; this is what `npm test` runs)
 *   --only a,b     run only these benches (names as in BENCHES below)
 *   --json FILE    also write the summary as JSON to FILE
 *   --json         print the summary as JSON on stdout; the benches' output and the table then go to stderr
 *   --timeout S    kill a bench after S seconds and count it failed (default 300 with --smoke, none without)
 *   --dir DIR      where the compiled benches are (default: this file's directory)
 *
 * A bench fails when it exits non-zero, is killed, or prints no line containing "checksum" (every bench
 * prints a checksum of its result so the work cannot be optimised away). Exit code: 0 if all passed,
 * 1 if any failed, 2 on a bad argument.
 */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** In run order: the quick ones first, the HTTP load test last. */
export const BENCHES = ['graph-load', 'store', 'neo4j-rows', 'engine', 'centrality', 'influence', 'scenarios', 'distributed', 'api'] as const;

export interface BenchResult {
  name: string;
  command: string;
  /** Exit code, or null when killed by a signal. */
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  wallMs: number;
  /** The value after "checksum" on the last line that has one, or null. */
  checksum: string | null;
  checksumLine: string | null;
  ok: boolean;
  error?: string;
}

export interface Machine {
  cpu: string;
  cores: number;
  availableParallelism: number;
  memoryGB: number;
  node: string;
  platform: string;
  release: string;
  arch: string;
}

export interface Summary {
  date: string;
  smoke: boolean;
  machine: Machine;
  benches: BenchResult[];
  totalMs: number;
  ok: boolean;
}

export function machine(): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    availableParallelism: os.availableParallelism(),
    memoryGB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: os.platform(),
    release: os.release(),
    arch: os.arch(),
  };
}

/** `checksum 123`, `checksum=1.5`, `"checksum": 7`, `checksum 1,2,3` -> the value; null if the line has none. */
export function parseChecksum(line: string): string | null {
  const m = /checksum"?\s*[:=]?\s*([^\s;]+)/i.exec(line);
  if (!m) return null;
  const v = m[1].replace(/,$/, '');
  return v.length > 0 ? v : null;
}

interface Options {
  smoke: boolean;
  only: string[] | null;
  json: { file: string | null } | null;
  timeoutS: number;
  dir: string;
}

function usage(message: string): never {
  process.stderr.write(`run-all: ${message}\nusage: node dist/bench/run-all.js [--smoke] [--only ${BENCHES.join(',')}] [--json [FILE]] [--timeout S] [--dir DIR]\n`);
  process.exit(2);
}

function parseArgs(argv: string[]): Options {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const o: Options = { smoke: false, only: null, json: null, timeoutS: -1, dir: here };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[i + 1];
      if (v === undefined || v.startsWith('--')) usage(`${a} needs a value`);
      i++;
      return v;
    };
    if (a === '--smoke') o.smoke = true;
    else if (a === '--only') {
      o.only = value().split(',').map((s) => s.trim()).filter((s) => s.length > 0);
      const unknown = o.only.filter((n) => !(BENCHES as readonly string[]).includes(n));
      if (unknown.length > 0) usage(`unknown bench ${unknown.join(', ')} (known: ${BENCHES.join(', ')})`);
      if (o.only.length === 0) usage('--only needs at least one bench name');
    } else if (a === '--json') {
      const next = argv[i + 1];
      o.json = { file: next !== undefined && !next.startsWith('--') ? argv[++i] : null };
    } else if (a === '--timeout') {
      const t = Number(value());
      if (!Number.isFinite(t) || t < 0) usage('--timeout must be a number of seconds >= 0 (0 = none)');
      o.timeoutS = t;
    } else if (a === '--dir') o.dir = path.resolve(value());
    else usage(`unknown argument ${a}`);
  }
  if (o.timeoutS < 0) o.timeoutS = o.smoke ? 300 : 0;
  return o;
}

/** Runs one bench; its stdout and stderr are copied to `out`/`err` as they arrive. */
function runOne(name: string, o: Options, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<BenchResult> {
  const file = path.join(o.dir, `${name}.js`);
  const args = [file, ...(o.smoke ? ['--smoke'] : [])];
  const command = `node ${path.relative(process.cwd(), file) || file}${o.smoke ? ' --smoke' : ''}`;
  const base = { name, command, exitCode: null, signal: null, timedOut: false, wallMs: 0, checksum: null, checksumLine: null };
  if (!existsSync(file)) return Promise.resolve({ ...base, ok: false, error: `${file} not found (npm run build?)` });

  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let checksumLine: string | null = null;
    let checksum: string | null = null;
    let pending = '';
    const scan = (text: string) => {
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const v = parseChecksum(line);
        if (v !== null) {
          checksumLine = line.trim();
          checksum = v;
        }
      }
    };
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out.write(chunk);
      scan(chunk);
    });
    child.stderr.on('data', (chunk: string) => err.write(chunk));

    let timedOut = false;
    let killer: NodeJS.Timeout | undefined;
    const timer = o.timeoutS > 0
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGTERM');
          killer = setTimeout(() => child.kill('SIGKILL'), 5000);
        }, o.timeoutS * 1000)
      : undefined;

    let spawnError: string | undefined;
    child.on('error', (e) => {
      spawnError = e.message;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(killer);
      scan('\n');
      const wallMs = performance.now() - t0;
      const error = spawnError ?? (timedOut ? `killed after ${o.timeoutS} s` : code !== 0 ? (signal ? `killed by ${signal}` : `exit code ${code}`) : checksum === null ? 'printed no checksum line' : undefined);
      resolve({ ...base, exitCode: code, signal, timedOut, wallMs: Math.round(wallMs), checksum, checksumLine, ok: error === undefined, ...(error ? { error } : {}) });
    });
  });
}

function table(s: Summary): string {
  const m = s.machine;
  const head = [
    `machine: ${m.cpu}, ${m.cores} cores (available parallelism ${m.availableParallelism}), ${m.memoryGB} GB, node ${m.node}, ${m.platform} ${m.release} ${m.arch}`,
    `${s.date}  ${s.smoke ? 'smoke' : 'full'} run, total ${(s.totalMs / 1000).toFixed(1)} s`,
    '',
    '| bench | result | exit | wall s | checksum | command |',
    '|---|---|---|---|---|---|',
  ];
  const rows = s.benches.map((b) => `| ${b.name} | ${b.ok ? 'ok' : `FAILED: ${b.error}`} | ${b.exitCode ?? b.signal ?? '-'} | ${(b.wallMs / 1000).toFixed(1)} | ${b.checksum ?? '-'} | \`${b.command}\` |`);
  const failed = s.benches.filter((b) => !b.ok).map((b) => b.name);
  return [...head, ...rows, '', failed.length ? `${failed.length} of ${s.benches.length} failed: ${failed.join(', ')}` : `all ${s.benches.length} passed`, ''].join('\n');
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  // With `--json` on stdout, keep stdout for the JSON alone.
  const jsonToStdout = o.json !== null && o.json.file === null;
  const out = jsonToStdout ? process.stderr : process.stdout;
  const names = o.only ?? [...BENCHES];
  const m = machine();
  out.write(`machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGB} GB, node ${m.node}\n`);

  const t0 = performance.now();
  const benches: BenchResult[] = [];
  for (const name of names) {
    out.write(`\n=== ${name}${o.smoke ? ' (smoke)' : ''}\n`);
    const r = await runOne(name, o, out, process.stderr);
    out.write(`=== ${name}: ${r.ok ? 'ok' : `FAILED (${r.error})`} in ${(r.wallMs / 1000).toFixed(1)} s${r.checksum !== null ? `, checksum ${r.checksum}` : ''}\n`);
    benches.push(r);
  }
  const summary: Summary = { date: new Date().toISOString(), smoke: o.smoke, machine: m, benches, totalMs: Math.round(performance.now() - t0), ok: benches.every((b) => b.ok) };

  out.write(`\n${table(summary)}`);
  if (o.json) {
    const text = `${JSON.stringify(summary, null, 2)}\n`;
    if (o.json.file) writeFileSync(o.json.file, text);
    else process.stdout.write(text);
  }
  process.exitCode = summary.ok ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
