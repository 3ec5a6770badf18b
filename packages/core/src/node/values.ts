/**
 * Validation and normalisation of field values at the edge (flags, YAML).
 * Everything past these functions trusts the value.
 */
import { isIP } from 'node:net';
import { WwError } from '../errors.js';
import { netmaskToBits } from '../ip.js';
import type { FieldSpec } from './fields.js';

/** Values that clear a field when given to `set` (§2.5). UNSET/UNDEF are exact, upper-case. */
export const UNSET_WORDS = new Set(['UNSET', 'UNDEF']);
/** Words a WWbool flag accepts as "clear this value" (any case). */
const BOOL_UNSET_WORDS = new Set(['unset', 'delete', 'undef', '--', 'nil', '0.0.0.0']);
const TRUE_WORDS = new Set(['true', 't', 'yes', 'y', '1', 'on']);
const FALSE_WORDS = new Set(['false', 'f', 'no', 'n', '0', 'off']);

/** An unspecified address counts as "unset" and is dropped when saving. */
export function isUnspecifiedIp(v: string): boolean {
  return v === '0.0.0.0' || v === '::';
}

export function isValidIp(v: string): boolean {
  return isIP(v) !== 0;
}

/** A dotted IPv4 netmask: ones then zeros (255.255.252.0, not 255.0.255.0). */
export function isValidNetmask(v: string): boolean {
  return netmaskToBits(v) !== undefined;
}

/** The `check` rules that are a whole number in a range. */
const RANGES: Record<'port' | 'mtu' | 'prefixlen6' | 'partnumber' | 'mib', [number, number, string]> = {
  port: [1, 65535, 'a port number (1-65535)'],
  mtu: [68, 65535, 'an MTU (68-65535)'],
  prefixlen6: [0, 128, 'an IPv6 prefix length (0-128)'],
  // GPT's default table holds 128 entries; an unset number takes the next free slot (§1.2)
  partnumber: [0, 128, 'a partition number (0-128; 0: the next free one, as Ignition reads it)'],
  // sizes and starts in MiB; 0 (like empty) lets the partitioner choose: the rest of the disk, the first free start
  mib: [0, Number.MAX_SAFE_INTEGER, 'a whole number of MiB (0 or more)'],
};

/**
 * A network interface name as the kernel takes it (at most 15 bytes, no
 * whitespace, no `/`, not `.` or `..`: eth0, enp1s0f0, ib0.8001, eth0.100,
 * bond0:1), narrowed to the characters real names use: the name is written
 * unescaped into shell scripts ('30-network'), udev rules, hosts files and
 * unit files, where a quote, `;` or `$` would be code or a second word.
 */
const IFNAME_RE = /^(?!-)(?!\.\.?$)[A-Za-z0-9_.:-]{1,15}$/;
/** ipmitool's `-I` takes one interface word: lan, lanplus, open, imb, bmc, lipmi, serial-terminal ... */
const IPMI_INTERFACE_RE = /^[A-Za-z0-9][A-Za-z0-9_+-]*$/;
/**
 * What the shipped ipmitool.tmpl cannot carry inside its double quotes
 * (`-U "{{ .UserName }}"`, `-e "{{ .EscapeChar }}"`): the quote itself, the
 * backslash, the backtick and `$` (special inside double quotes), and
 * control characters. The password needs no such rule: it never enters the
 * rendered text (bmc/template.ts passes it in the environment).
 */
