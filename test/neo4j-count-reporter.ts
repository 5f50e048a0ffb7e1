/**
 * Prints, after the run, how many tests of the Neo4j files ran against a real server: one line
 * `neo4j: N passed, N failed, N skipped` (files whose name contains "neo4j" or "gds"), so the CI log shows it.
 */
import { basename } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

export default class Neo4jCountReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const m of modules) {
      if (!/neo4j|gds/i.test(basename(m.moduleId))) continue;
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
    }
    const where = process.env.NEO4J_URI ? `against ${process.env.NEO4J_URI}` : 'without NEO4J_URI (real-server tests skipped)';
    console.log(`neo4j tests ${where}: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  }
}
