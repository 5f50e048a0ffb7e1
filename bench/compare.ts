/**
 * `npm run bench:compare BASE [HEAD]`: the smoke set (bench/smoke-set.ts) on two commits side by side, so a change
 * can show it made nothing slower — and answers nothing else.
 *
 *   npm run bench:compare main                 # main vs this working tree (built by the npm script)
 *   npm run bench:compare v1 v2                # two commits
 *   npm run bench:compare main -- --reps 9 --only ic,pagerank --keep --json out.json
 *
 * How: BASE (and HEAD when given) is checked out with `git worktree add --detach` in a temporary directory and its
 * engine built there (`tsc -p tsconfig.build.json`; node_modules is a link to this checkout's when both lock files are
 * equal, else `npm ci`). One child process per side (`smoke-set.js --serve --root DIR`) keeps its graphs loaded;
 * for every case the two are asked in turn, `--reps` times, the order alternating (A B, B A, …) so that the load of a
 * shared machine falls on both alike. Each ask is one timed call after a first untimed warm-up.
 *
 * Printed per case: median wall ms of each side, the median of the paired ratios HEAD/BASE with their range
 * (min–max over the repetitions), the same for CPU time (user + system of the child: on a loaded machine the
 * steadier figure), a verdict, and whether the checksums agree. A case is "slower" when every paired CPU ratio is
 * above 1 and their median above 1 + --threshold (default 0.05), "faster" the other way round, else "same".
 * A checksum that differs is flagged "ANSWER CHANGED": the change altered results, not only speed.
 *
 * Exit code: 0; 1 when a checksum differs or a case fails on one side only (or, with --fail-slower, a case is
 * slower); 2 on a bad argument or a BASE that cannot be checked out or built.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchArgs, intArg, listArg } from './args.js';
import { selectCases, type CaseResult } from './smoke-set.js';
import { repoRoot } from './paths.js';

export interface Side {
  label: string;
  commit: string;
  subject: string;
  root: string;
}

export interface CaseComparison {
  name: string;
  base: CaseResult[];
  head: CaseResult[];
  baseMs: number | null;
  headMs: number | null;
  ratio: Spread | null;
  cpuRatio: Spread | null;
  verdict: 'slower' | 'faster' | 'same' | 'skipped' | 'failed';
  checksums: 'equal' | 'differ' | '-';
  note?: string;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export function spread(xs: number[]): Spread | null {
  const ok = xs.filter((x) => Number.isFinite(x) && x > 0);
  if (ok.length === 0) return null;
  return { median: median(ok), min: Math.min(...ok), max: Math.max(...ok) };
}

/** Paired repetitions of one case on both sides -> ratios, verdict and checksum agreement. */
export function compareCase(name: string, base: CaseResult[], head: CaseResult[], threshold = 0.05): CaseComparison {
  const skipped = base.find((r) => r.skipped) ?? head.find((r) => r.skipped);
  if (skipped) return { name, base, head, baseMs: null, headMs: null, ratio: null, cpuRatio: null, verdict: 'skipped', checksums: '-', note: skipped.skipped };
  const bErr = base.find((r) => r.error);
  const hErr = head.find((r) => r.error);
  if (bErr || hErr) {
    const note = [bErr && `base: ${bErr.error}`, hErr && `head: ${hErr.error}`].filter(Boolean).join('; ');
    return { name, base, head, baseMs: null, headMs: null, ratio: null, cpuRatio: null, verdict: 'failed', checksums: '-', note };
  }
  const pairs = Math.min(base.length, head.length);
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  for (let i = 0; i < pairs; i++) {
    ratios.push(head[i].ms! / base[i].ms!);
    cpuRatios.push(head[i].cpuMs! / base[i].cpuMs!);
  }
  const ratio = spread(ratios);
  const cpuRatio = spread(cpuRatios);
  // The verdict reads the CPU ratios when every call used measurable CPU, else the wall ratios.
  const v = cpuRatio && base.every((r) => r.cpuMs! > 0) ? cpuRatio : ratio;
  let verdict: CaseComparison['verdict'] = 'same';
  if (v && v.min > 1 && v.median > 1 + threshold) verdict = 'slower';
  else if (v && v.max < 1 && v.median < 1 / (1 + threshold)) verdict = 'faster';
  const sums = new Set([...base, ...head].map((r) => r.checksum));
  return {
    name, base, head, baseMs: median(base.map((r) => r.ms!)), headMs: median(head.map((r) => r.ms!)), ratio, cpuRatio, verdict,
    checksums: sums.size === 1 ? 'equal' : 'differ',
    ...(sums.size === 1 ? {} : { note: `base ${base[0].checksum} vs head ${head[0].checksum}` }),
  };
}

const fmtMs = (x: number | null) => (x === null ? '-' : x >= 100 ? x.toFixed(0) : x.toFixed(1));
const fmtR = (s: Spread | null) => (s === null ? '-' : `${s.median.toFixed(2)} [${s.min.toFixed(2)}–${s.max.toFixed(2)}]`);

