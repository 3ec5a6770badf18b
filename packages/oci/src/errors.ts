/**
 * Failures a user can cause or meet (a bad reference, a registry that says
 * no, a digest that does not match, a layer entry that would escape its root)
 * carry a stable code. core maps them to WwError at its edge; programmer
 * errors stay plain `Error`.
 */
export type OciErrorCode =
  /** The image reference or source string cannot be parsed. */
  | 'OCI_ERR_REFERENCE'
  /** A digest string is malformed or uses an unsupported algorithm. */
  | 'OCI_ERR_DIGEST'
  /** Content does not hash to the digest it was asked for (or its size differs). */
  | 'OCI_ERR_DIGEST_MISMATCH'
  /** The registry needs credentials, or refused the ones given. */
  | 'OCI_ERR_AUTH'
  /** The registry (or an archive) has no such repository, tag, manifest or blob. */
  | 'OCI_ERR_NOT_FOUND'
  /** Any other unexpected registry answer. */
  | 'OCI_ERR_REGISTRY'
  /** Connection-level failure: refused, reset, DNS, timeout. */
  | 'OCI_ERR_NETWORK'
  /** TLS handshake or certificate verification failed. */
  | 'OCI_ERR_TLS'
  /** A manifest, index or config is not what the OCI / Docker specs allow. */
  | 'OCI_ERR_MANIFEST'
  /** No manifest in an index matches the wanted platform. */
  | 'OCI_ERR_PLATFORM'
  /** An oci-archive / docker-archive is incomplete or inconsistent. */
  | 'OCI_ERR_ARCHIVE'
  /** A layer entry would land outside the target root. */
  | 'OCI_ERR_UNSAFE_ENTRY'
  /** A layer cannot be applied (corrupt tar, I/O error on an entry). */
  | 'OCI_ERR_LAYER'
  /** The operation was aborted (signal). */
  | 'OCI_ERR_ABORTED';

export class OciError extends Error {
  readonly code: OciErrorCode;
  /** The layer entry, archive member or URL path the error is about, when there is one. */
  readonly entry: string | undefined;

  constructor(code: OciErrorCode, message: string, opts: { entry?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'OciError';
    this.code = code;
    this.entry = opts.entry;
  }
}

export function isOciError(err: unknown, code?: OciErrorCode): err is OciError {
  return err instanceof OciError && (code === undefined || err.code === code);
}

/** An AbortSignal's reason as an OciError (keeps an OciError reason as is). */
export function abortError(signal: AbortSignal): OciError {
  const r: unknown = signal.reason;
  if (r instanceof OciError) return r;
  return new OciError('OCI_ERR_ABORTED', `aborted${r instanceof Error && r.message ? `: ${r.message}` : ''}`, { cause: r });
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal);
}
