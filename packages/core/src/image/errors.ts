/**
 * Errors of @warewulf/oci and @warewulf/cpio reach image callers as
 * WwErrors (core's toWwError maps them, errors.ts), with the operation they
 * interrupted in front of the message.
 */
import { WwError, toWwError } from '../errors.js';

/** `err` as a WwError with `context: ` before its message; programmer errors pass through unchanged. */
export function imageError(err: unknown, context?: string): unknown {
  const w = toWwError(err);
  if (!w) return err;
  if (!context || w === err) return w;
  return new WwError(w.code, `${context}: ${w.message}`, { cause: err, ...(w.hint ? { hint: w.hint } : {}) });
}
