import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CancelledError, InputError, ParseError, PayloadTooLargeError } from '../src/errors.js';
import { customerAt, type GraphData } from '../src/graph/model.js';
import { detectFormat, parseGraph, toRippleJson, type ParseOptions } from '../src/graph/parse.js';
import { graphNameOf, readGraphFile } from '../src/io/read-graph-file.js';

const FIX = fileURLToPath(new URL('./fixtures/parse/', import.meta.url));
const fixture = (name: string) => readFileSync(FIX + name);
const enc = (s: string) => new TextEncoder().encode(s);

async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

function opts(format: ParseOptions['format'], extra: Partial<ParseOptions> = {}): ParseOptions {
  return { format, name: 'g', source: 'in.txt', ...extra };
}

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the import to fail');
}

/** Ties as "src>dst" (directed) or sorted "a|b" (undirected) strings, in order. */
function ties(d: GraphData): string[] {
  const out: string[] = [];
  for (let j = 0; j < d.src.length; j++) out.push(`${d.ids[d.src[j]]}>${d.ids[d.dst[j]]}`);
  return out;
}

describe('detectFormat', () => {
  it('maps extensions, ignores .gz and case', () => {
    expect(detectFormat('facebook_combined.txt')).toBe('edgelist');
    expect(detectFormat('x/email-Eu-core.TXT.GZ')).toBe('edgelist');
    expect(detectFormat('a.tsv')).toBe('edgelist');
    expect(detectFormat('karate_club.edgelist')).toBe('edgelist');
    expect(detectFormat('g.edges.gz')).toBe('edgelist');
    expect(detectFormat('ties.csv')).toBe('csv');
    expect(detectFormat('g.json.gz')).toBe('json');
    expect(detectFormat('g.gexf')).toBe('gexf');
    expect(detectFormat('g.graphml')).toBe('graphml');
    expect(detectFormat('g.dat')).toBeUndefined();
    expect(detectFormat('README')).toBeUndefined();
    expect(detectFormat('dir.txt/README')).toBeUndefined();
  });
  it('graph names drop .gz and the format extension', () => {
    expect(graphNameOf('/d/email-Eu-core.txt.gz')).toBe('email-Eu-core');
    expect(graphNameOf('lesmis.weighted.edgelist')).toBe('lesmis.weighted');
  });
});

