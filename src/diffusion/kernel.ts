import type { CompiledGraph } from '../graph/compile.js';
import { MinHeap } from '../graph/min-heap.js';
import { Rng } from './rng.js';
import { CurveSums, scratchFor, StepSums, type Scratch } from './scratch.js';
import { StepBuckets } from './step-buckets.js';
import { newGateState, nextGateRun, type GateState } from './gate.js';

/**
 * What the catalogue's kernels (SI … CTIC, one folder each under models/) share: per-customer state
 * arrays allocated once per (graph, thread) and reused by every run, the per-batch recorder of curves,
 * and the tracer of one run. Nothing here allocates inside a run (the trace log grows, but only on the
 * one traced run).
 *
 * State validity is an epoch stamp, as in Scratch: `state[v]` holds for this run iff `valid[v] === ep`,
 * otherwise v is in state 0 (susceptible / not adopting). A run that must touch every customer anyway
 * (opinion models: everybody holds an opinion) writes all n entries.
 */
export class KernelScratch {
  readonly n: number;
  readonly m: number;
  readonly state: Uint8Array;
  readonly valid: Int32Array;
  epoch = 0;
  private _a: Int32Array | null = null;
  private _b: Int32Array | null = null;
  private _c: Int32Array | null = null;
  private _d: Int32Array | null = null;
  private _count: Int32Array | null = null;
  private _since: Int32Array | null = null;
  private _theta: Float64Array | null = null;
  private _x: Float64Array | null = null;
  private _y: Float64Array | null = null;
  private _heap: MinHeap | null = null;
  private _tracedHeap: MinHeap | null = null;
  private _buckets: StepBuckets | null = null;
  private _gate: GateState | null = null;

  constructor(n: number, m: number) {
    this.n = n;
    this.m = m;
    this.state = new Uint8Array(n);
    this.valid = new Int32Array(n);
  }

  /** A fresh epoch: every customer back to state 0 in O(1). */
  nextEpoch(): number {
    if (this.epoch >= 0x7ffffffe) {
      this.valid.fill(0);
      this._since?.fill(0);
      this.epoch = 0;
    }
    return ++this.epoch;
  }

  /**
   * The gate reading of activity (../gate.ts): a new run of the per-customer gate draws (each customer undrawn), for
   * a kernel whose plan has a gate. Allocated the first time a gated run asks.
   */
  startGate(): GateState {
    return nextGateRun((this._gate ??= newGateState(this.n)));
  }

  /** Work lists of n customers (frontiers, compartments). */
  get a(): Int32Array {
    return (this._a ??= new Int32Array(this.n));
  }
  get b(): Int32Array {
    return (this._b ??= new Int32Array(this.n));
  }
  get c(): Int32Array {
    return (this._c ??= new Int32Array(this.n));
  }
  get d(): Int32Array {
    return (this._d ??= new Int32Array(this.n));
  }
  /** Per-customer counter (active in-neighbours); valid where `valid[v] === ep`. */
  get count(): Int32Array {
    return (this._count ??= new Int32Array(this.n));
  }
  /** Per-customer step stamp (e.g. the step a SWIR customer was weakened). */
  get since(): Int32Array {
    return (this._since ??= new Int32Array(this.n));
  }
  get theta(): Float64Array {
    return (this._theta ??= new Float64Array(this.n));
  }
  /** Continuous per-customer values (HK opinions, CTIC arrival times). */
  get x(): Float64Array {
    return (this._x ??= new Float64Array(this.n));
  }
  get y(): Float64Array {
    return (this._y ??= new Float64Array(this.n));
  }
  /**
   * CTIC's event queue of (time, customer), capacity m + n + 1 (each arc pushes at most once per run,
   * plus the seeds). A traced run uses `tracedHeap`, which also carries each entry's sender (the trace's `from`);
   * untraced runs do not move senders they never read.
   */
  get heap(): MinHeap {
    return (this._heap ??= new MinHeap(this.m + this.n + 1));
  }

