import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { InputError } from '../../errors.js';
import { GRAPH_FORMATS, type GraphFormat } from '../../graph/model.js';
import { PROBABILITY_SCHEMES } from '../../diffusion/schemas.js';
import { ACTIVITY_READINGS } from '../../diffusion/request.js';
import {
  isCompare, prepareParsedRiskiest, prepareParsedScenario, prepareScenarioRequest, riskiestCustomers, riskiestRequestSchema, runScenarioRequest, scenarioFacts, scenarioRequestSchema,
  type CompareResult, type RiskiestResult, type ScenarioReport,
} from '../../scenarios/index.js';
import { num, parseFlags, table, type CliContext } from '../context.js';
import { createProgress } from '../progress.js';

interface Opts {
  file?: string;
  format?: GraphFormat;
  directed?: boolean;
  customers?: string;
  customer?: string;
  experience?: 'negative' | 'positive';
  respondAt?: string;
  effectiveness?: string;
  public?: boolean;
  private?: boolean;
  p?: string;
  probability?: string;
  activity?: string;
  negativityBias?: string;
  maxSteps?: string;
  horizon?: string;
  runs?: string;
  precision?: string;
  seed?: string;
  churn?: string;
  uplift?: string;
  currency?: string;
  compare?: string;
  riskiest?: string;
  candidates?: string;
  json?: boolean;
}

/** Request field -> the flag that sets it (for one-line errors naming the flag). */
const FLAGS: Record<string, string> = {
  customer: '--customer', customers: '--customer', negativityBias: '--negativity-bias', maxSteps: '--max-steps', response: '--respond-at/--effectiveness/--public',
  impact: '--churn/--uplift/--currency', top: '--riskiest', candidates: '--candidates',
};
const list = (s: string | undefined) => (s === undefined ? undefined : s.split(',').map((x) => x.trim()).filter((x) => x.length > 0));

/** Flags -> the scenario request body (validated by the same zod schema as HTTP; numbers that do not read as one stay text so the schema names the flag). */
function bodyFromFlags(o: Opts): Record<string, unknown> {
  const ids = list(o.customer);
  const impact = { churnIfNegative: num(o.churn), upliftIfPositive: num(o.uplift), currency: o.currency };
  const body: Record<string, unknown> = {
    ...(ids ? (ids.length === 1 ? { customer: ids[0] } : { customers: ids }) : {}),
    experience: o.experience,
    maxSteps: num(o.maxSteps),
    horizon: num(o.horizon),
    probability: o.probability,
    p: num(o.p),
    activity: o.activity,
    negativityBias: num(o.negativityBias),
    runs: num(o.runs),
    precision: num(o.precision),
    seed: num(o.seed),
  };
  if (o.public && o.private) throw new InputError('--public and --private exclude each other');
  if (o.respondAt !== undefined || o.effectiveness !== undefined || o.public || o.private) {
    // Public unless --private: the same default as the HTTP API's brand response.
    body.response = { atStep: num(o.respondAt), effectiveness: num(o.effectiveness), public: !o.private };
  }
  if (Object.values(impact).some((v) => v !== undefined)) body.impact = impact;
  return JSON.parse(JSON.stringify(body)) as Record<string, unknown>; // drops undefined
}

