/**
 * A seeded R-MAT / Graph500-style graph written as an edge list, streamed to disk (no edge is ever held in memory
 * as a JS object or string: each line's digits go straight into a 4 MB byte buffer that is written when full).
 *
 *   npm run build && node dist/scripts/rmat.js --out FILE [--scale 22] [--edges 56000000] [--seed 1]
 *                                               [--a 0.57 --b 0.19 --c 0.19] [--no-permute] [--quiet]
 *
 * Each edge picks its endpoints one bit at a time, `scale` times: quadrant a (0,0), b (0,1), c (1,0) or
 * d = 1 − a − b − c (1,1) (Chakrabarti, Zhan, Faloutsos 2004; Graph500's Kronecker parameters a = 0.57, b = c = 0.19 by
 * default). Vertex labels are then scrambled by a seeded permutation of 0..2^scale − 1 (as Graph500 does, so the
 * degree is not sorted by label) unless --no-permute. Self-loops are skipped (counted); duplicate pairs are left for
 * the importer to merge (it reports them), as in any real edge list. One line "u v" per edge, undirected by reading
 * (`ripple import FILE`: every line is a tie, two arcs).
 *
 * Random numbers: xoshiro128** seeded with splitmix32(seed), so the file is the same bytes for the same arguments on
 * any machine. Prints a summary line (edges written, self-loops skipped, bytes, seconds) on stderr.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** xoshiro128** (Blackman & Vigna), state from splitmix32: 32-bit outputs as unsigned integers. */
