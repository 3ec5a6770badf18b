/**
 * Go strings are bytes: decodeGoString / encodeGoString carry bytes that
 * are not UTF-8 through JS strings and back byte-exact, while UTF-8 text
 * (and any JS string, surrogate pairs included) encodes as UTF-8.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeGoString, encodeGoString, parseTemplate } from '../src/index.js';

describe('bytes that are not UTF-8 round-trip through template text', () => {
  it('any bytes decode and encode back identical', () => {
    const cases = [
      Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
      Buffer.from('caf\xe9 \xc3\x28 \xe0\x80\xaf \xed\xa0\x80 \xf4\x90\x80\x80 \xf0\x9f\x98', 'latin1'), // lone, overlong, surrogate, > U+10FFFF, truncated
      randomBytes(64 * 1024),
    ];
    for (const b of cases) expect(encodeGoString(decodeGoString(b)).toString('hex')).toBe(b.toString('hex'));
  });

  it('valid UTF-8 decodes as text; any JS string encodes as UTF-8', () => {
    expect(decodeGoString(Buffer.from('é € 😀'))).toBe('é € 😀');
    expect(encodeGoString('é € 😀').equals(Buffer.from('é € 😀'))).toBe(true);
    // U+10080 is the pair D800 DC80: its low half is a character's, not an escaped byte
    expect(encodeGoString('a\u{10080}b').equals(Buffer.from('a\u{10080}b'))).toBe(true);
    expect(decodeGoString(Buffer.from('a\u{10080}b'))).toBe('a\u{10080}b');
  });

  it('a template mixes Latin-1 text with UTF-8 data byte-exact', () => {
    const src = Buffer.concat([Buffer.from('caf\xe9 ', 'latin1'), Buffer.from('{{ . }} é\n')]);
    const out = parseTemplate('t', decodeGoString(src)).execute('ü😀');
    expect(encodeGoString(out).toString('hex')).toBe(Buffer.concat([Buffer.from('caf\xe9 ', 'latin1'), Buffer.from('ü😀 é\n')]).toString('hex'));
  });
});
