import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { InputError } from '../errors.js';

/**
 * Read the text files of a tar archive (gzip-compressed when its first bytes say so, not by its name), one at a time:
 * `onFile(name, text)` is called for every regular file whose name `accept`s, in archive order, so an 88 MB archive
 * is never held whole in memory. tar-stream does the tar format (ustar, pax and GNU long names).
 */
export async function readTarTexts(file: string, accept: (name: string) => boolean, onFile: (name: string, text: string) => void): Promise<number> {
  const head = await new Promise<Buffer>((res, rej) => {
    const chunks: Buffer[] = [];
    createReadStream(file, { start: 0, end: 1 })
      .on('data', (c) => chunks.push(c as Buffer))
      .on('end', () => res(Buffer.concat(chunks)))
      .on('error', rej);
  });
  const gz = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  const extract = tar.extract();
  const input = createReadStream(file);
  const fail = (e: Error) => extract.destroy(e);
  input.on('error', fail);
  if (gz) {
    const gunzip = createGunzip();
    gunzip.on('error', fail);
    input.pipe(gunzip).pipe(extract);
  } else input.pipe(extract);
  let n = 0;
  try {
    for await (const entry of extract) {
      const name = entry.header.name.replace(/^\.\//, '');
      if (entry.header.type !== 'file' || !accept(name)) {
        entry.resume();
        continue;
      }
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      onFile(name, Buffer.concat(chunks).toString('utf8'));
      n++;
    }
  } catch (e) {
    input.destroy();
    if (e instanceof InputError) throw e;
    throw new InputError(`${file}: not a readable tar${gz ? '.gz' : ''} archive (${(e as Error).message})`, undefined, e);
  }
  return n;
}
