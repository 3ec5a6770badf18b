/**
 * Node name patterns (§0.4): `n[01-03,05]`, `r[1-2]-n[3-4]`, comma lists.
 * Expansion is bounded so a typo like `n[1-999999999]` fails fast instead of
 * exhausting memory.
 */
import { WwError } from './errors.js';

/** Upper bound on names produced by one expandHostlist() call. */
export const MAX_HOSTLIST_EXPANSION = 1_000_000;

function invalid(pattern: string, why: string): WwError {
  return new WwError('WW_ERR_HOSTLIST', `invalid node pattern "${pattern}": ${why}`);
}

/** Split on commas outside brackets; brackets must balance and not nest. */
function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '[') {
      if (depth > 0) throw invalid(text, 'nested "["');
      depth++;
    } else if (c === ']') {
      if (depth === 0) throw invalid(text, 'unbalanced "]"');
      depth--;
    } else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) throw invalid(text, 'unbalanced "["');
  out.push(text.slice(start));
  return out;
}

/** The values one bracket group stands for, in written order. */
function expandGroup(pattern: string, body: string, budget: number): string[] {
  const values: string[] = [];
  for (const part of body.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m?.[1]) throw invalid(pattern, 'range must be numbers');
    const startText = m[1];
    const width = startText.length; // padding comes from the start number only
    const start = Number(startText);
    const end = m[2] === undefined ? start : Number(m[2]);
    // beyond 2^53 `i++` stops changing i: refuse any number that is not exact
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end)) throw invalid(pattern, `number too large: ${m[2] ?? startText}`);
    if (end - start + 1 + values.length > budget) throw tooMany(pattern);
    for (let i = start; i <= end; i++) values.push(String(i).padStart(width, '0')); // descending: no values
  }
  return values;
}

function tooMany(pattern: string): WwError {
  return invalid(pattern, `expands to more than ${MAX_HOSTLIST_EXPANSION} names`);
}

function expandOne(pattern: string, budget: number): string[] {
  // Alternating literal / group pieces: lit0 [g0] lit1 [g1] lit2 ...
  const pieces = pattern.split(/\[([^\]]*)\]/);
  if (pieces.length === 1) return [pattern];
  let names = [pieces[0] ?? ''];
  for (let i = 1; i < pieces.length; i += 2) {
    const values = expandGroup(pattern, pieces[i] ?? '', budget);
    const suffix = pieces[i + 1] ?? '';
    if (names.length * values.length > budget) throw tooMany(pattern);
    const next: string[] = [];
    for (const head of names) for (const v of values) next.push(head + v + suffix);
    names = next;
  }
  return names;
}

/**
 * Expand patterns to node names, in order (duplicates are kept). Empty
 * patterns (e.g. from a trailing comma) match nothing. Throws WwError
 * WW_ERR_HOSTLIST for non-numeric ranges, unbalanced brackets or an expansion
 * beyond MAX_HOSTLIST_EXPANSION.
 */
export function expandHostlist(patterns: string | readonly string[]): string[] {
  const out: string[] = [];
  for (const arg of typeof patterns === 'string' ? [patterns] : patterns) {
    for (const pattern of splitTopLevel(arg)) {
      if (pattern === '') continue;
      const names = expandOne(pattern, MAX_HOSTLIST_EXPANSION - out.length);
      if (out.length + names.length > MAX_HOSTLIST_EXPANSION) throw tooMany(pattern);
      for (const n of names) out.push(n);
    }
  }
  return out;
}

interface Group {
  prefix: string;
  width: number;
  numbers: number[];
}

/**
 * Inverse of expandHostlist for change summaries: `n01,n02,n03,n05` →
 * `n[01-03,05]`. Names are grouped by (prefix before the trailing digits,
 * digit width) in first-seen order; numbers within a group are sorted and
 * de-duplicated. Names without trailing digits, and groups of one, stay bare.
 */
export function compressHostlist(names: readonly string[]): string {
  const entries: (Group | string)[] = [];
  const groups = new Map<string, Group>();
  const seenBare = new Set<string>();
  for (const name of names) {
    // Trailing digit run, found by hand: this loop runs once per node in large summaries.
    let cut = name.length;
    while (cut > 0 && isDigit(name.charCodeAt(cut - 1))) cut--;
    const width = name.length - cut;
    // Over 15 digits a Number would lose precision; such names are left bare.
    if (width === 0 || width > 15 || name.includes('[') || name.includes(',')) {
      if (!seenBare.has(name)) entries.push(name);
      seenBare.add(name);
      continue;
    }
    const prefix = name.slice(0, cut);
    const key = `${width}\u0000${prefix}`;
    let group = groups.get(key);
    if (!group) {
      group = { prefix, width, numbers: [] };
      groups.set(key, group);
      entries.push(group);
    }
    group.numbers.push(Number(name.slice(cut)));
  }
  return entries.map((e) => (typeof e === 'string' ? e : renderGroup(e))).join(',');
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isStrictlyAscending(nums: readonly number[]): boolean {
  for (let i = 1; i < nums.length; i++) if ((nums[i] ?? 0) <= (nums[i - 1] ?? 0)) return false;
  return true;
}

function renderGroup(g: Group): string {
  // The common case (names from an expansion) is already sorted and unique.
  const nums = isStrictlyAscending(g.numbers) ? g.numbers : [...new Set(g.numbers)].sort((a, b) => a - b);
  const pad = (n: number) => String(n).padStart(g.width, '0');
  if (nums.length === 1) return g.prefix + pad(nums[0] ?? 0);
  const ranges: string[] = [];
  for (let i = 0; i < nums.length; ) {
    let j = i;
    while (j + 1 < nums.length && nums[j + 1] === (nums[j] ?? 0) + 1) j++;
    const a = nums[i] ?? 0;
    const b = nums[j] ?? 0;
    ranges.push(a === b ? pad(a) : `${pad(a)}-${pad(b)}`);
    i = j + 1;
  }
  return `${g.prefix}[${ranges.join(',')}]`;
}
