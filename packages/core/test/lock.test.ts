/** The nodes.conf lock: mutual exclusion, a dead holder's lock broken, a live one waited for. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireLock, isWwError } from '../src/index.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const fresh = () => (dir = mkdtempSync(join(tmpdir(), 'ww-lock-')));

describe('acquireLock', () => {
  it('50 concurrent read-modify-write cycles under the lock lose no increment', async () => {
    fresh();
    const counter = join(dir, 'counter');
    writeFileSync(counter, '0');
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        const lock = await acquireLock(join(dir, 'x.lock'));
        try {
          const n = Number(await readFile(counter, 'utf8'));
          await new Promise((r) => setTimeout(r, Math.random() * 3));
          await writeFile(counter, String(n + 1));
        } finally {
          await lock.release();
        }
      }),
    );
    expect(readFileSync(counter, 'utf8')).toBe('50');
    expect(readdirSync(dir).sort()).toEqual(['counter']); // no lock or temp file left
  });

  it('breaks the lock of a holder that died', async () => {
    fresh();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(join(dir, 'x.lock'), `${dead.stdout} ${hostname()}\n`);
    const lock = await acquireLock(join(dir, 'x.lock'), { timeoutMs: 2000 });
    expect(readFileSync(join(dir, 'x.lock'), 'utf8')).toBe(`${process.pid} ${hostname()}\n`);
    await lock.release();
  });

  it('waits for a live holder and times out with a clear error', async () => {
    fresh();
    writeFileSync(join(dir, 'x.lock'), `${process.pid} ${hostname()}\n`);
    let waitedFor = '';
    const err = await acquireLock(join(dir, 'x.lock'), { timeoutMs: 300, onWait: (h) => (waitedFor = h) }).catch((e: unknown) => e);
    expect(isWwError(err) && err.code).toBe('WW_ERR_NODES_LOCK');
    expect(waitedFor).toBe(`${process.pid} ${hostname()}`);
  });
});
