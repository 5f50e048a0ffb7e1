/** The parts of Ripple's answers the page reads (see /openapi.json for the whole). */

/** How the page reads a catalogue model's answer: binary opinions, HK's continuous ones, thresholds, epidemics, CTIC. */
export type Family = 'opinion' | 'hk' | 'threshold' | 'epidemic' | 'ctic';

export interface MeanCi {
  mean: number;
  ci95: [number, number];
}

export interface Step {
  step: number;
  newMean: number;
  cumulativeMean: number;
  /** 95% interval of the per-run new / cumulative counts at this step (when the server sends it). */
  newCi95?: [number, number];
  cumulativeCi95?: [number, number];
  /** The step's time, when the graph or request says how long a step is (ISO 8601). */
  duration?: string;
}

export interface Ranked {
  id: string;
  frequency: number;
  label?: string | null;
}

export interface ScenarioReport {
  graphId: string;
  graphVersion: number;
  runs: number;
  seed: number;
  customers: string[];
  experience: 'negative' | 'positive';
  reach: MeanCi;
  negative: MeanCi;
  positive: MeanCi;
  impressions: MeanCi;
  money: { currency: string; atRisk: MeanCi; earned: MeanCi; net: MeanCi };
  steps: Step[];
  negativeSteps: Step[];
  positiveSteps: Step[];
  amplifiers: Ranked[];
  /** Customers who passed it on most often (share of runs in which they reached someone). */
  passers?: Ranked[];
  /** How often each asked-for customer was reached (`reachOf` in the request). */
  reachOf?: Ranked[];
  summary?: string;
  valuesAreDefaults?: boolean;
  stepDuration?: string | null;
  timeToPeak?: MeanCi & Record<string, unknown>;
  truncatedByHorizon?: unknown;
}

export interface Difference {
  from: string;
  to: string;
  reach: MeanCi;
  negative: MeanCi;
  positive: MeanCi;
  impressions: MeanCi;
  money: { atRisk: MeanCi; earned: MeanCi; net: MeanCi };
}

export interface CompareResult {
  runs: number;
  seed: number;
  variants: (ScenarioReport & { name: string })[];
  differences: Difference[];
  summary?: string;
}

export interface GraphSummary {
  id: string;
  name: string;
  customers: number;
  ties: number;
  version: number;
  stepDuration?: string | null;
}

export interface CustomerRow {
  id: string;
  label: string | null;
  segment: string | null;
  value: number;
  valueIsDefault: boolean;
  followers: number;
  degree: number;
}

export interface Neighbourhood {
  center: string;
  customers: (CustomerRow & { depth: number })[];
  ties: { source: string; target: string }[];
  truncated: boolean;
}

/** A simulation answer of a catalogue model (POST /graphs/:id/simulations), the parts the page reads. */
export interface SimulationResult {
  graphId: string;
  model: string;
  runs: number;
  seed: number;
  seeds: string[];
  reach: MeanCi;
  steps: Step[];
  /** Mean customers in each compartment after each step (catalogue models but ctic). */
  compartments?: ({ step: number } & Record<string, number>)[];
  /** The 95% interval of each of those means. */
  compartmentsCi95?: ({ step: number } & Record<string, [number, number]>)[];
  /** Opinion models. */
  consensus?: { share: MeanCi; step: MeanCi | null; forWins?: MeanCi };
  finalShares?: { for: MeanCi; against: MeanCi };
  finalMeanOpinion?: MeanCi;
  /** CTIC: time unit (ISO 8601), horizon, reach by time, within the horizon, time to reach a target. */
  timeUnit?: string;
  horizon?: { units: number; duration: string };
  reachByTime?: { time: number; duration: string; mean: number }[];
  withinHorizon?: MeanCi;
  timeToReach?: { target: number; share: MeanCi; value: MeanCi | null };
  /** With `trace: true`: run 0 of the request, event by event. */
  trace?: Trace;
  /** With `samples: true`: every run's values in run order (`reach`, and the model's per-run outputs; null: none in that run). */
  samples?: Record<string, (number | null)[]>;
}

/** One traced run (`trace: true`): `to` entered `state` at `time` (a step; time units for ctic), told by `from`. */
export interface Trace {
  run: number;
  reach: number;
  events: { from: string | null; to: string; time: number; state: string }[];
  truncated: boolean;
}
