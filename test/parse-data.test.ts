import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compile } from '../src/graph/compile.js';
import { readGraphFile } from '../src/io/read-graph-file.js';

// Every real graph in ../shared/data imports with the counts its SOURCE.md states.
const DATA = fileURLToPath(new URL('../../shared/data/', import.meta.url));
const present = existsSync(DATA);
if (!present) console.log(`parse-data: skipped, ${DATA} is absent (real public graphs)`);

interface Expect {
  file: string;
  directed?: boolean;
  customers: number;
  ties: number;
  selfLoops: number;
  duplicates: number;
  records: number;
  totalWeight?: number;
  header?: boolean;
}

// ties = distinct (unordered when undirected) pairs without self-loops; duplicates = lines - self-loop lines - ties.
const GRAPHS: Expect[] = [
  // 4,039 nodes / 88,234 edges, no duplicates or self-loops.
  { file: 'ego-facebook/facebook_combined.txt', customers: 4039, ties: 88234, selfLoops: 0, duplicates: 0, records: 88234 },
  // 15,233 nodes; 58,891 lines, 39 self-loop lines, 31,376 distinct unordered pairs without self-loops. Header "15233 58891".
  { file: 'nethept/NetHEPT.txt', customers: 15233, ties: 31376, selfLoops: 39, duplicates: 58891 - 39 - 31376, records: 58891, header: true },
  { file: 'nethept/hep.txt', customers: 15233, ties: 31376, selfLoops: 39, duplicates: 58891 - 39 - 31376, records: 58891 },
  // 51,971 lines: both directions + 25 self-loops; 9,877 nodes; 25,998 distinct edges incl. the 25 self-loops.
  { file: 'ca-HepTh/CA-HepTh.txt', customers: 9877, ties: 25998 - 25, selfLoops: 25, duplicates: 51971 - 25 - 25973, records: 51971 },
  // Directed, CRLF, 3 comment lines: 7,115 nodes / 103,689 arcs.
  { file: 'wiki-vote/Wiki-Vote.txt', directed: true, customers: 7115, ties: 103689, selfLoops: 0, duplicates: 0, records: 103689 },
  // Directed, gzip: 1,005 nodes, 25,571 arcs of which 642 self-loops.
  { file: 'email-eu-core/email-Eu-core.txt.gz', directed: true, customers: 1005, ties: 25571 - 642, selfLoops: 642, duplicates: 0, records: 25571 },
  { file: 'karate/karate_club.edgelist', customers: 34, ties: 78, selfLoops: 0, duplicates: 0, records: 78 },
  // 77 nodes, 254 weighted edges, total weight 820.
  { file: 'lesmis/lesmis.weighted.edgelist', customers: 77, ties: 254, selfLoops: 0, duplicates: 0, records: 254, totalWeight: 820 },
  // Header "N M"; N users 0..N-1 (android: 18 without any tie), M lines, distinct unordered pairs as measured.
  { file: 'cascades-stackexchange-infvae/android/graph.txt', customers: 9958, ties: 42915, selfLoops: 0, duplicates: 48573 - 42915, records: 48573, header: true },
  { file: 'cascades-stackexchange-infvae/christianity/graph.txt', customers: 2897, ties: 30044, selfLoops: 0, duplicates: 35624 - 30044, records: 35624, header: true },
];

describe.skipIf(!present)('real graphs in ../shared/data', () => {
  for (const g of GRAPHS) {
    it(`${g.file}${g.directed ? ' (directed)' : ''}`, async () => {
      const { data, report } = await readGraphFile(DATA + g.file, { directed: g.directed });
      expect(report).toMatchObject({
        format: 'edgelist', customers: g.customers, ties: g.ties, selfLoopsDropped: g.selfLoops, duplicatesMerged: g.duplicates, records: g.records,
      });
      expect(data.directed).toBe(g.directed ?? false);
      expect(report.warnings !== undefined).toBe(g.header ?? false);
      if (g.totalWeight !== undefined) {
        let total = 0;
        for (const w of data.weight!) total += Number.isNaN(w) ? 1 : w;
        expect(total).toBe(g.totalWeight);
      }
      const c = compile(data);
      expect(c.m).toBe(g.directed ? g.ties : 2 * g.ties);
    });
  }

  it('NetHEPT.txt and hep.txt are the same graph (ids shifted by one)', async () => {
    const a = (await readGraphFile(DATA + 'nethept/NetHEPT.txt')).data;
    const b = (await readGraphFile(DATA + 'nethept/hep.txt')).data;
    const key = (ids: string[], s: number, t: number, shift: number) => {
      const x = Number(ids[s]) + shift;
      const y = Number(ids[t]) + shift;
      return x < y ? x * 100000 + y : y * 100000 + x;
    };
    const sa = new Set<number>();
    for (let j = 0; j < a.src.length; j++) sa.add(key(a.ids, a.src[j], a.dst[j], 1));
    const sb = new Set<number>();
    for (let j = 0; j < b.src.length; j++) sb.add(key(b.ids, b.src[j], b.dst[j], 0));
    expect(sa).toEqual(sb);
  });
});
