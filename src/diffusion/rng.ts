/**
 * Seeded randomness for the engine (never Math.random). One generator per Monte Carlo run:
 * run r of a request with seed s draws from the stream `Rng.reseed(s, r)`, so results do not depend on
 * how runs are split across workers or batches (DESIGN §4).
 *
 * Generator: sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, PractRand-clean, 32-bit
 * integer math only). Seeding: the (seed, stream, salt) key is spread by the murmur3 32-bit finaliser,
 * a bijection, so that for a fixed seed and salt every stream gets a different state; 12 warm-up rounds
 * decorrelate neighbouring streams.
 */

/** murmur3 fmix32: a bijective 32-bit mixer. */
export function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** A hash of two 32-bit integers (e.g. an arc's endpoints), uniform enough for bucketing. */
export function hash2(x: number, y: number): number {
  return mix32((mix32(x ^ 0x27d4eb2f) + Math.imul(y | 0, 0x9e3779b1)) | 0);
}

/**
 * A 32-bit hash of a string (FNV-1a over its UTF-16 code units, then fmix32): the same for the same id whatever the
 * customer's index, so anything keyed by it does not depend on the order of an input file.
 */
export function hashString(s: string, seed = 0): number {
  let h = (0x811c9dc5 ^ mix32(seed >>> 0)) >>> 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return mix32(h >>> 0);
}

const TWO_POW_MINUS_32 = 2.3283064365386963e-10;

export class Rng {
  /**
   * The generator's state (sfc32's a, b, c, counter d). Public for the hot loops that keep it in locals while they
   * draw (kernels/spread.ts …: read it, step it exactly as nextUint32 does, write it back), which V8 can then hold in
   * registers instead of storing and reloading four fields per draw. Everything else calls the methods.
   */
  a = 0;
  b = 0;
  c = 0;
  d = 0;

  constructor(seed = 0, stream = 0, salt = 0) {
    this.reseed(seed, stream, salt);
  }

  /** Restart as stream `stream` of `seed` (both taken as 32-bit unsigned integers). No allocation. */
  reseed(seed: number, stream: number, salt = 0): void {
    const s = mix32((seed ^ Math.imul(salt, 0x632be5ab)) >>> 0);
    this.a = mix32((s + (stream >>> 0)) | 0);
    this.b = s;
    this.c = mix32((this.a ^ 0x5bd1e995) >>> 0) ^ salt;
    this.d = 1;
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** Uniform integer in [0, 2^32). */
  nextUint32(): number {
    const a = this.a;
    const b = this.b;
    const c = this.c;
    const d = (this.d + 1) | 0;
    const t = (((a + b) | 0) + d) | 0;
    this.d = d;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    this.c = (((c << 21) | (c >>> 11)) + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1) with 32 random bits. */
  float(): number {
    return this.nextUint32() * TWO_POW_MINUS_32;
  }

  /** Uniform in (0, 1]: safe under log() (geometric skipping) and for LT thresholds θ ~ U(0,1]. */
  floatOpen(): number {
    return (this.nextUint32() + 1) * TWO_POW_MINUS_32;
  }

  /** Uniform integer in [0, k) for k <= 2^32 (multiply-shift; bias < k / 2^32). */
  int(k: number): number {
    return Math.floor(this.float() * k);
  }
}