  get tracedHeap(): MinHeap {
    return (this._tracedHeap ??= new MinHeap(this.m + this.n + 1, true));
  }

  /** SI's queue of customers by the whole step they are due (each run leaves it empty). */
  get buckets(): StepBuckets {
    return (this._buckets ??= new StepBuckets(this.n));
  }
}

const scratches = new WeakMap<CompiledGraph, KernelScratch>();

export function kernelScratchFor(g: CompiledGraph): KernelScratch {
  let s = scratches.get(g);
  if (!s) {
    s = new KernelScratch(g.n, g.m);
    scratches.set(g, s);
  }
  return s;
}


/** One event of a traced run: `to` entered `state` at `time` (a step, or a time for CTIC) because of `from` (-1: none). */
export interface TraceEvent {
  from: number;
  to: number;
  time: number;
  state: number;
}

/** Cap on the events one traced run keeps (opinion models can change n opinions per step for many steps). */
export const MAX_TRACE_EVENTS = 100_000;

/** Event log of one traced run (growable columns; only the traced run writes to it). */
export class Tracer {
  from: Int32Array = new Int32Array(1024);
  to: Int32Array = new Int32Array(1024);
  time: Float64Array = new Float64Array(1024);
  state: Uint8Array = new Uint8Array(1024);
  length = 0;
  truncated = false;
  constructor(readonly limit = MAX_TRACE_EVENTS) {}
  add(from: number, to: number, time: number, state: number): void {
    if (this.length >= this.limit) {
      this.truncated = true;
      return;
    }
    if (this.length === this.to.length) {
      const cap = this.length * 2;
      const grow = <T extends Int32Array | Float64Array | Uint8Array>(a: T, make: (k: number) => T): T => {
        const b = make(cap);
        b.set(a as never);
        return b;
      };
      this.from = grow(this.from, (k) => new Int32Array(k));
      this.to = grow(this.to, (k) => new Int32Array(k));
      this.time = grow(this.time, (k) => new Float64Array(k));
      this.state = grow(this.state, (k) => new Uint8Array(k));
    }
    const i = this.length++;
    this.from[i] = from;
    this.to[i] = to;
    this.time[i] = time;
    this.state[i] = state;
  }
}

/** One traced run's events, ids resolved. `time` is the step (or the time, for timed models). */
export interface TracedRun {
  run: number;
  reach: number;
  events: { from: string | null; to: string; time: number; state: string }[];
  truncated: boolean;
}

/** A tracer's log as the answer's `trace`: customer ids for indices, `states[code]` for state codes. */
export function tracedRun(g: CompiledGraph, t: Tracer, run: number, reach: number, states: readonly string[]): TracedRun {
  const events: TracedRun['events'] = [];
  for (let i = 0; i < t.length; i++) {
    events.push({ from: t.from[i] < 0 ? null : g.ids[t.from[i]], to: g.ids[t.to[i]], time: t.time[i], state: states[t.state[i]] ?? String(t.state[i]) });
  }
  return { run, reach, events, truncated: t.truncated };
}

/**
 * Run `run` of a plan once more, traced: `kernel` gets the thread's scratch, the run's stream (seed, run) and a
 * fresh tracer (a model's traced kernel: ../models/ic/trace.ts …). `states` names the state codes it logs.
 */
export function traceRun(
  g: CompiledGraph, plan: { seed: number }, run: number, states: readonly string[], kernel: (s: Scratch, rng: Rng, tr: Tracer) => number,
): TracedRun {
  const tr = new Tracer();
  const reach = kernel(scratchFor(g), new Rng(plan.seed, run), tr);
  return tracedRun(g, tr, run, reach, states);
}

/**
 * What a batch of kernel runs accumulates. `curves[k]` gets, per step, the change in the number of
 * customers in compartment k (summed over runs): the cumulative sums divided by runs are the mean
 * compartment sizes, carried forward after a run has ended. `newByStep` is the usual "newly reached".
 * `extra1/extra2` are per-run scalars a kernel reports (consensus step, reach within a horizon …).
 */
