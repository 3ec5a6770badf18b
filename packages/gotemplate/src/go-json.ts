// JSON text the way Go's encoding/json (SetEscapeHTML(false)) writes it, so
// that batch output lines can be diffed byte for byte with the reference.

export function goJSONString(s: string): string {
  let out = '"';
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc: string | null = null;
    if (c === 34) esc = '\\"';
    else if (c === 92) esc = '\\\\';
    else if (c < 0x20) {
      if (c === 10) esc = '\\n';
      else if (c === 13) esc = '\\r';
      else if (c === 9) esc = '\\t';
      else esc = '\\u00' + c.toString(16).padStart(2, '0');
    } else if (c === 0x2028 || c === 0x2029) esc = '\\u' + c.toString(16);
    else if (c >= 0xd800 && c <= 0xdfff) {
      const hi = c <= 0xdbff;
      const n = s.charCodeAt(i + 1);
      if (hi && n >= 0xdc00 && n <= 0xdfff) {
        i++;
        continue;
      }
      esc = '\\ufffd';
    }
    if (esc !== null) {
      out += s.slice(last, i) + esc;
      last = i + 1;
    }
  }
  return out + s.slice(last) + '"';
}

/** json.Compact: drop insignificant white space, keep everything else verbatim. */
export function compactJSON(raw: string): string {
  let out = '';
  let inStr = false;
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (inStr) {
      out += ch;
      if (ch === '\\') out += raw[++i] ?? '';
      else if (ch === '"') inStr = false;
    } else if (ch === '"') {
      inStr = true;
      out += ch;
    } else if (ch !== ' ' && ch !== '\t' && ch !== '\n' && ch !== '\r') out += ch;
  }
  return out;
}

/** What Go's JSON encoder shows of a byte string: each invalid byte (an escape, see values.ts) as U+FFFD. */
export function asGoJSONText(s: string): string {
  return s.replace(/(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])/g, '\uFFFD');
}