export class Xoshiro128 {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  constructor(seed: number) {
    let z = seed >>> 0;
    const split = () => {
      z = (z + 0x9e3779b9) >>> 0;
      let t = z ^ (z >>> 16);
      t = Math.imul(t, 0x21f0aaad);
      t ^= t >>> 15;
      t = Math.imul(t, 0x735a2d97);
      return (t ^ (t >>> 15)) >>> 0;
    };
    this.s0 = split();
    this.s1 = split();
    this.s2 = split();
    this.s3 = split();
  }
  next(): number {
    const r = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return r;
  }
  /** Uniform integer in [0, n), n <= 2^32 (rejection-free multiply; bias < n / 2^32). */
  below(n: number): number {
    return Math.floor((this.next() / 4294967296) * n);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

export interface RmatOptions {
  scale: number;
  edges: number;
  seed: number;
  a: number;
  b: number;
  c: number;
  permute: boolean;
}

export interface RmatSummary {
  lines: number;
  selfLoops: number;
  bytes: number;
  vertices: number;
}

/**
 * Generate the edges and hand each filled buffer to `write` (the buffer is reused after the call returns).
 * Returns what was written.
 */
export function rmat(o: RmatOptions, write: (chunk: Uint8Array) => void, bufferBytes = 4 << 20): RmatSummary {
  if (!(o.scale >= 1 && o.scale <= 30 && Number.isInteger(o.scale))) throw new Error('scale must be an integer in 1..30');
  if (!(o.edges >= 0 && Number.isInteger(o.edges))) throw new Error('edges must be a non-negative integer');
  const d = 1 - o.a - o.b - o.c;
  if (!(o.a > 0 && o.b >= 0 && o.c >= 0 && d >= 0)) throw new Error('a, b, c must be >= 0 (a > 0) with a + b + c <= 1');
  const n = 2 ** o.scale;
  const rng = new Xoshiro128(o.seed);
  // The quadrant thresholds in 32-bit integer space: one draw per level.
  const ta = Math.floor(o.a * 4294967296);
  const tb = Math.floor((o.a + o.b) * 4294967296);
  const tc = Math.floor((o.a + o.b + o.c) * 4294967296);
  let perm: Int32Array | null = null;
  if (o.permute) {
    perm = new Int32Array(n);
    for (let i = 0; i < n; i++) perm[i] = i;
    const prng = new Xoshiro128(o.seed ^ 0x5bd1e995);
    for (let i = n - 1; i > 0; i--) {
      const j = prng.below(i + 1);
      const t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
  }
  const buf = new Uint8Array(bufferBytes);
  const digits = new Uint8Array(12);
  let pos = 0;
  let bytes = 0;
  let selfLoops = 0;
  const putInt = (v: number) => {
    let k = 0;
    do {
      digits[k++] = 48 + (v % 10);
      v = Math.floor(v / 10);
    } while (v > 0);
    while (k > 0) buf[pos++] = digits[--k];
  };
  for (let e = 0; e < o.edges; e++) {
    let u = 0;
    let v = 0;
    for (let level = 0; level < o.scale; level++) {
      const r = rng.next();
      u <<= 1;
      v <<= 1;
      if (r < ta) {
        /* (0, 0) */
      } else if (r < tb) v |= 1;
      else if (r < tc) u |= 1;
      else {
        u |= 1;
        v |= 1;
      }
    }
    if (u === v) {
      selfLoops++;
      continue;
    }
    if (perm) {
      u = perm[u];
      v = perm[v];
    }
    if (pos + 24 > buf.length) {
      write(buf.subarray(0, pos));
      bytes += pos;
      pos = 0;
    }
    putInt(u);
    buf[pos++] = 32;
    putInt(v);
    buf[pos++] = 10;
  }
  if (pos > 0) {
    write(buf.subarray(0, pos));
    bytes += pos;
  }
  return { lines: o.edges - selfLoops, selfLoops, bytes, vertices: n };
}

function main(): void {
  const args = process.argv.slice(2);
  const usage = (msg: string): never => {
    process.stderr.write(`rmat: ${msg}\nusage: node dist/scripts/rmat.js --out FILE [--scale 22] [--edges 56000000] [--seed 1] [--a 0.57 --b 0.19 --c 0.19] [--no-permute] [--quiet]\n`);
    process.exit(2);
  };
  const value = (flag: string): string | undefined => {
    const i = args.indexOf(flag);
    if (i < 0) return undefined;
    const v = args[i + 1];
    if (v === undefined || v.startsWith('--')) usage(`${flag} needs a value`);
    return v;
  };
  const known = new Set(['--out', '--scale', '--edges', '--seed', '--a', '--b', '--c', '--no-permute', '--quiet']);
  for (let i = 0; i < args.length; i++) {
    if (!known.has(args[i])) usage(`unknown argument ${args[i]}`);
    if (args[i] !== '--no-permute' && args[i] !== '--quiet') i++;
  }
  const out = value('--out') ?? usage('--out FILE is required');
  const num = (flag: string, dflt: number) => {
    const v = value(flag);
    if (v === undefined) return dflt;
    const x = Number(v);
    if (!Number.isFinite(x)) usage(`${flag} must be a number`);
    return x;
  };
  const o: RmatOptions = {
    scale: num('--scale', 22), edges: num('--edges', 56_000_000), seed: num('--seed', 1),
    a: num('--a', 0.57), b: num('--b', 0.19), c: num('--c', 0.19), permute: !args.includes('--no-permute'),
  };
  const t0 = performance.now();
  const fd = openSync(out, 'w');
  let summary: RmatSummary;
  try {
    summary = rmat(o, (chunk) => {
      let off = 0;
      while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
    });
  } catch (e) {
    closeSync(fd);
    usage(e instanceof Error ? e.message : String(e));
  } finally {
    try {
      closeSync(fd);
    } catch {
      /* closed above */
    }
  }
  if (!args.includes('--quiet')) {
    process.stderr.write(
      `rmat: ${summary!.lines} lines (${o.edges} edges drawn, ${summary!.selfLoops} self-loops skipped) over 2^${o.scale} = ${summary!.vertices} labels, ` +
        `${(summary!.bytes / 2 ** 20).toFixed(0)} MiB to ${out} in ${((performance.now() - t0) / 1000).toFixed(1)} s (seed ${o.seed})\n`,
    );
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
