import type { BatchResult } from './batch.js';

/** Growable per-run column. */
class Column<T extends Int32Array | Float64Array> {
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
 */
export class Aggregate {
  runs = 0;
  readonly reach: Column<Int32Array>;
  negative: Column<Int32Array> | null = null;
  positive: Column<Int32Array> | null = null;
  value: Column<Float64Array> | null = null;
  negativeValue: Column<Float64Array> | null = null;
  positiveValue: Column<Float64Array> | null = null;
  impressions: Column<Float64Array> | null = null;
  peakStep: Column<Int32Array> | null = null;
  newByStep: Float64Array | null = null;
  negNewByStep: Float64Array | null = null;
  posNewByStep: Float64Array | null = null;
  infectedByStep: Float64Array | null = null;
  activations: Float64Array | null = null;
  arcsExamined = 0;

  constructor(private readonly initialRuns: number) {
    this.reach = new Column(i32, initialRuns);
  }

  add(b: BatchResult): void {
    const at = b.from;
    this.reach.put(at, b.reach);
    if (b.negative) (this.negative ??= new Column(i32, this.initialRuns)).put(at, b.negative);
    if (b.positive) (this.positive ??= new Column(i32, this.initialRuns)).put(at, b.positive);
    if (b.value) (this.value ??= new Column(f64, this.initialRuns)).put(at, b.value);
    if (b.negativeValue) (this.negativeValue ??= new Column(f64, this.initialRuns)).put(at, b.negativeValue);
    if (b.positiveValue) (this.positiveValue ??= new Column(f64, this.initialRuns)).put(at, b.positiveValue);
    if (b.impressions) (this.impressions ??= new Column(f64, this.initialRuns)).put(at, b.impressions);
    if (b.peakStep) (this.peakStep ??= new Column(i32, this.initialRuns)).put(at, b.peakStep);
    this.newByStep = addInto(this.newByStep, b.newByStep);
    this.negNewByStep = addInto(this.negNewByStep, b.negNewByStep);
    this.posNewByStep = addInto(this.posNewByStep, b.posNewByStep);
    this.infectedByStep = addInto(this.infectedByStep, b.infectedByStep);
    if (b.activations) {
      const src = b.activations;
      const dst = (this.activations ??= new Float64Array(src.length));
      for (let i = 0; i < src.length; i++) dst[i] += src[i];
    }
    this.arcsExamined += b.arcsExamined;
    if (b.to > this.runs) this.runs = b.to;
  }
}
