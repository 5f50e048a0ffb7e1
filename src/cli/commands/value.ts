import { Option, type Command } from 'commander';
import { PROBABILITY_SCHEMES } from '../../diffusion/schemas.js';
import { customerValueRequestSchema, INFLUENCE_MODELS, VALUE_RANKING_KEYS, valueRankingRequestSchema } from '../../influence/schemas.js';
import { customerValue, rankValues } from '../../influence/value.js';
import { num, parseFlags, table, type CliContext } from '../context.js';
import { createProgress } from '../progress.js';
import { addGraphFlags, fmt, graphTarget, list, type GraphFlags } from './simulate.js';

interface Opts extends GraphFlags {
  customer?: string;
  top?: string;
  by?: string;
  model?: string;
  probability?: string;
  p?: string;
  runs?: string;
  rrSets?: string;
  seed?: string;
  activity?: string;
  baseline?: string;
  baselineShare?: string;
  json?: boolean;
}

/**
 * `ripple value (GRAPH_ID | --file FILE) [--customer ID] [--top K] [--json]`: one customer's own value + value-weighted reach
 * (and with --baseline / --baseline-share its incremental value)
 * (as `GET /graphs/:id/customers/:customerId/value`) or everyone ranked (as `GET /graphs/:id/value`).
 */
export default function register(program: Command, ctx: CliContext): void {
  addGraphFlags(program.command('value').description("what customers are worth, network included: one (--customer) or the top ones"))
    .option('--customer <id>', 'one customer (Monte Carlo from it alone)')
    .option('--top <k>', 'ranking: customers listed (default 10)')
    .addOption(new Option('--by <key>', 'ranking: total (default), valueWeightedReach (network: its deprecated name) or incremental value (with minus without, given --baseline)').choices([...VALUE_RANKING_KEYS]))
    .option('--baseline <ids>', 'organic adopters, comma-separated: incremental values are measured against them (ranking and --customer)')
    .option('--baseline-share <x>', 'each customer adopts organically with this probability (incremental values; ranking and --customer)')
    .addOption(new Option('--activity <reading>', 'how activity acts (ic): per-arc (default) or gate').choices(['per-arc', 'gate']))
    .addOption(new Option('--model <model>', 'diffusion model (default ic)').choices(INFLUENCE_MODELS))
    .addOption(new Option('--probability <scheme>', 'arc probabilities (default: uniform; weighted-cascade for lt)').choices(PROBABILITY_SCHEMES))
    .option('--p <x>', 'arc probability for the uniform scheme (default 0.05)')
    .option('--runs <n>', 'with --customer: Monte Carlo runs (default 10000)')
    .option('--rr-sets <n>', 'value-weighted RR sets of the ranking, or of --customer\'s incremental value (default 200000)')
    .option('--seed <s>', 'random seed (default 1)')
    .option('--json', 'print one JSON document')
    .action(async (graphId: string | undefined, o: Opts) => {
      const common = { model: o.model, probability: o.probability, p: num(o.p), seed: num(o.seed), activity: o.activity };
      const flags = { rrSets: '--rr-sets' };
      if (o.customer !== undefined) {
        const customer = o.customer;
        const req = parseFlags(
          customerValueRequestSchema,
          { ...common, runs: num(o.runs), top: num(o.top), by: o.by, rrSets: num(o.rrSets), baseline: list(o.baseline), baselineShare: num(o.baselineShare) },
          { ...flags, baselineShare: '--baseline-share' }, 'with --customer',
        );
        const { graph } = await ctx.loadGraph(graphTarget(graphId, o));
        const bar = createProgress({ label: 'value', total: req.runs, json: o.json, stream: ctx.stderr });
        try {
          const r = await ctx.cancellable((signal) => customerValue(graph, customer, req, { pool: ctx.pool(), signal, onProgress: (d, t) => bar.update(d, t) }));
          bar.stop();
          ctx.output(Boolean(o.json), r, () => [
            `${r.id}: own value ${fmt(r.ownValue)}, value-weighted reach ${fmt(r.valueWeightedReach.mean)} [${fmt(r.valueWeightedReach.ci95[0])}, ${fmt(r.valueWeightedReach.ci95[1])}], total ${fmt(r.total.mean)}`,
            ...(r.incremental
              ? [`incremental value ${fmt(r.incremental.mean)} [${fmt(r.incremental.ci95[0])}, ${fmt(r.incremental.ci95[1])}] (given ${r.baseline!.customers} organic adopters` +
                `${r.baseline!.share > 0 ? ` and a share ${r.baseline!.share}` : ''}; ${r.rrSets} RR sets)`]
              : []),
            `reach ${fmt(r.reach.mean)} customers (${r.model}, ${r.probability}${r.probability === 'uniform' ? ` p=${r.p}` : ''}, ${r.runs} runs)`,
          ].join('\n'));
        } finally {
          bar.stop();
        }
        return;
      }
      const req = parseFlags(
        valueRankingRequestSchema,
        { ...common, top: num(o.top), by: o.by, rrSets: num(o.rrSets), runs: num(o.runs), baseline: list(o.baseline), baselineShare: num(o.baselineShare) },
        { ...flags, baselineShare: '--baseline-share' }, 'without --customer',
      );
      const { graph } = await ctx.loadGraph(graphTarget(graphId, o));
      const bar = createProgress({ label: 'value', total: req.rrSets, json: o.json, stream: ctx.stderr });
      try {
        const r = await ctx.cancellable((signal) => rankValues(graph, req, { pool: ctx.pool(), signal, onProgress: (d, t) => bar.update(d, t) }));
        bar.stop();
        ctx.output(Boolean(o.json), r, () => [
          `customers ranked by ${r.by} (${r.model}, ${r.probability}${r.probability === 'uniform' ? ` p=${r.p}` : ''}; ${r.rrSets} RR sets; graph value ${fmt(r.graphValue)})`,
          r.baseline
            ? table(['rank', 'customer', 'own', 'value-weighted reach', 'total', 'incremental'], r.top.map((c) => [
              c.rank, c.id, Number(c.ownValue.toFixed(3)), Number(c.valueWeightedReach.mean.toFixed(3)), Number(c.totalValue.toFixed(3)), Number(c.incremental!.mean.toFixed(3)),
            ]))
            : table(['rank', 'customer', 'own', 'value-weighted reach', 'total'], r.top.map((c) => [c.rank, c.id, Number(c.ownValue.toFixed(3)), Number(c.valueWeightedReach.mean.toFixed(3)), Number(c.totalValue.toFixed(3))])),
        ].join('\n'));
      } finally {
        bar.stop();
      }
    });
}