describe('edge lists', () => {
  it('reads comments, blank lines, mixed whitespace, weights; drops self-loops; merges a-b/b-a', async () => {
    const { data, report } = await parseGraph(fixture('small.edgelist'), opts('edgelist', { source: 'small.edgelist' }));
    expect(data.ids).toEqual(['a', 'b', 'c', 'd']);
    expect(ties(data)).toEqual(['a>b', 'b>c', 'c>a', 'c>d']);
    expect(Array.from(data.weight!)).toEqual([NaN, 2.5, NaN, 0.5]);
    expect(report).toEqual({ format: 'edgelist', customers: 4, ties: 4, records: 6, selfLoopsDropped: 1, duplicatesMerged: 1 });
    expect(data.directed).toBe(false);
    expect(data.name).toBe('g');
  });

  it('directed keeps a->b and b->a apart', async () => {
    const { data, report } = await parseGraph(fixture('small.edgelist'), opts('edgelist', { directed: true }));
    expect(ties(data)).toEqual(['a>b', 'b>c', 'c>a', 'b>a', 'c>d']);
    expect(report.duplicatesMerged).toBe(0);
    expect(data.directed).toBe(true);
  });

  it('strips CR of CRLF lines', async () => {
    const { data } = await parseGraph(fixture('crlf.txt'), opts('edgelist'));
    expect(data.ids).toEqual(['a', 'b', 'c']);
  });

  it('gives the same graph whatever the chunk boundaries (multi-byte ids, CRLF, gzip)', async () => {
    const text = '# h\r\n\u00e9l\u00e8ve  \u{1F600}\t3\r\n\u{1F600} z\u00fc\r\n\r\n%c\nz\u00fc \u00e9l\u00e8ve 0.5';
    const bytes = enc(text);
    const want = await parseGraph(bytes, opts('edgelist'));
    expect(want.data.ids).toEqual(['\u00e9l\u00e8ve', '\u{1F600}', 'z\u00fc']);
    expect(want.report.ties).toBe(3);
    for (const size of [1, 2, 3, 5, 7]) {
      const got = await parseGraph(chunked(bytes, size), opts('edgelist'));
      expect(got).toEqual(want);
      const gz = await parseGraph(chunked(gzipSync(bytes), size), opts('edgelist'));
      expect(gz).toEqual(want);
    }
  });

  it('property: any split of a generated edge list parses to the same ties', async () => {
    const id = fc.constantFrom('a', 'b', '__proto__', 'constructor', '\u00e9', '\u{1F600}x', 'toString', '42');
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(id, id, fc.constantFrom(' ', '\t', '  \t'), fc.constantFrom('\n', '\r\n')), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 9 }),
        async (rows, size) => {
          const text = rows.map(([s, t, sp, nl]) => `${s}${sp}${t}${nl}`).join('');
          const { data, report } = await parseGraph(chunked(enc(text), size), opts('edgelist', { directed: true }));
          const distinct = new Set(rows.filter(([s, t]) => s !== t).map(([s, t]) => `${s}>${t}`));
          expect(new Set(ties(data))).toEqual(distinct);
          expect(report.ties).toBe(distinct.size);
          expect(report.selfLoopsDropped).toBe(rows.filter(([s, t]) => s === t).length);
          expect(report.records).toBe(rows.length);
        },
      ),
      { numRuns: 60, seed: 7 },
    );
  });

  describe('count header "N M"', () => {
    it('is a header when M lines follow with integer ids <= N; isolated customers are created', async () => {
      const { data, report } = await parseGraph(enc('5 3\n0 1\n1 2\n2 0\n'), opts('edgelist'));
      expect(data.ids).toEqual(['0', '1', '2', '3', '4']);
      expect(report.ties).toBe(3);
      expect(report.records).toBe(3);
      expect(report.warnings?.[0]).toMatch(/^line 1: "5 3" read as a header/);
    });
    it('1-indexed files get customers 1..N', async () => {
      const { data } = await parseGraph(enc('# c\n3 1\n1 3\n'), opts('edgelist'));
      expect(data.ids).toEqual(['1', '3', '2']);
    });
    it('is an ordinary tie when the line count differs', async () => {
      const { data, report } = await parseGraph(enc('1 2\n3 4\n'), opts('edgelist'));
      expect(ties(data)).toEqual(['3>4', '1>2']);
      expect(report.records).toBe(2);
      expect(report.warnings).toBeUndefined();
    });
    it('is an ordinary tie when ids exceed N or are not integers', async () => {
      expect(ties((await parseGraph(enc('2 1\n3 4\n'), opts('edgelist'))).data)).toEqual(['3>4', '2>1']);
      expect(ties((await parseGraph(enc('2 1\na b\n'), opts('edgelist'))).data)).toEqual(['a>b', '2>1']);
      expect(ties((await parseGraph(enc('2 1\n01 1\n'), opts('edgelist'))).data)).toEqual(['01>1', '2>1']);
    });
    it('a weighted first line is never a header', async () => {
      const { data } = await parseGraph(enc('5 1 2\n0 1\n'), opts('edgelist'));
      expect(data.ids).toEqual(['5', '1', '0']);
    });
  });

  describe('bad input names file, line and problem', () => {
    const cases: [string, string, RegExp][] = [
      ['one field', 'a b\nc\n', /^bad\.txt:2: malformed line: expected "source target \[weight\]", got one field "c"$/],
      ['four fields', 'a b\n\nc d 1 2\n', /^bad\.txt:3: malformed line: .*more than 3 fields/],
      ['non-numeric weight', 'a b x1\n', /^bad\.txt:1: weight must be a number from 1e-30 to 1e\+30, got "x1"$/],
      ['NaN weight', '# c\na b NaN\n', /^bad\.txt:2: weight must be a number from 1e-30 to 1e\+30, got "NaN"$/],
      ['negative weight', 'a b -1\n', /^bad\.txt:1: weight must be a number from 1e-30 to 1e\+30/],
      ['empty file', '', /^bad\.txt: no customers or ties found \(empty graph\)$/],
      ['only comments', '# x\n\n% y\n', /^bad\.txt: no customers or ties found/],
      ['too long id', `a ${'x'.repeat(20_000)}\n`, /^bad\.txt:1: target is longer than 16384 characters$/],
    ];
    for (const [what, text, re] of cases) {
      it(what, async () => {
        const e = await failure(parseGraph(enc(text), opts('edgelist', { source: 'bad.txt' })));
        expect(e).toBeInstanceOf(ParseError);
        expect(e.message).toMatch(re);
        expect((e as ParseError).statusCode).toBe(400);
      });
    }

    it('invalid UTF-8 names the line, also across chunk boundaries', async () => {
      const bytes = new Uint8Array([...enc('a b\nc d\n\u00e9 f\nx '), 0xc3, 0x28, ...enc(' y\nz w\n')]);
      for (const size of [bytes.length, 1, 3]) {
        const e = await failure(parseGraph(chunked(bytes, size), opts('edgelist', { source: 'bad.txt' })));
        expect(e.message).toBe('bad.txt:4: invalid UTF-8');
      }
      const cut = new Uint8Array([...enc('a b\nc '), 0xe2, 0x82]);
      expect((await failure(parseGraph(cut, opts('edgelist', { source: 'bad.txt' })))).message).toMatch(/^bad\.txt:2: invalid UTF-8/);
    });

    it('truncated or corrupt gzip', async () => {
      const gz = gzipSync(enc('a b\n'.repeat(1000)));
      const e = await failure(parseGraph(gz.subarray(0, gz.length - 30), opts('edgelist', { source: 'g.txt.gz' })));
      expect(e).toBeInstanceOf(ParseError);
      expect(e.message).toMatch(/^g\.txt\.gz: truncated or corrupt gzip/);
      const corrupt = Uint8Array.from(gz);
      corrupt.fill(0xff, 10, 40);
      expect((await failure(parseGraph(corrupt, opts('edgelist', { source: 'g.txt.gz' })))).message).toMatch(/truncated or corrupt gzip/);
    });

    it('maxBytes caps decompressed bytes (a gzip bomb stops at the cap)', async () => {
      const bomb = gzipSync(new Uint8Array(8 << 20).fill(0x20));
      expect(bomb.length).toBeLessThan(64 << 10);
      const e = await failure(parseGraph(bomb, opts('edgelist', { source: 'up', maxBytes: 1 << 20 })));
      expect(e).toBeInstanceOf(PayloadTooLargeError);
      expect(e.message).toBe('up: larger than the limit of 1048576 bytes once decompressed');
      const plain = await failure(parseGraph(enc('a b\n'.repeat(100)), opts('edgelist', { source: 'up', maxBytes: 100 })));
      expect(plain).toBeInstanceOf(PayloadTooLargeError);
      await expect(parseGraph(enc('a b\n'.repeat(100)), opts('edgelist', { maxBytes: 400 }))).resolves.toBeDefined();
    });

    it('honours an AbortSignal between chunks', async () => {
      const already = AbortSignal.abort();
      expect(await failure(parseGraph(enc('a b\n'), opts('edgelist', { signal: already })))).toBeInstanceOf(CancelledError);
      const ctl = new AbortController();
      async function* slow() {
        yield enc('a b\n');
        ctl.abort();
        yield enc('b c\n');
        yield enc('c d\n');
      }
      const e = await failure(parseGraph(slow(), opts('edgelist', { signal: ctl.signal })));
      expect(e).toBeInstanceOf(CancelledError);
      expect((e as CancelledError).statusCode).toBe(499);
    });
  });

  it('ids are data: __proto__, constructor, toString, unicode, 10 kB', async () => {
    const long = 'L'.repeat(10_240);
    const text = `__proto__ constructor\nconstructor toString\ntoString \u00e5\u{1F600}\n${long} __proto__\nhasOwnProperty valueOf\n`;
    const { data, report } = await parseGraph(enc(text), opts('edgelist'));
    expect(data.ids).toEqual(['__proto__', 'constructor', 'toString', '\u00e5\u{1F600}', long, 'hasOwnProperty', 'valueOf']);
    expect(report.ties).toBe(5);
    expect(customerAt(data, 0)).toEqual({ id: '__proto__' });
    expect(Object.getPrototypeOf(customerAt(data, 0))).toBe(Object.prototype);
  });
});

