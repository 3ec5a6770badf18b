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

const RANGES: Record<'port' | 'mtu' | 'prefixlen6', [number, number, string]> = {
  port: [1, 65535, 'a port number (1-65535)'],
  mtu: [68, 65535, 'an MTU (68-65535)'],
  prefixlen6: [0, 128, 'an IPv6 prefix length (0-128)'],
};

/** The `check` rule of a field, as a message when the value breaks it. */
export function checkValue(spec: FieldSpec, v: string): string | undefined {
  if (spec.check === undefined) return undefined;
  if (spec.check === 'netmask') return isValidNetmask(v) ? undefined : 'invalid netmask';
  const [lo, hi, what] = RANGES[spec.check];
  const n = Number(v);
  return /^\d+$/.test(v) && n >= lo && n <= hi ? undefined : `expected ${what}`;
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
      if (bad) throw new WwError('WW_ERR_INVALID_VALUE', `${flag}: ${bad}: "${raw}"`);
      return { kind: 'set', value: raw };
    }
    case 'any':
      throw new WwError('WW_ERR_INVALID_VALUE', `${flag}: structured values are set in nodes.conf, not as text`);
  }
}
