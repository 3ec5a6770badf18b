import { describe, expect, it } from 'vitest';
import { parseWarewulfConf, resolveConfPath, resolvePaths } from '../src/config/index.js';

describe('resolveConfPath', () => {
  it('--warewulfconf > WAREWULFCONF > default', () => {
    expect(resolveConfPath({ env: {}, confPath: '/a.conf' })).toBe('/a.conf');
    expect(resolveConfPath({ env: { WAREWULFCONF: '/b.conf' }, confPath: '/a.conf' })).toBe('/a.conf');
    expect(resolveConfPath({ env: { WAREWULFCONF: '/b.conf' } })).toBe('/b.conf');
    expect(resolveConfPath({ env: {} })).toBe('/etc/warewulf/warewulf.conf');
    expect(resolveConfPath({ env: { WAREWULFCONF: '' } })).toBe('/etc/warewulf/warewulf.conf');
  });

  it('default location is relocated, explicit ones are not', () => {
    expect(resolveConfPath({ env: { WAREWULF_ROOT: '/r' } })).toBe('/r/etc/warewulf/warewulf.conf');
    expect(resolveConfPath({ env: { WAREWULF_ROOT: '/r', WAREWULFCONF: '/b.conf' } })).toBe('/b.conf');
    expect(resolveConfPath({ env: { WAREWULF_ROOT: '/r' }, confPath: 'rel.conf' })).toBe('rel.conf');
  });
});

describe('resolvePaths', () => {
  it('built-in defaults (§0.1)', () => {
    const p = resolvePaths({ env: {} });
    expect(p).toEqual({
      root: '',
      bindir: '/usr/bin',
      sysconfdir: '/etc',
      localstatedir: '/var/lib',
      cachedir: '/var/cache',
      ipxesource: '/usr/share/ipxe',
      srvdir: '/srv',
      firewallddir: '/usr/lib/firewalld/services',
      systemddir: '/usr/lib/systemd/system',
      datadir: '/usr/share',
      wwoverlaydir: '/var/lib/warewulf/overlays',
      wwchrootdir: '/var/lib/warewulf/chroots',
      wwprovisiondir: '/var/lib/warewulf/provision',
      wwclientdir: '/warewulf',
      wwfilesdir: '/var/lib/warewulf/files',
      tftproot: '/var/lib/tftpboot',
      warewulfConf: '/etc/warewulf/warewulf.conf',
      nodesConf: '/etc/warewulf/nodes.conf',
      authConf: '/etc/warewulf/auth.conf',
      ipxeTemplateDir: '/etc/warewulf/ipxe',
      grubTemplateDir: '/etc/warewulf/grub',
      keysDir: '/etc/warewulf/keys',
      tlsDir: '/etc/warewulf/tls',
      distOverlayDir: '/usr/share/warewulf/overlays',
      bmcDir: '/usr/share/warewulf/bmc',
      ociCacheDir: '/var/cache/warewulf',
      nodesCacheDir: '/var/cache/warewulf-nodes',
      provisionImagesDir: '/var/lib/warewulf/provision/images',
      provisionOverlaysDir: '/var/lib/warewulf/provision/overlays',
    });
    expect(Object.isFrozen(p)).toBe(true);
  });

  it('warewulf.conf paths override defaults, and derived files follow', () => {
    const conf = parseWarewulfConf('paths:\n  sysconfdir: /opt/etc\n  datadir: /opt/share\n  wwprovisiondir: /srv/prov\ntftp:\n  tftproot: /srv/tftp\n');
    const p = resolvePaths({ env: {}, conf });
    expect(p.nodesConf).toBe('/opt/etc/warewulf/nodes.conf');
    expect(p.ipxeTemplateDir).toBe('/opt/etc/warewulf/ipxe');
    expect(p.distOverlayDir).toBe('/opt/share/warewulf/overlays');
    expect(p.bmcDir).toBe('/opt/share/warewulf/bmc');
    expect(p.provisionImagesDir).toBe('/srv/prov/images');
    expect(p.tftproot).toBe('/srv/tftp');
    expect(p.wwoverlaydir).toBe('/var/lib/warewulf/overlays'); // independent build-time value, as upstream
    // The conf file itself is not moved by paths.sysconfdir.
    expect(p.warewulfConf).toBe('/etc/warewulf/warewulf.conf');
  });

  it('WAREWULF_ROOT relocates every server-side path, conf values included', () => {
    const conf = parseWarewulfConf('paths:\n  sysconfdir: /opt/etc\n  wwclientdir: /ww\n');
    const p = resolvePaths({ env: { WAREWULF_ROOT: '/tmp/root' }, conf });
    expect(p.root).toBe('/tmp/root');
    expect(p.nodesConf).toBe('/tmp/root/opt/etc/warewulf/nodes.conf');
    expect(p.localstatedir).toBe('/tmp/root/var/lib');
    expect(p.wwoverlaydir).toBe('/tmp/root/var/lib/warewulf/overlays');
    expect(p.provisionOverlaysDir).toBe('/tmp/root/var/lib/warewulf/provision/overlays');
    expect(p.distOverlayDir).toBe('/tmp/root/usr/share/warewulf/overlays');
    expect(p.ociCacheDir).toBe('/tmp/root/var/cache/warewulf');
    expect(p.tftproot).toBe('/tmp/root/var/lib/tftpboot');
    expect(p.warewulfConf).toBe('/tmp/root/etc/warewulf/warewulf.conf');
    expect(p.wwclientdir).toBe('/ww'); // on the node: never relocated
  });

  it('relocated conf paths cannot escape the root', () => {
    const conf = parseWarewulfConf('paths:\n  sysconfdir: ../../etc\n  datadir: /../../usr/share\n');
    const p = resolvePaths({ env: { WAREWULF_ROOT: '/r' }, conf });
    expect(p.sysconfdir.startsWith('/r/')).toBe(true);
    expect(p.datadir).toBe('/r/usr/share');
  });

  it('WAREWULF_ROOT set but empty (or blank) is refused: it would silently write the real /etc/warewulf', () => {
    for (const root of ['', ' ', '\t']) {
      expect(() => resolvePaths({ env: { WAREWULF_ROOT: root }, confPath: '/x/ww.conf' })).toThrow(/WAREWULF_ROOT is set but empty/);
      expect(() => resolveConfPath({ env: { WAREWULF_ROOT: root } })).toThrow(/WAREWULF_ROOT is set but empty/);
    }
  });

  it('unset WAREWULF_ROOT means not relocated; a relative one is made absolute; confPath is reported', () => {
    const p = resolvePaths({ env: {}, confPath: '/x/ww.conf' });
    expect(p.root).toBe('');
    expect(p.nodesConf).toBe('/etc/warewulf/nodes.conf');
    expect(p.warewulfConf).toBe('/x/ww.conf');
    expect(resolvePaths({ env: { WAREWULF_ROOT: 'rel/root' } }).nodesConf).toBe(`${process.cwd()}/rel/root/etc/warewulf/nodes.conf`);
  });
});
