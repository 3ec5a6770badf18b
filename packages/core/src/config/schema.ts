/**
 * Zod schema of warewulf.conf as written on disk (upstream YAML keys, spaces
 * included). Every field is optional here: defaults are applied afterwards in
 * defaults.ts so that "absent" and "explicitly set" stay distinguishable
 * (`secure files` inherits `secure` only when absent). Objects are loose so
 * unknown keys survive; parse.ts warns about them separately.
 *
 * Scalars are coerced the way Go's yaml.v3 decodes into typed struct fields:
 * a number is fine in a string field, "true"/"yes" in a bool field.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { z } from 'zod';
import { netmaskToBits, parseCidr } from '../ip.js';
import { PATH_KEYS } from './types.js';

/** How a bad value is shown in an error: strings quoted, the rest as YAML would print them. */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return 'a list';
  if (v !== null && typeof v === 'object') return 'a mapping';
  return String(v);
}

/** A scalar field: `conv` returns undefined to reject. null/absent mean "not set". */
function field<T>(expected: string, conv: (v: unknown) => T | undefined) {
  return z
    .unknown()
    .transform((v, ctx): T | undefined => {
      if (v === undefined || v === null) return undefined;
      const out = conv(v);
      if (out === undefined) {
        ctx.addIssue({ code: 'custom', message: `expected ${expected}, got ${describeValue(v)}` });
        return z.NEVER;
      }
      return out;
    })
    .optional();
}

const asString = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;

const asInt = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : NaN;
  return Number.isSafeInteger(n) ? n : undefined;
};

const BOOL_WORDS: Record<string, boolean> = { true: true, yes: true, on: true, false: false, no: false, off: false };

const str = () => field('a string', asString);
const bool = () =>
  field('a boolean (true/false)', (v) => (typeof v === 'boolean' ? v : typeof v === 'string' ? BOOL_WORDS[v.toLowerCase()] : undefined));
const port = () => field('a port number (1-65535)', (v) => { const n = asInt(v); return n !== undefined && n >= 1 && n <= 65535 ? n : undefined; });
/** wwclient.port: 0 means "let the kernel pick". */
const portOrZero = () => field('a port number (0-65535)', (v) => { const n = asInt(v); return n !== undefined && n >= 0 && n <= 65535 ? n : undefined; });
const count = () => field('a whole number (0 or more)', (v) => { const n = asInt(v); return n !== undefined && n >= 0 ? n : undefined; });
const seconds = () => field('a whole number of seconds', (v) => { const n = asInt(v); return n !== undefined && n > 0 ? n : undefined; });
const ipv4 = () => field('an IPv4 address', (v) => (typeof v === 'string' && (v === '' || isIPv4(v)) ? v : undefined));
const ipv4OrCidr = () =>
  field('an IPv4 address or CIDR (a.b.c.d/nn)', (v) => (typeof v === 'string' && (v === '' || isIPv4(v) || parseCidr(v, 4)) ? v : undefined));
const netmask = () => field('an IPv4 netmask', (v) => (typeof v === 'string' && (v === '' || netmaskToBits(v) !== undefined) ? v : undefined));
const ipv6 = () => field('an IPv6 address', (v) => (typeof v === 'string' && (v === '' || isIPv6(v)) ? v : undefined));
const ipv6OrCidr = () =>
  field('an IPv6 address or CIDR', (v) => (typeof v === 'string' && (v === '' || isIPv6(v) || parseCidr(v, 6)) ? v : undefined));
const ipv6Cidr = () => field('an IPv6 CIDR (addr/nn)', (v) => (typeof v === 'string' && (v === '' || parseCidr(v, 6)) ? v : undefined));
const prefixlen6 = () =>
  field('an IPv6 prefix length (0-128)', (v) => { const n = asInt(v); return n !== undefined && n >= 0 && n <= 128 ? String(n) : v === '' ? '' : undefined; });
const cidr = () =>
  field('a CIDR network (a.b.c.d/nn or v6/nn)', (v) => (typeof v === 'string' && (parseCidr(v, 4) ?? parseCidr(v, 6)) ? v : undefined));

function section<S extends z.core.$ZodLooseShape>(shape: S) {
  return z.preprocess((v) => v ?? undefined, z.looseObject(shape, { error: (iss) => `expected a mapping, got ${describeValue(iss.input)}` }).optional());
}

function list<T extends z.ZodType>(item: T) {
  return z.preprocess((v) => v ?? undefined, z.array(item, { error: (iss) => `expected a list, got ${describeValue(iss.input)}` }).optional());
}

