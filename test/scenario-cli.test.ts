import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { root, ripple, type CliResult as Result } from './cli-helper.js';
import { tempDir } from './helper.js';

function expectOneLineError(r: Result, code: number, message: RegExp) {
  expect(r.code).toBe(code);
  expect(r.stdout).toBe('');
  const lines = r.stderr.split('\n').filter((l) => l.length > 0);
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^ripple: /);
  expect(lines[0]).toMatch(message);
}

const GRAPH = JSON.stringify({
  name: 'cli scenario', directed: false, currency: 'EUR',
  customers: [{ id: 'a', value: 40, followers: 10 }, { id: 'b', value: 10 }, { id: 'c' }, { id: 'd', value: 5 }],
  ties: [{ source: 'a', target: 'b' }, { source: 'b', target: 'c' }, { source: 'c', target: 'd' }, { source: 'a', target: 'c' }],
});

beforeAll(() => {
  if (!existsSync(join(root, 'dist', 'src', 'cli', 'commands', 'scenario.js'))) throw new Error('dist is not built: run `npm run build` first');
});

async function files() {
  const dir = await tempDir();
  const graph = join(dir, 'g.json');
  await writeFile(graph, GRAPH);
  return { dir, graph };
}

describe('ripple scenario', () => {
  it('--json prints one report; flags map to the request', async () => {
    const { graph } = await files();
    const r = await ripple(['scenario', '--file', graph, '--customer', 'a', '--p', '0.5', '--runs', '300', '--seed', '4', '--respond-at', '1', '--effectiveness', '0.7', '--public', '--churn', '0.1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.assumptions).toMatchObject({
      customers: ['a'], p: 0.5, runs: 300, seed: 4, response: { atStep: 1, effectiveness: 0.7, public: true },
      impact: { churnIfNegative: 0.1, upliftIfPositive: 0.02, currency: 'EUR' },
    });
    expect(doc.negative.mean + doc.positive.mean).toBeCloseTo(doc.reach.mean, 9);
    expect(doc.money.atRisk.ci95).toHaveLength(2);
  });

  it('prints a readable table by default', async () => {
    const { graph } = await files();
    const r = await ripple(['scenario', '--file', graph, '--customer', 'a', '--runs', '200']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/complaint from a/);
    expect(r.stdout).toMatch(/money at risk \(EUR\)\s+[\d.]+ \[/);
  });

  it('--compare FILE.yaml runs variants on the same streams', async () => {
    const { dir, graph } = await files();
    const yaml = join(dir, 'cmp.yaml');
    await writeFile(yaml, 'variants:\n  - name: none\n    response: null\n  - name: same\n  - name: before\n    response: { atStep: 0, effectiveness: 1 }\n');
    const r = await ripple(['scenario', '--file', graph, '--customer', 'a', '--p', '0.4', '--runs', '300', '--compare', yaml, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.variants.map((v: { name: string }) => v.name)).toEqual(['none', 'same', 'before']);
    expect(doc.differences[0].negative).toMatchObject({ mean: 0, ci95: [0, 0] });
    expect(doc.variants[2].negative.max).toBe(0);
    const human = await ripple(['scenario', '--file', graph, '--customer', 'a', '--runs', '100', '--compare', yaml]);
    expect(human.stdout).toMatch(/paired differences/);
  });

  it('--riskiest N ranks customers by money at risk', async () => {
    const { graph } = await files();
    const r = await ripple(['scenario', '--file', graph, '--riskiest', '2', '--runs', '200', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.top).toHaveLength(2);
    expect(doc.top[0].money.atRisk.mean).toBeGreaterThanOrEqual(doc.top[1].money.atRisk.mean);
  });

  it('--file CSV + --customers FILE: money uses the customers\' values (as import/simulate/value)', async () => {
    const dir = await tempDir();
    const ties = join(dir, 'ties.csv');
    const customers = join(dir, 'customers.csv');
    await writeFile(ties, 'source,target\nanna@ex.de,zoë@ex.nl\n');
    await writeFile(customers, 'id,label,followers,value,segment,activity\nanna@ex.de,Anna,5,100,loyal,1\nzoë@ex.nl,Zoë,0,300,new,1\n');
    // p 0.5 with bias 2: the complaint always reaches zoë, so at risk = 0.1 × (100 + 300) in every run.
    const r = await ripple(['scenario', '--file', ties, '--customers', customers, '--customer', 'anna@ex.de', '--p', '0.5', '--churn', '0.1', '--runs', '50', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.negative.mean).toBe(2);
    expect(doc.money.atRisk.mean).toBeCloseTo(40, 9);
    expect(doc.impressions.mean).toBe(1 + 5 + 1);
  });

  it('unknown customer and bad flags: one line, exit 2', async () => {
    const { graph } = await files();
    expectOneLineError(await ripple(['scenario', '--file', graph, '--customer', 'zz']), 2, /customer "zz" is not in the graph/);
    expectOneLineError(await ripple(['scenario', '--file', graph, '--customer', 'a', '--p', '2']), 2, /p:/);
    expectOneLineError(await ripple(['scenario', '--file', graph]), 2, /--customer/);
    expectOneLineError(await ripple(['scenario', '--file', graph, '--customer', 'a', '--compare', join(graph, 'nope.yaml')]), 2, /nope\.yaml/);
  });
});
