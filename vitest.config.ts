import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    // The second reporter prints how many Neo4j tests ran (and against which server) for the CI log.
    reporters: ['default', './test/neo4j-count-reporter.ts'],
  },
});
