/**
 * Go strings are byte strings: text/template copies a template's text, and
 * what `Include` reads, to the output byte for byte, valid UTF-8 or not.
 * JS strings are UTF-16, so bytes that are not UTF-8 would come out of
 * `toString('utf8')` as U+FFFD. These two functions carry such bytes through
 * a JS string as Python's "surrogateescape" does: a byte 0x80..0xFF that is
 * not part of a valid UTF-8 sequence becomes the lone low surrogate
 * U+DC80..U+DCFF (never produced by decoding valid UTF-8, which cannot
 * encode surrogates), and goes back to that byte on encoding. Valid UTF-8
 * (any multi-byte text) decodes and encodes as usual, so template text and
 * node values mix freely in one output string.
 */
import { isUtf8 } from 'node:buffer';

/** Length of the valid UTF-8 sequence starting at b[i], or 0 when b[i] does not start one (RFC 3629 table). */
function seqLen(b: Uint8Array, i: number): number {
  const c = b[i] as number;
  if (c < 0x80) return 1;
  const cont = (j: number, lo = 0x80, hi = 0xbf) => j < b.length && (b[j] as number) >= lo && (b[j] as number) <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(i + 1) ? 2 : 0;
  if (c === 0xe0) return cont(i + 1, 0xa0) && cont(i + 2) ? 3 : 0;
  if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) return cont(i + 1) && cont(i + 2) ? 3 : 0;
  if (c === 0xed) return cont(i + 1, 0x80, 0x9f) && cont(i + 2) ? 3 : 0; // not a UTF-16 surrogate
  if (c === 0xf0) return cont(i + 1, 0x90) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  if (c === 0xf4) return cont(i + 1, 0x80, 0x8f) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  return 0;
}

/**
 * Bytes (a template file, an included file) as a JS string: valid UTF-8 as
 * text, every other byte as U+DC00 + byte (see encodeGoString).
 */
export function decodeGoString(bytes: Uint8Array): string {
  const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isUtf8(b)) return b.toString('utf8');
  let out = '';
  let run = 0;
  for (let i = 0; i < b.length; ) {
    const n = seqLen(b, i);
    if (n > 0) {
      i += n;
      continue;
    }
    out += b.toString('utf8', run, i) + String.fromCharCode(0xdc00 + (b[i] as number));
    i++;
    run = i;
  }
  return out + b.toString('utf8', run);
}

/** A lone U+DC80..U+DCFF: an escaped byte (the low half of a surrogate pair is a character, not a byte). */
const ESCAPED = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/g;

/**
 * A string from decodeGoString (or any JS string: a template's output mixes
 * template text and node values) as bytes: escaped bytes as themselves, the
 * rest as UTF-8.
 */
export function encodeGoString(s: string): Buffer {
  // the common case, checked natively: no lone surrogate, so no escaped byte (a 10,000-line hosts file per node)
  // (String.prototype.isWellFormed: Node 20's V8 has it, TypeScript's ES2023 lib does not declare it)
  if ((s as string & { isWellFormed(): boolean }).isWellFormed()) return Buffer.from(s, 'utf8');
  ESCAPED.lastIndex = 0;
  if (!ESCAPED.test(s)) return Buffer.from(s, 'utf8');
  const parts: Buffer[] = [];
  let run = 0;
  ESCAPED.lastIndex = 0;
  for (let m = ESCAPED.exec(s); m !== null; m = ESCAPED.exec(s)) {
    if (m.index > run) parts.push(Buffer.from(s.slice(run, m.index), 'utf8'));
    parts.push(Buffer.of(s.charCodeAt(m.index) - 0xdc00));
    run = m.index + 1;
  }
  if (run < s.length) parts.push(Buffer.from(s.slice(run), 'utf8'));
  return Buffer.concat(parts);
}
