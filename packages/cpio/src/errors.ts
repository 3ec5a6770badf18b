/**
 * Stable error codes. Callers (CLI, daemon, node agent) switch on `code`, never on messages.
 */
export type CpioErrorCode =
  | 'CPIO_ERR_FILE_TOO_LARGE'
  | 'CPIO_ERR_NAME_TOO_LONG'
  | 'CPIO_ERR_PATH_ESCAPE'
  | 'CPIO_ERR_BAD_MAGIC'
  | 'CPIO_ERR_CORRUPT'
  | 'CPIO_ERR_TRUNCATED'
  | 'CPIO_ERR_INVALID_ENTRY'
  | 'CPIO_ERR_NOT_DIRECTORY'
  | 'CPIO_ERR_ZSTD_UNAVAILABLE'
  | 'CPIO_ERR_COMPRESSION'
  | 'CPIO_ERR_EXTRACT';

export class CpioError extends Error {
  readonly code: CpioErrorCode;
  /** Archive entry name or filesystem path the error is about, when there is one. */
  readonly path: string | undefined;

  constructor(code: CpioErrorCode, message: string, options?: { path?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CpioError';
    this.code = code;
    this.path = options?.path;
  }
}

export function isCpioError(err: unknown, code?: CpioErrorCode): err is CpioError {
  return err instanceof CpioError && (code === undefined || err.code === code);
}
