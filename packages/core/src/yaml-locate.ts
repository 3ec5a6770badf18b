/**
 * js-yaml gives positions for syntax errors but not for nodes, so validation
 * messages find their line with a light scan of block-style YAML: track
 * indentation to build the key path of every `key:` line and `- item`.
 * Flow style (`{a: 1}`) is not followed; callers fall back to the nearest
 * located ancestor, or to no position at all. Good enough for pointing a
 * human at the right line; never used to interpret the document.
 */

export interface Location {
  line: number; // 1-based
  column: number; // 1-based; the value's column when it is on the same line, else the key's
  keyColumn: number; // 1-based column of the key (or of the item after `- `)
}

/** `warewulf.port`, `nfs.export paths[1].path`. */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? String(seg) : `.${String(seg)}`;
  }
  return out;
}

interface Frame {
  indent: number;
  path: string;
  item: boolean;
  nextIndex: number;
}

const KEY_RE = /^(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^\s#'"\-?:,[\]{}&*!|>%@`][^#]*?|-[^\s#][^#]*?))\s*:(?:\s+|$)/;

/** Map from formatted key path to where it is written. */
export function locateKeys(text: string): Map<string, Location> {
  const out = new Map<string, Location>();
  const stack: Frame[] = [{ indent: -1, path: '', item: false, nextIndex: 0 }];
  const lines = text.split(/\r?\n/);
  const join = (parent: string, key: string) => (parent === '' ? key : `${parent}.${key}`);

  for (let n = 0; n < lines.length; n++) {
    const line = lines[n] ?? '';
    if (/^\s*(#|$)/.test(line) || /^(---|\.\.\.)(\s|$)/.test(line)) continue;
    let col = /^ */.exec(line)?.[0].length ?? 0;
    let rest = line.slice(col);

    // Sequence items, possibly several on one line (`- - x`), each opening a frame.
    while (/^-(\s|$)/.test(rest)) {
      while (stack.length > 1) {
        const top = stack[stack.length - 1]!;
        if (top.indent > col || (top.indent === col && top.item)) stack.pop();
        else break;
      }
      const parent = stack[stack.length - 1]!;
      const path = `${parent.path}[${parent.nextIndex++}]`;
      const skip = /^-\s*/.exec(rest)?.[0].length ?? 1;
      out.set(path, { line: n + 1, column: col + skip + 1, keyColumn: col + skip + 1 });
      stack.push({ indent: col, path, item: true, nextIndex: 0 });
      col += skip;
      rest = rest.slice(skip);
    }

    const m = KEY_RE.exec(rest);
    if (!m) continue;
    const key = m[1] !== undefined ? unescapeDouble(m[1]) : (m[2]?.replace(/''/g, "'") ?? m[3] ?? '');
    while (stack.length > 1 && stack[stack.length - 1]!.indent >= col) stack.pop();
    const parent = stack[stack.length - 1]!;
    const path = join(parent.path, key);
    const valueCol = col + m[0].length;
    const hasValue = rest.length > m[0].length && !rest.slice(m[0].length).startsWith('#');
    out.set(path, { line: n + 1, column: (hasValue ? valueCol : col) + 1, keyColumn: col + 1 });
    stack.push({ indent: col, path, item: false, nextIndex: 0 });
  }
  return out;
}

/** A double-quoted YAML key's text (its escapes are JSON's for the common cases); as written when it is not JSON. */
function unescapeDouble(body: string): string {
  try {
    return JSON.parse(`"${body}"`) as string;
  } catch {
    return body;
  }
}

/** The location of `path`, or of its nearest located ancestor. */
export function findLocation(locations: Map<string, Location>, path: readonly PropertyKey[]): Location | undefined {
  for (let len = path.length; len > 0; len--) {
    const loc = locations.get(formatKeyPath(path.slice(0, len)));
    if (loc) return loc;
  }
  return undefined;
}
