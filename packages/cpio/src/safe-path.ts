import * as path from 'node:path';
import { CpioError } from './errors.js';

/**
 * Normalise an archive member name for extraction. Returns the relative path ("" for the root
 * itself) or throws CPIO_ERR_PATH_ESCAPE for names that could land outside the target:
 * absolute names, any ".." component, NUL bytes. Leading "./" is accepted (GNU cpio from `find .`).
 */
export function sanitizeEntryName(name: string): string {
  if (name.includes('\0')) {
    throw new CpioError('CPIO_ERR_PATH_ESCAPE', `entry name contains NUL: ${JSON.stringify(name)}`, { path: name });
  }
  if (name.startsWith('/')) {
    throw new CpioError('CPIO_ERR_PATH_ESCAPE', `absolute entry name refused: ${name}`, { path: name });
  }
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      throw new CpioError('CPIO_ERR_PATH_ESCAPE', `entry name with ".." refused: ${name}`, { path: name });
    }
    parts.push(part);
  }
  return parts.join('/');
}

/**
 * Normalise a name for writing: relative, "/"-separated, no "." / ".." components, no leading "./".
 * Writers refuse names that a reader (ours, GNU cpio --no-absolute-filenames, the kernel) would
 * treat as an escape.
 */
export function normalizeArchiveName(name: string): string {
  const rel = sanitizeEntryName(name.replace(/^\/+/, ''));
  if (rel === '') {
    throw new CpioError('CPIO_ERR_INVALID_ENTRY', `empty entry name: ${JSON.stringify(name)}`, { path: name });
  }
  return rel;
}

/** Join a sanitised relative name onto an absolute root, asserting the result stays inside. */
export function joinInside(root: string, rel: string): string {
  const full = rel === '' ? root : path.join(root, rel);
  if (full !== root && !full.startsWith(root.endsWith(path.sep) ? root : root + path.sep)) {
    throw new CpioError('CPIO_ERR_PATH_ESCAPE', `path escapes target: ${rel}`, { path: rel });
  }
  return full;
}
