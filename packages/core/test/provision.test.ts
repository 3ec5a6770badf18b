/**
 * The HTTP contract in core: request parsing (upstream's parser tests,
 * §4.3), artefact paths that stay in their roots, kernel/initramfs lookup in
 * an image (§6.3, §4.5), discovery on a document (§4.6) and the node status
 * rows (§1.3).
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NodeDb, WwError, dumpNodesConf, parseNodesConf, resolvePaths } from '../src/index.js';
import { parseWarewulfConf, warewulfConfToYaml } from '../src/config/index.js';
import {
  discoverNode, findEfiFile, findInitramfs, findKernel, formatNodeStatus, imageArtefact, isSafeSegment, nodeStatusRows, normalizeWwid, overlayArtefact, parseArpTable, parsePeer, parseProvisionRequest,
  parseStatusDocument, resolveInRoot, withCompression,
} from '../src/provision/index.js';

const peer = parsePeer('10.5.1.1', 9873);
const parse = (url: string) => parseProvisionRequest(url, peer);

describe('request parsing (§4.3)', () => {
  it('passes upstream parser tests', () => {
    expect(parse('/provision/00:00:00:ff:ff:ff')).toMatchObject({ stage: 'ipxe', wwid: '00:00:00:ff:ff:ff', peer: { address: '10.5.1.1', port: 9873 } });
    expect(parse('/initramfs/00:00:00:ff:ff:ff').stage).toBe('initramfs');
    expect(parse('/kernel/?wwid=00%3A00%3A00%3Aff%3Aff%3Aff')).toMatchObject({ stage: 'kernel', wwid: '00:00:00:ff:ff:ff' });
    expect(parse('/provision/?wwid=00:00:00:ff:ff:ff&stage=kernel').stage).toBe('kernel');
    expect(parse('/efiboot/?wwid=00:00:00:ff:ff:ff&file=shim.efi')).toMatchObject({ stage: 'efiboot', efifile: 'shim.efi' });
    expect(parse('/kernel/00:00:00:ff:ff:ff?wwid=11:11:11:11:11:11').wwid).toBe('00:00:00:ff:ff:ff');
    expect(parse('/efiboot/shim.efi?file=grub.cfg').efifile).toBe('shim.efi');
    expect(parsePeer('fd00:5::1:1', 9873)).toEqual({ address: 'fd00:5::1:1', port: 9873, family: 6 });
    expect(parsePeer('::ffff:10.5.1.1', 9873)).toEqual({ address: '10.5.1.1', port: 9873, family: 4 });
  });

  it('folds aliases, normalises wwids and reads the query parameters', () => {
    expect(parse('/container/AA-BB-CC-DD-EE-FF').stage).toBe('image');
    expect(parse('/overlay-system/aa:bb:cc:dd:ee:ff').stage).toBe('system');
    expect(parse('/overlay-runtime/aa:bb:cc:dd:ee:ff').stage).toBe('runtime');
    expect(parse('/provision/aa:bb:cc:dd:ee:ff?stage=container').stage).toBe('image');
    expect(normalizeWwid('00-00-00-FF-FF-FF')).toBe('00:00:00:ff:ff:ff');
    const r = parse('/image/52%3A54%3A00%3A12%3A34%3A56?assetkey=rack1%20node1&uuid=u-1&compress=gz');
    expect(r).toMatchObject({ wwid: '52:54:00:12:34:56', assetkey: 'rack1 node1', uuid: 'u-1', compress: 'gz' });
    expect(parse('/image/52:54:00:12:34:56').assetkey).toBeUndefined();
    expect(parse('//efiboot//grub.efi?wwid=52:54:00:12:34:56').efifile).toBe('grub.efi');
    expect(parse('/ipxe').wwid).toBeUndefined();
  });

  it('refuses what cannot be a request: bad stage, extra segments, bad escapes, NUL, junk wwids, bad peers', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as WwError).code;
      }
      return 'ok';
    };
    expect(code(() => parse('/provision/aa:bb?stage=bogus'))).toBe('WW_ERR_BAD_REQUEST');
    expect(code(() => parse('/nope/aa:bb'))).toBe('WW_ERR_NOT_FOUND');
    for (const url of ['/kernel/aa:bb/cc', '/kernel/%c0%ae%c0%ae', '/kernel/%zz', '/kernel/aa%00bb', '/kernel/..', '/kernel/..%2f..%2fetc', '/kernel/a;b', '/kernel/a%0a']) {
      expect([url, code(() => parse(url))]).toEqual([url, 'WW_ERR_BAD_REQUEST']);
    }
    expect(code(() => parsePeer('10.0.0.1', 0))).toBe('WW_ERR_BAD_REQUEST');
    expect(code(() => parsePeer(undefined, 99))).toBe('WW_ERR_BAD_REQUEST');
    expect(code(() => parsePeer('not-an-ip', 99))).toBe('WW_ERR_BAD_REQUEST');
  });

  it('reads /proc/net/arp', () => {
    const text = 'IP address       HW type     Flags       HW address            Mask     Device\n10.0.0.7         0x1         0x2         52:54:00:AA:BB:01     *        eth0\n10.0.0.8         0x1         0x0         00:00:00:00:00:00     *        eth0\n';
    const t = parseArpTable(text);
    expect(t.get('10.0.0.7')).toBe('52:54:00:aa:bb:01');
    expect(t.has('10.0.0.8')).toBe(false);
  });
});

const tmp = mkdtempSync(join(tmpdir(), 'ww-provision-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const put = (rel: string, text = rel) => {
  const p = join(tmp, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
};

describe('artefact paths', () => {
  it('names only safe segments and applies compress', () => {
    const paths = { provisionImagesDir: '/p/images', provisionOverlaysDir: '/p/overlays' };
    expect(imageArtefact(paths, 'rocky-9')).toEqual({ dir: '/p/images', name: 'rocky-9.img' });
    for (const bad of ['', '.', '..', 'a/b', '../x', 'a\0b', 'a\\b']) {
      expect(isSafeSegment(bad)).toBe(false);
      expect(imageArtefact(paths, bad)).toBeUndefined();
      expect(overlayArtefact(paths, bad, 'system')).toBeUndefined();
    }
    expect(overlayArtefact(paths, 'n1', 'runtime')).toEqual({ dir: '/p/overlays/n1', name: '__RUNTIME__.img' });
    const a = { dir: '/d', name: 'x.img' };
    expect(withCompression(a, '')).toBe(a);
    expect(withCompression(a, 'gz')).toEqual({ dir: '/d', name: 'x.img.gz' });
    expect(withCompression(a, 'xz')).toBeUndefined();
  });

  it('resolves paths inside a root as a chroot would: symlinks and .. never leave it', async () => {
    const root = join(tmp, 'img', 'rootfs');
    put('img/rootfs/boot/vmlinuz-6.1.0', 'kernel');
    put('secret', 'outside');
    symlinkSync('/etc/shadow', join(root, 'boot', 'abs-link'));
    symlinkSync('../../../secret', join(root, 'boot', 'rel-link'));
    symlinkSync('vmlinuz-6.1.0', join(root, 'boot', 'vmlinuz'));
    symlinkSync('/boot', join(root, 'bootlink'));
    symlinkSync('loop2', join(root, 'loop1'));
    symlinkSync('loop1', join(root, 'loop2'));
    expect(await resolveInRoot(root, '/boot/vmlinuz')).toBe(join(root, 'boot', 'vmlinuz-6.1.0'));
    expect(await resolveInRoot(root, '/bootlink/vmlinuz')).toBe(join(root, 'boot', 'vmlinuz-6.1.0'));
    expect(await resolveInRoot(root, '/../../../secret')).toBeUndefined();
    expect(await resolveInRoot(root, '/boot/abs-link')).toBeUndefined(); // /etc/shadow inside the root: absent
    expect(await resolveInRoot(root, '/boot/rel-link')).toBeUndefined(); // ../../../secret clamps at the root
    expect(await resolveInRoot(root, '/loop1')).toBeUndefined();
    expect(await resolveInRoot(root, '/boot/vmlinuz-6.1.0/x')).toBeUndefined();
  });
});

describe('boot files in an image', () => {
  const paths = { ...resolvePaths({ env: {} }), wwchrootdir: join(tmp, 'chroots'), wwprovisiondir: join(tmp, 'provision') };
  const boot = (img: string, name: string) => put(`chroots/${img}/rootfs/boot/${name}`);

  it('picks the image default kernel (§6.3), or the one kernel.version names, with its host path', async () => {
    for (const n of ['vmlinuz-4.14.0-427.18.1.el8_4.x86_64', 'vmlinuz-5.14.0-427.18.1.el9_4.x86_64', 'vmlinuz-5.14.0-427.24.1.el9_4.x86_64', 'vmlinuz-5.14.0-427.31.1.el9_4.x86_64+debug', 'vmlinuz-0-rescue-eb46964329b146e39518c625feab3ea0']) boot('el', n);
    boot('el', 'initramfs-5.14.0-427.18.1.el9_4.x86_64.img');
    boot('el', 'initramfs-5.14.0-427.24.1.el9_4.x86_64.img');
    const k = await findKernel(paths, 'el');
    expect(k).toEqual({ rel: '/boot/vmlinuz-5.14.0-427.24.1.el9_4.x86_64', path: join(tmp, 'chroots/el/rootfs/boot/vmlinuz-5.14.0-427.24.1.el9_4.x86_64'), version: '5.14.0-427.24.1' });
    expect((await findKernel(paths, 'el', '4.14'))?.rel).toBe('/boot/vmlinuz-4.14.0-427.18.1.el8_4.x86_64');
    expect(await findKernel(paths, 'el', '9.9')).toBeUndefined();
    expect(await findKernel(paths, 'no-such-image')).toBeUndefined();
    expect(await findKernel(paths, '../el')).toBeUndefined();
    expect((await findInitramfs(paths, 'el', '5.14.0-427.24.1'))?.rel).toBe('/boot/initramfs-5.14.0-427.24.1.el9_4.x86_64.img');
    expect(await findInitramfs(paths, 'el', '4.14.0')).toBeUndefined();
  });

  it('never returns a kernel that is a symlink out of the image', async () => {
    put('outside-kernel', 'host file');
    mkdirSync(join(tmp, 'chroots', 'evil', 'rootfs', 'boot'), { recursive: true });
    symlinkSync(join(tmp, 'outside-kernel'), join(tmp, 'chroots', 'evil', 'rootfs', 'boot', 'vmlinuz-9.9.9'));
    expect(await findKernel(paths, 'evil')).toBeUndefined();
  });

  it('finds shim and GRUB in upstream order', async () => {
    put('chroots/efi/rootfs/boot/efi/EFI/rocky/shimx64.efi');
    put('chroots/efi/rootfs/boot/efi/EFI/rocky/grubx64.efi');
    put('chroots/efi/rootfs/usr/lib64/efi/grub.efi');
    expect((await findEfiFile(paths, 'efi', 'shim.efi'))?.rel).toBe('/boot/efi/EFI/rocky/shimx64.efi');
    expect((await findEfiFile(paths, 'efi', 'grubx64.efi'))?.rel).toBe('/usr/lib64/efi/grub.efi');
    expect(await findEfiFile(paths, 'efi', 'bootx64.efi')).toBeUndefined();
  });
});

describe('discovery (§4.6)', () => {
  const TEXT = `nodeprofiles:
  default:
    network devices:
      eth0: {netmask: 255.255.255.0}
nodes:
  z1:
    cluster name: b
    discoverable: "true"
  a2:
    cluster name: b
    discoverable: "true"
    network devices:
      ib0: {device: ib0}
      eth1: {device: eth1, ipaddr: 10.0.0.2}
    primary network: eth1
  known:
    network devices:
      eth0: {hwaddr: "52:54:00:00:00:01"}
  c1:
    cluster name: c
    discoverable: "true"
`;

  it('gives the address to the first discoverable node by (cluster, id) on its primary device, turning discoverable off', () => {
    const doc = parseNodesConf(TEXT);
    const r = discoverNode(doc, '52:54:00:00:00:99');
    expect(r).toEqual({ kind: 'discovered', id: 'a2', netdev: 'eth1' });
    expect(doc.nodes['a2']).toMatchObject({ discoverable: 'false', 'network devices': { eth1: { hwaddr: '52:54:00:00:00:99', ipaddr: '10.0.0.2' }, ib0: { device: 'ib0' } } });
    const again = new NodeDb(parseNodesConf(dumpNodesConf(doc)), '');
    expect(again.byHwaddr('52-54-00-00-00-99')?.id).toBe('a2');
    // next: z1 (cluster b) inherits eth0 only: its devices are replaced by that one (upstream's quirk)
    expect(discoverNode(doc, '52:54:00:00:00:98')).toEqual({ kind: 'discovered', id: 'z1', netdev: 'eth0' });
    expect(doc.nodes['z1']?.['network devices']).toEqual({ eth0: { hwaddr: '52:54:00:00:00:98' } });
  });

  it('a discoverable node that already carries the address is the one discovered: discoverable turned off, nothing else changed', () => {
    const doc = parseNodesConf('nodes:\n  a1:\n    discoverable: "true"\n    network devices:\n      eth0: {device: eth0}\n  h1:\n    discoverable: "true"\n    network devices:\n      eth0: {ipaddr: 10.0.0.5}\n      ib0: {hwaddr: "52:54:00:00:00:11"}\n');
    expect(discoverNode(doc, '52:54:00:00:00:11')).toEqual({ kind: 'discovered', id: 'h1', netdev: 'ib0' });
    expect(doc.nodes['h1']).toEqual({ discoverable: 'false', 'network devices': { eth0: { ipaddr: '10.0.0.5' }, ib0: { hwaddr: '52:54:00:00:00:11' } } });
    expect(doc.nodes['a1']?.['discoverable']).toBe('true');
    // from now on it is known, and another unknown machine gets a1, never h1's identity
    expect(discoverNode(doc, '52:54:00:00:00:11')).toEqual({ kind: 'known', id: 'h1' });
    expect(discoverNode(doc, '52:54:00:00:00:22')).toEqual({ kind: 'discovered', id: 'a1', netdev: 'eth0' });
  });

  it('does not give away an address a node already has, and finds nothing without discoverable nodes', () => {
    const doc = parseNodesConf(TEXT);
    expect(discoverNode(doc, '52:54:00:00:00:01')).toEqual({ kind: 'known', id: 'known' });
    expect(doc.nodes['a2']?.['discoverable']).toBe('true');
    expect(discoverNode(parseNodesConf('nodes:\n  n1: {}\n'), '52:54:00:00:00:02')).toEqual({ kind: 'none' });
  });
});

describe('node status rows (§1.3)', () => {
  const doc = parseStatusDocument(
    JSON.stringify({
      nodes: {
        n1: { 'node name': 'n1', stage: 'runtime', sent: '__RUNTIME__.img.gz', ipaddr: '10.0.0.1', 'last seen': 1000 },
        n2: { 'node name': 'n2', stage: 'ipxe', sent: 'default.ipxe', ipaddr: '10.0.0.2', 'last seen': 900 },
        n3: { 'node name': 'n3', stage: '', sent: '', ipaddr: '', 'last seen': 0 },
        n4: { 'node name': 'n4', stage: 'kernel', sent: 'vmlinuz', ipaddr: '10.0.0.4', 'last seen': 940 },
      },
    }),
    'test',
  );

  it('classifies against the update interval and sorts as the flags say', () => {
    const rows = nodeStatusRows(doc, { now: 1010, interval: 60 });
    expect(rows.map((r) => [r.name, r.state, r.ago])).toEqual([
      ['n1', 'ok', 10], ['n2', 'late', 110], ['n3', 'unseen', undefined], ['n4', 'late', 70],
    ]);
    expect(nodeStatusRows(doc, { now: 1130, interval: 60 }).find((r) => r.name === 'n4')?.state).toBe('lost');
    expect(nodeStatusRows(doc, { now: 1010, interval: 60, last: true }).map((r) => r.name)).toEqual(['n1', 'n4', 'n2', 'n3']);
    expect(nodeStatusRows(doc, { now: 1010, interval: 60, reverse: true }).map((r) => r.name)).toEqual(['n4', 'n3', 'n2', 'n1']);
    expect(nodeStatusRows(doc, { now: 1010, interval: 60, unknown: true }).map((r) => r.name)).toEqual(['n3']);
    expect(nodeStatusRows(doc, { now: 1010, interval: 60, time: 940 }).map((r) => r.name)).toEqual(['n1', 'n4']);
    expect(nodeStatusRows(doc, { now: 1010, interval: 60, names: ['n2', 'n9'] }).map((r) => r.name)).toEqual(['n2']);
  });

  it('prints the upstream table, colouring late, lost and unseen rows only when asked', () => {
    const rows = nodeStatusRows(doc, { now: 1130, interval: 60 });
    const plain = formatNodeStatus(rows, { color: false });
    const lines = plain.split('\n');
    expect(lines[0]).toBe(`${'NODENAME'.padEnd(20)} ${'STAGE'.padEnd(20)} ${'SENT'.padEnd(25)} ${'LASTSEEN (s)'.padEnd(10)}`);
    expect(lines[1]).toBe('='.repeat(80));
    expect(lines[2]).toBe(`${'n1'.padEnd(20)} ${'RUNTIME OVERLAY'.padEnd(20)} ${'__RUNTIME__.img.gz'.padEnd(25)} ${'130'.padEnd(10)}`);
    expect(lines[4]).toBe(`${'n3'.padEnd(20)} ${'--'.padEnd(20)} ${'--'.padEnd(25)} ${'--'.padEnd(10)}`);
    expect(plain).not.toContain('\x1b[');
    const color = formatNodeStatus(rows, { color: true });
    expect(color).toContain(`\x1b[31mn1 `); // 130 s ≥ 2×60: red
    expect(color).toContain(`\x1b[90mn3 `);
  });

  it('refuses a malformed status document with the field that is wrong', () => {
    expect(() => parseStatusDocument('{"nodes": {"n1": {"stage": 3}}}', 'http://x/status')).toThrow(/http:\/\/x\/status: nodes\.n1\.node name/);
    expect(() => parseStatusDocument('<html>', 'http://x/status')).toThrow(/not JSON/);
  });
});

describe('warewulf.conf: the boot-storm settings (ours)', () => {
  it('reads stream limit and stream queue timeout, writes them back only when set', () => {
    const conf = parseWarewulfConf('warewulf:\n  stream limit: 300\n  stream queue timeout: 5\n', { file: 'w.conf' });
    expect([conf.warewulf.streamLimit, conf.warewulf.streamQueueTimeout]).toEqual([300, 5]);
    expect(warewulfConfToYaml(conf)).toMatch(/stream limit: 300\n\s+stream queue timeout: 5\n/);
    expect(warewulfConfToYaml(parseWarewulfConf('warewulf:\n  port: 9873\n', { file: 'w.conf' }))).not.toContain('stream');
    expect(() => parseWarewulfConf('warewulf:\n  stream limit: -1\n', { file: 'w.conf' })).toThrow(/w\.conf:2:17: warewulf\.stream limit: expected a whole number/);
    expect(() => parseWarewulfConf('warewulf:\n  stream queue timeout: 0\n', { file: 'w.conf' })).toThrow(/stream queue timeout/);
  });
});
