import { existsSync } from 'node:fs';
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
    expect(await loadWarewulfConf(file, { allowMissing: true, autodetect: false })).toEqual(defaultWarewulfConf());
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
    const out = await autodetectNetwork(defaultWarewulfConf(), { probe: async () => undefined, interfaces: () => ({}) });
    expect([out.ipaddr, out.netmask, out.network]).toEqual(['', '', '']);
    const noIface = await autodetectNetwork(defaultWarewulfConf(), { probe: async () => '192.168.9.9', interfaces: ifaces });
    expect([noIface.ipaddr, noIface.netmask, noIface.network]).toEqual(['192.168.9.9', '', '']);
  });

  it('without a route to probe with, takes the first non-loopback IPv4 interface by name', async () => {
    const more = () => ({
      ...ifaces(),
      eth1: [
        { address: 'fd00::1', netmask: 'ffff::', family: 'IPv6' as const, mac: 'aa:bb:cc:dd:ee:00', internal: false, cidr: 'fd00::1/16', scopeid: 0 },
        { address: '10.9.0.1', netmask: '255.255.0.0', family: 'IPv4' as const, mac: 'aa:bb:cc:dd:ee:00', internal: false, cidr: '10.9.0.1/16' },
      ],
      aa0: [{ address: 'fd00::2', netmask: 'ffff::', family: 'IPv6' as const, mac: 'aa:bb:cc:dd:ee:01', internal: false, cidr: 'fd00::2/16', scopeid: 0 }],
    });
    const out = await autodetectNetwork(defaultWarewulfConf(), { probe: async () => undefined, interfaces: more });
    expect([out.ipaddr, out.netmask, out.network]).toEqual(['10.5.6.7', '255.255.240.0', '10.5.0.0']);
  });

  it('on a loopback-only host, uses the loopback address and says nodes cannot reach it', async () => {
    const lo = () => ({ lo: ifaces().lo });
    const log = memoryLogger();
    const out = await autodetectNetwork(defaultWarewulfConf(), { probe: async () => undefined, interfaces: lo, logger: log });
    expect([out.ipaddr, out.netmask, out.network]).toEqual(['127.0.0.1', '255.0.0.0', '127.0.0.0']);
    expect(log.lines.map((l) => l.msg).join('\n')).toContain('no network but loopback: using 127.0.0.1, which no other machine can reach');
  });

  it('the real probe resolves to an address or undefined without throwing', async () => {
    const addr = await probeSourceAddress();
    expect(addr === undefined || /^\d+\.\d+\.\d+\.\d+$/.test(addr)).toBe(true);
  });
});

describe('server address auto-detection at load (§1.1, §3.3)', () => {
  const ifaces = () => ({
    lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4' as const, mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }],
    eth0: [{ address: '10.5.6.7', netmask: '255.255.240.0', family: 'IPv4' as const, mac: 'aa:bb:cc:dd:ee:ff', internal: false, cidr: '10.5.6.7/20' }],
  });
  const fake = { probe: async () => '10.5.6.7', interfaces: ifaces };

  it('a root without warewulf.conf gets the host address, and the file is not written', async () => {
    const root = join(dir, 'fresh');
    const { conf, detected, paths } = await loadConfigAndPaths({ env: { WAREWULF_ROOT: root }, allowMissing: true, autodetect: fake });
    expect([conf.ipaddr, conf.netmask, conf.network]).toEqual(['10.5.6.7', '255.255.240.0', '10.5.0.0']);
    expect(detected).toEqual({ ipaddr: '10.5.6.7', netmask: '255.255.240.0', network: '10.5.0.0' });
    expect(existsSync(paths.warewulfConf)).toBe(false);
  });

  it('loadWarewulfConf (warewulfd) fills only what the file leaves empty', async () => {
    const file = join(dir, 'partial.conf');
    await writeFile(file, 'ipaddr: 10.5.6.7\n');
    expect(await loadWarewulfConf(file, { autodetect: fake })).toMatchObject({ ipaddr: '10.5.6.7', netmask: '255.255.240.0', network: '10.5.0.0' });
  });

  it('explicit values are kept and nothing is probed', async () => {
    const file = join(dir, 'explicit.conf');
    await writeFile(file, 'ipaddr: 192.168.1.1\nnetmask: 255.255.255.0\nnetwork: 192.168.1.0\n');
    const never = {
      probe: async () => expect.fail('probed although ipaddr is set'),
      interfaces: () => expect.fail('read interfaces although everything is set'),
    };
    const { conf, detected } = await loadConfigAndPaths({ env: {}, confPath: file, autodetect: never });
    expect([conf.ipaddr, conf.netmask, conf.network]).toEqual(['192.168.1.1', '255.255.255.0', '192.168.1.0']);
    expect(detected).toEqual({});
  });

  it('autodetect: false returns the file as written', async () => {
    const file = join(dir, 'none.conf');
    expect((await loadWarewulfConf(file, { allowMissing: true, autodetect: false })).ipaddr).toBe('');
  });

  it('on this machine, a root without warewulf.conf gets a non-empty address', async () => {
    const { conf } = await loadConfigAndPaths({ env: { WAREWULF_ROOT: join(dir, 'real') }, allowMissing: true });
    expect(conf.ipaddr).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(conf.netmask).not.toBe('');
  });
});
