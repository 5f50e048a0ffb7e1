import type { BatchResult } from './batch.js';

/** Growable per-run column. */
export class Column<T extends Int32Array | Float64Array> {
  data: T;
  constructor(private readonly make: (n: number) => T, initial: number) {
    this.data = make(Math.max(1, initial));
  }
  put(at: number, values: T): void {
    const need = at + values.length;
    if (need > this.data.length) {
      const next = this.make(Math.max(need, this.data.length * 2));
      next.set(this.data as never);
      this.data = next;
    }
    this.data.set(values as never, at);
  }
}

const i32 = (n: number) => new Int32Array(n);
const f64 = (n: number) => new Float64Array(n);

function addInto(target: Float64Array | null, src: Float64Array | null): Float64Array | null {
  if (!src) return target;
  if (!target || target.length < src.length) {
    const next = new Float64Array(src.length);
    if (target) next.set(target);
    target = next;
  }
  for (let i = 0; i < src.length; i++) target[i] += src[i];
  return target;
}

/**
 * Collects batch results in any arrival order: per-run values land at their run index, sums are exact
 * integer sums. `runs` is the number of runs 0 .. runs-1 collected (batches must tile that range).
 * A model's own outputs are merged by name the same way.
 */
export class Aggregate {
  runs = 0;
  readonly reach: Column<Int32Array>;
  value: Column<Float64Array> | null = null;
  impressions: Column<Float64Array> | null = null;
  newByStep: Float64Array | null = null;
  newSqByStep: Float64Array | null = null;
  readonly perRun = new Map<string, Column<Int32Array> | Column<Float64Array>>();
  readonly perStep = new Map<string, Float64Array>();
  activations: Float64Array | null = null;
  readonly perCustomer = new Map<string, Float64Array>();
  arcsExamined = 0;

  constructor(private readonly initialRuns: number) {
    this.reach = new Column(i32, initialRuns);
  }

  add(b: BatchResult): void {
    const at = b.from;
    this.reach.put(at, b.reach);
    if (b.value) (this.value ??= new Column(f64, this.initialRuns)).put(at, b.value);
    if (b.impressions) (this.impressions ??= new Column(f64, this.initialRuns)).put(at, b.impressions);
    this.newByStep = addInto(this.newByStep, b.newByStep);
    this.newSqByStep = addInto(this.newSqByStep, b.newSqByStep ?? null);
    for (const [name, values] of Object.entries(b.perRun)) {
      let col = this.perRun.get(name);
      if (!col) {
        col = values instanceof Int32Array ? new Column(i32, this.initialRuns) : new Column(f64, this.initialRuns);
        this.perRun.set(name, col);
      }
      (col as Column<typeof values>).put(at, values);
    }
    for (const [name, sums] of Object.entries(b.perStep)) this.perStep.set(name, addInto(this.perStep.get(name) ?? null, sums)!);
    if (b.activations) {
      const src = b.activations;
      const dst = (this.activations ??= new Float64Array(src.length));
      for (let i = 0; i < src.length; i++) dst[i] += src[i];
    }
    for (const [name, src] of Object.entries(b.perCustomer ?? {})) {
      let dst = this.perCustomer.get(name);
      if (!dst) this.perCustomer.set(name, (dst = new Float64Array(src.length)));
      for (let i = 0; i < src.length; i++) dst[i] += src[i];
    }
    this.arcsExamined += b.arcsExamined;
    if (b.to > this.runs) this.runs = b.to;
  }

  /** Runs 0 .. runs-1 of a per-run column (a copy), or null when the model does not produce it. */
  column(name: string, runs: number): Int32Array | Float64Array | null {
    const c = this.perRun.get(name);
    return c ? c.data.slice(0, runs) : null;
  }
}