describe('integer ids (fast index)', () => {
  it('canonical and non-canonical decimal ids stay distinct across table growth', async () => {
    // Sparse large values first (they start in the overflow map), then a dense run that grows the table over them.
    // (The first line is not two integers, so it is not a count-header candidate.)
    const big = ['+7', '999999999', '5000000', '2000001', '1048577', '1234567890', '0', '7', '007', '7.0', '1e3', '1000'];
    const lines: string[] = [];
    for (let i = 0; i < big.length; i++) lines.push(`${big[i]} ${big[(i + 1) % big.length]}`);
    for (let v = 0; v < 300_000; v += 1) lines.push(`${v} ${v + 1}`);
    for (let i = 0; i < big.length; i++) lines.push(`${big[(i + 1) % big.length]} ${big[i]}`); // duplicates of the first ties
    const { data, report } = await parseGraph(enc(lines.join('\n')), opts('edgelist'));
    expect(data.ids.slice(0, big.length)).toEqual(big);
    expect(new Set(data.ids).size).toBe(data.ids.length);
    expect(data.ids.length).toBe(big.length + 300_001 - 3); // 0, 7, 1000 are among the run
    expect(report.duplicatesMerged).toBe(big.length); // the reversed ring; the run v-(v+1) repeats no ring tie
    expect(report.ties).toBe(big.length + 300_000);
  });
});