const IN_DOUBLE_QUOTES_BAD = /["\\`$\x00-\x1f\x7f]/;

/** The `check` rule of a field, as a message when the value breaks it. */
export function checkValue(spec: FieldSpec, v: string): string | undefined {
  switch (spec.check) {
    case undefined:
      return undefined;
    case 'netmask':
      return isValidNetmask(v) ? undefined : 'invalid netmask';
    case 'ifname':
      return IFNAME_RE.test(v) ? undefined : 'expected a network interface name (1-15 of A-Z a-z 0-9 _ . : -, not starting with -)';
    case 'ipmiinterface':
      return IPMI_INTERFACE_RE.test(v) ? undefined : 'expected one ipmitool interface word (lan, lanplus, open ...)';
    case 'escapechar':
      return /^[\x21-\x7e]$/.test(v) && !IN_DOUBLE_QUOTES_BAD.test(v) ? undefined : 'expected a single escape character (printable, not a space, ", \\, ` or $)';
    case 'ipmiuser':
      return IN_DOUBLE_QUOTES_BAD.test(v) ? 'an IPMI user name cannot contain ", \\, `, $ or control characters (the BMC template quotes it)' : undefined;
    case 'mountpoint':
      // fstab separates its fields with whitespace; swap areas have no mount point (fstab writes none, upstream's docs swap)
      return (v.startsWith('/') && !/[\s\x00-\x1f\x7f]/.test(v)) || v === 'swap' || v === 'none'
        ? undefined
        : 'expected an absolute path without whitespace (or swap/none for a swap area)';
    default: {
      const [lo, hi, what] = RANGES[spec.check];
      const n = Number(v);
      return /^\d+$/.test(v) && n >= lo && n <= hi ? undefined : `expected ${what}`;
    }
  }
}

const MAC_RE = /^(?:[0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$|^(?:[0-9a-fA-F]{2}[:-]){19}[0-9a-fA-F]{2}$/;

/** Ethernet (6 octets) or InfiniBand (20 octets) hardware address, `-` or `:` separated. */
export function isValidMac(v: string): boolean {
  return MAC_RE.test(v);
}

export function normalizeMac(v: string): string {
  return v.replace(/-/g, ':').toLowerCase();
}

/** Parse a WWbool word; undefined when it is not one. */
export function parseBoolWord(v: string): boolean | undefined {
  const w = v.trim().toLowerCase();
  if (TRUE_WORDS.has(w)) return true;
  if (FALSE_WORDS.has(w)) return false;
  return undefined;
}

export function isBoolUnsetWord(v: string): boolean {
  return BOOL_UNSET_WORDS.has(v.trim().toLowerCase());
}

/** Truthiness of a stored WWbool ("yes" or any true word; empty or junk is false). */
export function wwboolTrue(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v !== 'string') return false;
  return parseBoolWord(v) === true;
}

export type FieldValue = { kind: 'set'; value: string | string[] | boolean } | { kind: 'unset' };

/**
 * Validate a value given for a field (by wwctl, the REST API, discovery) and
 * say whether it sets or clears it: `UNSET`/`UNDEF` clear any field, an
 * empty value clears it, `0.0.0.0` clears an address (§2.5). Lists are given
 * as their items (the caller splits its own syntax). Throws WwError
 * WW_ERR_INVALID_VALUE naming `label` (the caller's name for the field: a
 * flag, a field path) and the value.
 */
export function parseFieldValue(spec: FieldSpec, raw: string | readonly string[], label = spec.name): FieldValue {
  const flag = label;
  if (spec.kind === 'list') {
    const items = (typeof raw === 'string' ? [raw] : [...raw]).map((i) => i.trim()).filter((i) => i !== '');
    if (items.some((i) => UNSET_WORDS.has(i))) return { kind: 'unset' };
    return items.length === 0 ? { kind: 'unset' } : { kind: 'set', value: items };
  }
  if (typeof raw !== 'string') throw new WwError('WW_ERR_INVALID_VALUE', `${flag}: expected a single value, got a list`);
  switch (spec.kind) {
    case 'ip': {
      if (UNSET_WORDS.has(raw) || raw === '' || isUnspecifiedIp(raw)) return { kind: 'unset' };
      if (!isValidIp(raw)) throw new WwError('WW_ERR_INVALID_VALUE', `${flag}: invalid IP address: "${raw}"`);
      const bad = checkValue(spec, raw);
      if (bad) throw new WwError('WW_ERR_INVALID_VALUE', `${flag}: ${bad}: "${raw}"`);
      return { kind: 'set', value: raw };
    }
    case 'mac': {
      if (UNSET_WORDS.has(raw) || raw === '') return { kind: 'unset' };
      if (!isValidMac(raw)) throw new WwError('WW_ERR_INVALID_VALUE', `${flag}: invalid MAC address: "${raw}"`);
      return { kind: 'set', value: normalizeMac(raw) };
    }
    case 'wwbool':
    case 'bool': {
      if (UNSET_WORDS.has(raw) || isBoolUnsetWord(raw)) return { kind: 'unset' };
      const b = parseBoolWord(raw);
      if (b === undefined) throw new WwError('WW_ERR_INVALID_VALUE', `${flag}: invalid boolean: "${raw}" (use true or false)`);
      return { kind: 'set', value: spec.kind === 'bool' ? b : String(b) };
    }
    case 'string': {
      if (UNSET_WORDS.has(raw)) return { kind: 'unset' };
      const bad = raw === '' ? undefined : checkValue(spec, raw);
      if (bad) throw new WwError('WW_ERR_INVALID_VALUE', `${flag}: ${bad}: ${JSON.stringify(raw)}`);
      return { kind: 'set', value: raw };
    }
    case 'any':
      throw new WwError('WW_ERR_INVALID_VALUE', `${flag}: structured values are set in nodes.conf, not as text`);
  }
}
