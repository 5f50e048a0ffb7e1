import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEdgeList } from '../src/graph/parsers/edgelist.js';

/**
 * The edge-list parser reads most lines as bytes (ASCII, canonical integer ids: no string per line or id) and every
 * other line as text. The byte path must equal the text path — the reference, `textOnly` — on anything: same ids in
 * the same order, same ties, weights and report, or the same error, for every way the input is cut into chunks.
 */
const enc = (s: string) => new TextEncoder().encode(s);

async function* chunked(bytes: Uint8Array, sizes: number[]): AsyncGenerator<Uint8Array> {
  let o = 0;
  let k = 0;
  while (o < bytes.length) {
    const n = Math.max(1, sizes[k++ % sizes.length]);
    yield bytes.subarray(o, o + n);
    o += n;
  }
}

async function outcome(bytes: Uint8Array, sizes: number[], textOnly: boolean): Promise<unknown> {
  try {
    const r = await parseEdgeList(chunked(bytes, sizes), { name: 'g', directed: false, source: 'f.txt', textOnly });
    return { data: r.data, report: r.report };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

const id = fc.oneof(
  fc.integer({ min: 0, max: 40 }).map(String),
  fc.integer({ min: 0, max: 2_000_000_000 }).map(String),
  fc.constantFrom('007', '0', '00', '+1', '-3', '1e3', '1234567890', '999999999', 'a', 'é', '__proto__', '\u{1F600}', 'x y'),
);
const sep = fc.constantFrom(' ', '\t', '  ', ' \t', '\r');
const line = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(id, sep, id).map(([a, s, b]) => `${a}${s}${b}`) },
  { weight: 2, arbitrary: fc.tuple(id, id, fc.constantFrom('0.5', '2', '1e-3', 'x', '-1', '1e40')).map(([a, b, w]) => `${a} ${b} ${w}`) },
  { weight: 1, arbitrary: fc.constantFrom('', '   ', '# comment', '% other', '#é', '1', '1 2 3 4', '12 34', ' 5 6 ', '3 3') },
);
const file = fc.tuple(fc.array(line, { minLength: 0, maxLength: 25 }), fc.constantFrom('\n', '\r\n'), fc.boolean(), fc.boolean()).map(
  ([lines, eol, bom, final]) => (bom ? '\uFEFF' : '') + lines.join(eol) + (final ? eol : ''),
);

describe('edge list: the byte path equals the text path', () => {
  it('on random files, cut anywhere', async () => {
    await fc.assert(
      fc.asyncProperty(file, fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 4 }), async (text, sizes) => {
        const bytes = enc(text);
        expect(await outcome(bytes, sizes, false)).toEqual(await outcome(bytes, [bytes.length || 1], true));
      }),
      { numRuns: 400, seed: 20261201 },
    );
  });

  it('on invalid UTF-8, a count header and a file that is only ints', async () => {
    const cases = [
      new Uint8Array([...enc('1 2\n3 4\n'), 0xc3, 0x28, ...enc(' 5\n6 7\n')]),
      new Uint8Array([...enc('# caf'), 0xff, ...enc('\n1 2\n')]),
      enc('5 3\n0 1\n1 2\n2 3\n'),
      enc('4 2\n1 2\n3 4\n'),
      enc(Array.from({ length: 500 }, (_, i) => `${i} ${(i * 7919) % 500}`).join('\n')),
    ];
    for (const bytes of cases) {
      for (const sizes of [[bytes.length], [1], [3, 5]]) expect(await outcome(bytes, sizes, false)).toEqual(await outcome(bytes, [bytes.length], true));
    }
  });
});
