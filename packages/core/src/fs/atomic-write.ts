/**
 * Replace a file so that a reader sees the old content or the new, never a
 * truncated one: write a temp file in the same directory, fsync it, rename it
 * over the target, fsync the directory. Mode (and owner, when given) are set
 * on the temp file, so the file never appears with other ones.
 *
 * Only a regular file (or nothing) is replaced: renaming over a device, a
 * FIFO or a socket would silently swap it for a file (a nodes.conf symlinked
 * to /dev/null turned /dev/null itself into a 0600 regular file).
 */
import { lstat, open, rename, unlink } from 'node:fs/promises';
import { WwError, isErrnoCode } from '../errors.js';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** What a path that is not a regular file is, for the refusal. */
function kindOf(st: Awaited<ReturnType<typeof lstat>>): string | undefined {
  if (st.isFile() || st.isSymbolicLink()) return undefined;
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Write `data` to `path` atomically with `mode` (and `owner`). Throws
 * WW_ERR_IO when `path` exists and is not a regular file or a symlink
 * (nothing is written then), or the file system's errors.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600, owner?: { uid: number; gid: number }): Promise<void> {
  try {
    const kind = kindOf(await lstat(path));
    if (kind !== undefined) throw new WwError('WW_ERR_IO', `${path} is ${kind}, not a regular file: it is not replaced`);
  } catch (err) {
    if (!isErrnoCode(err, 'ENOENT')) throw err;
  }
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const fh = await open(tmp, 'wx', mode);
  try {
    await fh.writeFile(data);
    await fh.chmod(mode); // open's mode is filtered by the umask
    if (owner) await fh.chown(owner.uid, owner.gid);
    await fh.sync();
  } catch (err) {
    await fh.close();
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fh.close();
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  const dh = await open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}
