/**
 * Parsing a node's request (§4.3): which stage, which node (wwid), and the
 * query parameters that come with it. Pure: the raw request target as it
 * arrived and the TCP peer in, a typed request or a WW_ERR_BAD_REQUEST out.
 *
 * The path is percent-decoded *before* it is split, because iPXE encodes the
 * colons of `${mac}` (`/ipxe/52%3A54%3A...`, e2e README pitfall 3). Decoding
 * first also means an encoded slash or dot is judged like a literal one.
 * Malformed escapes and overlong UTF-8 (`%c0%ae`) fail decoding: 400.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { WwError } from '../errors.js';
import { ROUTE_STAGES, provisionStage, type Stage } from './stages.js';

export interface Peer {
  /** Bare address: IPv4-mapped IPv6 (`::ffff:a.b.c.d`) is given as IPv4. */
  address: string;
  port: number;
  family: 4 | 6;
}

export interface ProvisionRequest {
  stage: Stage;
  /** The first path segment as requested (`container`, `overlay-runtime`, ...). */
  route: string;
  /** Normalised hardware address (`aa:bb:...`) from the path, else `?wwid=`; undefined: ask ARP. */
  wwid: string | undefined;
  /** efiboot only: the EFI file (path beats `?file=`); '' when none. */
  efifile: string;
  /** `?assetkey=`; undefined when absent (which counts as a mismatch, §4.4). */
  assetkey: string | undefined;
  /** `?uuid=`; logged only. */
  uuid: string;
  /** `?compress=`; '' when absent. */
  compress: string;
  /** `?render=` for /files; undefined when absent. */
  render: string | undefined;
  peer: Peer;
}

const bad = (msg: string) => new WwError('WW_ERR_BAD_REQUEST', msg);

/** Characters a hardware address may have after normalisation; anything else is refused (no script injection through `.Hwaddr`). */
const WWID_RE = /^[0-9a-z]+(?::[0-9a-z]+)*$/;

/**
 * Upstream's wwid normalisation (§4.3): `-` → `:`, lower case
 * (`00-00-00-FF-FF-FF` → `00:00:00:ff:ff:ff`). Throws WW_ERR_BAD_REQUEST for
 * text that cannot be a hardware address.
 */
export function normalizeWwid(text: string): string {
  const w = text.replace(/-/g, ':').toLowerCase();
  if (w.length > 64 || !WWID_RE.test(w)) throw bad(`invalid wwid ${JSON.stringify(text.slice(0, 80))}`);
  return w;
}

/** The TCP peer as the daemon reports it; port 0 or an unparsable address is a 400 (§4.3 step 3). */
export function parsePeer(address: string | undefined, port: number | undefined): Peer {
  if (address === undefined || port === undefined || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw bad(`unable to parse remote address ${address ?? '?'}:${port ?? '?'}`);
  }
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const bare = mapped?.[1] ?? address;
  if (isIPv4(bare)) return { address: bare, port, family: 4 };
  if (isIPv6(bare)) return { address: bare, port, family: 6 };
  throw bad(`unable to parse remote address ${address}`);
}

/**
 * Split a request target into its decoded path segments and query. `//`
 * runs are collapsed first (shim asks for `//grub.efi`, §4.1).
 */
export function splitTarget(target: string): { segments: string[]; query: URLSearchParams } {
  const q = target.indexOf('?');
  const rawPath = (q < 0 ? target : target.slice(0, q)).replace(/\/{2,}/g, '/');
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    throw bad('malformed percent-encoding in path');
  }
  if (path.includes('\0')) throw bad('NUL in path');
  if (!path.startsWith('/')) throw bad('path must be absolute');
  return { segments: path.slice(1).split('/'), query: new URLSearchParams(q < 0 ? '' : target.slice(q + 1)) };
}

/**
 * Parse `/<stage>/<wwid>?...` (§4.3). The stage comes from the first path
 * segment (aliases folded; for `provision`, `?stage=` wins, default ipxe, an
 * unknown value is a 400). The wwid comes from the second segment, else
 * `?wwid=`; more segments than that are a 400 (except for efiboot, whose rest
 * of path is the EFI file name). Throws WW_ERR_BAD_REQUEST; WW_ERR_NOT_FOUND
 * for a first segment that names no stage.
 */
export function parseProvisionRequest(target: string, peer: Peer): ProvisionRequest {
  const { segments, query } = splitTarget(target);
  const route = segments[0] ?? '';
  const routeStage = ROUTE_STAGES[route];
  if (routeStage === undefined) throw new WwError('WW_ERR_NOT_FOUND', `no route ${JSON.stringify(route)}`);
  let stage: Stage;
  if (routeStage === 'provision') {
    const word = query.get('stage');
    const s = word === null || word === '' ? 'ipxe' : provisionStage(word);
    if (s === undefined) throw bad(`unknown stage ${JSON.stringify(word)}`);
    stage = s;
  } else {
    stage = routeStage;
  }
  const rest = segments.slice(1);
  let wwidText: string | undefined;
  let efifile = '';
  if (stage === 'efiboot' && route === 'efiboot') {
    efifile = rest.filter((s) => s !== '').join('/');
  } else {
    if (rest.slice(1).some((s) => s !== '')) throw bad(`unexpected path after the wwid: /${segments.join('/')}`);
    if (rest[0]) wwidText = rest[0];
  }
  const q = (k: string) => query.get(k) ?? undefined;
  wwidText ??= q('wwid') || undefined;
  if (efifile === '' && stage === 'efiboot') efifile = q('file') ?? '';
  return {
    stage,
    route,
    wwid: wwidText === undefined ? undefined : normalizeWwid(wwidText),
    efifile,
    assetkey: q('assetkey'),
    uuid: q('uuid') ?? '',
    compress: q('compress') ?? '',
    render: q('render'),
    peer,
  };
}

/** One line of /proc/net/arp per neighbour: `IP HWtype Flags HWaddress Mask Device`. */
export function parseArpTable(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    const ip = cols[0];
    const mac = cols[3];
    if (ip && mac && mac !== '00:00:00:00:00:00') out.set(ip, mac.toLowerCase());
  }
  return out;
}
