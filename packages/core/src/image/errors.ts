/**
 * The edge between @warewulf/oci and core: OciError codes become WwError
 * codes here, once, so the CLI and the daemon see one vocabulary.
 */
import { isCpioError } from '@warewulf/cpio';
import { isOciError, type OciErrorCode } from '@warewulf/oci';
import { WwError, type WwErrorCode } from '../errors.js';

const OCI_TO_WW: Record<OciErrorCode, WwErrorCode> = {
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
  OCI_ERR_UNSAFE_ENTRY: 'WW_ERR_IMAGE_UNSAFE',
  OCI_ERR_LAYER: 'WW_ERR_IMAGE_LAYER',
  OCI_ERR_ABORTED: 'WW_ERR_ABORTED',
};

/** An OciError or CpioError as a WwError (same message, the original as cause); anything else unchanged. */
export function toWwError(err: unknown, context?: string): unknown {
  const prefix = context ? `${context}: ` : '';
  if (isOciError(err)) return new WwError(OCI_TO_WW[err.code], `${prefix}${err.message}`, { cause: err });
  if (isCpioError(err)) {
    return new WwError(err.code === 'CPIO_ERR_PATH_ESCAPE' ? 'WW_ERR_IMAGE_UNSAFE' : 'WW_ERR_IMAGE_BUILD', `${prefix}${err.message}`, { cause: err });
  }
  if ((err as Error)?.name === 'AbortError') return new WwError('WW_ERR_ABORTED', `${prefix}interrupted`, { cause: err });
  return err;
}
