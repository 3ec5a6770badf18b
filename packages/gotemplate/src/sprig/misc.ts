// Sprig's defaults, JSON, reflection, path, OS, encoding, random, UUID,
// flow-control and date functions.

import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { posix } from 'node:path';
import { type FuncMap, goFunc } from '../template.js';
import { GoBigInt } from '../values.js';
import { empty, goTypeName, reflectKindName } from './conv.js';
import { marshalJSON, unmarshalJSON } from './json.js';

const A = 'any';
const S = 'string';

/** Go's path.Clean. */
export function goClean(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
      else if (!rooted) parts.push('..');
      continue;
    }
    parts.push(seg);
  }
  const out = (rooted ? '/' : '') + parts.join('/');
  return out === '' ? '.' : out;
}

/** Go's path.Base. */
export function goBase(p: string): string {
  if (p === '') return '.';
  p = p.replace(/\/+$/, '');
  if (p === '') return '/';
  return p.slice(p.lastIndexOf('/') + 1);
}

function goDir(p: string): string {
  const i = p.lastIndexOf('/');
  return goClean(p.slice(0, i + 1));
}

function goExt(p: string): string {
  for (let i = p.length - 1; i >= 0 && p[i] !== '/'; i--) if (p[i] === '.') return p.slice(i);
  return '';
}

