import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { wwErrorOf } from './helpers.js';
import { memoryLogger } from '../src/log.js';
import { deriveNetworkValues, parseWarewulfConf, warewulfConfToDocument, warewulfConfToYaml } from '../src/config/index.js';

const configError = wwErrorOf;

describe('parseWarewulfConf defaults (upstream test, §3.1)', () => {
  const expected = {
    warewulf: { 'autobuild overlays': true, grubboot: false, 'host overlay': true, port: 9873, secure: true, 'tls port': 9874, 'update interval': 60 },
    nfs: { enabled: true, 'systemd name': 'nfsd' },
    dhcp: { enabled: true, 'systemd name': 'dhcpd', template: 'default' },
    'image mounts': [{ dest: '/etc/resolv.conf', source: '/etc/resolv.conf' }],
    ssh: { 'key types': ['ed25519', 'ecdsa', 'rsa'] },
    tftp: {
      enabled: true,
      ipxe: { '00:00': 'undionly.kpxe', '00:07': 'ipxe-snponly-x86_64.efi', '00:09': 'ipxe-snponly-x86_64.efi', '00:0B': 'arm64-efi/snponly.efi' },
      'systemd name': 'tftp',
    },
    api: { enabled: false, 'allowed subnets': ['127.0.0.0/8', '::1/128'] },
  };

  it.each([[''], ['# only a comment\n'], ['{}'], ['---\n']])('empty input %j renders the effective config', (text) => {
    const doc = warewulfConfToDocument(parseWarewulfConf(text));
    // tftproot is the build-time TFTPDIR, which upstream's test environment leaves out.
    const { tftproot, ...tftp } = doc['tftp'] as Record<string, unknown>;
    expect(tftproot).toBe('/var/lib/tftpboot');
    expect({ ...doc, tftp }).toEqual(expected);
  });

  it('gives the typed defaults', () => {
    const conf = parseWarewulfConf('');
    expect(conf.warewulf).toEqual({
      port: 9873,
      tlsPort: 9874,
      secure: true,
      secureFiles: true,
      tls: false,
      updateInterval: 60,
      autobuildOverlays: true,
      hostOverlay: true,
      grubboot: false,
      systemdName: '',
      streamLimit: 0,
      streamQueueTimeout: 60,
    });
    expect(conf.nfs.exportPaths).toEqual([]);
    expect(conf.wwclient.port).toBe(0);
    expect(conf.paths).toEqual({});
    expect(conf.raw).toEqual({});
  });

  it('CIDR ipaddr fills network and netmask', () => {
    const conf = parseWarewulfConf('ipaddr: 192.168.0.1/24\n');
    expect([conf.ipaddr, conf.network, conf.netmask]).toEqual(['192.168.0.1', '192.168.0.0', '255.255.255.0']);
    const doc = warewulfConfToDocument(conf);
    expect(doc).toMatchObject({ ipaddr: '192.168.0.1', network: '192.168.0.0', netmask: '255.255.255.0' });
  });

  it('CIDR ipaddr keeps explicit network and netmask', () => {
    const conf = parseWarewulfConf('ipaddr: 192.168.1.1/24\nnetwork: 192.168.0.0\nnetmask: 255.255.0.0\n');
    expect([conf.ipaddr, conf.network, conf.netmask]).toEqual(['192.168.1.1', '192.168.0.0', '255.255.0.0']);
  });

  it('CIDR ipaddr6 fills prefixlen6', () => {
    const conf = parseWarewulfConf('ipaddr6: 2001:DB8:0:0::1/64\n');
    expect([conf.ipaddr6, conf.prefixlen6]).toEqual(['2001:db8::1', '64']);
    expect(parseWarewulfConf('ipaddr6: 2001:db8::1/64\nprefixlen6: 56\n').prefixlen6).toBe('56');
  });
});