const mountEntry = section({ source: str(), dest: str(), readonly: bool(), options: str(), copy: bool() });

const exportEntry = section({ path: str(), 'export options': str(), mount: bool(), 'mount options': str() });

export const warewulfConfSchema = z.looseObject(
  {
    WW_INTERNAL: z.unknown().optional(), // 4.3 version marker, ignored
    comment: str(),
    ipaddr: ipv4OrCidr(),
    netmask: netmask(),
    network: ipv4(),
    fqdn: str(),
    ipaddr6: ipv6OrCidr(),
    prefixlen6: prefixlen6(),
    ipv6net: ipv6Cidr(), // 4.3
    warewulf: section({
      port: port(),
      'tls port': port(),
      secure: bool(),
      'secure files': bool(),
      tls: bool(),
      'update interval': seconds(),
      'autobuild overlays': bool(),
      'host overlay': bool(),
      grubboot: bool(),
      'systemd name': str(),
      'stream limit': count(), // ours: concurrent kernel/image streams (0 = sized to the link)
      'stream queue timeout': seconds(), // ours: how long a request waits for a stream slot
      syslog: z.unknown().optional(), // 4.3, ignored with a warning
      datastore: str(), // 4.3 → paths.datadir
    }),
    api: section({ enabled: bool(), tls: bool(), 'allowed subnets': list(cidr()) }),
    dhcp: section({
      enabled: bool(),
      template: str(),
      'range start': ipv4(),
      'range end': ipv4(),
      'range6 start': ipv6(),
      'range6 end': ipv6(),
      'systemd name': str(),
    }),
    tftp: section({
      enabled: bool(),
      tftproot: str(),
      'systemd name': str(),
      ipxe: z.preprocess(
        (v) => v ?? undefined,
        z.record(z.string(), str(), { error: (iss) => `expected a mapping of arch code to file, got ${describeValue(iss.input)}` }).optional(),
      ),
    }),
    nfs: section({
      enabled: bool(),
      'export paths': list(exportEntry),
      exports: list(str()), // 4.2/4.3 plain list of paths
      'systemd name': str(),
    }),
    ssh: section({ 'key types': list(str()) }),
    'image mounts': list(mountEntry),
    'container mounts': list(mountEntry), // ≤4.5 name of `image mounts`
    wwclient: section({ port: portOrZero() }),
    paths: section(Object.fromEntries(PATH_KEYS.map((k) => [k, str()])) as Record<(typeof PATH_KEYS)[number], ReturnType<typeof str>>),
  },
  { error: (iss) => `expected a mapping at the top level, got ${describeValue(iss.input)}` },
);

export type WarewulfConfDocument = z.output<typeof warewulfConfSchema>;

/**
 * Known keys, for the unknown-key warning and for carrying unknown keys back
 * out on write. `true` = leaf (anything below is the value, e.g. tftp.ipxe's
 * arch codes); an object = section; a one-element array = list of that shape.
 */
export type KeyTree = { [key: string]: true | KeyTree | [KeyTree | true] };

const mountKeys: KeyTree = { source: true, dest: true, readonly: true, options: true, copy: true };

export const KNOWN_KEYS: KeyTree = {
  WW_INTERNAL: true,
  comment: true,
  ipaddr: true,
  netmask: true,
  network: true,
  fqdn: true,
  ipaddr6: true,
  prefixlen6: true,
  ipv6net: true,
  warewulf: {
    port: true,
    'tls port': true,
    secure: true,
    'secure files': true,
    tls: true,
    'update interval': true,
    'autobuild overlays': true,
    'host overlay': true,
    grubboot: true,
    'systemd name': true,
    'stream limit': true,
    'stream queue timeout': true,
    syslog: true,
    datastore: true,
  },
  api: { enabled: true, tls: true, 'allowed subnets': true },
  dhcp: {
    enabled: true,
    template: true,
    'range start': true,
    'range end': true,
    'range6 start': true,
    'range6 end': true,
    'systemd name': true,
  },
  tftp: { enabled: true, tftproot: true, 'systemd name': true, ipxe: true },
  nfs: {
    enabled: true,
    'export paths': [{ path: true, 'export options': true, mount: true, 'mount options': true }],
    exports: true,
    'systemd name': true,
  },
  ssh: { 'key types': true },
  'image mounts': [mountKeys],
  'container mounts': [mountKeys],
  wwclient: { port: true },
  paths: Object.fromEntries(PATH_KEYS.map((k) => [k, true])),
};
