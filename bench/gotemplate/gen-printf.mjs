// Deterministic printf fuzz cases: random directives (flags, width,
// precision, argument indexes, verbs) over random operands.
import { mulberry32 } from './gen-cases.mjs';

export function generatePrintfCases({ seed = 1, count = 1000, prefix = 'printf' } = {}) {
  const rnd = mulberry32(seed);
  const pick = (a) => a[Math.floor(rnd() * a.length)];
  const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));
  const VERBS = 'vvvdsqxXobcefgEGtTUF%'.split('');
  const ARGS = [
    '0', '1', '-1', '42', '-255', '65', '1000000', '9007199254740993', '0x7fffffffffffffff', '-9223372036854775808',
    '0.0', '1.5', '-2.5', '3.0', '1e21', '1e-7', '123456.789', '0.1', '2.675', '1e100', '5e-324', '-0.0',
    '""', '"abc"', '"héllo"', '"世界"', '"a\\tb"', '"<&>"', '`raw`', '"\\x01"',
    'true', 'false', 'nil', '.nope', '.n', '.f', '.s', '.l', '.m', '.e', '.z',
    '(index "abc" 1)', '1i', '(list 1 "a" nil)', '(dict "k" 1)', '(list)', "'x'", '(split "," "a,b")',
  ];
  const cases = [];
  for (let i = 0; i < count; i++) {
    let fmt = '';
    const n = int(1, 3);
    for (let k = 0; k < n; k++) {
      if (rnd() < 0.3) fmt += pick(['x', ' ', '|', 'é', '[']);
      fmt += '%';
      for (const f of '#0+- ') if (rnd() < 0.12) fmt += f;
      if (rnd() < 0.05) fmt += `[${int(0, 4)}]`;
      if (rnd() < 0.4) fmt += rnd() < 0.1 ? '*' : String(int(0, 12));
      if (rnd() < 0.35) fmt += '.' + (rnd() < 0.1 ? '*' : rnd() < 0.2 ? '' : String(int(0, 8)));
      fmt += pick(VERBS);
    }
    const args = Array.from({ length: int(0, 4) }, () => pick(ARGS));
    cases.push({
      name: `${prefix}-${seed}-${i}`,
      template: `{{ printf ${JSON.stringify(fmt)} ${args.join(' ')} }}`,
      data: { n: 7, f: 2.5, s: 'str', l: [1, 'b', null, 2.5], m: { b: 2, a: [1] }, e: {}, z: null },
    });
  }
  return cases;
}
