import type { Rng } from './rng.js';

/**
 * The gate reading of activity (DESIGN §9, `activity: 'gate'`): a customer passes anything on at all in a run with
 * probability activity, then each of its arcs with its own p. Per customer, the run (`stamp`) in which its gate was
 * drawn and the draw (`open`): a customer draws once per run, the first time it would pass something on, and keeps
 * it — a voice complainant answered publicly speaks twice and passes on both or neither; an SIR, SIS or SEIR customer
 * infected for several steps (or several times) tries its arcs on every one of them, or on none.
 */
export interface GateState {
  stamp: Int32Array;
  open: Uint8Array;
  /** The current run's stamp (> 0, a new one per run). */
  run: number;
}

/** A gate state for n customers; its first run is `run` + 1 (callers bump `run` before each run, nextGateRun). */
export function newGateState(n: number, run = 0): GateState {
  return { stamp: new Int32Array(n), open: new Uint8Array(n), run };
}

/** A new run of a gate state: every customer's gate undrawn again, in O(1) (a full reset once in 2^31 runs). */
export function nextGateRun(st: GateState): GateState {
  if (st.run >= 0x7ffffffe) {
    st.stamp.fill(0);
    st.run = 0;
  }
  st.run++;
  return st;
}

/** Does u pass anything on in this run (gate reading)? One draw from `rng` the first time it is asked, per run. */
export function passesOn(gate: Float32Array, st: GateState, u: number, rng: Rng): boolean {
  const a = gate[u];
  if (a >= 1) return true;
  if (st.stamp[u] !== st.run) {
    st.stamp[u] = st.run;
    st.open[u] = rng.float() < a ? 1 : 0;
  }
  return st.open[u] === 1;
}
