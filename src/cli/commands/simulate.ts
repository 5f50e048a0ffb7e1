import { Option, type Command } from 'commander';
import { z } from 'zod';
import { resolveParsedSimulation, simulate, simulationRequestSchema, type SimulationRequest, type SimulationResult } from '../../diffusion/index.js';
import { parameterDocs, parameterHelp } from '../../diffusion/models/parameters.js';
import { MODEL_DEFINITIONS, MODELS } from '../../diffusion/models/registry.js';
import { commonRequestFields, DEFAULT_RUNS } from '../../diffusion/request.js';
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
  maxSteps?: string;
  amplifiers?: string;
  top?: string;
  json?: boolean;
  /** The models' parameter flags (--p, --probability, --beta, …), from the registry. */
  [param: string]: string | boolean | undefined;
}

/** The models' parameters that are flags (numbers, enums, booleans; objects such as voice's `response` are not). */
const PARAMETER_FLAGS = parameterDocs().filter((d) => d.kind !== 'other');

const NUMERIC = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Flags -> a simulation request, validated by the same zod schema as `POST /graphs/:id/simulations`. */
export function simulationRequestFromFlags(o: Opts): SimulationRequest {
  const params: Record<string, unknown> = {};
  for (const d of PARAMETER_FLAGS) {
    const v = o[d.key];
    params[d.key] = typeof v !== 'string' ? v : d.kind === 'number' || (d.kind === 'string' && d.value instanceof z.ZodUnion && NUMERIC.test(v)) ? num(v) : v;
  }
  return parseFlags(
    simulationRequestSchema,
    {
      model: o.model ?? DEFAULT_MODEL, seeds: list(o.seeds), runs: num(o.runs), precision: num(o.precision), maxRuns: num(o.maxRuns),
      seed: num(o.seed), maxSteps: num(o.maxSteps), amplifiers: num(o.amplifiers), top: num(o.top),
      exceedance: list(o.exceedance as string | undefined)?.map((x) => num(x)), trace: o.trace ? true : undefined,
      bins: num(o.bins as string | undefined), histogram: histogramFromFlags(o), samples: o.samples ? true : undefined, ...params,
    },
    {},
    `with --model ${o.model ?? DEFAULT_MODEL}`,
  );
}

/** --histogram-edges e0,e1,… or --histogram-width W [--histogram-start S] -> the request's `histogram` (one of them). */
function histogramFromFlags(o: Opts): unknown {
  const edges = list(o.histogramEdges as string | undefined);
  const width = o.histogramWidth as string | undefined;
  if (edges && width !== undefined) return { edges: edges.map((x) => num(x)), width: num(width) }; // both: the schema says which is wrong
  if (edges) return { edges: edges.map((x) => num(x)) };
  if (width !== undefined) return { width: num(width), start: num(o.histogramStart as string | undefined) };
  if (o.histogramStart !== undefined) return { start: num(o.histogramStart as string) };
  return undefined;
}

const DEFAULT_MODEL = MODELS[0];
const commonDefault = (key: keyof typeof commonRequestFields) => String(commonRequestFields[key].parse(undefined));

function human(r: SimulationResult): string {
  const s = r.reach;
  const lines = [
    `${r.model} from ${r.seeds.join(', ')}: ${r.runs} runs, seed ${r.seed}${r.probability ? `, ${r.probability} probabilities` : ''} (${fmt(r.elapsedMs, 0)} ms)`,
    `reach ${fmt(s.mean)} ± ${fmt(s.ci95[1] - s.mean)} (95% CI), sd ${fmt(s.sd)}, min ${s.min}, max ${s.max}`,
    `quantiles p5 ${s.quantiles.p5}, p25 ${s.quantiles.p25}, p50 ${s.quantiles.p50}, p75 ${s.quantiles.p75}, p95 ${s.quantiles.p95}`,
  ];
  if (r.negative && r.positive) lines.push(`negative ${fmt(r.negative.mean)} ± ${fmt(r.negative.ci95[1] - r.negative.mean)}, positive ${fmt(r.positive.mean)} ± ${fmt(r.positive.ci95[1] - r.positive.mean)}`);
  const rows = (r as { compartments?: Record<string, number>[] }).compartments;
  if (rows && rows.length > 0) {
    const last = rows[rows.length - 1];
    lines.push(`after step ${last.step}: ${Object.entries(last).filter(([k]) => k !== 'step').map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`);
  }
  for (const e of r.exceedance ?? []) lines.push(`P(reach >= ${e.atLeast}) = ${fmt(e.probability, 4)} [${fmt(e.ci95[0], 4)}, ${fmt(e.ci95[1], 4)}]`);
  if (r.amplifiers.length > 0) lines.push('', table(['amplifier', 'frequency'], r.amplifiers.map((a) => [a.id, Number(a.frequency.toFixed(4))])));
  if (r.trace) {
    const shown = r.trace.events.slice(0, 20);
    lines.push('', `trace of run ${r.trace.run}: ${r.trace.events.length} events${r.trace.truncated ? ' (truncated)' : ''}${shown.length < r.trace.events.length ? `, first ${shown.length} (--json for all)` : ''}`);
    lines.push(table(['time', 'from', 'to', 'state'], shown.map((e) => [fmt(e.time), e.from ?? '-', e.to, e.state])));
  }
  return lines.join('\n');
}

