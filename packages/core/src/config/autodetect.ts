/**
 * §3.3: fill ipaddr/netmask/network the file left empty, from the host's
 * network state. Only for wwctl/warewulfd (wwclient must not run this).
 */
import { createSocket } from 'node:dgram';
import { networkInterfaces } from 'node:os';
import type { NetworkInterfaceInfo } from 'node:os';
import type { Logger } from '../log.js';
import { noopLogger } from '../log.js';
import { maskIPv4, netmaskToBits } from '../ip.js';
import type { WarewulfConf } from './types.js';

/** TEST-NET-1 (RFC 5737): routable-looking, never a real host. */
const PROBE_ADDRESS = '192.0.2.1';

/**
 * The source address the kernel would pick to reach PROBE_ADDRESS.
 * connect() on a UDP socket only consults the routing table; nothing is sent
 * (and we never call send). Undefined when there is no route.
 */
export function probeSourceAddress(): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const done = (addr: string | undefined) => {
      try {
        socket.close();
      } catch {
        // already closed
      }
      resolve(addr);
    };
    socket.once('error', () => done(undefined));
    try {
      socket.connect(9, PROBE_ADDRESS, () => {
        try {
          done(socket.address().address);
        } catch {
          done(undefined);
        }
      });
    } catch {
      done(undefined);
    }
  });
}

export interface AutodetectOptions {
  logger?: Logger;
  /** Injected for tests; default probeSourceAddress. */
  probe?: () => Promise<string | undefined>;
  /** Injected for tests; default os.networkInterfaces. */
  interfaces?: () => NodeJS.Dict<NetworkInterfaceInfo[]>;
}

/**
 * The address to use when the route probe finds none (no default route, or
 * no network at all): the first non-loopback IPv4 address in interface-name
 * order (a head node whose only network is the cluster one), else the first
 * loopback one (a machine without any network can only serve itself: the
 * demo, tests; 127.0.0.1 at least makes boot scripts and `wwctl node status`
 * point at something that answers instead of `http://:9873`).
 * Undefined when the host has no IPv4 address at all.
 */
export function fallbackAddress(ifaces: NodeJS.Dict<NetworkInterfaceInfo[]>): { address: string; loopback: boolean } | undefined {
  const all = Object.keys(ifaces)
    .sort()
    .flatMap((name) => ifaces[name] ?? [])
    .filter((i) => i.family === 'IPv4' && i.address !== '0.0.0.0');
  const pick = all.find((i) => !i.internal) ?? all.find((i) => i.internal);
  return pick && { address: pick.address, loopback: pick.internal };
}

/**
 * §3.3: `conf` with empty ipaddr/netmask/network filled from the host. ipaddr
 * is the source address of the route to 192.0.2.1 (as upstream), else
 * fallbackAddress (a deviation: upstream leaves it empty); netmask is that of
 * the interface owning ipaddr; network is ipaddr & netmask. Values the file
 * set are never changed. Returns a new config (`conf` is not modified);
 * fields stay empty when nothing can be detected. Never throws.
 */
export async function autodetectNetwork(conf: WarewulfConf, opts: AutodetectOptions = {}): Promise<WarewulfConf> {
  const logger = opts.logger ?? noopLogger;
  let { ipaddr, netmask, network } = conf;
  // read at most once: os.networkInterfaces() costs a syscall per interface
  let cached: NodeJS.Dict<NetworkInterfaceInfo[]> | undefined;
  const ifaces = () => (cached ??= (opts.interfaces ?? networkInterfaces)());

  if (ipaddr === '') {
    const found = await (opts.probe ?? probeSourceAddress)();
    if (found && found !== '0.0.0.0') {
      ipaddr = found;
      logger.verbose(`ipaddr is not configured in warewulf.conf, using ${ipaddr}`);
    } else {
      const fb = fallbackAddress(ifaces());
      if (fb) {
        ipaddr = fb.address;
        logger.verbose(
          fb.loopback
            ? `ipaddr is not configured in warewulf.conf and this host has no network but loopback: using ${ipaddr}, which no other machine can reach`
            : `ipaddr is not configured in warewulf.conf and there is no route to probe with: using ${ipaddr}`,
        );
      }
    }
  }
  if (ipaddr !== '' && netmask === '') {
    for (const list of Object.values(ifaces())) {
      const hit = list?.find((i) => i.family === 'IPv4' && i.address === ipaddr);
      if (hit) {
        netmask = hit.netmask;
        logger.verbose(`netmask is not configured in warewulf.conf, using ${netmask}`);
        break;
      }
    }
  }
  if (ipaddr !== '' && netmask !== '' && network === '' && netmaskToBits(netmask) !== undefined) {
    network = maskIPv4(ipaddr, netmask);
    logger.verbose(`network is not configured in warewulf.conf, using ${network}`);
  }
  return { ...conf, ipaddr, netmask, network };
}
