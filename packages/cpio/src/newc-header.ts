import { CpioError } from './errors.js';

/** newc ("SVR4 without CRC") magic. We write this one; the reader also accepts 070702 (crc variant). */
export const NEWC_MAGIC = '070701';
export const NEWC_CRC_MAGIC = '070702';
export const HEADER_SIZE = 110;
export const TRAILER_NAME = 'TRAILER!!!';
/** newc stores sizes in 8 hex digits. */
export const MAX_FILE_SIZE = 0xffff_ffff;
/** The kernel's initramfs unpacker refuses names of PATH_MAX (4096) bytes or more (incl. NUL). */
export const MAX_NAME_BYTES = 4095;

// File type bits of st_mode (octal, as in <sys/stat.h>).
export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFBLK = 0o060000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;
export const S_IFIFO = 0o010000;

export type EntryType = 'file' | 'directory' | 'symlink' | 'char' | 'block' | 'fifo';

export const TYPE_BITS: Record<EntryType, number> = {
  file: S_IFREG,
  directory: S_IFDIR,
  symlink: S_IFLNK,
  char: S_IFCHR,
  block: S_IFBLK,
  fifo: S_IFIFO,
};

export function typeFromMode(mode: number): EntryType | 'socket' | 'unknown' {
  switch (mode & S_IFMT) {
    case S_IFREG: return 'file';
    case S_IFDIR: return 'directory';
    case S_IFLNK: return 'symlink';
    case S_IFCHR: return 'char';
    case S_IFBLK: return 'block';
    case S_IFIFO: return 'fifo';
    case S_IFSOCK: return 'socket';
    default: return 'unknown';
  }
}

/** Decoded header fields (all unsigned 32-bit). */
export interface NewcHeader {
  magic: string;
  ino: number;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  mtime: number;
  fileSize: number;
  devMajor: number;
  devMinor: number;
  rdevMajor: number;
  rdevMinor: number;
  nameSize: number;
  check: number;
}

export function pad4(n: number): number {
  return (4 - (n % 4)) % 4;
}

const HEX = '0123456789abcdef';

function putHex8(buf: Buffer, off: number, value: number, field: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw new CpioError('CPIO_ERR_INVALID_ENTRY', `cpio header field ${field} out of range: ${value}`);
  }
  for (let i = 7; i >= 0; i--) {
    buf[off + i] = HEX.charCodeAt(value & 0xf);
    value = Math.floor(value / 16);
  }
}

/**
 * Encode one header + NUL-terminated name + padding so that header+name is a multiple of 4.
 * Returned buffer is exactly what goes before the entry's data.
 */
export function encodeHeader(h: Omit<NewcHeader, 'magic' | 'nameSize' | 'check'>, name: Buffer): Buffer {
  const nameSize = name.length + 1;
  const total = HEADER_SIZE + nameSize;
  const buf = Buffer.alloc(total + pad4(total));
  buf.write(NEWC_MAGIC, 0, 'latin1');
  const fields: Array<[number, string]> = [
    [h.ino, 'ino'], [h.mode, 'mode'], [h.uid, 'uid'], [h.gid, 'gid'], [h.nlink, 'nlink'],
    [h.mtime, 'mtime'], [h.fileSize, 'filesize'], [h.devMajor, 'devmajor'], [h.devMinor, 'devminor'],
    [h.rdevMajor, 'rdevmajor'], [h.rdevMinor, 'rdevminor'], [nameSize, 'namesize'], [0, 'check'],
  ];
  let off = 6;
  for (const [v, f] of fields) {
    putHex8(buf, off, v, f);
    off += 8;
  }
  name.copy(buf, HEADER_SIZE);
  // Buffer.alloc zero-fills: NUL terminator and padding are already there.
  return buf;
}

export function encodeTrailer(): Buffer {
  return encodeHeader(
    { ino: 0, mode: 0, uid: 0, gid: 0, nlink: 1, mtime: 0, fileSize: 0, devMajor: 0, devMinor: 0, rdevMajor: 0, rdevMinor: 0 },
    Buffer.from(TRAILER_NAME, 'latin1'),
  );
}

function parseHex8(buf: Buffer, off: number): number {
  let v = 0;
  for (let i = 0; i < 8; i++) {
    const c = buf[off + i]!;
    let d: number;
    if (c >= 0x30 && c <= 0x39) d = c - 0x30;
    else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
    else if (c >= 0x41 && c <= 0x46) d = c - 0x37;
    else throw new CpioError('CPIO_ERR_CORRUPT', `invalid hex digit in cpio header at byte ${off + i}`);
    v = v * 16 + d;
  }
  return v;
}

/** Decode the fixed 110-byte part of a header. `buf` must hold at least HEADER_SIZE bytes. */
export function decodeHeader(buf: Buffer): NewcHeader {
  const magic = buf.toString('latin1', 0, 6);
  if (magic !== NEWC_MAGIC && magic !== NEWC_CRC_MAGIC) {
    throw new CpioError('CPIO_ERR_BAD_MAGIC', `not a newc cpio header (magic ${JSON.stringify(magic)})`);
  }
  const f = (i: number): number => parseHex8(buf, 6 + i * 8);
  return {
    magic,
    ino: f(0), mode: f(1), uid: f(2), gid: f(3), nlink: f(4), mtime: f(5), fileSize: f(6),
    devMajor: f(7), devMinor: f(8), rdevMajor: f(9), rdevMinor: f(10), nameSize: f(11), check: f(12),
  };
}

/** Linux dev_t encoding (glibc gnu_dev_major/minor), works on the 64-bit value. */
export function splitDev(rdev: bigint): { major: number; minor: number } {
  const major = Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
  const minor = Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));
  return { major, minor };
}
