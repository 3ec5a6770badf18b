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

/** Returns a new config; `conf` is not modified. Leaves fields empty when nothing can be detected. */
export async function autodetectNetwork(conf: WarewulfConf, opts: AutodetectOptions = {}): Promise<WarewulfConf> {
  const logger = opts.logger ?? noopLogger;
  let { ipaddr, netmask, network } = conf;

  if (ipaddr === '') {
    const found = await (opts.probe ?? probeSourceAddress)();
    if (found && found !== '0.0.0.0') {
      ipaddr = found;
      logger.verbose(`ipaddr is not configured in warewulf.conf, using ${ipaddr}`);
    }
  }
  if (ipaddr !== '' && netmask === '') {
    const ifaces = (opts.interfaces ?? networkInterfaces)();
    for (const list of Object.values(ifaces)) {
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