/**
 * `ripple simulate (GRAPH_ID | --file FILE) --model MODEL --seeds a,b --runs N --seed S [...] [--json]` (models and
 * their flags from the registry, src/diffusion/models/registry.ts):
 * the same request and result as `POST /graphs/:id/simulations`, on `--workers` threads, a progress bar on stderr,
 * Ctrl-C stops the workers and exits 130.
 */
export default function register(program: Command, ctx: CliContext): void {
  const cmd = addGraphFlags(program.command('simulate').description(`Monte Carlo cascade simulation from seed customers: ${MODEL_DEFINITIONS.map((d) => `${d.name} (${d.title})`).join(', ')}`))
    .addOption(new Option('--model <model>', `diffusion model (default ${DEFAULT_MODEL})`).choices(MODELS))
    .requiredOption('--seeds <ids>', 'seed customers, comma-separated')
    .option('--runs <n>', `Monte Carlo runs (default ${DEFAULT_RUNS})`)
    .option('--precision <x>', 'instead of --runs: stop when the 95% CI half-width <= x · mean')
    .option('--max-runs <n>', `with --precision: at most this many runs (default ${commonDefault('maxRuns')})`)
    .option('--seed <s>', `random seed (default ${commonDefault('seed')})`);
  for (const d of PARAMETER_FLAGS) {
    const flag = d.kind === 'boolean' ? `--${kebab(d.key)}` : `--${kebab(d.key)} <${d.kind === 'number' ? 'x' : 'value'}>`;
    const option = new Option(flag, parameterHelp(d));
    cmd.addOption(d.kind === 'enum' ? option.choices(d.choices) : option);
  }
  cmd
    .option('--max-steps <n>', `last step simulated (default ${commonDefault('maxSteps')})`)
    .option('--amplifiers <n>', `amplifiers listed (default ${commonDefault('top')})`)
    .option('--top <n>', 'deprecated: the old name of --amplifiers')
    .option('--exceedance <n,n>', 'tail risk: P(reach >= N) with a 95% CI for each N')
    .option('--bins <n>', `reach histogram: n equal-width bins over [min, max] (default ${commonDefault('bins')})`)
    .option('--histogram-edges <e,e>', 'reach histogram: explicit bin edges e0 < e1 < … (bin i: e_i .. e_(i+1) − 1)')
    .option('--histogram-width <w>', 'reach histogram: fixed bins of width w from --histogram-start (default 0)')
    .option('--histogram-start <s>', 'with --histogram-width: lower bound of the first bin')
    .option('--samples', 'also return every run\'s values (JSON `samples`, in run order)')
    .option('--trace', 'also report one traced run (run 0): who reached whom, when')
    .option('--json', 'print one JSON document')
    .action(async (graphId: string | undefined, o: Opts) => {
      const req = simulationRequestFromFlags(o);
      const { graph } = await ctx.loadGraph(graphTarget(graphId, o));
      const resolved = resolveParsedSimulation(graph, req); // parsed by the flags, seeds looked up once: the engine takes it as it is
      const total = req.precision !== undefined ? req.maxRuns : (req.runs ?? DEFAULT_RUNS);
      const bar = createProgress({ label: 'simulate', total, json: o.json, stream: ctx.stderr });
      try {
        const result = await ctx.cancellable((signal) => simulate(graph, resolved, { pool: ctx.pool(), signal, onProgress: (d, t) => bar.update(d, t) }));
        bar.stop();
        ctx.output(Boolean(o.json), result, () => human(result));
      } finally {
        bar.stop();
      }
    });
}
