import type { CompiledGraph } from '../graph/compile.js';

/**
 * Per-run state of the models, allocated once per (compiled graph, thread) and reused by every run:
 * nothing is allocated inside a run. "Reset" is an epoch stamp: customer v is active in the current run
 * iff `stamp[v] === epoch`, so starting a run costs O(1) instead of a fill() over n; the run's activated
 * customers are listed in `queue[0 .. reach)` (the touched list).
 */
export class Scratch {
  readonly n: number;
  readonly stamp: Int32Array;
  readonly queue: Int32Array;
  epoch = 0;
  private _mark: Int32Array | null = null;
  private _acc: Float64Array | null = null;
  private _theta: Float64Array | null = null;
  private _list: Int32Array | null = null;
  private _list2: Int32Array | null = null;
  private _opinion: Uint8Array | null = null;

  constructor(n: number) {
    this.n = n;
    this.stamp = new Int32Array(n);
    this.queue = new Int32Array(n);
  }

  /** Start a run: a fresh epoch (O(1); an O(n) clear once every 2^31 runs). */
  nextEpoch(): number {
    if (this.epoch >= 0x7ffffffe) {
      this.stamp.fill(0);
      this._mark?.fill(0);
      this.epoch = 0;
    }
    return ++this.epoch;
  }

  /**
   * Start a run from `seeds`: a fresh epoch, each seed stamped active once and queued at queue[0 .. returned).
   * Returns the epoch and the number of distinct seeds queued.
   */
  seedRun(seeds: Int32Array): { ep: number; tail: number } {
    const ep = this.nextEpoch();
    const { stamp, queue } = this;
    let tail = 0;
    for (let i = 0; i < seeds.length; i++) {
      const v = seeds[i];
      if (stamp[v] !== ep) {
        stamp[v] = ep;
        queue[tail++] = v;
      }
    }
    this.started.ep = ep;
    this.started.tail = tail;
    return this.started;
  }

  /** Reused by seedRun (no allocation per run). */
  private readonly started = { ep: 0, tail: 0 };

  /** Second stamp array (LT: threshold drawn this run; SIR: recovered this run). */
  get mark(): Int32Array {
    return (this._mark ??= new Int32Array(this.n));
  }
  get acc(): Float64Array {
    return (this._acc ??= new Float64Array(this.n));
  }
  get theta(): Float64Array {
    return (this._theta ??= new Float64Array(this.n));
  }
  get list(): Int32Array {
    return (this._list ??= new Int32Array(this.n));
  }
  get list2(): Int32Array {
    return (this._list2 ??= new Int32Array(this.n));
  }
  /** Voice: 1 = negative, 2 = positive (valid where stamped in the current epoch). */
  get opinion(): Uint8Array {
    return (this._opinion ??= new Uint8Array(this.n));
  }
}

const cache = new WeakMap<CompiledGraph, Scratch>();

/** The scratch of this graph in this thread (runs of one batch are synchronous, so sharing is safe). */
export function scratchFor(g: CompiledGraph): Scratch {
  let s = cache.get(g);
  if (!s) {
    s = new Scratch(g.n);
    cache.set(g, s);
  }
  return s;
}

/** Sums of a per-step quantity over the runs of a batch; grows (rarely) instead of allocating per run. */
export class StepSums {
  data: Float64Array;
  /** Sum over runs of the square of each run's value at the step (a run adds at most once per step): per-step CIs. */
  squares: Float64Array;
  length = 0;
  constructor(initial = 64) {
    this.data = new Float64Array(initial);
    this.squares = new Float64Array(initial);
  }
  add(step: number, x: number): void {
    if (step >= this.data.length) {
      const size = Math.max(step + 1, this.data.length * 2);
      const next = new Float64Array(size);
      next.set(this.data);
      this.data = next;
      const sq = new Float64Array(size);
      sq.set(this.squares);
      this.squares = sq;
    }
    this.data[step] += x;
    this.squares[step] += x * x;
    if (step >= this.length) this.length = step + 1;
  }
  take(): Float64Array {
    return this.data.slice(0, this.length);
  }
  takeSquares(): Float64Array {
    return this.squares.slice(0, this.length);
  }
}

/**
 * A per-run step curve summed over the runs of a batch, for curves whose change at a step comes in parts
 * (voice: the new holders of an opinion, then a brand turn of −1 / +1 at the answer's step). Within a run,
 * add() collects the step's net change; the next step, or endRun(), records it once. Per step it sums the net
 * change x, x² (the CI of the new count) and c² − c'² for the run's running total c (c' before the step): a
 * prefix sum of the last gives Σ over runs of c², the CI of the cumulative count, also at steps after a run
 * has ended. Integer sums, so any split of the runs into batches gives the same numbers.
 */
export class CurveSums {
  data: Float64Array;
  squares: Float64Array;
  cumSquares: Float64Array;
  length = 0;
  private at = -1;
  private x = 0;
  private total = 0;
  constructor(initial = 64) {
    this.data = new Float64Array(initial);
    this.squares = new Float64Array(initial);
    this.cumSquares = new Float64Array(initial);
  }
  startRun(): void {
    this.at = -1;
    this.x = 0;
    this.total = 0;
  }
  add(step: number, x: number): void {
    if (step !== this.at) {
      this.flush();
      this.at = step;
    }
    this.x += x;
  }
  endRun(): void {
    this.flush();
    this.at = -1;
  }
  private flush(): void {
    const x = this.x;
    const t = this.at;
    this.x = 0;
    if (t < 0 || x === 0) return;
    if (t >= this.data.length) {
      const size = Math.max(t + 1, this.data.length * 2);
      const grow = (a: Float64Array) => {
        const next = new Float64Array(size);
        next.set(a);
        return next;
      };
      this.data = grow(this.data);
      this.squares = grow(this.squares);
      this.cumSquares = grow(this.cumSquares);
    }
    const next = this.total + x;
    this.data[t] += x;
    this.squares[t] += x * x;
    this.cumSquares[t] += next * next - this.total * this.total;
    this.total = next;
    if (t >= this.length) this.length = t + 1;
  }
  take(): { sums: Float64Array; squares: Float64Array; cumSquares: Float64Array } {
    return { sums: this.data.slice(0, this.length), squares: this.squares.slice(0, this.length), cumSquares: this.cumSquares.slice(0, this.length) };
  }
}
