/**
 * An exclusive advisory lock between wwctl processes (and the daemon), made
 * of a lock file. Node has no flock(2), so a holder that dies (SIGKILL)
 * leaves the file behind: it records pid and host, and a waiter that finds
 * the pid gone on this host breaks it. The file is created complete: written
 * under a unique name, then hard-linked into place (link(2) fails if the lock
 * exists), so no waiter ever sees a half-written lock and mistakes a live
 * holder for a dead one. Breaking is itself serialised through an O_EXCL
 * file so two waiters cannot both break the lock and then each take it.
 */
import { link, open, readFile, rename, unlink, stat, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { WwError, isErrnoCode } from '../errors.js';

export interface LockOptions {
  /** Give up after this long (ms). */
  timeoutMs?: number;
  /** Called once when we start waiting for another holder. */
  onWait?: (holder: string) => void;
}

export interface LockHandle {
  release(): Promise<void>;
}

const BREAKER_STALE_MS = 10_000;

/** Is a process with this pid running (or a zombie) on this host? */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return isErrnoCode(err, 'EPERM');
  }
}

async function readHolder(lockPath: string): Promise<string | undefined> {
  try {
    return await readFile(lockPath, 'utf8');
  } catch (err) {
    if (isErrnoCode(err, 'ENOENT')) return undefined;
    throw err;
  }
}

function holderIsDead(content: string): boolean {
  const [pidText, host] = content.trim().split(/\s+/);
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return true; // not ours: locks are created complete
  if (host !== undefined && host !== hostname()) return false; // cannot tell for another host
  return !pidAlive(pid);
}

async function tryBreakStale(lockPath: string, seen: string): Promise<void> {
  const breaker = `${lockPath}.break`;
  let fh;
  try {
    fh = await open(breaker, 'wx', 0o600);
    await fh.writeFile(`${process.pid} ${hostname()}\n`);
  } catch (err) {
    await fh?.close();
    if (!isErrnoCode(err, 'EEXIST')) throw err;
    // a breaker that died mid-break must not block everyone forever
    const holder = await readHolder(breaker);
    const st = await stat(breaker).catch(() => undefined);
    if ((holder !== undefined && holder.trim() !== '' && holderIsDead(holder)) || (st && Date.now() - st.mtimeMs > BREAKER_STALE_MS)) {
      await unlink(breaker).catch(() => undefined);
    }
    return;
  }
  try {
    // still the same dead holder? (another waiter may have broken and re-taken it)
    if ((await readHolder(lockPath)) === seen) {
      const aside = `${lockPath}.stale.${process.pid}`;
      await rename(lockPath, aside).catch(() => undefined);
      await unlink(aside).catch(() => undefined);
    }
  } finally {
    await fh.close();
    await unlink(breaker).catch(() => undefined);
  }
}

export async function acquireLock(lockPath: string, opts: LockOptions = {}): Promise<LockHandle> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let delay = 5;
  let told = false;
  const content = `${process.pid} ${hostname()}\n`;
  for (;;) {
    const tmp = `${lockPath}.${process.pid}.${randomBytes(4).toString('hex')}`;
    await writeFile(tmp, content, { mode: 0o600 });
    let taken = false;
    try {
      await link(tmp, lockPath);
      taken = true;
    } catch (err) {
      if (!isErrnoCode(err, 'EEXIST')) throw err;
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
    if (taken) {
      let released = false;
      return {
        async release() {
          if (released) return;
          released = true;
          await unlink(lockPath).catch((err: unknown) => {
            if (!isErrnoCode(err, 'ENOENT')) throw err;
          });
        },
      };
    }
    const holder = await readHolder(lockPath);
    if (holder !== undefined && holderIsDead(holder)) {
      await tryBreakStale(lockPath, holder);
      continue;
    }
    if (!told && holder !== undefined) {
      told = true;
      opts.onWait?.(holder.trim());
    }
    if (Date.now() > deadline) {
      throw new WwError('WW_ERR_NODES_LOCK', `timed out waiting for the lock ${lockPath} (held by pid ${holder?.trim() ?? '?'})`);
    }
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 100);
  }
}