/** os.Expand over a lookup: $var and ${var}. */
function expandEnv(s: string, env: Readonly<Record<string, string | undefined>>): string {
  return s.replace(/\$(\{([^}]*)\}|([A-Za-z0-9_]+)|([*#$@!?\-0-9]))/g, (_m, _t, br?: string, name?: string, special?: string) => {
    const key = br ?? name ?? special ?? '';
    return env[key] ?? '';
  });
}

function randString(count: number, alphabet: string): string {
  if (count < 0) throw new Error(`Requested random string length ${count} is less than 0.`);
  let out = '';
  for (let i = 0; i < count; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

const ALPHA = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
const ASCII = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');

/** A time.Time for templates: prints like Go (`2006-01-02 15:04:05.999999999 -0700 MST`). */
export class GoTime {
  constructor(readonly ms: number) {}
  String(): string {
    return formatGoTime(new Date(this.ms), '2006-01-02 15:04:05.000000000 -0700 MST', 'Local').replace(/\.?0+ /, (m) => (m.startsWith('.') ? ' ' : m));
  }
  Unix(): number {
    return Math.floor(this.ms / 1000);
  }
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

// creating a DateTimeFormat costs ~0.3 ms (ICU loads the zone), formatting with one a few µs:
// every node's template data formats .BuildTime, so one formatter per zone is kept
const zoneFormats = new Map<string, Intl.DateTimeFormat>();

/** The formatter of `zone` ('Local': the process's zone, which follows TZ). */
function zoneFormat(zone: string): Intl.DateTimeFormat {
  const key = zone === 'Local' ? `Local\0${process.env['TZ'] ?? ''}` : zone;
  let f = zoneFormats.get(key);
  if (f === undefined) {
    const tz = zone === 'Local' ? undefined : zone;
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', weekday: 'short', timeZoneName: 'short' });
    if (zoneFormats.size > 64) zoneFormats.clear();
    zoneFormats.set(key, f);
  }
  return f;
}

/** Wall-clock fields of an instant in a zone ('UTC', 'Local' or an IANA name) and the zone's offset. */
function zoned(d: Date, zone: string): { y: number; mo: number; day: number; h: number; mi: number; s: number; wd: number; off: number; abbr: string } {
  if (zone === 'UTC') {
    return { y: d.getUTCFullYear(), mo: d.getUTCMonth(), day: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds(), wd: d.getUTCDay(), off: 0, abbr: 'UTC' };
  }
  const parts = zoneFormat(zone).formatToParts(d);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const y = Number(get('year'));
  const mo = Number(get('month')) - 1;
  const day = Number(get('day'));
  const h = Number(get('hour'));
  const mi = Number(get('minute'));
  const s = Number(get('second'));
  const off = Math.round((Date.UTC(y, mo, day, h, mi, s) - Math.floor(d.getTime() / 1000) * 1000) / 60000);
  let abbr = get('timeZoneName');
  if (/^GMT/.test(abbr) || abbr === '') abbr = off === 0 ? 'UTC' : fmtOffset(off, false, false);
  return { y, mo, day, h, mi, s, wd: new Date(Date.UTC(y, mo, day)).getUTCDay(), off, abbr };
}

function fmtOffset(off: number, colon: boolean, z: boolean): string {
  if (z && off === 0) return 'Z';
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  const hh = String(Math.floor(a / 60)).padStart(2, '0');
  const mm = String(a % 60).padStart(2, '0');
  return sign + hh + (colon ? ':' : '') + mm;
}

/** time.Time.Format with Go's reference-time layout. */
export function formatGoTime(d: Date, layout: string, zone: string): string {
  const t = zoned(d, zone);
  const ms = ((d.getTime() % 1000) + 1000) % 1000;
  const p2 = (n: number) => String(n).padStart(2, '0');
  const tokens: [string, () => string][] = [
    ['January', () => MONTHS[t.mo]!],
    ['Jan', () => MONTHS[t.mo]!.slice(0, 3)],
    ['Monday', () => DAYS[t.wd]!],
    ['Mon', () => DAYS[t.wd]!.slice(0, 3)],
    ['MST', () => t.abbr],
    ['2006', () => String(t.y)],
    ['-07:00', () => fmtOffset(t.off, true, false)],
    ['-0700', () => fmtOffset(t.off, false, false)],
    ['-07', () => fmtOffset(t.off, false, false).slice(0, 3)],
    ['Z07:00', () => fmtOffset(t.off, true, true)],
    ['Z0700', () => fmtOffset(t.off, false, true)],
    ['01', () => p2(t.mo + 1)],
    ['02', () => p2(t.day)],
    ['_2', () => String(t.day).padStart(2, ' ')],
    ['03', () => p2(t.h % 12 === 0 ? 12 : t.h % 12)],
    ['04', () => p2(t.mi)],
    ['05', () => p2(t.s)],
    ['06', () => p2(t.y % 100)],
    ['15', () => p2(t.h)],
    ['PM', () => (t.h >= 12 ? 'PM' : 'AM')],
    ['pm', () => (t.h >= 12 ? 'pm' : 'am')],
    ['.000000000', () => '.' + String(ms).padStart(3, '0') + '000000'],
    ['.000000', () => '.' + String(ms).padStart(3, '0') + '000'],
    ['.000', () => '.' + String(ms).padStart(3, '0')],
    ['1', () => String(t.mo + 1)],
    ['2', () => String(t.day)],
    ['3', () => String(t.h % 12 === 0 ? 12 : t.h % 12)],
    ['4', () => String(t.mi)],
    ['5', () => String(t.s)],
  ];
  let out = '';
  let i = 0;
  outer: while (i < layout.length) {
    for (const [tok, f] of tokens) {
      if (layout.startsWith(tok, i)) {
        out += f();
        i += tok.length;
        continue outer;
      }
    }
    out += layout[i];
    i++;
  }
  return out;
}

/** Sprig's date argument: time.Time, or unix seconds (int). */
function toDateMs(v: unknown, now: () => Date): number {
  if (v instanceof GoTime) return v.ms;
  if (typeof v === 'number') return Number.isInteger(v) ? v * 1000 : now().getTime();
  if (v instanceof GoBigInt) return Number(v.v) * 1000;
  return now().getTime();
}

/** Go's time.Duration.String() for whole seconds. */
function durationString(secs: number): string {
  if (secs === 0) return '0s';
  const neg = secs < 0;
  let a = Math.abs(secs);
  const h = Math.floor(a / 3600);
  a -= h * 3600;
  const m = Math.floor(a / 60);
  const s = a - m * 60;
  let out = '';
  if (h > 0) out += `${h}h`;
  if (h > 0 || m > 0) out += `${m}m`;
  out += `${s}s`;
  return (neg ? '-' : '') + out;
}

export interface MiscOptions {
  env: Readonly<Record<string, string | undefined>>;
  now: () => Date;
}

export function miscFuncs(opts: MiscOptions): FuncMap {
  const m: FuncMap = {
    hello: goFunc([], () => 'Hello!'),
    default: goFunc([A], (d: unknown, ...given: unknown[]) => (given.length === 0 || empty(given[0]) ? d : given[0]), A),
    empty: goFunc([A], empty),
    coalesce: goFunc([], (...v: unknown[]) => v.find((x) => !empty(x)), A),
    all: goFunc([], (...v: unknown[]) => v.every((x) => !empty(x)), A),
    any: goFunc([], (...v: unknown[]) => v.some((x) => !empty(x)), A),
    ternary: goFunc([A, A, 'bool'], (t: unknown, f: unknown, c: boolean) => (c ? t : f)),
    fromJson: goFunc([S], (s: string) => {
      try {
        return unmarshalJSON(s);
      } catch {
        return undefined;
      }
    }),
    mustFromJson: goFunc([S], (s: string) => unmarshalJSON(s)),
    toJson: goFunc([A], (v: unknown) => {
      try {
        return marshalJSON(v, { escapeHTML: true });
      } catch {
        return '';
      }
    }),
    mustToJson: goFunc([A], (v: unknown) => marshalJSON(v, { escapeHTML: true })),
    toPrettyJson: goFunc([A], (v: unknown) => {
      try {
        return marshalJSON(v, { escapeHTML: true, indent: '  ' });
      } catch {
        return '';
      }
    }),
    mustToPrettyJson: goFunc([A], (v: unknown) => marshalJSON(v, { escapeHTML: true, indent: '  ' })),
    toRawJson: goFunc([A], (v: unknown) => marshalJSON(v, { escapeHTML: false })),
    mustToRawJson: goFunc([A], (v: unknown) => marshalJSON(v, { escapeHTML: false })),
    typeOf: goFunc([A], goTypeName),
    typeIs: goFunc([S, A], (t: string, v: unknown) => t === goTypeName(v)),
    typeIsLike: goFunc([S, A], (t: string, v: unknown) => t === goTypeName(v) || '*' + t === goTypeName(v)),
    kindOf: goFunc([A], reflectKindName),
    kindIs: goFunc([S, A], (k: string, v: unknown) => k === reflectKindName(v)),
    env: goFunc([S], (k: string) => opts.env[k] ?? ''),
    expandenv: goFunc([S], (s: string) => expandEnv(s, opts.env)),
    base: goFunc([S], goBase),
    dir: goFunc([S], goDir),
    clean: goFunc([S], goClean),
    ext: goFunc([S], goExt),
    isAbs: goFunc([S], (p: string) => p.startsWith('/')),
    osBase: goFunc([S], goBase),
    osDir: goFunc([S], goDir),
    osClean: goFunc([S], goClean),
    osExt: goFunc([S], goExt),
    osIsAbs: goFunc([S], (p: string) => posix.isAbsolute(p)),
    fail: goFunc([S], (msg: string) => {
      throw new Error(msg);
    }),
    uuidv4: goFunc([], () => randomUUID()),
    randAlphaNum: goFunc(['int'], (n: number) => randString(n, ALPHA + DIGITS)),
    randAlpha: goFunc(['int'], (n: number) => randString(n, ALPHA)),
    randNumeric: goFunc(['int'], (n: number) => randString(n, DIGITS)),
    randAscii: goFunc(['int'], (n: number) => randString(n, ASCII)),
    randBytes: goFunc(['int'], (n: number) => randomBytes(n).toString('base64')),
    randInt: goFunc(['int', 'int'], (min: number, max: number) => {
      if (max <= min) throw new Error('invalid argument to Intn');
      return min + randomInt(max - min);
    }),
    shuffle: goFunc([S], (s: string) => {
      const a = Array.from(s);
      for (let i = a.length - 1; i > 0; i--) {
        const j = randomInt(i + 1);
        [a[i], a[j]] = [a[j]!, a[i]!];
      }
      return a.join('');
    }),
    now: goFunc([], () => new GoTime(opts.now().getTime())),
    unixEpoch: goFunc([A], (t: unknown) => String(Math.floor(toDateMs(t, opts.now) / 1000))),
    date: goFunc([S, A], (fmt: string, t: unknown) => formatGoTime(new Date(toDateMs(t, opts.now)), fmt, 'Local')),
    dateInZone: goFunc([S, A, S], (fmt: string, t: unknown, zone: string) => formatGoTime(new Date(toDateMs(t, opts.now)), fmt, zoneOrUTC(zone))),
    date_in_zone: goFunc([S, A, S], (fmt: string, t: unknown, zone: string) => formatGoTime(new Date(toDateMs(t, opts.now)), fmt, zoneOrUTC(zone))),
    htmlDate: goFunc([A], (t: unknown) => formatGoTime(new Date(toDateMs(t, opts.now)), '2006-01-02', 'Local')),
    htmlDateInZone: goFunc([A, S], (t: unknown, zone: string) => formatGoTime(new Date(toDateMs(t, opts.now)), '2006-01-02', zoneOrUTC(zone))),
    duration: goFunc([A], (v: unknown) => durationString(typeof v === 'number' ? v : Number(typeof v === 'string' ? v : 0) || 0)),
    ago: goFunc([A], (t: unknown) => durationString(Math.round((opts.now().getTime() - toDateMs(t, opts.now)) / 1000))),
  };
  // functions of Sprig this port leaves out: present, so a template that never calls them still works
  for (const name of [
    'toDate', 'mustToDate', 'dateModify', 'date_modify', 'mustDateModify', 'must_date_modify', 'durationRound',
    'bcrypt', 'htpasswd', 'genPrivateKey', 'derivePassword', 'buildCustomCert', 'genCA', 'genCAWithKey',
    'genSelfSignedCert', 'genSelfSignedCertWithKey', 'genSignedCert', 'genSignedCertWithKey', 'encryptAES',
    'decryptAES', 'semver', 'semverCompare', 'getHostByName', 'urlParse', 'urlJoin',
  ]) {
    m[name] = () => {
      throw new Error(`${name} is not supported by warewulf-ts templates`);
    };
  }
  return m;
}

function zoneOrUTC(zone: string): string {
  if (zone === 'Local' || zone === 'UTC') return zone;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    return 'UTC'; // Sprig falls back to UTC on an unknown zone
  }
}

