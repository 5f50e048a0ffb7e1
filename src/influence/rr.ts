/**
 * Reverse-reachable (RR) sets for IC and LT (Borgs, Brautbar, Chayes, Lucier, SODA 2014), by what each part holds:
 * - rr/spec.ts: what a sampler reads (RRSpec: in-arc probabilities, alias tables for value-weighted roots);
 * - rr/sampling.ts: the sampling kernels (reverse IC BFS, reverse LT walk), batch by batch, and the pool task;
 * - rr/collection.ts: flat collections of RR sets (RRCollection, RRCounter) and growRR (in-thread or on a pool);
 * - rr/coverage.ts: member counts, coverage of a seed set, greedy maximum coverage (IMM's node selection).
 */
export * from './rr/spec.js';
export * from './rr/sampling.js';
export * from './rr/collection.js';
export * from './rr/coverage.js';
