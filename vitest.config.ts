import { defineConfig } from 'vitest/config';

/**
 * Tests that time the server's answers (/health while a big answer is built; the work pilots) run last, one file at a
 * time: beside other test files on two cores, what they measure is the neighbours, not Ripple.
 */
const TIMED = ['test/abuse-liveness.test.ts', 'test/abuse-memory.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    // The second reporter prints how many Neo4j tests ran (and against which server) for the CI log.
    reporters: ['default', './test/neo4j-count-reporter.ts'],
    projects: [
      { extends: true, test: { name: 'suite', include: ['test/**/*.test.ts'], exclude: TIMED, sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'timed', include: TIMED, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
