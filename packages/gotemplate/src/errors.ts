// Typed errors. `message` is exactly Go's err.Error() text, so callers can
// compare or print it verbatim.

import { utf8Len } from './values.js';

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  constructor(
    message: string,
    /** Name of the top-level template the failing text belongs to. */
    readonly templateName: string,
    /** 1-based line. */
    readonly line: number,
    /**
     * 0-based byte column within the line (Go's convention). Parse errors: the
     * column of the token the parser stopped at (Go's message names no column).
     */
    readonly col: number | null,
    readonly kind: 'parse' | 'exec',
    /** For exec errors: the {{define}}d template being executed. */
    readonly executing?: string,
  ) {
    super(message);
  }
}

/** Line (1-based) of a UTF-16 offset. */
export function lineAt(text: string, pos: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < pos; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Go's ErrorContext location: line and 0-based byte column. */
export function lineColAt(text: string, pos: number): { line: number; col: number } {
  const before = text.slice(0, pos);
  const nl = before.lastIndexOf('\n');
  const line = lineAt(text, pos);
  const col = nl < 0 ? utf8Len(before) : utf8Len(before.slice(nl + 1));
  return { line, col };
}