describe('CSV', () => {
  it('reads ties and a customers file with attributes; ignored columns are reported', async () => {
    const { data, report } = await parseGraph(fixture('ties.csv'), opts('csv', {
      source: 'ties.csv', customers: fixture('customers.csv'), customersSource: 'customers.csv',
    }));
    expect(data.ids).toEqual(['alice', 'bob', 'carol', 'dave, jr.', 'erin']);
    expect(ties(data)).toEqual(['alice>bob', 'bob>carol', 'carol>dave, jr.']);
    expect(Array.from(data.weight!)).toEqual([2, NaN, 1.5]);
    expect(Array.from(data.p!)).toEqual([0.5, 0.25, NaN]);
    expect(data.channels).toEqual(['twitter', 'email']); // 'sms' was only on a merged duplicate
    expect(Array.from(data.channel!)).toEqual([0, -1, 1]);
    expect(customerAt(data, 0)).toEqual({ id: 'alice', label: 'Alice A.', followers: 120, value: 40.5, segment: 'gold', activity: 0.8 });
    expect(customerAt(data, 1)).toEqual({ id: 'bob', followers: 0, segment: 'silver' });
    expect(customerAt(data, 3)).toEqual({ id: 'dave, jr.', label: 'Dave', followers: 5, value: 0, segment: 'bronze', activity: 0 });
    expect(customerAt(data, 4)).toEqual({ id: 'erin', label: 'Erin' });
    expect(report).toEqual({
      format: 'csv', customers: 5, ties: 3, records: 10, selfLoopsDropped: 1, duplicatesMerged: 1,
      warnings: ['customers.csv: ignored columns "extra"', 'ties.csv: ignored columns "note"'],
    });
  });

  it('accepts from,to in any case and creates customers from ties without a customers file', async () => {
    const { data } = await parseGraph(enc('FROM,To\r\nx,y\r\n\r\ny,z\r\n'), opts('csv', { directed: true }));
    expect(ties(data)).toEqual(['x>y', 'y>z']);
    expect(data.weight).toBeNull();
  });

  const bad: [string, string, string | undefined, RegExp][] = [
    ['no header columns', 'a,b\nc,d\n', undefined, /^t\.csv:1: header must name the columns source,target/],
    ['p outside [0,1]', 'source,target,p\na,b,0.5\nb,c,1.5\n', undefined, /^t\.csv:3: p must be in \[0, 1\], got "1\.5"$/],
    ['non-numeric weight', 'source,target,weight\na,b,heavy\n', undefined, /^t\.csv:2: weight must be a number from 1e-30 to 1e\+30, got "heavy"$/],
    ['NaN p', 'source,target,p\na,b,NaN\n', undefined, /^t\.csv:2: p must be in \[0, 1\], got "NaN"$/],
    ['wrong field count', 'source,target\na,b\nc,d,e\n', undefined, /^t\.csv:3: expected 2 fields as in the header, got 3$/],
    ['unclosed quote', 'source,target\na,"b\n', undefined, /^t\.csv:\d+: malformed CSV: /],
    ['empty file', '', undefined, /^t\.csv: empty file \(no header row\)$/],
    ['header only', 'source,target\n', undefined, /^t\.csv: no customers or ties found/],
    ['tie to unknown customer', 'source,target\na,b\nb,zed\n', 'id\na\nb\n', /^t\.csv:3: tie to unknown customer "zed"$/],
    ['duplicate customer ids', 'source,target\na,b\n', 'id,label\na,A\nb,B\na,again\n', /^c\.csv:4: duplicate customer id "a"$/],
    ['bad followers', 'source,target\na,b\n', 'id,followers\na,1.5\nb,2\n', /^c\.csv:2: followers must be an integer from 0 to 1000000000000, got "1\.5"$/],
    ['customers without id column', 'source,target\na,b\n', 'name\na\n', /^c\.csv:1: header must name the columns id/],
  ];
  for (const [what, ties_, customers, re] of bad) {
    it(`error: ${what}`, async () => {
      const e = await failure(parseGraph(enc(ties_), opts('csv', {
        source: 't.csv', ...(customers !== undefined ? { customers: enc(customers), customersSource: 'c.csv' } : {}),
      })));
      expect(e).toBeInstanceOf(ParseError);
      expect(e.message).toMatch(re);
    });
  }

  it('ids are data in CSV too', async () => {
    const { data } = await parseGraph(enc('source,target\n__proto__,constructor\n"toString","\u{1F600}"\n'), opts('csv'));
    expect(data.ids).toEqual(['__proto__', 'constructor', 'toString', '\u{1F600}']);
  });
});

