/**
 * Shell-style globs for the image excludes file (spec §6.2): matched against the path relative to
 * the tree root, without a leading "./" or "/". `*` and `?` never cross a "/" (like Go's
 * filepath.Match that upstream uses); `[...]`/`[!...]` classes and `\` escapes are supported.
 * Extension: `**` matches any sequence including "/".
 */
export type PathMatcher = (relPath: string) => boolean;

function escapeRe(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}

export function globToRegExp(pattern: string): RegExp {
  let p = pattern.trim();
  p = p.replace(/^\/+/, '').replace(/\/+$/, '');
  if (p.startsWith('./')) p = p.slice(2);
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '*') {
      if (p[i + 1] === '*') {
        re += '.*';
        i++;
      } else {
        re += '[^/]*';
      }
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '\\' && i + 1 < p.length) {
      re += escapeRe(p[++i]!);
    } else if (c === '[') {
      const end = p.indexOf(']', i + 2);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let body = p.slice(i + 1, end);
      let neg = false;
      if (body.startsWith('!') || body.startsWith('^')) {
        neg = true;
        body = body.slice(1);
      }
      body = body.replace(/\\/g, '\\\\').replace(/\]/g, '\\]');
      re += `[${neg ? '^/' : ''}${body}]`;
      i = end;
    } else {
      re += escapeRe(c);
    }
  }
  return new RegExp(`^${re}$`, 'u');
}

/** Compile a list of globs; empty lines and `#` comments match nothing. */
export function compileExcludes(patterns: readonly string[] | undefined): PathMatcher {
  const res = (patterns ?? [])
    .map((p) => p.trim())
    .filter((p) => p !== '' && !p.startsWith('#') && p.replace(/\/+/g, '') !== '')
    .map(globToRegExp);
  if (res.length === 0) return () => false;
  return (rel) => res.some((r) => r.test(rel));
}
