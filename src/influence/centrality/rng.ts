import { Rng } from '../../diffusion/rng.js';

/** Salt that keeps centrality's streams apart from the Monte Carlo streams of the same seed. */
const CENTRALITY_SALT = 0x43e7;

/**
 * A seeded `() => number` in [0, 1) for the two places centrality needs randomness: choosing the sources of
 * sampled betweenness and Louvain's tie-breaking. Built on the engine's Rng (sfc32), so the same seed gives
 * the same numbers on any machine.
 */
export function seededRandom(seed: number): () => number {
  const rng = new Rng(seed >>> 0, 0, CENTRALITY_SALT);
  return () => rng.float();
}
