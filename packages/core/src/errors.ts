/**
 * User-reachable failures carry a stable code so the CLI, the daemon and
 * tests can tell them apart without parsing messages. Each code has the
 * HTTP status warewulfd and the REST API answer with (one table, as
 * fastify's error registry). Programmer errors stay plain `Error`. Errors of
 * the libraries below core (templates, cpio, OCI) are turned into WwErrors
 * at core's edge by toWwError(); only the CLI's entry point exits.
 */

/** Every code and the HTTP status it maps to. */
export const ERROR_STATUS = {
  WW_ERR_CONFIG_PARSE: 500,
  WW_ERR_CONFIG_INVALID: 500,
  WW_ERR_NODES_PARSE: 400,
  WW_ERR_NODES_INVALID: 400,
  WW_ERR_NODES_LOCK: 503,
  WW_ERR_NODE_EXISTS: 409,
  WW_ERR_NODE_NOT_FOUND: 404,
  WW_ERR_PROFILE_EXISTS: 409,
  WW_ERR_PROFILE_NOT_FOUND: 404,
  WW_ERR_PROFILE_PROTECTED: 409,
  WW_ERR_HOSTLIST: 400,
  WW_ERR_INVALID_VALUE: 400,
  WW_ERR_INVALID_NAME: 400,
  WW_ERR_USAGE: 400,
  /** Someone else changed what this change was based on (node edit, If-Match). */
  WW_ERR_CONFLICT: 409,
  WW_ERR_PRECONDITION: 412,
  WW_ERR_NOT_FOUND: 404,
  WW_ERR_TEMPLATE: 500,
  /** A path (overlay file, template `file`/`Include`, archive entry, URL) that would leave its root. */
  WW_ERR_PATH_ESCAPE: 400,
  WW_ERR_OVERLAY_NOT_FOUND: 404,
  WW_ERR_OVERLAY_EXISTS: 409,
  WW_ERR_OVERLAY_PROTECTED: 409,
  /** Some nodes' overlays failed to build (each failure is reported on its own). */
  WW_ERR_BUILD: 500,
  WW_ERR_CPIO: 500,
  WW_ERR_IO: 500,
  /** A BMC command template is missing, fails, or would leak the password (wwctl power, node sensors/console). */
  WW_ERR_BMC_TEMPLATE: 500,
  /** A BMC command failed on some node. */
  WW_ERR_BMC_FAILED: 502,
} as const;

export type WwErrorCode = keyof typeof ERROR_STATUS;

export class WwError extends Error {
  readonly code: WwErrorCode;
  readonly hint: string | undefined;

  constructor(code: WwErrorCode, message: string, opts: { hint?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'WwError';
    this.code = code;
    this.hint = opts.hint;
  }

  /** The HTTP status for this error (ERROR_STATUS). */
  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export function isWwError(err: unknown): err is WwError {
  return err instanceof WwError;
}

/** True for a Node.js system error with the given errno code (ENOENT, EEXIST, ...). */
export function isErrnoCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as NodeJS.ErrnoException).code === code;
}

/**
 * The error classes of the packages below core, recognised by name so that
 * loading core does not load the template engine or the cpio codec (wwctl's
 * start-up stays lean).
 */
const LIBRARY_ERRORS: Readonly<Record<string, WwErrorCode>> = {
  TemplateError: 'WW_ERR_TEMPLATE',
  CpioError: 'WW_ERR_CPIO',
};

const mappers: readonly ((err: unknown) => WwError | undefined)[] = [
  (err) => {
    const code = err instanceof Error ? LIBRARY_ERRORS[err.name] : undefined;
    return code === undefined ? undefined : new WwError(code, (err as Error).message, { cause: err });
  },
  (err) => {
    // a system error that reached the edge: a file or permission problem the admin can act on
    const e = err as NodeJS.ErrnoException;
    if (!(err instanceof Error) || typeof e.code !== 'string' || typeof e.syscall !== 'string') return undefined;
    return new WwError('WW_ERR_IO', e.message, { cause: err });
  },
];

/** The WwError for `err`: itself, or a library error mapped to its code; undefined for programmer errors. */
export function toWwError(err: unknown): WwError | undefined {
  if (err instanceof WwError) return err;
  for (const m of mappers) {
    const w = m(err);
    if (w) return w;
  }
  return undefined;
}
