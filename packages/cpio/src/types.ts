import type { GzipTee } from './gzip-parallel.js';
import type { Readable } from 'node:stream';
import type { EntryType } from './newc-header.js';

export type { EntryType } from './newc-header.js';

export type Compression = 'gzip' | 'zstd' | 'none';

/** Progress counters; `total*` are known up front because the tree is planned before writing. */
export interface ProgressEvent {
  /** Entries written so far (excluding the trailer). */
  entries: number;
  totalEntries: number;
  /** File-content bytes read so far. */
  bytes: number;
  totalBytes: number;
  /** Bytes of archive output (after compression) handed to the consumer. */
  bytesOut: number;
  /** True on the final event. */
  done: boolean;
}

export type CpioWarningCode =
  | 'CPIO_WARN_SOCKET_SKIPPED'
  | 'CPIO_WARN_UNSUPPORTED_TYPE'
  | 'CPIO_WARN_FILE_CHANGED'
  | 'CPIO_WARN_MTIME_CLAMPED'
  | 'CPIO_WARN_OTHER_FILESYSTEM'
  | 'CPIO_WARN_DEVICE_SKIPPED'
  | 'CPIO_WARN_OWNER_NOT_SET'
  | 'CPIO_WARN_ENTRY_SKIPPED';

export interface CpioWarning {
  code: CpioWarningCode;
  message: string;
  path: string;
}

export interface CompressionOptions {
  /** Output compression. Default 'none'. */
  compression?: Compression;
  /** gzip 0-9 (default 6, same as gzip/pigz); zstd 1-19 (default 3). */
  level?: number;
  /** Compression threads for gzip/zstd (default: os.availableParallelism()). Output does not depend on it. */
  threads?: number;
  /**
   * Parallel-gzip block size in bytes (default 128 KiB like pigz, minimum 32 KiB). The output
   * depends on it, not on `threads`.
   */
  blockSize?: number;
  /**
   * gzip only: also write the uncompressed archive to this new file, in the same pass (the
   * compression workers write it while they compress). See `GzipTee`.
   */
  tee?: GzipTee;
}

export interface WriteOptions extends CompressionOptions {
  /** Override every entry's mtime (seconds since epoch or Date) for reproducible builds. */
  mtime?: number | Date;
  /** Override every entry's owner. */
  uid?: number;
  gid?: number;
  onProgress?: (ev: ProgressEvent) => void;
  onWarning?: (w: CpioWarning) => void;
  /**
   * Walk the tree and read file contents with synchronous system calls (one file after the
   * other, into one reused buffer), like `find | cpio`: no thread-pool round trip per entry (up
   * to four per small file otherwise), which costs more CPU and latency than the calls
   * themselves. The event loop is blocked while a directory is listed or a file read, so this is
   * for a CLI packing a local tree, never for a server. Default false.
   */
  syncFs?: boolean;
  /** Aborting makes the stream fail with an AbortError. */
  signal?: AbortSignal;
  /**
   * For one part of an archive built from several parts (the parts, concatenated,
   * read as one archive; gzip members concatenate the same way):
   * `parents: false` adds no implicit parent directories (another part has them),
   * `trailer: false` leaves out `TRAILER!!!` (a later part ends the archive),
   * `firstInode` starts the renumbering there (so parts do not share inode numbers).
   * writeArchive only; defaults true, true, 1.
   */
  parents?: boolean;
  trailer?: boolean;
  firstInode?: number;
}

export interface PackTreeOptions extends WriteOptions {
  /** Shell globs relative to the tree root (spec §6.2 excludes file); a matching directory drops its subtree. */
  exclude?: readonly string[];
  /** Skip entries on another filesystem than the root (like upstream's image build). Default false. */
  oneFileSystem?: boolean;
}

/** Data for a regular file in the entry-list writer. Streams need `size`. */
export type EntryData =
  | Uint8Array
  | string
  | Readable
  | AsyncIterable<Uint8Array>
  | (() => Readable | AsyncIterable<Uint8Array>);

/** One entry for `writeArchive` (overlays rendered in memory, or a mix with files on disk). */
export interface CpioEntryInput {
  /** Relative path inside the archive ("etc/hosts"; leading "/" or "./" are stripped). */
  path: string;
  /** 'hardlink' makes `path` another name of the regular file at `target`. */
  type: EntryType | 'hardlink';
  /** Permission bits incl. setuid/setgid/sticky (default 0644 files, 0755 dirs, 0777 symlinks). */
  mode?: number;
  uid?: number;
  gid?: number;
  /** Seconds since epoch or Date (default 0, or WriteOptions.mtime). */
  mtime?: number | Date;
  /** Regular file content (string is UTF-8). Absent means empty, unless `sourcePath` is given. */
  data?: EntryData;
  /** Regular file content read lazily from this file on disk. */
  sourcePath?: string;
  /** Content size in bytes; required for stream/function data and `sourcePath` is stat'ed when absent. */
  size?: number;
  /** Symlink target, or for 'hardlink' the archive path of the file it links to. */
  target?: string;
  /** Device numbers for 'char' and 'block'. */
  rdevMajor?: number;
  rdevMinor?: number;
}

/** What the writer reports when done. */
export interface PackResult {
  entries: number;
  /** Total file-content bytes archived. */
  dataBytes: number;
  /** Uncompressed archive size. */
  archiveBytes: number;
  /** Output size after compression. */
  bytesOut: number;
}

/** One entry as read back from an archive. */
export interface CpioEntryInfo {
  name: string;
  type: EntryType | 'socket' | 'unknown';
  /** Full st_mode (type + permission bits). */
  mode: number;
  /** Permission bits only (mode & 0o7777). */
  perm: number;
  uid: number;
  gid: number;
  nlink: number;
  mtime: number;
  /** Size of the data stored in this entry (0 for all but the last member of a newc hard-link group). */
  size: number;
  ino: number;
  devMajor: number;
  devMinor: number;
  rdevMajor: number;
  rdevMinor: number;
  /** Symlink target. */
  linkTarget?: string;
  /** 0 for the first archive of a concatenation, then 1, 2, ... (hard links never span archives). */
  archive: number;
}
