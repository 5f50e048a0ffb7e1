import { Option, type Command } from 'commander';
import { MODELS, PROBABILITY_SCHEMES, simulate, simulationRequestSchema, type SimulationRequest, type SimulationResult } from '../../diffusion/index.js';
import { GRAPH_FORMATS, type GraphFormat } from '../../graph/model.js';
import { num, parseFlags, table, type CliContext, type GraphTarget } from '../context.js';
import { createProgress } from '../progress.js';

/** The graph flags every engine command shares: GRAPH_ID or --file FILE (any format of DESIGN §1). */
export interface GraphFlags {
  file?: string;
  format?: GraphFormat;
  directed?: boolean;
  customers?: string;
}

export function addGraphFlags(cmd: Command): Command {
  return cmd
    .argument('[graph]', 'stored graph id')
    .option('--file <file>', 'read a graph file instead of the store')
    .addOption(new Option('--format <format>', 'with --file: input format (default: from the extension)').choices(GRAPH_FORMATS))
    .option('--directed', 'with --file: edge lists and CSV are directed')
    .option('--customers <file>', 'with --file: customers CSV');
}

export function graphTarget(graphId: string | undefined, o: GraphFlags): GraphTarget {
  return { id: graphId, file: o.file, format: o.format, directed: o.directed ? true : undefined, customers: o.customers };
}

export const list = (s: string | undefined): string[] | undefined =>
  s === undefined ? undefined : s.split(',').map((x) => x.trim()).filter((x) => x.length > 0);

/** Fixed decimals for people; JSON keeps every digit. */
export const fmt = (x: number, d = 3): string => (Number.isInteger(x) ? String(x) : x.toFixed(d));

interface Opts extends GraphFlags {
  model?: string;
  seeds?: string;
  runs?: string;
  precision?: string;
  maxRuns?: string;
  seed?: string;
  p?: string;
  probability?: string;
  beta?: string;
  gamma?: string;
  negativityBias?: string;
  experience?: string;
  maxSteps?: string;
  top?: string;
  json?: boolean;
}

const FLAGS: Record<string, string> = {
  negativityBias: '--negativity-bias', maxSteps: '--max-steps', maxRuns: '--max-runs',
};

/** Flags -> a simulation request, validated by the same zod schema as `POST /graphs/:id/simulations`. */
export function simulationRequestFromFlags(o: Opts): SimulationRequest {
  return parseFlags(
    simulationRequestSchema,
    {
      model: o.model ?? 'ic', seeds: list(o.seeds), runs: num(o.runs), precision: num(o.precision), maxRuns: num(o.maxRuns),
      seed: num(o.seed), p: num(o.p), probability: o.probability, beta: num(o.beta), gamma: num(o.gamma),
      negativityBias: num(o.negativityBias), experience: o.experience, maxSteps: num(o.maxSteps), top: num(o.top),
    },
    FLAGS,
    `with --model ${o.model ?? 'ic'}`,
  );
}

function human(r: SimulationResult): string {
  const s = r.reach;
  const lines = [
    `${r.model} from ${r.seeds.join(', ')}: ${r.runs} runs, seed ${r.seed}, ${r.probability} probabilities (${fmt(r.elapsedMs, 0)} ms)`,
    `reach ${fmt(s.mean)} ± ${fmt(s.ci95[1] - s.mean)} (95% CI), sd ${fmt(s.sd)}, min ${s.min}, max ${s.max}`,
    `quantiles p5 ${s.quantiles.p5}, p25 ${s.quantiles.p25}, p50 ${s.quantiles.p50}, p75 ${s.quantiles.p75}, p95 ${s.quantiles.p95}`,
  ];
  if (r.negative && r.positive) lines.push(`negative ${fmt(r.negative.mean)} ± ${fmt(r.negative.ci95[1] - r.negative.mean)}, positive ${fmt(r.positive.mean)} ± ${fmt(r.positive.ci95[1] - r.positive.mean)}`);
  if (r.amplifiers.length > 0) lines.push('', table(['amplifier', 'frequency'], r.amplifiers.map((a) => [a.id, Number(a.frequency.toFixed(4))])));
  return lines.join('\n');
}

/**
 * `ripple simulate (GRAPH_ID | --file FILE) --model ic|lt|sir|voice --seeds a,b --runs N --seed S [...] [--json]`:
 * the same request and result as `POST /graphs/:id/simulations`, on `--workers` threads, a progress bar on stderr,
 * Ctrl-C stops the workers and exits 130.
 */
export default function register(program: Command, ctx: CliContext): void {
  addGraphFlags(program.command('simulate').description('Monte Carlo cascade simulation (IC, LT, SIR, voice) from seed customers'))
    .addOption(new Option('--model <model>', 'diffusion model (default ic)').choices(MODELS))
    .requiredOption('--seeds <ids>', 'seed customers, comma-separated')
    .option('--runs <n>', 'Monte Carlo runs (default 1000)')
    .option('--precision <x>', 'instead of --runs: stop when the 95% CI half-width <= x · mean')
    .option('--max-runs <n>', 'with --precision: at most this many runs (default 100000)')
    .option('--seed <s>', 'random seed (default 1)')
    .option('--p <x>', 'arc probability for the uniform scheme, fallback for attribute (default 0.05; sir: 1)')
    .addOption(new Option('--probability <scheme>', 'arc probabilities (default: uniform; weighted-cascade for lt)').choices(PROBABILITY_SCHEMES))
    .option('--beta <x>', 'sir: infection probability per step (default 0.1)')
    .option('--gamma <x>', 'sir: recovery probability per step (default 0.5)')
    .option('--negativity-bias <x>', 'voice: negative messages use p · bias (default 2)')
    .option('--experience <e>', 'voice: negative (default) or positive')
    .option('--max-steps <n>', 'last step simulated (default 1000)')
    .option('--top <n>', 'amplifiers listed (default 10)')
    .option('--json', 'print one JSON document')
    .action(async (graphId: string | undefined, o: Opts) => {
      const req = simulationRequestFromFlags(o);
      const { graph } = await ctx.loadGraph(graphTarget(graphId, o));
      const total = req.precision !== undefined ? req.maxRuns : (req.runs ?? 1000);
      const bar = createProgress({ label: 'simulate', total, json: o.json, stream: ctx.stderr });
      try {
        const result = await ctx.cancellable((signal) => simulate(graph, req, { pool: ctx.pool(), signal, onProgress: (d, t) => bar.update(d, t) }));
        bar.stop();
        ctx.output(Boolean(o.json), result, () => human(result));
      } finally {
        bar.stop();
      }
    });
}
