import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWwError } from '../src/errors.js';
import { memoryLogger } from '../src/log.js';
import { autodetectNetwork, defaultWarewulfConf, loadConfigAndPaths, loadWarewulfConf, parseWarewulfConf, probeSourceAddress } from '../src/config/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ww-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadWarewulfConf', () => {
  it('reads and parses a file, naming it in warnings', async () => {
    const file = join(dir, 'warewulf.conf');
    await writeFile(file, 'ipaddr: 10.1.0.1/16\nbogus: 1\n');
    const log = memoryLogger();
    const conf = await loadWarewulfConf(file, { logger: log });
    expect(conf.network).toBe('10.1.0.0');
    expect(log.lines.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual([`${file}:2:1: unknown key "bogus" (kept)`]);
  });

  it('missing file: error unless allowMissing', async () => {
    const file = join(dir, 'nope.conf');
    const err = await loadWarewulfConf(file).catch((e: unknown) => e);
    expect(isWwError(err) && err.code).toBe('WW_ERR_IO');
    expect((err as Error).message).toContain(file);
    expect(await loadWarewulfConf(file, { allowMissing: true })).toEqual(defaultWarewulfConf());
  });

  it('loadConfigAndPaths follows WAREWULF_ROOT', async () => {
    await import('node:fs/promises').then((fs) => fs.mkdir(join(dir, 'root/etc/warewulf'), { recursive: true }));
    await writeFile(join(dir, 'root/etc/warewulf/warewulf.conf'), 'paths:\n  sysconfdir: /etc\nwarewulf:\n  port: 9999\n');
    const { conf, paths } = await loadConfigAndPaths({ env: { WAREWULF_ROOT: join(dir, 'root') } });
    expect(conf.warewulf.port).toBe(9999);
    expect(paths.warewulfConf).toBe(join(dir, 'root/etc/warewulf/warewulf.conf'));
    expect(paths.nodesConf).toBe(join(dir, 'root/etc/warewulf/nodes.conf'));
  });
});

describe('autodetectNetwork', () => {
  const ifaces = () => ({
    lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4' as const, mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }],
    eth0: [{ address: '10.5.6.7', netmask: '255.255.240.0', family: 'IPv4' as const, mac: 'aa:bb:cc:dd:ee:ff', internal: false, cidr: '10.5.6.7/20' }],
  });

  it('fills ipaddr, netmask and network from the probe and interfaces', async () => {
    const conf = defaultWarewulfConf();
    const out = await autodetectNetwork(conf, { probe: async () => '10.5.6.7', interfaces: ifaces });
    expect([out.ipaddr, out.netmask, out.network]).toEqual(['10.5.6.7', '255.255.240.0', '10.5.0.0']);
    expect(conf.ipaddr).toBe(''); // input untouched
  });

  it('keeps what the file set', async () => {
    const conf = parseWarewulfConf('ipaddr: 10.5.6.7\nnetmask: 255.255.255.0\n');
    const out = await autodetectNetwork(conf, {
      probe: async () => {
        throw new Error('must not probe');
      },
      interfaces: ifaces,
    });
    expect([out.ipaddr, out.netmask, out.network]).toEqual(['10.5.6.7', '255.255.255.0', '10.5.6.0']);
  });

  it('leaves fields empty when nothing is found', async () => {
    const out = await autodetectNetwork(defaultWarewulfConf(), { probe: async () => undefined, interfaces: ifaces });
    expect([out.ipaddr, out.netmask, out.network]).toEqual(['', '', '']);
    const noIface = await autodetectNetwork(defaultWarewulfConf(), { probe: async () => '192.168.9.9', interfaces: ifaces });
    expect([noIface.ipaddr, noIface.netmask, noIface.network]).toEqual(['192.168.9.9', '', '']);
  });

  it('the real probe resolves to an address or undefined without throwing', async () => {
    const addr = await probeSourceAddress();
    expect(addr === undefined || /^\d+\.\d+\.\d+\.\d+$/.test(addr)).toBe(true);
  });
});