export class Recorder {
  readonly steps: StepSums;
  /**
   * One curve per compartment: each run's net change per step, and the sums behind the 95% interval of the
   * count in the compartment at each step (CurveSums; the runner brackets each run with startRun / endRun).
   */
  readonly curves: CurveSums[];
  arcs = 0;
  extra1 = 0;
  extra2 = 0;
  tracer: Tracer | null = null;
  /** `steps`: the batch's common "newly reached" sums (the registry's BatchSetup.steps), else a new one. */
  constructor(compartments: number, steps: StepSums = new StepSums()) {
    this.steps = steps;
    this.curves = Array.from({ length: compartments }, () => new CurveSums());
  }
}

/** Geometric trials: the number of trials up to and including the first success, p in (0, 1). logQ = log(1 - p). */
export function geometric(u: number, logQ: number): number {
  return 1 + Math.floor(Math.log(u) / logQ);
}

/**
 * The parameters a catalogue kernel reads, resolved from the request by the model's plan builder
 * (probabilities per arc or per customer are the plan's nodeP/arcP, as for IC and SIR). Plain numbers
 * and typed arrays on shared memory: posted to workers without a copy.
 */
export interface KernelParams {
  /** Compartments recorded as curves (their names are the model's `compartments`). */
  compartments: number;
  /** Epidemics: S→I (or S→E) per contact, × p(u,v); E→I; I→R; I→S. SWIR: κ, μ, ν. */
  beta: number;
  alpha: number;
  gamma: number;
  lambda: number;
  kappa: number;
  mu: number;
  nu: number;
  /** Threshold family: the default threshold; per-customer overrides (NaN = default); draw θ ~ U(0,1] per run. */
  threshold: number;
  nodeThreshold: Float64Array | null;
  drawThreshold: boolean;
  /** Kertész: share of customers blocked at the start of a run. Profile: chance that a rejection blocks. */
  blocked: number;
  /** Spontaneous adoption per susceptible customer and step. */
  adopterRate: number;
  /** Profile family: the default chance to adopt when exposed; per-customer overrides (NaN = default). */
  profile: number;
  nodeProfile: Float64Array | null;
  /** Opinion models: share of customers (besides the seeds) drawn to hold "for" at step 0. */
  forShare: number;
  /** Q-voter / majority: group size. */
  q: number;
  /** Majority rule: opinion taken on a tie (1 = for, 0 = against). */
  tieOpinion: number;
  /** HK: confidence bound ε; opinions of the seeds, and explicit ones per customer (NaN = drawn), at step 0. */
  epsilon: number;
  seedOpinion: number;
  nodeOpinion: Float64Array | null;
  /** HK: initial opinions U(lo, hi) of the non-seeds. */
  opinionLo: number;
  opinionHi: number;
  /** CTIC: delay law (0 = exponential(rate), 1 = Weibull(shape, scale)); per-arc rate/scale override (NaN = default). */
  delayLaw: number;
  rate: number;
  shape: number;
  scale: number;
  arcDelay: Float32Array | null;
  /** CTIC: horizon (time units), grid step of the reach-by-time curve, and the N of "time to reach N". */
  horizon: number;
  dt: number;
  reachTarget: number;
}

export const DEFAULT_KERNEL_PARAMS: KernelParams = {
  compartments: 2, beta: 0, alpha: 0, gamma: 0, lambda: 0, kappa: 0, mu: 0, nu: 0,
  threshold: 0.1, nodeThreshold: null, drawThreshold: false, blocked: 0, adopterRate: 0, profile: 0.1, nodeProfile: null,
  forShare: 0, q: 2, tieOpinion: 1, epsilon: 0.2, seedOpinion: 1, nodeOpinion: null, opinionLo: -1, opinionHi: 1,
  delayLaw: 0, rate: 1, shape: 1, scale: 1, arcDelay: null, horizon: Infinity, dt: 1, reachTarget: 0,
};