describe('parseWarewulfConf values', () => {
  it('reads the shipped warewulf.conf (§3.2)', () => {
    const text = [
      'ipaddr: 10.0.0.1',
      'netmask: 255.255.252.0',
      'warewulf:',
      '  secure: false',
      '  update interval: 60',
      '  autobuild overlays: true',
      '  host overlay: true',
      '  systemd name: warewulfd',
      'dhcp:',
      '  enabled: true',
      '  range start: 10.0.1.1',
      '  range end: 10.0.1.255',
      '  systemd name: dhcpd',
      '  template: default',
      'tftp:',
      '  enabled: true',
      '  systemd name: tftp',
      'nfs:',
      '  enabled: true',
      '  export paths:',
      '  - path: /home',
      '    export options: rw,sync',
      '  - path: /opt',
      '    export options: ro,sync,no_root_squash',
      '  systemd name: nfs-server',
      'image mounts:',
      '  - source: /etc/resolv.conf',
      '    dest: /etc/resolv.conf',
      '    readonly: true',
      'ssh:',
      '  key types: [ed25519, ecdsa, rsa]',
      '',
    ].join('\n');
    const log = memoryLogger();
    const conf = parseWarewulfConf(text, { logger: log });
    expect(log.lines).toEqual([]);
    expect(conf.warewulf.secure).toBe(false);
    expect(conf.warewulf.secureFiles).toBe(false); // inherits secure
    expect(conf.warewulf.systemdName).toBe('warewulfd');
    expect(conf.dhcp).toMatchObject({ rangeStart: '10.0.1.1', rangeEnd: '10.0.1.255' });
    expect(conf.nfs.exportPaths).toEqual([
      { path: '/home', exportOptions: 'rw,sync' },
      { path: '/opt', exportOptions: 'ro,sync,no_root_squash' },
    ]);
    expect(conf.nfs.systemdName).toBe('nfs-server');
    expect(conf.imageMounts).toEqual([{ source: '/etc/resolv.conf', dest: '/etc/resolv.conf', readonly: true, options: '', copy: false }]);
    expect(conf.network).toBe(''); // only CIDR input or autodetect fills network
    // Rendering and re-parsing gives the same config.
    const again = parseWarewulfConf(warewulfConfToYaml(conf));
    expect({ ...again, raw: {} }).toEqual({ ...conf, raw: {} });
  });

  it('secure files can differ from secure', () => {
    const conf = parseWarewulfConf('warewulf:\n  secure: false\n  secure files: true\n');
    expect([conf.warewulf.secure, conf.warewulf.secureFiles]).toEqual([false, true]);
    expect(warewulfConfToDocument(conf)['warewulf']).toMatchObject({ secure: false, 'secure files': true });
  });

  it('a tftp.ipxe map replaces the defaults entirely', () => {
    const conf = parseWarewulfConf('tftp:\n  ipxe:\n    "00:00": custom.kpxe\n');
    expect(conf.tftp.ipxe).toEqual({ '00:00': 'custom.kpxe' });
  });

  it('export path entries get defaults', () => {
    const conf = parseWarewulfConf('nfs:\n  export paths:\n  - {}\n  - path: /srv\n');
    expect(conf.nfs.exportPaths).toEqual([
      { path: '/dev/null', exportOptions: 'rw,sync,no_subtree_check' },
      { path: '/srv', exportOptions: 'rw,sync,no_subtree_check' },
    ]);
  });

  it('image mounts: dest defaults to source, empty list stays empty', () => {
    expect(parseWarewulfConf('image mounts:\n- source: /a\n  copy: true\n').imageMounts).toEqual([
      { source: '/a', dest: '/a', readonly: false, options: '', copy: true },
    ]);
    expect(parseWarewulfConf('image mounts: []\n').imageMounts).toEqual([]);
  });

  it('coerces scalars like Go yaml: numbers into strings, yes/no into bools, numeric strings into ints', () => {
    const conf = parseWarewulfConf('comment: 42\nprefixlen6: "64"\nwarewulf:\n  port: "9000"\n  grubboot: yes\nwwclient:\n  port: 987\n');
    expect(conf.comment).toBe('42');
    expect(conf.prefixlen6).toBe('64');
    expect(conf.warewulf.port).toBe(9000);
    expect(conf.warewulf.grubboot).toBe(true);
    expect(conf.wwclient.port).toBe(987);
  });

  it('null sections mean defaults', () => {
    const conf = parseWarewulfConf('warewulf:\nnfs: ~\nipaddr:\n');
    expect(conf.warewulf.port).toBe(9873);
    expect(conf.nfs.enabled).toBe(true);
    expect(conf.ipaddr).toBe('');
  });

  it('keeps paths the file sets', () => {
    const conf = parseWarewulfConf('paths:\n  sysconfdir: /opt/etc\n  wwoverlaydir: /srv/ov\n');
    expect(conf.paths).toEqual({ sysconfdir: '/opt/etc', wwoverlaydir: '/srv/ov' });
    expect(warewulfConfToDocument(conf)['paths']).toEqual({ sysconfdir: '/opt/etc', wwoverlaydir: '/srv/ov' });
  });
});

