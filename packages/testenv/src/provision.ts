/**
 * A provisioning tree for warewulfd tests: warewulf.conf, nodes.conf (the
 * nodes of upstream's handler test, §4.5, plus one with an asset key), the
 * shipped iPXE/GRUB templates, an image chroot with kernel, initramfs, shim
 * and GRUB, the built image and overlays (plain and .gz). File contents are
 * random bytes kept in `files`, so a test can compare what it downloaded.
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { REPO } from './paths.js';
import { makeRoot, type TestRoot } from './root.js';

export const PROVISION_NODES_CONF = `nodeprofiles:
  default:
    image name: suse
nodes:
  n1:
    network devices:
      default:
        hwaddr: 00:00:00:ff:ff:ff
  n2:
    image name: none
    tags:
      GrubMenuEntry: dracut
    network devices:
      default:
        hwaddr: 00:00:00:00:ff:ff
  n3:
    ipxe template: test
    kernel:
      version: 1.1.1
    network devices:
      net:
        device: net
        hwaddr: 00:00:00:00:00:ff
  n4:
    asset key: secret-key
    network devices:
      default:
        hwaddr: 00:00:00:00:00:04
`;

export interface ProvisionRootOptions {
  /** warewulf.secure (default false, as upstream's handler test). */
  secure?: boolean;
  /** Extra YAML appended under `warewulf:` in warewulf.conf. */
  warewulfExtra?: string;
  /** warewulf.conf `autobuild overlays` (default false: the overlay images here are fixtures, not builds). */
  autobuild?: boolean;
  nodesConf?: string;
  /** Size of the kernel and of the image in bytes (default 64 KiB and 256 KiB). */
  kernelBytes?: number;
  imageBytes?: number;
  keep?: boolean;
}

export interface ProvisionFiles {
  kernel: Buffer;
  initramfs: Buffer;
  shim: Buffer;
  grubEfi: Buffer;
  image: Buffer;
  imageGz: Buffer;
  system: Buffer;
  systemGz: Buffer;
  runtime: Buffer;
  runtimeGz: Buffer;
}

export interface ProvisionRoot extends TestRoot {
  files: ProvisionFiles;
  /** `<root>/var/lib/warewulf/provision`. */
  provisionDir: string;
  /** `<root>/var/lib/warewulf/chroots/suse/rootfs`. */
  rootfs: string;
  /** `<root>/var/lib/warewulf/files` (for /files). */
  filesDir: string;
}

export function makeProvisionRoot(o: ProvisionRootOptions = {}): ProvisionRoot {
  const t = makeRoot(o.nodesConf ?? PROVISION_NODES_CONF, o.keep ? { keep: true } : {});
  t.write(
    'etc/warewulf/warewulf.conf',
    // the overlay images here are fixtures, not builds: unless asked, the real daemon serves them as they are
    `ipaddr: 10.10.0.1\nnetmask: 255.255.0.0\nipaddr6: fd00:10::1\nwarewulf:\n  port: 9873\n  secure: ${o.secure ?? false}\n  update interval: 60\n  autobuild overlays: ${o.autobuild ?? false}\n${o.warewulfExtra ?? ''}`,
  );
  for (const d of ['ipxe', 'grub']) cpSync(join(REPO, 'etc', 'warewulf', d), join(t.root, 'etc', 'warewulf', d), { recursive: true });
  t.write(
    'etc/warewulf/ipxe/test.ipxe',
    '{{.KernelVersion}}{{range $devname, $netdev := .NetDevs}}{{if and $netdev.Hwaddr $netdev.Device}} ifname={{$netdev.Device}}:{{$netdev.Hwaddr}} {{end}}{{end}} {{.Ipaddr}} {{.Ipaddr6}} {{.Authority}}',
  );
  const provisionDir = join(t.root, 'var', 'lib', 'warewulf', 'provision');
  const rootfs = join(t.root, 'var', 'lib', 'warewulf', 'chroots', 'suse', 'rootfs');
  const filesDir = join(t.root, 'var', 'lib', 'warewulf', 'files');
  const put = (path: string, data: Buffer) => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, data);
    return data;
  };
  const image = randomBytes(o.imageBytes ?? 256 * 1024);
  const system = Buffer.from('system overlay');
  const runtime = Buffer.from('runtime overlay');
  const files: ProvisionFiles = {
    kernel: put(join(rootfs, 'boot', 'vmlinuz-1.1.0'), randomBytes(o.kernelBytes ?? 64 * 1024)),
    initramfs: put(join(rootfs, 'boot', 'initramfs-1.1.0.img'), randomBytes(4096)),
    shim: put(join(rootfs, 'usr', 'lib64', 'efi', 'shim.efi'), randomBytes(2048)),
    grubEfi: put(join(rootfs, 'usr', 'lib64', 'efi', 'grub.efi'), randomBytes(2048)),
    image: put(join(provisionDir, 'images', 'suse.img'), image),
    imageGz: put(join(provisionDir, 'images', 'suse.img.gz'), gzipSync(image, { level: 1 })),
    system: put(join(provisionDir, 'overlays', 'n1', '__SYSTEM__.img'), system),
    systemGz: put(join(provisionDir, 'overlays', 'n1', '__SYSTEM__.img.gz'), gzipSync(system)),
    runtime: put(join(provisionDir, 'overlays', 'n1', '__RUNTIME__.img'), runtime),
    runtimeGz: put(join(provisionDir, 'overlays', 'n1', '__RUNTIME__.img.gz'), gzipSync(runtime)),
  };
  put(join(filesDir, 'hello.txt'), Buffer.from('hello from wwfilesdir\n'));
  put(join(filesDir, 'motd.ww'), Buffer.from('node {{.Id}} image {{.ImageName}}\n'));
  return { ...t, files, provisionDir, rootfs, filesDir };
}