export function table(rows: CaseComparison[]): string {
  const out = [
    '| case | base ms | head ms | wall head/base [range] | CPU head/base [range] | verdict | checksums |',
    '|---|---:|---:|---|---|---|---|',
  ];
  for (const r of rows) {
    const flag = r.checksums === 'differ' ? '**ANSWER CHANGED**' : r.checksums;
    out.push(`| ${r.name} | ${fmtMs(r.baseMs)} | ${fmtMs(r.headMs)} | ${fmtR(r.ratio)} | ${fmtR(r.cpuRatio)} | ${r.verdict} | ${flag}${r.note ? ` (${r.note})` : ''} |`);
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------------------------

interface Options {
  base: string;
  head: string | null;
  reps: number;
  only: string[] | null;
  keep: boolean;
  json: string | null;
  threshold: number;
  failSlower: boolean;
}

function usage(msg: string): never {
  process.stderr.write(`bench:compare: ${msg}\nusage: npm run bench:compare BASE [HEAD] [-- --reps N] [--only a,b] [--threshold 0.05] [--fail-slower] [--keep] [--json FILE]\n`);
  process.exit(2);
}

function parseArgs(argv: string[]): Options {
  const { values: v, positionals } = benchArgs(argv, {
    reps: { type: 'string' }, only: { type: 'string' }, keep: { type: 'boolean' }, 'fail-slower': { type: 'boolean' },
    json: { type: 'string' }, threshold: { type: 'string' },
  }, usage);
  const threshold = v.threshold === undefined ? 0.05 : Number(v.threshold);
  if (!(threshold >= 0)) usage('--threshold must be a number >= 0');
  if (positionals.length < 1 || positionals.length > 2) usage('give BASE (a commit, branch or tag) and optionally HEAD');
  return {
    base: positionals[0], head: positionals[1] ?? null, reps: intArg('reps', v.reps, 1, usage) ?? 5, only: v.only === undefined ? null : listArg(v.only),
    keep: v.keep ?? false, json: v.json ?? null, threshold, failSlower: v['fail-slower'] ?? false,
  };
}

const git = (root: string, args: string[]) => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 }).trim();

/** Check out `rev` in a temporary worktree and build its engine; returns the side. */
function checkout(root: string, rev: string, label: string, log: (s: string) => void): Side & { cleanup: () => void } {
  let commit: string;
  try {
    commit = git(root, ['rev-parse', '--verify', `${rev}^{commit}`]);
  } catch {
    usage(`${rev}: not a commit in ${root}`);
  }
  const subject = git(root, ['log', '-1', '--format=%s', commit]);
  const dir = path.join(os.tmpdir(), `ripple-bench-compare-${commit.slice(0, 12)}`);
  const marker = path.join(dir, '.bench-compare-built');
  const cleanup = () => {
    try {
      git(root, ['worktree', 'remove', '--force', dir]);
    } catch {
      rmSync(dir, { recursive: true, force: true });
      try {
        git(root, ['worktree', 'prune']);
      } catch {
        /* nothing to prune */
      }
    }
  };
  if (existsSync(marker)) {
    log(`${label}: ${commit.slice(0, 12)} "${subject}" (reusing the build in ${dir})`);
    return { label, commit, subject, root: dir, cleanup };
  }
  if (existsSync(dir)) cleanup();
  log(`${label}: ${commit.slice(0, 12)} "${subject}": checking out in ${dir}`);
  git(root, ['worktree', 'add', '--detach', '--force', dir, commit]);
  try {
    let sameLock = false;
    try {
      sameLock = git(root, ['show', `${commit}:package-lock.json`]) === readFileSync(path.join(root, 'package-lock.json'), 'utf8').trim();
    } catch {
      sameLock = false;
    }
    if (sameLock && existsSync(path.join(root, 'node_modules'))) {
      symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    } else {
      log(`${label}: package-lock.json differs from this checkout's: npm ci (a minute or two)`);
      execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    }
    log(`${label}: building (tsc -p tsconfig.build.json)`);
    execFileSync(process.execPath, [path.join(dir, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] });
    writeFileSync(marker, `${commit}\n`);
  } catch (e) {
    cleanup();
    process.stderr.write(`bench:compare: cannot build ${rev} (${commit.slice(0, 12)}): ${e instanceof Error ? e.message.split('\n')[0] : e}\n`);
    process.exit(2);
  }
  return { label, commit, subject, root: dir, cleanup };
}