describe('derived values', () => {
  it('computes CIDRs and ipv6', () => {
    const conf = parseWarewulfConf('ipaddr: 10.0.0.1/22\nipaddr6: 2001:db8:0:1:2::5/64\n');
    expect(deriveNetworkValues(conf)).toEqual({
      ipCIDR: '10.0.0.1/22',
      networkCIDR: '10.0.0.0/22',
      network6: '2001:db8:0:1::',
      networkCIDR6: '2001:db8:0:1::/64',
      ipCIDR6: '2001:db8:0:1:2::5/64',
      ipv6: true,
    });
  });

  it('is empty where inputs are missing', () => {
    expect(deriveNetworkValues(parseWarewulfConf('ipaddr: 10.0.0.1\n'))).toEqual({
      ipCIDR: '',
      networkCIDR: '',
      network6: '',
      networkCIDR6: '',
      ipCIDR6: '',
      ipv6: false,
    });
  });
});

describe('4.3-era keys (§3.4)', () => {
  it('maps legacy keys and warns only about syslog', () => {
    const text = [
      'WW_INTERNAL: 43',
      'ipv6net: 2001:db8::/64',
      'warewulf:',
      '  port: 9873',
      '  syslog: false',
      '  datastore: /var/lib/warewulf',
      'nfs:',
      '  exports:',
      '  - /home',
      '  - /opt',
      'container mounts:',
      '  - source: /etc/resolv.conf',
      '    dest: /etc/resolv.conf',
      '    readonly: true',
      '',
    ].join('\n');
    const log = memoryLogger();
    const conf = parseWarewulfConf(text, { file: '/etc/warewulf/warewulf.conf', logger: log });
    expect([conf.ipaddr6, conf.prefixlen6]).toEqual(['2001:db8::', '64']);
    expect(conf.paths.datadir).toBe('/var/lib/warewulf');
    expect(conf.nfs.exportPaths).toEqual([
      { path: '/home', exportOptions: 'rw,sync,no_subtree_check' },
      { path: '/opt', exportOptions: 'rw,sync,no_subtree_check' },
    ]);
    expect(conf.imageMounts).toEqual([{ source: '/etc/resolv.conf', dest: '/etc/resolv.conf', readonly: true, options: '', copy: false }]);
    expect(log.lines).toEqual([{ level: 'warn', msg: '/etc/warewulf/warewulf.conf:5:11: "warewulf.syslog" is no longer supported (ignored)' }]);
    // Legacy keys are not written back; their values are, under the current names.
    const doc = warewulfConfToDocument(conf);
    expect(Object.keys(doc)).not.toContain('WW_INTERNAL');
    expect(Object.keys(doc)).not.toContain('container mounts');
    expect(Object.keys(doc)).not.toContain('ipv6net');
    expect(doc['warewulf']).not.toHaveProperty('syslog');
    expect(doc['nfs']).not.toHaveProperty('exports');
  });

  it('keeps per-export mount and mount options', () => {
    const conf = parseWarewulfConf('nfs:\n  export paths:\n  - path: /home\n    export options: rw\n    mount: true\n    mount options: defaults\n');
    expect(conf.nfs.exportPaths).toEqual([{ path: '/home', exportOptions: 'rw', mount: true, mountOptions: 'defaults' }]);
    expect(warewulfConfToDocument(conf)['nfs']).toMatchObject({
      'export paths': [{ path: '/home', 'export options': 'rw', mount: true, 'mount options': 'defaults' }],
    });
  });

  it('new keys win over legacy ones', () => {
    const conf = parseWarewulfConf(
      'ipaddr6: 2001:db8:1::1/48\nipv6net: 2001:db8::/64\nwarewulf:\n  datastore: /old\npaths:\n  datadir: /new\nimage mounts:\n- source: /x\ncontainer mounts:\n- source: /y\n',
    );
    expect([conf.ipaddr6, conf.prefixlen6, conf.paths.datadir]).toEqual(['2001:db8:1::1', '48', '/new']);
    expect(conf.imageMounts.map((m) => m.source)).toEqual(['/x']);
  });
});

