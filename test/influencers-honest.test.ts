import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { barabasiAlbert } from '../bench/generators.js';
import { compile } from '../src/graph/compile.js';
import { findInfluencers } from '../src/influence/influencers.js';
import { readGraphFile } from '../src/io/read-graph-file.js';
import { dataDir } from './influence-helpers.js';

/**
 * Issue 19, "honest influencer answers": every method's gains and estimated spread come from an RR collection drawn
 * after the choice (not selected on), with intervals; IMM compares its pick with the heuristics' on another fresh
 * collection and answers the best, saying which won. Before, IMM's gains were its final collection's (optimistic by
 * about 2%), gains had no intervals, and at p = 0.01 on NetHEPT IMM's seeds reached less than degree discount's.
 */
describe('influencers: judged on evidence they were not selected on', () => {
  const g = barabasiAlbert(2000, 2, 3);

  it('imm answers the best of its pick and the heuristics\' on a fresh collection, with paired differences', async () => {
    const r = await findInfluencers(g, { k: 5, method: 'imm', p: 0.05, runs: 2000, gainSamples: 20_000, seed: 2 });
    const c = r.comparison!;
    expect(c.candidates.map((x) => x.method)).toEqual(['imm', 'degree-discount', 'degree', 'pagerank']);
    const best = c.candidates.reduce((a, b) => (b.estimate > a.estimate ? b : a));
    expect(c.winner).toBe(best.method);
    expect(r.pickedBy).toBe(c.winner);
    expect(r.method).toBe('imm');
    expect(c.rrSets).toBeGreaterThanOrEqual(Math.max(20_000, r.imm!.theta));
    for (const x of c.candidates) {
      expect(x.ci95[0]).toBeLessThanOrEqual(x.estimate);
      expect(x.ci95[1]).toBeGreaterThanOrEqual(x.estimate);
      // differences to the winner are never positive (it is the best on this collection), exactly 0 for the winner
      expect(x.differenceToWinner.mean).toBeLessThanOrEqual(0);
      // the winner (and a heuristic that picked the very same customers) differ by exactly 0; any other pick never by
      // a zero-width interval
      if (x.method === c.winner) expect(x.differenceToWinner).toEqual({ mean: 0, ci95: [0, 0] });
      else if (x.estimate !== best.estimate) expect(x.differenceToWinner.ci95[1]).toBeGreaterThan(x.differenceToWinner.ci95[0]);
    }
    // without compare, IMM's own pick
    const plain = await findInfluencers(g, { k: 5, method: 'imm', p: 0.05, runs: 2000, gainSamples: 20_000, seed: 2, compare: false });
    expect(plain.comparison).toBeUndefined();
    expect(plain.pickedBy).toBe('imm');
  });

  it('gains and the estimated spread come from a fresh collection, with Wilson intervals that cover the engine\'s spread', async () => {
    for (const method of ['imm', 'celf', 'degree', 'pagerank', 'degree-discount'] as const) {
      const r = await findInfluencers(g, { k: 4, method, p: 0.05, runs: 4000, gainSamples: 50_000, celfRuns: 200, seed: 5 });
      const sum = r.seeds.reduce((s, x) => s + x.gain, 0);
      expect(r.estimatedSpread, method).toBeCloseTo(sum, 9);
      expect(r.evaluation.rrSets).toBeGreaterThanOrEqual(50_000); // whole batches
      for (const s of r.seeds) {
        expect(s.gainCi95[0], method).toBeLessThanOrEqual(s.gain);
        expect(s.gainCi95[1], method).toBeGreaterThan(s.gain);
      }
      // two independent unbiased estimates of the same expectation: the RR one and the engine's Monte Carlo
      const se = (r.estimatedSpreadCi95[1] - r.estimatedSpreadCi95[0]) / 3.92;
      expect(Math.abs(r.estimatedSpread - r.spread.mean), method).toBeLessThan(4 * Math.hypot(se, r.spread.stderr));
      if (method === 'imm') expect(r.imm!.selectionEstimate).toBeGreaterThan(0);
      if (method === 'celf') expect(r.celf!.selectionEstimate).toBeGreaterThan(0);
    }
  });

  const file = path.join(dataDir, 'nethept', 'NetHEPT.txt');
  if (!existsSync(file)) console.log(`influencers-honest: NetHEPT check skipped, ${file} not found`);
  it.skipIf(!existsSync(file))('NetHEPT, IC p = 0.01, k = 50: the answer reaches at least as far as degree discount\'s pick', async () => {
    const nethept = compile((await readGraphFile(file)).data);
    const imm = await findInfluencers(nethept, { k: 50, method: 'imm', p: 0.01, runs: 10_000, seed: 1 });
    const dd = await findInfluencers(nethept, { k: 50, method: 'degree-discount', p: 0.01, runs: 10_000, seed: 1 });
    const c = imm.comparison!;
    const ddCandidate = c.candidates.find((x) => x.method === 'degree-discount')!;
    expect(c.candidates.find((x) => x.method === imm.pickedBy)!.estimate).toBeGreaterThanOrEqual(ddCandidate.estimate);
    // and on the engine's Monte Carlo (independent of both collections) the answer is not worse than degree discount's
    // pick beyond noise (the RR comparison is as large as IMM's own collection: ~0.15 customers of error here)
    expect(imm.spread.mean).toBeGreaterThanOrEqual(dd.spread.mean - 3 * Math.hypot(imm.spread.stderr, dd.spread.stderr) - 0.5);
  }, 300_000);
});
