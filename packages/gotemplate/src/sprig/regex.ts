// Sprig's regex functions over Go's regexp (RE2 syntax) translated to JS
// regular expressions, with Go's match iteration (an empty match right after
// a previous match is skipped) and Go's `$name` replacement expansion.

import { type FuncMap, goFunc } from '../template.js';

const cache = new Map<string, RegExp>();

/** Compile an RE2 pattern as a global JS RegExp; throws Go's `error parsing regexp` on failure. */
export function goRegexp(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (re) return re;
  let src = pattern;
  let flags = 'g';
  const lead = /^\(\?([imsU]+)\)/.exec(src);
  if (lead) {
    for (const f of lead[1]!) if (f !== 'U' && !flags.includes(f)) flags += f;
    src = src.slice(lead[0].length);
  }
  src = src.replace(/\(\?P</g, '(?<').replace(/\\z/g, '$(?![\\s\\S])').replace(/\\A/g, '^(?<![\\s\\S])');
  if (/\\[pP]/.test(src)) {
    flags += 'u';
    src = src.replace(/\\([pP])([A-Z])/g, '\\$1{$2}');
  }
  if (!flags.includes('m')) src = src.replace(/(^|[^\\])\$(?![\w{])/g, '$1(?![\\s\\S])');
  try {
    re = new RegExp(src, flags);
  } catch (e) {
    throw new Error(`error parsing regexp: ${parseErrorText(String((e as Error).message), pattern)}`);
  }
  cache.set(pattern, re);
  return re;
}

/** Go's regexp/syntax error text for the common JS syntax errors. */
function parseErrorText(js: string, pattern: string): string {
  if (/Unterminated group/.test(js)) return `missing closing ): \`${pattern}\``;
  if (/Unmatched '\)'/.test(js)) return `unexpected ): \`${pattern}\``;
  if (/Unterminated character class/.test(js)) return `missing closing ]: \`${pattern.slice(pattern.lastIndexOf('['))}\``;
  if (/Nothing to repeat/.test(js)) return `missing argument to repetition operator: \`${/[*+?]/.exec(pattern)?.[0] ?? pattern}\``;
  return `invalid or unsupported Perl syntax: \`${pattern}\``;
}

/** regexp.MustCompile's panic text, which the non-must Sprig functions report. */
function mustCompile(pattern: string): RegExp {
  try {
    return goRegexp(pattern);
  } catch (e) {
    throw new Error(`regexp: Compile(${'`'}${pattern}${'`'}): ${(e as Error).message}`);
  }
}

/** Regexp.FindAllStringSubmatchIndex semantics: matches as RegExpExecArray, at most n (n < 0: all). */
export function findAll(re: RegExp, s: string, n: number): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  let pos = 0;
  let prevEnd = -1;
  while ((n < 0 || out.length < n) && pos <= s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (m === null) break;
    const start = m.index;
    const end = start + m[0].length;
    let accept = true;
    if (end === start) {
      if (start === prevEnd) accept = false;
      const cp = s.codePointAt(start);
      pos = start + (cp === undefined ? 1 : cp > 0xffff ? 2 : 1);
    } else pos = end;
    prevEnd = end;
    if (accept) out.push(m);
  }
  return out;
}

/** Regexp.Expand's template: $1, ${1}, $name, ${name}, $$. */
function expand(template: string, m: RegExpExecArray): string {
  return template.replace(/\$(\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g, (_all, tok: string, braced?: string, bare?: string) => {
    if (tok === '$') return '$';
    const name = braced ?? bare ?? '';
    if (/^[0-9]+$/.test(name)) return m[Number(name)] ?? '';
    return m.groups?.[name] ?? '';
  });
}

function replaceAll(re: RegExp, s: string, repl: (m: RegExpExecArray) => string): string {
  let out = '';
  let last = 0;
  for (const m of findAll(re, s, -1)) {
    out += s.slice(last, m.index) + repl(m);
    last = m.index + m[0].length;
  }
  return out + s.slice(last);
}

/** Regexp.Split. */
function split(re: RegExp, s: string, n: number): string[] | null {
  if (n === 0) return null;
  if (re.source !== '(?:)' && s === '') return [''];
  const matches = findAll(re, s, n);
  const out: string[] = [];
  let beg = 0;
  let end = 0;
  for (const m of matches) {
    if (n > 0 && out.length === n - 1) break;
    end = m.index;
    if (m.index + m[0].length !== 0) out.push(s.slice(beg, end));
    beg = m.index + m[0].length;
  }
  if (end !== s.length) out.push(s.slice(beg));
  return out;
}

const S = 'string';

export function regexFuncs(): FuncMap {
  const m: FuncMap = {};
  // the plain forms compile with MustCompile (a panic naming Compile), the must- forms return the error
  const both = (name: string, f: (compile: (p: string) => RegExp) => ReturnType<typeof goFunc>) => {
    m[name] = f(mustCompile);
    m['must' + name[0]!.toUpperCase() + name.slice(1)] = f(goRegexp);
  };
  const match = (r: string, s: string) => {
    const re = goRegexp(r);
    re.lastIndex = 0;
    return re.test(s);
  };
  m['mustRegexMatch'] = goFunc([S, S], match);
  // the plain regexMatch ignores a bad pattern (false); the others panic on one, like their must- forms
  m['regexMatch'] = goFunc([S, S], (r: string, s: string) => {
    try {
      return match(r, s);
    } catch {
      return false;
    }
  });
  both('regexFindAll', (c) => goFunc([S, S, 'int'], (r: string, s: string, n: number) => findAll(c(r), s, n).map((x) => x[0])));
  both('regexFind', (c) => goFunc([S, S], (r: string, s: string) => findAll(c(r), s, 1)[0]?.[0] ?? ''));
  both('regexReplaceAll', (c) => goFunc([S, S, S], (r: string, s: string, repl: string) => replaceAll(c(r), s, (x) => expand(repl, x))));
  both('regexReplaceAllLiteral', (c) => goFunc([S, S, S], (r: string, s: string, repl: string) => replaceAll(c(r), s, () => repl)));
  both('regexSplit', (c) => goFunc([S, S, 'int'], (r: string, s: string, n: number) => split(c(r), s, n) ?? []));
  m['regexQuoteMeta'] = goFunc([S], (s: string) => s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&'));
  return m;
}