describe('Ripple JSON', () => {
  it('reads customers, ties and graph fields', async () => {
    const { data, report } = await parseGraph(fixture('graph.json'), opts('json', { name: '', source: 'graph.json' }));
    expect(data.name).toBe('shop');
    expect(data.directed).toBe(true);
    expect(data.defaultValue).toBe(2);
    expect(data.currency).toBe('EUR');
    expect(data.ids).toEqual(['u1', 'u2', '__proto__', 'u4']);
    expect(ties(data)).toEqual(['u1>u2', 'u2>__proto__', 'u2>u1']);
    expect(Array.from(data.weight!)).toEqual([2, NaN, NaN]);
    expect(Array.from(data.p!)).toEqual([0.1, NaN, 0.3]);
    expect(customerAt(data, 0)).toEqual({ id: 'u1', label: 'One', followers: 10, value: 5, segment: 'gold', activity: 0.5 });
    expect(customerAt(data, 2)).toEqual({ id: '__proto__', label: 'proto' });
    expect(report).toEqual({ format: 'json', customers: 4, ties: 3, records: 9, selfLoopsDropped: 1, duplicatesMerged: 1 });
  });

  it('options win: non-empty name, directed', async () => {
    const { data, report } = await parseGraph(fixture('graph.json'), opts('json', { name: 'mine', directed: false }));
    expect(data.name).toBe('mine');
    expect(data.directed).toBe(false);
    expect(report.duplicatesMerged).toBe(2); // u2-u1 is now the same tie as u1-u2
  });

  it('round-trips through toRippleJson (every format)', async () => {
    const sources: [Uint8Array, ParseOptions][] = [
      [fixture('graph.json'), opts('json')],
      [fixture('ties.csv'), opts('csv', { customers: fixture('customers.csv') })],
      [fixture('small.edgelist'), opts('edgelist')],
      [fixture('small.gexf'), opts('gexf', { name: '' })],
      [fixture('small.graphml'), opts('graphml', { name: '' })],
    ];
    for (const [bytes, o] of sources) {
      const first = await parseGraph(bytes, o);
      const json = JSON.stringify(toRippleJson(first.data));
      const again = await parseGraph(enc(json), opts('json', { name: '' }));
      expect(again.data).toEqual({ ...first.data });
      expect(again.report.ties).toBe(first.report.ties);
    }
  });

  it('property: generated graphs round-trip exactly', async () => {
    const id = fc.oneof(fc.string({ minLength: 1, maxLength: 6 }), fc.constantFrom('__proto__', 'constructor', 'toString'));
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(id, { minLength: 1, maxLength: 12 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.option(fc.double({ min: 0.01, max: 50, noNaN: true })), fc.option(fc.double({ min: 0, max: 1, noNaN: true }))), { maxLength: 30 }),
        fc.boolean(),
        async (ids, rows, directed) => {
          const doc = {
            name: 'p', directed,
            customers: ids.map((c, i) => (i % 2 ? { id: c, followers: i, segment: `s${i}` } : { id: c })),
            ties: rows.map(([a, b, w, p]) => ({ source: ids[a % ids.length], target: ids[b % ids.length], ...(w !== null ? { weight: w } : {}), ...(p !== null ? { p } : {}) })),
          };
          const first = await parseGraph(enc(JSON.stringify(doc)), opts('json', { name: '' }));
          const again = await parseGraph(enc(JSON.stringify(toRippleJson(first.data))), opts('json', { name: '' }));
          expect(again.data).toEqual(first.data);
          expect(first.data.ids).toEqual(ids);
        },
      ),
      { numRuns: 60, seed: 11 },
    );
  });

  const bad: [string, string, RegExp][] = [
    ['p out of range', '{"ties":[{"source":"a","target":"b"},{"source":"a","target":"c","p":2}]}', /^g\.json: ties\[1\]\.p: must be in \[0, 1\], got 2$/],
    ['string weight', '{"ties":[{"source":"a","target":"b","weight":"3"}]}', /^g\.json: ties\[0\]\.weight: must be a number from 1e-30 to 1e\+30, got "3"$/],
    ['missing target', '{"ties":[{"source":"a"}]}', /^g\.json: ties\[0\]\.target: is required$/],
    ['object id', '{"ties":[{"source":{},"target":"b"}]}', /^g\.json: ties\[0\]\.source: must be a string, got an object$/],
    ['unknown customer', '{"customers":[{"id":"a"},{"id":"b"}],"ties":[{"source":"a","target":"b"},{"source":"b","target":"zz"}]}', /^g\.json: ties\[1\]: tie to unknown customer "zz"$/],
    ['duplicate customer', '{"customers":[{"id":"a"},{"id":"b"},{"id":"a"}],"ties":[]}', /^g\.json: customers\[2\]: duplicate customer id "a"$/],
    ['bad followers', '{"customers":[{"id":"a","followers":-1}]}', /^g\.json: customers\[0\]\.followers: must be an integer from 0 to 1000000000000, got -1$/],
    ['empty id', '{"customers":[{"id":""}]}', /^g\.json: customers\[0\]: customer id is empty$/],
    ['syntax error', '{\n  "ties": [\n    {"source": "a", "target": "b",}\n  ]\n}', /^g\.json:3: invalid JSON: /],
    ['not an object', '[1,2]', /^g\.json: expected a JSON object/],
    ['no ties nor customers', '{"name":"x"}', /^g\.json: expected "ties"/],
    ['empty graph', '{"ties":[]}', /^g\.json: no customers or ties found/],
    ['empty file', '  \n', /^g\.json: empty file/],
    ['directed not boolean', '{"directed":"yes","ties":[]}', /^g\.json: directed: must be true or false$/],
  ];
  for (const [what, text, re] of bad) {
    it(`error: ${what}`, async () => {
      const e = await failure(parseGraph(enc(text), opts('json', { source: 'g.json' })));
      expect(e).toBeInstanceOf(ParseError);
      expect(e.message).toMatch(re);
    });
  }

  it('unknown keys are ignored and reported; __proto__ as a key does nothing', async () => {
    const { data, report } = await parseGraph(enc('{"__proto__":{"directed":true},"extra":1,"ties":[{"source":"a","target":"b","x":1}]}'), opts('json'));
    expect(data.directed).toBe(false);
    expect(report.warnings).toEqual(['ignored keys "__proto__", "extra"', 'ignored unknown keys in ties (known: source, target, weight, p, channel)']);
  });
});

