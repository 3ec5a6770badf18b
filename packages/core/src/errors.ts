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
  /** An overlay holds something that can not be in a node's image (a socket, a device node, a fifo). */
  WW_ERR_OVERLAY_FILE: 400,
  /** Some nodes' overlays failed to build (each failure is reported on its own). */
  WW_ERR_BUILD: 500,
  WW_ERR_CPIO: 500,
  WW_ERR_IO: 500,
  /** A BMC command template is missing, fails, or would leak the password (wwctl power, node sensors/console). */
  WW_ERR_BMC_TEMPLATE: 500,
  /** A BMC command failed on some node. */
  WW_ERR_BMC_FAILED: 502,
  // images (core/image); OciError codes map onto these in OCI_CODES below
  WW_ERR_IMAGE_NOT_FOUND: 404,
  WW_ERR_IMAGE_EXISTS: 409,
  /** A node or profile uses the image (delete without --force). */
  WW_ERR_IMAGE_IN_USE: 409,
  /** An image exec/shell holds the image (its run directory exists). */
  WW_ERR_IMAGE_BUSY: 409,
  /** The import source: a bad reference, archive, manifest, platform, or one that does not exist. */
  WW_ERR_IMAGE_SOURCE: 400,
  /** The registry wants credentials or refused them. */
  WW_ERR_IMAGE_AUTH: 502,
  /** The registry cannot be reached (network, TLS) or answered something unexpected. */
  WW_ERR_IMAGE_NETWORK: 502,
  /** Content that does not match its digest. */
  WW_ERR_IMAGE_DIGEST: 502,
  /** A layer that cannot be applied (corrupt tar or compression). */
  WW_ERR_IMAGE_LAYER: 422,
  /** image exec/shell: not root, or the command failed. */
  WW_ERR_IMAGE_EXEC: 500,
  /** syncuser: uid/gid collisions between the image and the server. */
  WW_ERR_IMAGE_SYNCUSER: 409,
  /** Interrupted (SIGINT/SIGTERM or an aborted request). */
  WW_ERR_ABORTED: 503,
  /** An external tool (systemctl, ssh-keygen, openssl) failed or could not be run. */
  WW_ERR_COMMAND_FAILED: 500,
  // provisioning (warewulfd answers with these statuses)
  /** A node's request that cannot be served as asked (bad stage, wwid, path; no image or kernel). */
  WW_ERR_BAD_REQUEST: 400,
  /** A refused node: unprivileged port for runtime overlays, wrong or missing asset key. */
  WW_ERR_DENIED: 401,
  /** Allowed only another way: runtime overlays over TLS, /files from a privileged port. */
  WW_ERR_FORBIDDEN: 403,
  /** No stream slot came free in time, or nodes.conf could not be read for discovery: try again. */
  WW_ERR_BUSY: 503,
  /** warewulfd answered something that is not what was asked for (wwctl node status). */
  WW_ERR_BAD_RESPONSE: 502,
  /** Starting, stopping or reaching the warewulfd process failed. */
  WW_ERR_SERVER: 500,
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

/** OciError codes (@warewulf/oci), by the same name-based recognition. */
const OCI_CODES: Readonly<Record<string, WwErrorCode>> = {
  OCI_ERR_REFERENCE: 'WW_ERR_IMAGE_SOURCE',
  OCI_ERR_DIGEST: 'WW_ERR_IMAGE_SOURCE',
  OCI_ERR_DIGEST_MISMATCH: 'WW_ERR_IMAGE_DIGEST',
  OCI_ERR_AUTH: 'WW_ERR_IMAGE_AUTH',
  OCI_ERR_NOT_FOUND: 'WW_ERR_IMAGE_SOURCE',
  OCI_ERR_REGISTRY: 'WW_ERR_IMAGE_NETWORK',
  OCI_ERR_NETWORK: 'WW_ERR_IMAGE_NETWORK',
  OCI_ERR_TLS: 'WW_ERR_IMAGE_NETWORK',
  OCI_ERR_MANIFEST: 'WW_ERR_IMAGE_SOURCE',
  OCI_ERR_PLATFORM: 'WW_ERR_IMAGE_SOURCE',
  OCI_ERR_ARCHIVE: 'WW_ERR_IMAGE_SOURCE',
  OCI_ERR_UNSAFE_ENTRY: 'WW_ERR_PATH_ESCAPE',
  OCI_ERR_LAYER: 'WW_ERR_IMAGE_LAYER',
  OCI_ERR_ABORTED: 'WW_ERR_ABORTED',
};

const mappers: readonly ((err: unknown) => WwError | undefined)[] = [
  (err) => {
    if (!(err instanceof Error) || err.name !== 'OciError') return undefined;
    const code = OCI_CODES[(err as Error & { code: string }).code];
    return code === undefined ? undefined : new WwError(code, err.message, { cause: err });
  },
  (err) => {
    // an aborted operation (AbortSignal): the admin interrupted it
    return err instanceof Error && err.name === 'AbortError' ? new WwError('WW_ERR_ABORTED', 'interrupted', { cause: err }) : undefined;
  },
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
