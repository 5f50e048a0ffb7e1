import { Option, type Command } from 'commander';
import { PROBABILITY_SCHEMES } from '../../diffusion/schemas.js';
import { ACTIVITY_READINGS } from '../../diffusion/request.js';
import { INFLUENCE_METHODS, INFLUENCE_MODELS, influencersRequestSchema } from '../../influence/schemas.js';
import { checkInfluencersRequest, runInfluencers } from '../../services/influencers.js';
import { num, parseFlags, table, type CliContext } from '../context.js';
import { createProgress } from '../progress.js';
import { addGraphFlags, fmt, graphTarget, type GraphFlags } from './simulate.js';

interface Opts extends GraphFlags {
  k?: string;
  model?: string;
  method?: string;
  probability?: string;
  p?: string;
  activity?: string;
  epsilon?: string;
  ell?: string;
  runs?: string;
  celfRuns?: string;
  compare?: boolean;
  gainSamples?: string;
  seed?: string;
  json?: boolean;
}

/**
 * `ripple influencers (GRAPH_ID | --file FILE) --k K [--model ic|lt] [--method imm|celf|degree|pagerank|degree-discount]
 * [--epsilon E] [--json]`: as `POST /graphs/:id/influencers`.
 */
export default function register(program: Command, ctx: CliContext): void {
  addGraphFlags(program.command('influencers').description('the k customers whose voice carries furthest (IMM, CELF, baselines)'))
    .requiredOption('--k <k>', 'number of seed customers to pick')
    .addOption(new Option('--model <model>', 'diffusion model (default ic)').choices(INFLUENCE_MODELS))
    .addOption(new Option('--method <method>', 'how to pick (default imm)').choices(INFLUENCE_METHODS))
    .addOption(new Option('--probability <scheme>', 'arc probabilities (default: uniform; weighted-cascade for lt)').choices(PROBABILITY_SCHEMES))
    .option('--p <x>', 'arc probability for the uniform scheme (default 0.05)')
    .addOption(new Option('--activity <reading>', 'how a customer\'s activity acts: per-arc (default: multiplies its arcs) or gate (passes it on at all with probability activity; ic only)').choices(ACTIVITY_READINGS))
    .option('--epsilon <e>', 'IMM approximation slack (default 0.1)')
    .option('--ell <l>', 'IMM confidence exponent (default 1)')
    .option('--runs <n>', 'Monte Carlo runs re-estimating the spread (default 10000)')
    .option('--celf-runs <n>', 'CELF: shared live-edge worlds (default 1000)')
    .option('--no-compare', 'imm: answer IMM\'s own pick, without comparing it with the heuristics\' on a fresh collection')
    .option('--gain-samples <n>', 'RR sets of the fresh collection that estimates the gains (default 100000)')
    .option('--seed <s>', 'random seed (default 1)')
    .option('--json', 'print one JSON document')
    .action(async (graphId: string | undefined, o: Opts) => {
      const req = parseFlags(influencersRequestSchema, {
        k: num(o.k), model: o.model, method: o.method, probability: o.probability, p: num(o.p), activity: o.activity, epsilon: num(o.epsilon),
        ell: num(o.ell), runs: num(o.runs), celfRuns: num(o.celfRuns), seed: num(o.seed),
        compare: o.compare === false ? false : undefined, gainSamples: num(o.gainSamples),
      }, { celfRuns: '--celf-runs', gainSamples: '--gain-samples' });
      const { graph } = await ctx.loadGraph(graphTarget(graphId, o));
      checkInfluencersRequest(graph, req, { label: '--k' });
      const bar = createProgress({ label: 'influencers', total: 1, json: o.json, stream: ctx.stderr });
      try {
        const r = await ctx.cancellable((signal) => runInfluencers(graph, req, { pool: ctx.pool(), signal, progress: (share) => bar.update(share, 1) }));
        bar.stop();
        ctx.output(Boolean(o.json), r, () => [
          `${r.method} (${r.model}, ${r.probability}${r.probability === 'uniform' ? ` p=${r.p}` : ''}${r.activity === 'gate' ? ', activity as a gate' : ''}): ${r.k} seeds in ${fmt(r.elapsedMs, 0)} ms` +
            (r.pickedBy !== r.method ? ` — ${r.pickedBy}'s pick won the comparison` : ''),
          `spread ${fmt(r.spread.mean)} ± ${fmt(r.spread.ci95[1] - r.spread.mean)} (95% CI, ${r.runs} runs); on ${r.evaluation.rrSets} fresh RR sets ` +
            `${fmt(r.estimatedSpread)} [${fmt(r.estimatedSpreadCi95[0])}, ${fmt(r.estimatedSpreadCi95[1])}]`,
          ...(r.comparison
            ? [`compared on ${r.comparison.rrSets} other fresh RR sets: ` + r.comparison.candidates
              .map((c) => `${c.method} ${fmt(c.estimate)}${c.method === r.comparison!.winner ? ' (best)' : ` (${fmt(c.differenceToWinner.mean)} [${fmt(c.differenceToWinner.ci95[0])}, ${fmt(c.differenceToWinner.ci95[1])}])`}`).join(', ')]
            : []),
          table(['#', 'customer', 'gain', '95% CI'], r.seeds.map((s, i) => [i + 1, s.id, Number(s.gain.toFixed(3)), `[${fmt(s.gainCi95[0])}, ${fmt(s.gainCi95[1])}]`])),
          ...(r.warnings ?? []).map((w) => `warning: ${w}`),
        ].join('\n'));
      } finally {
        bar.stop();
      }
    });
}
