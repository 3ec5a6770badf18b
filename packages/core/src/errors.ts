/**
 * User-reachable failures carry a stable code so the CLI, the daemon and tests
 * can tell them apart without parsing messages. Programmer errors stay plain
 * `Error`. Only the CLI entry point turns a WwError into an exit code.
 */
export type WwErrorCode =
  | 'WW_ERR_CONFIG_PARSE'
  | 'WW_ERR_CONFIG_INVALID'
  | 'WW_ERR_NODES_PARSE'
  | 'WW_ERR_NODES_INVALID'
  | 'WW_ERR_NODES_LOCK'
  | 'WW_ERR_NODE_EXISTS'
  | 'WW_ERR_NODE_NOT_FOUND'
  | 'WW_ERR_PROFILE_EXISTS'
  | 'WW_ERR_PROFILE_NOT_FOUND'
  | 'WW_ERR_PROFILE_PROTECTED'
  | 'WW_ERR_HOSTLIST'
  | 'WW_ERR_INVALID_VALUE'
  | 'WW_ERR_USAGE'
  | 'WW_ERR_IO'
  // provisioning (warewulfd maps each to an HTTP status in one table)
  | 'WW_ERR_BAD_REQUEST'
  | 'WW_ERR_NOT_FOUND'
  | 'WW_ERR_DENIED'
  | 'WW_ERR_FORBIDDEN'
  | 'WW_ERR_BUSY'
  | 'WW_ERR_TEMPLATE'
  | 'WW_ERR_BAD_RESPONSE'
  | 'WW_ERR_SERVER';

export class WwError extends Error {
  readonly code: WwErrorCode;
  readonly hint: string | undefined;

  constructor(code: WwErrorCode, message: string, opts: { hint?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'WwError';
    this.code = code;
    this.hint = opts.hint;
  }
}

export function isWwError(err: unknown): err is WwError {
  return err instanceof WwError;
}

/** True for a Node.js system error with the given errno code (ENOENT, EEXIST, ...). */
export function isErrnoCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as NodeJS.ErrnoException).code === code;
}
