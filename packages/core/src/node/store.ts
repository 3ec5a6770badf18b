/**
 * Reading and changing nodes.conf on disk. Every change is
 * read-modify-write under an exclusive lock, and the new text replaces the
 * file atomically with mode 0600 (it holds IPMI passwords). A change that
 * throws writes nothing.
 */
import { readFile } from 'node:fs/promises';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { WwError, isErrnoCode } from '../errors.js';
import { acquireLock, type LockOptions } from '../fs/lock.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { dumpNodesConf, emptyNodesDocument, parseNodesConf, type NodesDocument } from './document.js';

export async function readNodesConf(path: string): Promise<NodesDocument> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (isErrnoCode(err, 'ENOENT')) return emptyNodesDocument();
    throw new WwError('WW_ERR_IO', `could not read ${path}: ${(err as Error).message}`, { cause: err });
  }
  return parseNodesConf(text, path);
}

export interface UpdateResult<T> {
  result: T;
  written: boolean;
}

/**
 * Lock, read, let `change` edit the document, write it back. `change`
 * returns `{ write: false }` to leave the file alone (nothing changed).
 */
export async function updateNodesConf<T>(
  path: string,
  change: (doc: NodesDocument) => Promise<{ result: T; write: boolean }> | { result: T; write: boolean },
  lockOpts: LockOptions = {},
): Promise<UpdateResult<T>> {
  await mkdir(dirname(path), { recursive: true });
  const lock = await acquireLock(`${path}.lock`, lockOpts);
  try {
    const doc = await readNodesConf(path);
    const { result, write } = await change(doc);
    if (write) await writeFileAtomic(path, dumpNodesConf(doc), 0o600);
    return { result, written: write };
  } finally {
    await lock.release();
  }
}
