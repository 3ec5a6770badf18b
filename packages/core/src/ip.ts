/**
 * Small IPv4/IPv6 helpers for warewulf.conf. Kept local (not a general net
 * library) because the config only needs parsing, masking and Go-compatible
 * string forms: templates print these values, so `2001:db8::` must come out
 * exactly as Go's net.IP.String() would print it.
 */
import { isIP, isIPv4, isIPv6 } from 'node:net';
import { WwError } from './errors.js';

export interface Cidr {
  address: string;
  bits: number;
}

/** Split `addr/bits`; undefined when there is no `/` or the parts are not valid for the family. */
export function parseCidr(text: string, family: 4 | 6): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const address = text.slice(0, slash);
  const bitsText = text.slice(slash + 1);
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  if (bits > max) return undefined;
  if (family === 4 ? !isIPv4(address) : !isIPv6(address)) return undefined;
  return { address: family === 4 ? address : formatIPv6(parseIPv6(address)), bits };
}

export function ipv4ToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  return (((parts[0] ?? 0) << 24) | ((parts[1] ?? 0) << 16) | ((parts[2] ?? 0) << 8) | (parts[3] ?? 0)) >>> 0;
}

export function intToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function bitsToNetmask(bits: number): string {
  return intToIpv4(bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0);
}

/** Prefix length of a contiguous IPv4 netmask, or undefined if the mask has holes. */
export function netmaskToBits(mask: string): number | undefined {
  if (!isIPv4(mask)) return undefined;
  const n = ipv4ToInt(mask);
  const bits = 32 - countTrailingZeros(n);
  return bitsToNetmask(bits) === mask ? bits : undefined;
}

function countTrailingZeros(n: number): number {
  if (n === 0) return 32;
  let c = 0;
  while ((n & 1) === 0) {
    n >>>= 1;
    c++;
  }
  return c;
}

export function maskIPv4(ip: string, mask: string): string {
  return intToIpv4((ipv4ToInt(ip) & ipv4ToInt(mask)) >>> 0);
}

/** Eight 16-bit groups; the caller has already checked isIPv6(). Embedded IPv4 tails are handled. */
export function parseIPv6(ip: string): number[] {
  let text = ip.replace(/%.*$/, '');
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1] !== undefined) {
    const n = ipv4ToInt(v4[1]);
    text = `${text.slice(0, -v4[1].length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const fill = tail === undefined ? [] : new Array<string>(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].map((g) => parseInt(g, 16));
}

/** RFC 5952 form (what Go prints): lowercase, longest run (>=2) of zero groups as `::`. */
export function formatIPv6(groups: number[]): string {
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestLen < 2) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function maskIPv6(ip: string, bits: number): string {
  const groups = parseIPv6(ip).map((g, i) => {
    const keep = Math.max(0, Math.min(16, bits - i * 16));
    return keep === 0 ? 0 : g & ((0xffff << (16 - keep)) & 0xffff);
  });
  return formatIPv6(groups);
}

/**
 * `10.0.0.254` + 3 -> `10.0.1.1`: `node add` numbers the addresses of a
 * range (§1.3). The address family and form are kept (`::ffff:10.0.0.1` + 1
 * is `::ffff:10.0.0.2`); a result past the end of the address space is
 * refused (WW_ERR_INVALID_VALUE), never wrapped to 0.0.0.0.
 */
export function incrementIp(ip: string, n: number): string {
  if (n === 0) return ip;
  const family = isIP(ip);
  if (family === 4) {
    const v = ipv4ToInt(ip) + n;
    if (v > 0xffffffff) throw new WwError('WW_ERR_INVALID_VALUE', `address range overflows: ${ip} + ${n} is past 255.255.255.255`);
    return intToIpv4(v);
  }
  if (family !== 6) throw new WwError('WW_ERR_INVALID_VALUE', `invalid IP address: ${JSON.stringify(ip)}`);
  let big = parseIPv6(ip).reduce((acc, g) => (acc << 16n) | BigInt(g), 0n) + BigInt(n);
  if (big >= 1n << 128n) throw new WwError('WW_ERR_INVALID_VALUE', `address range overflows: ${ip} + ${n} is past the end of the IPv6 space`);
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) {
    groups.unshift(Number(big & 0xffffn));
    big >>= 16n;
  }
  // an IPv4-mapped or -embedded address keeps its dotted tail
  const dotted = /^(.*:)\d+\.\d+\.\d+\.\d+$/.exec(ip);
  if (dotted && groups.slice(0, 5).every((g) => g === 0) && (groups[5] === 0xffff || groups[5] === 0)) {
    const v4 = intToIpv4(((groups[6] as number) << 16) + (groups[7] as number));
    return groups[5] === 0xffff ? `::ffff:${v4}` : `::${v4}`;
  }
  return formatIPv6(groups);
}
