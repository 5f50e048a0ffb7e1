/**
 * Generates the demo graph shipped in demo/demo-customers.json.gz (Ripple JSON, gzip):
 *
 *   npx tsx scripts/make-demo-graph.ts [--out demo/demo-customers.json.gz] [--customers 3000] [--seed 7]
 *   (or, after npm run build: node dist/scripts/make-demo-graph.js ...)
 *
 * The model is Holme–Kim (preferential attachment with triad formation: Holme & Kim, Phys. Rev. E 65, 2002),
 * giving a heavy-tailed degree distribution and the clustering of real friendship graphs, with homophily:
 * each newcomer belongs to a segment and attaches preferentially inside it with probability `homophily`.
 * Customer attributes: `followers` lognormal (heavy tail, grows with degree), `value` lognormal per segment
 * (EUR), `activity` in (0, 1]. Ids are c0001 … cNNNN. Same options => byte-identical file.
 */
import { realpathSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export interface DemoOptions {
  customers: number;
  /** Ties each newcomer makes. */
  m: number;
  /** Probability that a newcomer's next tie closes a triangle (a friend of its last friend). */
  triad: number;
  /** Probability that a preferential tie stays inside the newcomer's segment. */
  homophily: number;
  seed: number;
}

export const DEMO_DEFAULTS: DemoOptions = { customers: 3000, m: 3, triad: 0.5, homophily: 0.7, seed: 7 };

export const SEGMENTS = [
  { name: 'loyal', share: 0.2, valueMu: 6.0 },
  { name: 'regular', share: 0.3, valueMu: 5.3 },
  { name: 'occasional', share: 0.25, valueMu: 4.5 },
  { name: 'new', share: 0.15, valueMu: 4.0 },
  { name: 'business', share: 0.1, valueMu: 7.0 },
] as const;

/** mulberry32: a tiny seeded PRNG, uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface DemoGraph {
  name: string;
  directed: false;
  defaultValue: number;
  currency: string;
  customers: { id: string; followers: number; value: number; segment: string; activity: number }[];
  ties: { source: string; target: string }[];
}

export function makeDemoGraph(options: Partial<DemoOptions> = {}): DemoGraph {
  const o = { ...DEMO_DEFAULTS, ...options };
  const rand = mulberry32(o.seed);
  const normal = () => {
    // Box–Muller; 1 - rand() is in (0, 1] so the log is finite.
    const u = 1 - rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  };
  const n = o.customers;
  const width = Math.max(4, String(n).length);
  const id = (i: number) => `c${String(i + 1).padStart(width, '0')}`;

  const segment = new Int32Array(n);
  const cumulative = SEGMENTS.map((_, k) => SEGMENTS.slice(0, k + 1).reduce((s, x) => s + x.share, 0));
  for (let i = 0; i < n; i++) {
    const u = rand();
    const k = cumulative.findIndex((c) => u < c);
    segment[i] = k < 0 ? SEGMENTS.length - 1 : k;
  }

  const adj: Set<number>[] = Array.from({ length: n }, () => new Set<number>());
  // Preferential attachment by sampling an endpoint of a random tie: every tie end is listed once.
  const ends: number[] = [];
  const segmentEnds: number[][] = SEGMENTS.map(() => []);
  const ties: [number, number][] = [];
  const link = (u: number, v: number) => {
    adj[u].add(v);
    adj[v].add(u);
    ties.push([u, v]);
    ends.push(u, v);
    segmentEnds[segment[u]].push(u);
    segmentEnds[segment[v]].push(v);
  };
  const seedSize = Math.min(n, o.m + 1);
  for (let u = 0; u < seedSize; u++) for (let v = u + 1; v < seedSize; v++) link(u, v);

  for (let v = seedSize; v < n; v++) {
    let last = -1;
    for (let k = 0; k < o.m; k++) {
      let target = -1;
      if (last >= 0 && rand() < o.triad) {
        const friends = [...adj[last]].filter((w) => w !== v && !adj[v].has(w));
        if (friends.length > 0) target = friends[Math.floor(rand() * friends.length)];
      }
      for (let attempt = 0; target < 0 && attempt < 50; attempt++) {
        const own = segmentEnds[segment[v]];
        const pool = own.length > 0 && rand() < o.homophily ? own : ends;
        const w = pool[Math.floor(rand() * pool.length)];
        if (w !== v && !adj[v].has(w)) target = w;
      }
      if (target < 0) continue;
      link(v, target);
      last = target;
    }
  }

  const customers = [];
  for (let i = 0; i < n; i++) {
    const seg = SEGMENTS[segment[i]];
    const followers = Math.round(Math.exp(3 + 1.6 * normal()) * (1 + adj[i].size / 10));
    const value = Math.round(Math.exp(seg.valueMu + 0.8 * normal()) * 100) / 100;
    const activity = Math.round((0.02 + 0.98 * Math.pow(rand(), 1.5)) * 1000) / 1000;
    customers.push({ id: id(i), followers, value, segment: seg.name, activity: Math.min(1, Math.max(0.001, activity)) });
  }
  return {
    name: 'Demo customers',
    directed: false,
    defaultValue: 1,
    currency: 'EUR',
    customers,
    ties: ties.map(([u, v]) => ({ source: id(u), target: id(v) })),
  };
}

/** The gzip bytes written to the demo file (deterministic: gzip header without a timestamp). */
export function demoGraphBytes(options: Partial<DemoOptions> = {}): Buffer {
  return gzipSync(Buffer.from(JSON.stringify(makeDemoGraph(options))), { level: 9 });
}

function main(argv: string[]): void {
  const arg = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const out = arg('--out') ?? fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '../demo/demo-customers.json.gz' : '../../demo/demo-customers.json.gz', import.meta.url));
  const customers = Number(arg('--customers') ?? DEMO_DEFAULTS.customers);
  const seed = Number(arg('--seed') ?? DEMO_DEFAULTS.seed);
  if (!Number.isInteger(customers) || customers < 2 || !Number.isInteger(seed)) {
    console.error('make-demo-graph: --customers must be an integer >= 2 and --seed an integer');
    process.exit(2);
  }
  const graph = makeDemoGraph({ customers, seed });
  const bytes = gzipSync(Buffer.from(JSON.stringify(graph)), { level: 9 });
  writeFileSync(out, bytes);
  console.log(`wrote ${out}: ${graph.customers.length} customers, ${graph.ties.length} ties, ${bytes.length} bytes`);
}

if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) main(process.argv.slice(2));