/** A smoke-set child serving one checkout; `ask` runs one case there. */
function child(smokeSet: string, root: string): { ask: (name: string) => Promise<CaseResult>; ready: Promise<void>; stop: () => void } {
  const cp: ChildProcess = fork(smokeSet, ['--serve', '--root', root], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let waiting: ((r: CaseResult) => void) | null = null;
  let onReady: () => void;
  let failed: (e: Error) => void;
  const ready = new Promise<void>((res, rej) => {
    onReady = res;
    failed = rej;
  });
  cp.on('message', (m: CaseResult | { ready: true }) => {
    if ('ready' in m) onReady();
    else if (waiting) {
      const w = waiting;
      waiting = null;
      w(m);
    }
  });
  cp.on('exit', (code) => {
    const e = new Error(`smoke-set child for ${root} exited (${code})`);
    failed(e);
    if (waiting) waiting({ name: '?', ms: null, cpuMs: null, all: [], checksum: null, error: e.message });
  });
  return {
    ready,
    ask: (name) =>
      new Promise<CaseResult>((res) => {
        waiting = res;
        cp.send({ name, inner: 1 });
      }),
    stop: () => {
      if (cp.connected) cp.disconnect();
    },
  };
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const root = repoRoot(import.meta.url);
  const log = (s: string) => process.stdout.write(`${s}\n`);
  const smokeSet = path.join(path.dirname(fileURLToPath(import.meta.url)), 'smoke-set.js');
  if (!existsSync(smokeSet)) usage(`${smokeSet} not found: run it through npm run bench:compare (which builds this checkout)`);
  const names = selectCases(o.only);
  if (names.length === 0) usage(`--only ${o.only?.join(',')} selects no case (node dist/bench/smoke-set.js --list)`);
  const t0 = performance.now();
  const load0 = os.loadavg();
  const base = checkout(root, o.base, 'base', log);
  let head: Side & { cleanup?: () => void };
  if (o.head) head = checkout(root, o.head, 'head', log);
  else {
    const commit = git(root, ['rev-parse', 'HEAD']);
    const dirty = git(root, ['status', '--porcelain', '--untracked-files=no']).length > 0;
    head = { label: 'head', commit, subject: `(working tree${dirty ? ', with uncommitted changes' : ''}) ${git(root, ['log', '-1', '--format=%s', commit])}`, root };
    if (!existsSync(path.join(root, 'dist/src/index.js'))) usage('dist/src/index.js not found: npm run build first');
    log(`head: the working tree (${head.subject})`);
  }
  const a = child(smokeSet, base.root);
  const b = child(smokeSet, head.root);
  const rows: CaseComparison[] = [];
  try {
    await Promise.all([a.ready, b.ready]);
    log(`smoke set: ${names.length} cases × ${o.reps} paired repetitions, one timed call each after a warm-up; load average ${load0.map((x) => x.toFixed(2)).join(' ')}`);
    for (const name of names) {
      const rb: CaseResult[] = [];
      const rh: CaseResult[] = [];
      for (let rep = 0; rep < o.reps; rep++) {
        if (rep % 2 === 0) {
          rb.push(await a.ask(name));
          rh.push(await b.ask(name));
        } else {
          rh.push(await b.ask(name));
          rb.push(await a.ask(name));
        }
        if (rb[rep].skipped || rb[rep].error || rh[rep].error) break;
      }
      const c = compareCase(name, rb, rh, o.threshold);
      rows.push(c);
      log(`  ${name.padEnd(52)} ${fmtMs(c.baseMs).padStart(7)} → ${fmtMs(c.headMs).padStart(7)} ms  wall ${fmtR(c.ratio)}  cpu ${fmtR(c.cpuRatio)}  ${c.verdict}${c.checksums === 'differ' ? '  ANSWER CHANGED' : ''}${c.note && c.checksums !== 'differ' ? `  (${c.note})` : ''}`);
    }
  } finally {
    a.stop();
    b.stop();
    if (!o.keep) {
      base.cleanup();
      head.cleanup?.();
    }
  }
  const load1 = os.loadavg();
  const cpu = os.cpus();
  log('');
  log(`base: ${base.commit.slice(0, 12)} ${base.subject}`);
  log(`head: ${head.commit.slice(0, 12)} ${head.subject}`);
  log(`machine: ${cpu[0]?.model.trim() ?? '?'}, ${cpu.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GB, node ${process.version}; load average ${load0[0].toFixed(2)} at start, ${load1[0].toFixed(2)} at end; ${((performance.now() - t0) / 1000).toFixed(0)} s in all`);
  log('');
  log(table(rows));
  const changed = rows.filter((r) => r.checksums === 'differ');
  const oneSided = rows.filter((r) => r.verdict === 'failed' && !(r.base.some((x) => x.error) && r.head.some((x) => x.error)));
  const slower = rows.filter((r) => r.verdict === 'slower');
  log('');
  log(`${slower.length} slower, ${rows.filter((r) => r.verdict === 'faster').length} faster, ${rows.filter((r) => r.verdict === 'same').length} same (±${(o.threshold * 100).toFixed(0)}%), ${rows.filter((r) => r.verdict === 'skipped').length} skipped, ${rows.filter((r) => r.verdict === 'failed').length} failed; ${changed.length === 0 ? 'every checksum equal' : `ANSWER CHANGED in ${changed.map((r) => r.name).join(', ')}`}`);
  if (o.keep) log(`kept: ${[base.root, o.head ? head.root : null].filter(Boolean).join(', ')} (reused next time; remove with git worktree remove --force DIR)`);
  if (o.json) writeFileSync(o.json, JSON.stringify({ base, head, reps: o.reps, threshold: o.threshold, load: { start: load0, end: load1 }, rows }, null, 2));
  if (changed.length > 0 || oneSided.length > 0 || (o.failSlower && slower.length > 0)) process.exitCode = 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
