/** writeFileAtomic replaces regular files only: never a device, FIFO, socket or directory (a nodes.conf symlinked to /dev/null once replaced /dev/null). */
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isWwError, readNodesConf, updateNodesConf, writeFileAtomic } from '../src/index.js';

/** The WwError a promise rejects with. */
async function wwErrorOf(fn: () => Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await fn();
  } catch (err) {
    if (isWwError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected a WwError');
}

const isRoot = process.getuid?.() === 0;

describe('writeFileAtomic', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const tmp = () => {
    const d = mkdtempSync(join(tmpdir(), 'ww-atomic-'));
    dirs.push(d);
    return d;
  };

  it('replaces a regular file (mode as asked) and creates a missing one', async () => {
    const d = tmp();
    writeFileSync(join(d, 'f'), 'old');
    await writeFileAtomic(join(d, 'f'), 'new', 0o640);
    expect(readFileSync(join(d, 'f'), 'utf8')).toBe('new');
    expect(lstatSync(join(d, 'f')).mode & 0o777).toBe(0o640);
    await writeFileAtomic(join(d, 'g'), 'x');
    expect(readFileSync(join(d, 'g'), 'utf8')).toBe('x');
  });

  it('refuses a FIFO and a directory, naming what they are, and leaves them as they were', async () => {
    const d = tmp();
    expect(spawnSync('mkfifo', [join(d, 'fifo')]).status).toBe(0);
    mkdirSync(join(d, 'dir'));
    const fifo = await wwErrorOf(() => writeFileAtomic(join(d, 'fifo'), 'x'));
    expect([fifo.code, fifo.message]).toEqual(['WW_ERR_IO', `${join(d, 'fifo')} is a FIFO, not a regular file: it is not replaced`]);
    expect(lstatSync(join(d, 'fifo')).isFIFO()).toBe(true);
    expect((await wwErrorOf(() => writeFileAtomic(join(d, 'dir'), 'x'))).message).toContain('is a directory, not a regular file');
    expect(lstatSync(join(d, 'dir')).isDirectory()).toBe(true);
  });

  it.skipIf(!isRoot)('(root) a nodes.conf symlinked to a character device (a private copy of /dev/null) is refused on write; the device stays a device', async () => {
    const d = tmp();
    const dev = join(d, 'null');
    expect(spawnSync('mknod', ['-m', '666', dev, 'c', '1', '3']).status).toBe(0);
    const conf = join(d, 'nodes.conf');
    symlinkSync(dev, conf);
    expect(Object.keys((await readNodesConf(conf)).nodes)).toEqual([]);
    const e = await wwErrorOf(() => updateNodesConf(conf, (doc) => {
      doc.nodes.n1 = {};
      return { result: undefined, write: true };
    }));
    expect(e.message).toBe(`${dev} is a character device, not a regular file: it is not replaced`);
    expect(lstatSync(dev).isCharacterDevice()).toBe(true);
  });
});