/** A compare file (YAML or JSON): `{variants: [...], ...base overrides}` or just the list of variants. */
async function readCompareFile(path: string): Promise<Record<string, unknown>> {
  const text = await readFile(path, 'utf8');
  let doc: unknown;
  try {
    doc = /\.json$/i.test(path) ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new InputError(`${path}: not valid ${/\.json$/i.test(path) ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (Array.isArray(doc)) return { variants: doc };
  if (doc && typeof doc === 'object' && Array.isArray((doc as { variants?: unknown }).variants)) return doc as Record<string, unknown>;
  throw new InputError(`${path}: expected a list of variants or an object with \`variants\``);
}

const f = (x: number, d = 2) => (Number.isInteger(x) ? String(x) : x.toFixed(d));
const ci = (m: { mean: number; ci95: [number, number] }, d = 2) => `${f(m.mean, d)} [${f(m.ci95[0], d)}, ${f(m.ci95[1], d)}]`;
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function describeResponse(r: ScenarioReport['assumptions']['response']): string {
  return r ? `answer at step ${r.atStep}, effectiveness ${r.effectiveness}, ${r.public ? 'public' : 'private'}` : 'no answer';
}

/** The money unit: the currency, or "per customer" when the graph gives no customer values. */
const moneyUnit = (r: Pick<ScenarioReport, 'money' | 'valuesAreDefaults'>) => (r.valuesAreDefaults ? 'per customer' : r.money.currency);

function humanReport(r: ScenarioReport, source: string): string {
  const a = r.assumptions;
  const cur = moneyUnit(r);
  const rows: (string | number)[][] = [
    ['customers reached', ci(r.reach)],
    ['negative', ci(r.negative)],
    ['positive', ci(r.positive)],
    ['impressions', ci(r.impressions, 0)],
    ['time to peak (step)', `${ci(r.timeToPeak)}  (mean curve: step ${r.timeToPeak.meanCurvePeak})`],
    ...(['negative', 'positive'] as const).map((o) => {
      const p = o === 'negative' ? r.negativeTimeToPeak : r.positiveTimeToPeak;
      const over = p && p.runs === r.runs ? `in all ${r.runs} runs` : `in the ${p?.runs} of ${r.runs} runs where it spreads`;
      return [`  ${o} opinion`, p ? `${ci(p)}  (${over})` : '- (it reaches no one)'];
    }),
    ['value exposed', `${ci(r.valueExposed)}  (${pct(r.valueExposed.share.mean)} of ${f(r.valueExposed.graphValue)})`],
    [`money at risk (${cur})`, ci(r.money.atRisk)],
    [`earned (${cur})`, ci(r.money.earned)],
    [`net (${cur})`, ci(r.money.net)],
  ];
  const curve = r.negativeSteps.slice(0, 8).map((s, i) => `${s.step}:${f(s.newMean)}/${f(r.positiveSteps[i]?.newMean ?? 0)}`).join(' ');
  return [
    `${a.experience === 'negative' ? 'complaint' : 'praise'} from ${r.customers.join(', ')} on ${source}: ${describeResponse(a.response)}`,
    `p ${a.p} (${a.probability}${a.activity === 'gate' ? ', activity as a gate' : ''}), negativity bias ${a.negativityBias}, max steps ${a.maxSteps}, churn ${a.impact.churnIfNegative}, uplift ${a.impact.upliftIfPositive}; ${r.runs} runs, seed ${r.seed}`,
    table(['figure', 'mean [95% CI]'], rows),
    `passed it on (share of runs): ${(r.passers ?? []).map((x) => `${x.label ? `${x.label} (${x.id})` : x.id} ${pct(x.frequency)}`).join(', ') || '-'}`,
    `most often reached: ${r.amplifiers.map((x) => `${x.label ? `${x.label} (${x.id})` : x.id} ${pct(x.frequency)}`).join(', ') || '-'}`,
    `new negative/positive per step: ${curve}${r.negativeSteps.length > 8 ? ' …' : ''}`,
    '',
    r.summary,
  ].join('\n');
}

function humanCompare(c: CompareResult, source: string): string {
  const cur = c.variants[0] ? moneyUnit(c.variants[0]) : '';
  const rel = (d: { relative: { mean: number; ci95: [number, number] } | null }) =>
    d.relative ? `${pct(d.relative.mean)} [${pct(d.relative.ci95[0])}, ${pct(d.relative.ci95[1])}]` : '-';
  return [
    `${c.variants.length} variants on ${source}, ${c.runs} runs each on the same random streams (seed ${c.seed})`,
    table(
      ['variant', 'answer', 'negative', 'positive', 'impressions', `at risk (${cur})`, `net (${cur})`],
      c.variants.map((v) => [v.name, describeResponse(v.assumptions.response), ci(v.negative), ci(v.positive), ci(v.impressions, 0), ci(v.money.atRisk), ci(v.money.net)]),
    ),
    c.differences.length === 0
      ? ''
      : `paired differences (to − from, 95% CI; relative change by the delta method):\n${table(
          ['from', 'to', 'negative', 'negative %', `at risk (${cur})`, `net (${cur})`],
          c.differences.map((d) => [d.from, d.to, ci(d.negative), rel(d.negative), ci(d.money.atRisk), ci(d.money.net)]),
        )}`,
    '',
    c.summary,
  ].join('\n');
}

function humanRiskiest(r: RiskiestResult, source: string): string {
  return [
    `whose complaint would hurt most on ${source} (${r.candidates === 'value' ? 'top customers by network value' : 'given candidates'}; ${r.runs} runs each, seed ${r.seed})`,
    table(
      ['rank', 'customer', 'own value', `at risk (${r.currency}) [95% CI]`, 'negative reach', 'impressions'],
      r.top.map((e) => [e.rank, e.id, Number(f(e.ownValue)), ci(e.money.atRisk), ci(e.negative), ci(e.impressions, 0)]),
    ),
  ].join('\n');
}

/**
 * `ripple scenario GRAPH --customer ID --experience negative|positive [--respond-at T] [--effectiveness E] [--public|--private]
 * [--p X] [--runs N] [--seed S] [--compare FILE] [--riskiest N] [--json] [--file FILE]` (DESIGN §6, §8).
 */
export default function register(program: Command, ctx: CliContext): void {
  program
    .command('scenario')
    .description('what if this customer complains (or praises)? reach, impressions and money with 95% CIs; --compare variants; --riskiest N')
    .argument('[graph]', 'stored graph id')
    .option('--file <file>', 'read a graph file instead of the store')
    .addOption(new Option('--format <format>', 'with --file: input format (default: from the extension)').choices(GRAPH_FORMATS))
    .option('--directed', 'with --file: edge lists and CSV are directed')
    .option('--customers <file>', 'with --file: customers CSV (id,label,followers,value,segment,activity)')
    .option('--customer <id>', 'the customer who speaks up (several: a,b,c)')
    .addOption(new Option('--experience <kind>', 'negative (a complaint, default) or positive (praise)').choices(['negative', 'positive']))
    .option('--respond-at <step>', 'the brand answers after the activations of this step (0 = before the customer speaks)')
    .option('--effectiveness <e>', 'probability that the answer turns the complainant positive (default 0.5)')
    .option('--public', 'answer publicly: a turned complainant spreads praise (the default)')
    .option('--private', 'answer privately: a turned complainant stays quiet')
    .option('--p <x>', 'arc probability (default 0.05)')
    .addOption(new Option('--probability <scheme>', 'arc probability scheme (default uniform)').choices(PROBABILITY_SCHEMES))
    .addOption(new Option('--activity <reading>', 'how a customer\'s activity acts: per-arc (default: multiplies its arcs) or gate (passes it on at all with probability activity)').choices(ACTIVITY_READINGS))
    .option('--negativity-bias <b>', 'a complaint crosses an arc with min(1, p·b) (default 2)')
    .option('--max-steps <steps>', 'last step simulated (default 20)')
    .option('--horizon <steps>', 'deprecated: the old name of --max-steps')
    .option('--runs <n>', 'Monte Carlo runs (default 2000)')
    .option('--precision <r>', 'instead of --runs: stop when the 95% CI half-width of reach <= r·mean')
    .option('--seed <s>', 'random seed (default 1)')
    .option('--churn <c>', 'churnIfNegative: share of a negative customer\'s value lost (default 0.05)')
    .option('--uplift <u>', 'upliftIfPositive: share of a positive customer\'s value gained (default 0.02)')
    .option('--currency <code>', 'label of the money figures (default: the graph\'s currency, else EUR)')
    .option('--compare <file>', 'YAML/JSON file of variants ({variants: [{name, ...overrides}]}) run on the same random streams')
    .option('--riskiest <n>', 'rank the top-N customers by network value (or --candidates) by money at risk if they complain')
    .option('--candidates <ids>', 'with --riskiest: candidate ids a,b,c instead of the top by network value')
    .option('--json', 'print one JSON document')
    .action(async (graphId: string | undefined, o: Opts) => {
      const loaded = await ctx.loadGraph({ id: graphId, file: o.file, format: o.format, directed: o.directed ? true : undefined, customers: o.customers });
      const source = loaded.summary ? `${loaded.summary.id} ("${loaded.summary.name}")` : loaded.source;
      const facts = scenarioFacts(loaded.data);
      const body = bodyFromFlags(o);
      if (o.riskiest !== undefined) {
        const { customer: _c, customers: _cs, experience: _e, ...rest } = body;
        const candidates = list(o.candidates);
        const req = { ...rest, top: num(o.riskiest), ...(candidates ? { candidates } : {}) };
        // Validated once (the flags) and its candidates resolved: the engine runs it as it is.
        const prepared = prepareParsedRiskiest(loaded.graph, parseFlags(riskiestRequestSchema, req, FLAGS), facts.currency, facts.stepDuration);
        const progress = createProgress({ label: 'riskiest', total: 1, json: o.json, stream: ctx.stderr });
        try {
          const r = await ctx.cancellable((signal) =>
            riskiestCustomers(loaded.graph, prepared, { pool: ctx.pool(), signal, ...facts, onProgress: (d, t) => progress.update(d, t) }));
          progress.stop();
          ctx.output(Boolean(o.json), r, () => humanRiskiest(r, source));
        } finally {
          progress.stop();
        }
        return;
      }
      const parsed = parseFlags(scenarioRequestSchema, body, FLAGS);
      const req = o.compare ? { ...body, ...(await readCompareFile(o.compare)) } : body;
      if (req.customer === undefined && req.customers === undefined && !o.compare) throw new InputError('give --customer ID (or --riskiest N)');
      // Validated once (the flags, or the flags with the compare file) and its customers resolved: the engine runs it as it is.
      const prepared = o.compare
        ? prepareScenarioRequest(loaded.graph, req, facts.currency, facts.stepDuration)
        : prepareParsedScenario(loaded.graph, parsed, facts.currency, facts.stepDuration);
      const progress = createProgress({ label: 'scenario', total: 1, json: o.json, stream: ctx.stderr });
      try {
        const r = await ctx.cancellable((signal) =>
          runScenarioRequest(loaded.graph, prepared, { pool: ctx.pool(), signal, ...facts, onProgress: (d, t) => progress.update(d, t) }));
        progress.stop();
        ctx.output(Boolean(o.json), r, () => (isCompare(r) ? humanCompare(r, source) : humanReport(r, source)));
      } finally {
        progress.stop();
      }
    });
}
