/**
 * @warewulf/cpio: native, streaming, deterministic newc cpio writer/reader with parallel gzip.
 * See README.md for the API contract.
 */
export { CpioError, isCpioError } from './errors.js';
export type { CpioErrorCode } from './errors.js';
export type {
  Compression,
  CompressionOptions,
  CpioEntryInfo,
  CpioEntryInput,
  CpioWarning,
  CpioWarningCode,
  EntryData,
  EntryType,
  PackResult,
  PackTreeOptions,
  ProgressEvent,
  WriteOptions,
} from './types.js';
export { packTree, packTreeToFile, writeArchive, writeArchiveToFile, writeStreamToFile } from './writer.js';
export { encodeArchiveSync } from './sync.js';
export type { ArchiveStream } from './writer.js';
export { listArchive, readArchive } from './reader.js';
export type { ArchiveSource, CpioReadEntry, ReadOptions } from './reader.js';
export { extractArchive } from './extract.js';
export type { ExtractOptions, ExtractResult } from './extract.js';
export { compressStream, decompressAuto, zstdSupport } from './compress.js';
export type { DetectedCompression } from './compress.js';
export { gzipParallel, closeCompressionWorkers, startCompressionWorkers, DEFAULT_BLOCK_SIZE } from './gzip-parallel.js';
export type { GzipParallelOptions, GzipTee } from './gzip-parallel.js';
export { compileExcludes, globToRegExp } from './glob.js';
export type { PathMatcher } from './glob.js';
export { sanitizeEntryName } from './safe-path.js';
export { MAX_FILE_SIZE, MAX_NAME_BYTES } from './newc-header.js';
