import { lstat, readdir, readlink, stat } from 'node:fs/promises';
import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import type { BigIntStats } from 'node:fs';
import * as path from 'node:path';
import { CpioError } from './errors.js';
import { compileExcludes } from './glob.js';
import { S_IFMT, S_IFREG, S_IFLNK, splitDev, typeFromMode } from './newc-header.js';
import { TREE_DATA, assignInodes, checkName, checkSize, clampMtime, compareNames, toEpochSeconds } from './plan.js';
import type { PlannedEntry, RawEntry } from './plan.js';
import type { CpioWarning, PackTreeOptions } from './types.js';

/** lstat this many directory children at once: overlaps syscalls without unbounded fan-out. */
const STAT_BATCH = 64;

/**
 * Walk `root` (not included itself) into archive order: pre-order, each directory's children
 * sorted by UTF-8 bytes, so the same tree always gives the same archive. Metadata only; file
 * contents are read later while writing. Uses bigint stats so 64-bit inode/device numbers are
 * compared exactly when detecting hard links.
 */
export async function walkTree(
  root: string,
  opts: PackTreeOptions,
  warn: (w: CpioWarning) => void,
): Promise<{ root: string; entries: PlannedEntry[] }> {
  const absRoot = path.resolve(root);
  let rootStat: BigIntStats;
  try {
    rootStat = await stat(absRoot, { bigint: true }); // the root itself may be a symlink to the tree
  } catch (cause) {
    throw new CpioError('CPIO_ERR_NOT_DIRECTORY', `cannot read tree root ${absRoot}`, { path: absRoot, cause });
  }
  if (!rootStat.isDirectory()) {
    throw new CpioError('CPIO_ERR_NOT_DIRECTORY', `tree root is not a directory: ${absRoot}`, { path: absRoot });
  }
  const excluded = compileExcludes(opts.exclude);
  const fixedMtime = opts.mtime === undefined ? undefined : toEpochSeconds(opts.mtime);
  const out: RawEntry[] = [];
  const list = opts.syncFs ? async (dir: string) => readdirSync(dir) : (dir: string) => readdir(dir);
  const statOne = opts.syncFs ? async (abs: string) => statSyncEntry(abs) : statEntry;

  const visit = async (absDir: string, relDir: string): Promise<void> => {
    const names = (await list(absDir)).map((n) => ({ n, b: Buffer.from(n, 'utf8') }));
    names.sort((a, b) => compareNames(a.b, b.b));
    const kept = names.filter(({ n }) => !excluded(relDir === '' ? n : `${relDir}/${n}`));
    for (let i = 0; i < kept.length; i += STAT_BATCH) {
      const batch = kept.slice(i, i + STAT_BATCH);
      const stats = await Promise.all(batch.map(({ n }) => statOne(path.join(absDir, n))));
      for (let j = 0; j < batch.length; j++) {
        const { n } = batch[j]!;
        const { st, target } = stats[j]!;
        const rel = relDir === '' ? n : `${relDir}/${n}`;
        const abs = path.join(absDir, n);
        if (opts.oneFileSystem && st.dev !== rootStat.dev) {
          warn({ code: 'CPIO_WARN_OTHER_FILESYSTEM', message: `skipping ${rel}: on another filesystem`, path: rel });
          continue;
        }
        const mode = Number(st.mode);
        const type = typeFromMode(mode);
        if (type === 'socket' || type === 'unknown') {
          warn({
            code: type === 'socket' ? 'CPIO_WARN_SOCKET_SKIPPED' : 'CPIO_WARN_UNSUPPORTED_TYPE',
            message: `skipping ${type} ${rel}: cpio cannot carry it`,
            path: rel,
          });
          continue;
        }
        checkName(rel);
        let size = 0;
        if (type === 'file') {
          size = Number(st.size);
          checkSize(size, rel);
        } else if (type === 'symlink') {
          size = target!.length;
        }
        const dev = type === 'char' || type === 'block' ? splitDev(st.rdev) : { major: 0, minor: 0 };
        const mtimeSec = fixedMtime ?? Number(st.mtimeNs / 1_000_000_000n) - (st.mtimeNs < 0n && st.mtimeNs % 1_000_000_000n !== 0n ? 1 : 0);
        out.push({
          name: rel,
          mode: mode & 0o177777,
          uid: opts.uid ?? Number(st.uid),
          gid: opts.gid ?? Number(st.gid),
          mtime: clampMtime(mtimeSec, rel, warn),
          size,
          rdevMajor: dev.major,
          rdevMinor: dev.minor,
          linkKey: (mode & S_IFMT) === S_IFREG && st.nlink > 1n ? `${st.dev}:${st.ino}` : null,
          data: type === 'file' ? (size > 0 ? TREE_DATA : null) : type === 'symlink' ? { kind: 'bytes', bytes: target! } : null,
        });
        if (type === 'directory') await visit(abs, rel);
      }
    }
  };
  await visit(absRoot, '');
  return { root: absRoot, entries: assignInodes(out) };
}

interface StatResult {
  st: BigIntStats;
  /** A symlink's target, else null. */
  target: Buffer | null;
}

async function statEntry(abs: string): Promise<StatResult> {
  const st = await lstat(abs, { bigint: true });
  const target = (Number(st.mode) & S_IFMT) === S_IFLNK ? await readlink(abs, { encoding: 'buffer' }) : null;
  return { st, target };
}

function statSyncEntry(abs: string): StatResult {
  const st = lstatSync(abs, { bigint: true });
  const target = (Number(st.mode) & S_IFMT) === S_IFLNK ? readlinkSync(abs, { encoding: 'buffer' }) : null;
  return { st, target };
}
