/** Template-facing values computed from the config (§3.1 "Derived values"). */
import { maskIPv6, netmaskToBits } from '../ip.js';
import type { WarewulfConf, WarewulfConfDerived } from './types.js';

/** Empty strings where an input is missing, as upstream's templates see them. */
export function deriveNetworkValues(conf: Pick<WarewulfConf, 'ipaddr' | 'netmask' | 'network' | 'ipaddr6' | 'prefixlen6'>): WarewulfConfDerived {
  const bits = conf.netmask ? netmaskToBits(conf.netmask) : undefined;
  const ipv6 = conf.ipaddr6 !== '' && conf.prefixlen6 !== '';
  const network6 = ipv6 ? maskIPv6(conf.ipaddr6, Number(conf.prefixlen6)) : '';
  return {
    ipCIDR: conf.ipaddr && bits !== undefined ? `${conf.ipaddr}/${bits}` : '',
    networkCIDR: conf.network && bits !== undefined ? `${conf.network}/${bits}` : '',
    network6,
    networkCIDR6: ipv6 ? `${network6}/${conf.prefixlen6}` : '',
    ipCIDR6: ipv6 ? `${conf.ipaddr6}/${conf.prefixlen6}` : '',
    ipv6,
  };
}