describe('GEXF and GraphML', () => {
  it('GEXF: attributes, directedness and name from the file', async () => {
    const { data, report } = await parseGraph(fixture('small.gexf'), opts('gexf', { name: '', source: 'small.gexf' }));
    expect(data.name).toBe('gexf shop');
    expect(data.directed).toBe(true);
    expect(data.ids).toEqual(['n1', 'n2', 'constructor']);
    expect(ties(data)).toEqual(['n1>n2', 'n2>n1', 'n2>constructor']);
    expect(Array.from(data.weight!)).toEqual([3, NaN, NaN]);
    expect(Array.from(data.p!)).toEqual([0.2, NaN, NaN]);
    expect(data.channels).toEqual(['web']);
    expect(customerAt(data, 0)).toEqual({ id: 'n1', label: 'Node One', followers: 100, value: 12.5, segment: 'gold', activity: 0.75 });
    expect(customerAt(data, 1)).toEqual({ id: 'n2', label: 'Node Two' });
    expect(report).toEqual({ format: 'gexf', customers: 3, ties: 3, records: 8, selfLoopsDropped: 1, duplicatesMerged: 1 });
  });

  it('GraphML: keys, undirected edges merged, graph name', async () => {
    const { data, report } = await parseGraph(fixture('small.graphml'), opts('graphml', { name: '', source: 'small.graphml' }));
    expect(data.name).toBe('graphml shop');
    expect(data.directed).toBe(false);
    expect(data.ids).toEqual(['a', 'b', 'c', 'toString']);
    expect(ties(data)).toEqual(['a>b', 'b>c', 'c>toString']);
    expect(Array.from(data.weight!)).toEqual([2.5, NaN, NaN]);
    expect(customerAt(data, 0)).toEqual({ id: 'a', label: 'Ann', followers: 7 });
    expect(customerAt(data, 1)).toEqual({ id: 'b', segment: 'silver' });
    expect(report).toMatchObject({ customers: 4, ties: 3, duplicatesMerged: 1, selfLoopsDropped: 0 });
  });

  it('directed option on an undirected file gives both arcs', async () => {
    const { data, report } = await parseGraph(fixture('small.graphml'), opts('graphml', { directed: true }));
    expect(ties(data)).toEqual(['a>b', 'b>a', 'b>c', 'c>b', 'c>toString', 'toString>c']);
    expect(report.warnings).toEqual(['4 undirected edges of the file were read as two directed ties each']);
    expect(report.duplicatesMerged).toBe(2);
  });

  it('refuses entity declarations (entity-expansion bomb)', async () => {
    const bomb = `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n <!ENTITY lol2 "&lol;&lol;&lol;&lol;">\n]>\n<gexf><graph><nodes><node id="&lol2;"/></nodes></graph></gexf>`;
    const e = await failure(parseGraph(enc(bomb), opts('gexf', { source: 'bomb.gexf' })));
    expect(e).toBeInstanceOf(ParseError);
    expect(e.message).toMatch(/^bomb\.gexf:3: XML entity declarations \(<!ENTITY\) are not accepted/);
  });

  const bad: [string, 'gexf' | 'graphml', string, RegExp][] = [
    ['malformed XML', 'gexf', '<gexf>\n<graph>\n<nodes><node id="a"></nodes>\n</graph></gexf>', /^x:\d+: malformed XML: /],
    ['not XML', 'graphml', 'hello', /^x: malformed XML: /],
    ['wrong root', 'gexf', '<graphml><graph/></graphml>', /^x: not a GEXF document: the root element is <graphml>/],
    ['no graph', 'graphml', '<graphml></graphml>', /^x: no <graph> element$/],
    ['undeclared node', 'graphml', '<graphml>\n<graph edgedefault="directed">\n<node id="a"/>\n<edge source="a" target="b"/>\n</graph></graphml>', /^x:4: edge to undeclared node "b"$/],
    ['bad p', 'graphml', '<graphml><key id="k" for="edge" attr.name="p" attr.type="double"/><graph><node id="a"/><node id="b"/><edge source="a" target="b"><data key="k">3</data></edge></graph></graphml>', /^x: p must be in \[0, 1\], got 3$/],
    ['empty graph', 'gexf', '<gexf><graph></graph></gexf>', /^x: no customers or ties found/],
  ];
  for (const [what, format, text, re] of bad) {
    it(`error: ${what}`, async () => {
      const e = await failure(parseGraph(enc(text), opts(format, { source: 'x' })));
      expect(e).toBeInstanceOf(ParseError);
      expect(e.message).toMatch(re);
    });
  }

  it('maxBytes applies to XML', async () => {
    expect(await failure(parseGraph(fixture('small.gexf'), opts('gexf', { maxBytes: 100 })))).toBeInstanceOf(PayloadTooLargeError);
  });
});

