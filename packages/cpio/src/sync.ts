/**
 * The whole archive in memory, built synchronously, for small archives of
 * in-memory data (rendered overlay images: thousands per build, a few KB
 * each, where the streaming writer's per-entry async machinery would cost
 * more than the encoding itself). Same planning, same bytes as writeArchive.
 */
import { CpioError } from './errors.js';
import { encodeHeader, encodeTrailer, pad4 } from './newc-header.js';
import { planEntriesSync } from './plan.js';
import type { CpioEntryInput, CpioWarning, WriteOptions } from './types.js';

const ZEROS = Buffer.alloc(4);

/**
 * Encode entries whose file data is in memory (`data` as string or bytes;
 * no `sourcePath`, no streams) as one newc archive. Honours WriteOptions'
 * `parents`, `trailer`, `firstInode`, `mtime`, `uid`, `gid`; compression is
 * the caller's. Throws CpioError for invalid entries (as writeArchive).
 */
export function encodeArchiveSync(entries: readonly CpioEntryInput[], opts: WriteOptions = {}): Buffer {
  const warn = (w: CpioWarning) => opts.onWarning?.(w);
  const planned = planEntriesSync(entries, opts, warn);
  const parts: Buffer[] = [];
  for (const e of planned) {
    parts.push(
      encodeHeader(
        {
          ino: e.ino, mode: e.mode, uid: e.uid, gid: e.gid, nlink: e.nlink, mtime: e.mtime, fileSize: e.size,
          devMajor: 0, devMinor: 0, rdevMajor: e.rdevMajor, rdevMinor: e.rdevMinor,
        },
        Buffer.from(e.name, 'utf8'),
      ),
    );
    if (e.size > 0 && e.data) {
      if (e.data.kind !== 'bytes') throw new CpioError('CPIO_ERR_INVALID_ENTRY', `${e.name}: encodeArchiveSync takes data in memory only`, { path: e.name });
      parts.push(Buffer.from(e.data.bytes.buffer, e.data.bytes.byteOffset, e.size));
      const pad = pad4(e.size);
      if (pad) parts.push(ZEROS.subarray(0, pad));
    }
  }
  if (opts.trailer !== false) parts.push(encodeTrailer());
  return Buffer.concat(parts);
}
