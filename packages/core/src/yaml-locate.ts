/**
 * Find where a key path sits in a YAML text, so that a schema violation can
 * be reported as FILE:LINE:COL. js-yaml does not keep node positions, and
 * building a position-keeping document costs seconds on a 10,000-node file,
 * so this is a light indentation-aware scan that only runs on the error path.
 * It understands block mappings and block sequences; inside flow collections
 * it answers with the position of the nearest enclosing key it found.
 */
export interface YamlPosition {
  line: number; // 1-based
  column: number; // 1-based
}

function keyOfLine(line: string): { indent: number; key: string } | undefined {
  const m = /^(\s*)(?:-\s+)?("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"][^:#]*?)\s*:(?:\s|$)/.exec(line);
  if (!m) return undefined;
  let key = m[2] as string;
  if (key.startsWith('"')) key = JSON.parse(key) as string;
  else if (key.startsWith("'")) key = key.slice(1, -1).replace(/''/g, "'");
  const dash = /^(\s*)-\s+/.exec(line);
  const indent = dash ? dash[0].length : (m[1] as string).length;
  return { indent, key };
}

export function locateYamlPath(text: string, path: readonly (string | number)[]): YamlPosition | undefined {
  const lines = text.split('\n');
  let found: YamlPosition | undefined;
  let from = 0;
  let minIndent = -1;
  for (const seg of path) {
    if (typeof seg === 'number') {
      // the n-th "- " item below the current key
      let count = -1;
      let hit = false;
      for (let i = from; i < lines.length; i++) {
        const l = lines[i] as string;
        if (l.trim() === '' || l.trimStart().startsWith('#')) continue;
        const indent = l.length - l.trimStart().length;
        if (indent <= minIndent && !l.trimStart().startsWith('-')) break;
        if (l.trimStart().startsWith('-') && indent >= minIndent) {
          count++;
          if (count === seg) {
            found = { line: i + 1, column: indent + 1 };
            from = i;
            minIndent = indent;
            hit = true;
            break;
          }
        }
      }
      if (!hit) return found;
      continue;
    }
    let hit = false;
    for (let i = from; i < lines.length; i++) {
      const l = lines[i] as string;
      if (l.trim() === '' || l.trimStart().startsWith('#')) continue;
      const indent = l.length - l.trimStart().length;
      if (i > from && indent <= minIndent && found !== undefined) break;
      const k = keyOfLine(l);
      if (k && k.key === seg && k.indent > minIndent) {
        found = { line: i + 1, column: k.indent + 1 };
        from = i + 1;
        minIndent = k.indent;
        hit = true;
        break;
      }
    }
    if (!hit) return found;
  }
  return found;
}
