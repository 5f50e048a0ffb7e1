import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress } from '../src/cli/progress.js';

function fakeStream(isTTY: boolean) {
  let written = '';
  const s = new Writable({
    write(chunk, _enc, cb) {
      written += String(chunk);
      cb();
    },
  }) as Writable & { isTTY: boolean; columns: number; cursorTo: () => boolean; clearLine: () => boolean; moveCursor: () => boolean };
  s.isTTY = isTTY;
  s.columns = 80;
  s.cursorTo = () => true;
  s.clearLine = () => true;
  s.moveCursor = () => true;
  return { stream: s as unknown as NodeJS.WriteStream, text: () => written };
}

describe('progress bar', () => {
  it('writes nothing when stderr is not a terminal, or with --json', () => {
    for (const [tty, json] of [[false, false], [true, true]] as const) {
      const f = fakeStream(tty);
      const p = createProgress({ label: 'runs', total: 10, json, stream: f.stream });
      p.update(5);
      p.stop();
      expect(f.text()).toBe('');
    }
  });

  it('draws on a terminal', () => {
    const f = fakeStream(true);
    const p = createProgress({ label: 'runs', total: 10, stream: f.stream });
    p.update(5, 20);
    p.stop();
    p.stop();
    expect(f.text()).toContain('runs');
  });
});