describe('parseGraph and readGraphFile', () => {
  it('unknown format is a clear 400', async () => {
    const e = await failure(parseGraph(enc('a b'), opts('dot' as never, { source: 'g.dot' })));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toBe('g.dot: unknown format "dot": use one of edgelist, csv, json, gexf, graphml');
  });

  it('readGraphFile: format and name from the file name, customers file', async () => {
    const { data, report } = await readGraphFile(FIX + 'ties.csv', { customersFile: FIX + 'customers.csv' });
    expect(data.name).toBe('ties');
    expect(report.customers).toBe(5);
    const g = await readGraphFile(FIX + 'small.gexf');
    expect(g.data.name).toBe('gexf shop');
    expect((await readGraphFile(FIX + 'small.edgelist', { name: 'n', directed: true })).data.name).toBe('n');
  });

  it('readGraphFile: unknown extension and missing file', async () => {
    const e = await failure(readGraphFile(FIX + 'nothing.dat'));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toMatch(/^nothing\.dat: cannot tell the format from the file name: give a format \(edgelist, csv, json, gexf, graphml\)/);
    const m = await failure(readGraphFile(FIX + 'missing.txt'));
    expect(m).toBeInstanceOf(InputError);
    expect(m.message).toMatch(/missing\.txt: no such file$/);
  });
});