describe('unknown keys', () => {
  it('warns with the key path and location, and keeps them for writing back', () => {
    const text = 'ipaddr: 10.0.0.1\nwarewulf:\n  port: 9873\n  foo: bar\nnewsection:\n  a: 1\nimage mounts:\n- source: /a\n  extra: x\n';
    const log = memoryLogger();
    const conf = parseWarewulfConf(text, { file: '/x/warewulf.conf', logger: log });
    expect(log.lines.map((l) => l.msg)).toEqual([
      '/x/warewulf.conf:4:3: unknown key "warewulf.foo" (kept)',
      '/x/warewulf.conf:5:1: unknown key "newsection" (kept)',
      '/x/warewulf.conf:9:3: unknown key "image mounts[0].extra" (kept)',
    ]);
    expect(conf.raw).toEqual(load(text));
    const doc = load(warewulfConfToYaml(conf)) as Record<string, Record<string, unknown>>;
    expect(doc['warewulf']?.['foo']).toBe('bar');
    expect(doc['newsection']).toEqual({ a: 1 });
    expect(doc['image mounts']).toEqual([{ source: '/a', dest: '/a', extra: 'x' }]);
  });

  it('uses "warewulf.conf" when no file is given', () => {
    const log = memoryLogger();
    parseWarewulfConf('warewulf: {foo: 1}\n', { logger: log });
    expect(log.lines.map((l) => l.msg)).toEqual(['warewulf.conf:1:1: unknown key "warewulf.foo" (kept)']); // flow style: nearest located ancestor
  });
});

describe('errors', () => {
  it('names file, line, column and field for a bad port', () => {
    const err = configError(() => parseWarewulfConf('ipaddr: 10.0.0.1\nwarewulf:\n  port: abc\n', { file: '/x/warewulf.conf' }));
    expect(err).toEqual({ code: 'WW_ERR_CONFIG_INVALID', message: '/x/warewulf.conf:3:9: warewulf.port: expected a port number (1-65535), got "abc"' });
  });

  it.each([
    ['ipaddr: 10.0.0.300\n', 'warewulf.conf:1:9: ipaddr: expected an IPv4 address or CIDR (a.b.c.d/nn), got "10.0.0.300"'],
    ['netmask: 255.0.255.0\n', 'warewulf.conf:1:10: netmask: expected an IPv4 netmask, got "255.0.255.0"'],
    ['warewulf:\n  port: 70000\n', 'warewulf.conf:2:9: warewulf.port: expected a port number (1-65535), got 70000'],
    ['warewulf:\n  secure: maybe\n', 'warewulf.conf:2:11: warewulf.secure: expected a boolean (true/false), got "maybe"'],
    ['warewulf: 5\n', 'warewulf.conf:1:11: warewulf: expected a mapping, got 5'],
    ['- a\n- b\n', 'warewulf.conf: expected a mapping at the top level, got a list'],
    ['dhcp:\n  range start: nope\n', 'warewulf.conf:2:16: dhcp.range start: expected an IPv4 address, got "nope"'],
    [
      'nfs:\n  export paths:\n  - path: /a\n  - path: [x]\n',
      'warewulf.conf:4:11: nfs.export paths[1].path: expected a string, got a list',
    ],
    ['api:\n  allowed subnets: [10.0.0.0/8, bogus]\n', 'warewulf.conf:2:20: api.allowed subnets[1]: expected a CIDR network (a.b.c.d/nn or v6/nn), got "bogus"'],
    ['ssh:\n  key types: rsa\n', 'warewulf.conf:2:14: ssh.key types: expected a list, got "rsa"'],
  ])('%j', (text, message) => {
    expect(configError(() => parseWarewulfConf(text))).toEqual({ code: 'WW_ERR_CONFIG_INVALID', message });
  });

  it('reports every problem, one per line', () => {
    const err = configError(() => parseWarewulfConf('warewulf:\n  port: x\n  tls port: y\n'));
    expect(err.message.split('\n')).toEqual([
      'warewulf.conf:2:9: warewulf.port: expected a port number (1-65535), got "x"',
      'warewulf.conf:3:13: warewulf.tls port: expected a port number (1-65535), got "y"',
    ]);
  });

  it('malformed YAML is WW_ERR_CONFIG_PARSE with js-yaml position', () => {
    const err = configError(() => parseWarewulfConf('warewulf:\n  port: 1\n bad: [\n', { file: '/x/warewulf.conf' }));
    expect(err.code).toBe('WW_ERR_CONFIG_PARSE');
    expect(err.message).toMatch(/^\/x\/warewulf\.conf:\d+:\d+: /);
  });

  it('duplicate keys are a parse error', () => {
    expect(configError(() => parseWarewulfConf('ipaddr: 1.2.3.4\nipaddr: 1.2.3.5\n')).code).toBe('WW_ERR_CONFIG_PARSE');
  });
});
