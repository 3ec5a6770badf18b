/**
 * Small real OS images made from Debian packages, without root and without
 * any network but the Debian archive: `apt-get download` the packages, turn
 * their `dpkg-deb --fsys-tarfile` streams into OCI layers (root-owned, as in
 * the .deb), add a layer of our own (busybox applet links, /etc files,
 * modules.dep made by busybox depmod) and write an oci-archive. Downloads
 * and archives are cached in .cache/ keyed by their inputs.
 *
 * The default image is busybox-static plus Debian's current kernel with a
 * few modules (e1000, virtio net/blk/pci, failover), about 12 MB compressed:
 * importable, buildable and bootable in qemu.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type * as tar from 'tar-stream';
import { readTar } from '@warewulf/oci';
import { addEntry, writeOciArchive, type LayerSpec, type TarEntrySpec } from './oci-layout.js';
import { CACHE } from './paths.js';
import { skopeoCopy } from './registry.js';

/** Bump when the recipe changes, so cached archives are rebuilt. */
import { kernelPackage } from './kernel.js';

const RECIPE = 6;

function sh(cmd: string, cwd?: string): string {
  const r = spawnSync('bash', ['-c', cmd], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd}: exit ${r.status}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/** `apt-get download` each package into `dir` once; returns the .deb paths in order. */
export function aptDownload(pkgs: readonly string[], dir = join(CACHE, 'debs')): string[] {
  mkdirSync(dir, { recursive: true });
  return pkgs.map((pkg) => {
    const find = () => readdirSync(dir).find((f) => f.startsWith(`${pkg.replace(/:.*/, '')}_`) && f.endsWith('.deb'));
    let f = find();
    if (!f) {
      const sandbox = process.getuid?.() === 0 ? '-o APT::Sandbox::User=root ' : '';
      sh(`apt-get ${sandbox}download ${pkg} >/dev/null`, dir);
      f = find();
    }
    if (!f) throw new Error(`apt-get download ${pkg} produced no .deb in ${dir}`);
    return join(dir, f);
  });
}

async function collect(s: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

/**
 * Copy the entries of a .deb's data tar that `keep` accepts into `pack`
 * (names without the leading "./", owners and modes as in the package).
 * `onFile` sees each kept regular file's bytes.
 */
export async function repackDeb(deb: string, pack: tar.Pack, keep: (name: string, type: string) => boolean, onFile?: (name: string, data: Buffer, mode: number) => Promise<void>): Promise<void> {
  const child = spawn('dpkg-deb', ['--fsys-tarfile', deb], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const closed = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  for await (const entry of readTar(child.stdout)) {
    const h = entry.header;
    const name = h.name.replace(/^\.\//, '');
    if (name === '' || name === '.' || !keep(name, h.type)) continue;
    const spec: TarEntrySpec = {
      name, type: h.type === 'contiguous-file' ? 'file' : (h.type as TarEntrySpec['type']), mode: h.mode, uid: h.uid, gid: h.gid,
      mtime: Math.floor(h.mtime.getTime() / 1000), linkname: h.linkname ?? '', devmajor: h.devmajor, devminor: h.devminor,
    };
    if (h.type === 'file') {
      spec.data = await collect(entry);
      if (onFile) await onFile(name, spec.data, h.mode);
    }
    await addEntry(pack, spec);
  }
  if ((await closed) !== 0) throw new Error(`dpkg-deb --fsys-tarfile ${deb} failed: ${stderr.trim()}`);
}

/**
 * The applets the package's own busybox offers, as image paths (`bin/sh`,
 * `usr/bin/awk`, ...): every one is linked, so that any POSIX sh script
 * (wwinit, the init.d scripts, a site's) finds its tools in the image.
 */
function appletPaths(busybox: string): string[] {
  return sh(`${JSON.stringify(busybox)} --list-full`)
    .split('\n')
    .filter((p) => /^(bin|sbin|usr\/bin|usr\/sbin)\/[\w.[-]+$/.test(p));
}

/** Which kernel modules to keep: the NICs and disks qemu offers ('net'), or every driver but GPUs and media ('drivers', ~200 MB). */
export type ModuleSet = 'net' | 'drivers';

const NET_MODULES = [
  'kernel/drivers/net/ethernet/intel/e1000/', 'kernel/drivers/virtio/', 'kernel/drivers/net/virtio_net.ko', 'kernel/drivers/net/net_failover.ko',
  'kernel/net/core/failover.ko', 'kernel/drivers/block/virtio_blk.ko',
];

function kernelFilter(version: string, modules: ModuleSet): (name: string, type: string) => boolean {
  const mod = `lib/modules/${version}/`;
  const keepDirs = modules === 'drivers' ? ['kernel/drivers/'] : NET_MODULES;
  return (name, type) => {
    if (/^boot\/(vmlinuz|config)-/.test(name)) return true;
    if (name === 'boot/' || name === 'lib/' || name === 'lib/modules/' || name === mod) return true;
    if (!name.startsWith(mod)) return false;
    const rel = name.slice(mod.length);
    if (modules === 'drivers' && /^kernel\/drivers\/(gpu|media)\//.test(rel)) return false;
    if (/^modules\.(order|builtin|builtin\.modinfo)$/.test(rel)) return true;
    if (type === 'directory') return keepDirs.some((k) => k.startsWith(rel) || rel.startsWith(k));
    return keepDirs.some((k) => rel === k || (k.endsWith('/') && rel.startsWith(k)));
  };
}

export interface DebianImage {
  /** The oci-archive (tag `latest`). */
  ociArchive: string;
  /** The kernel's version string (`6.1.0-57-amd64`), as in /boot/vmlinuz-<version>. */
  kernelVersion: string;
  /** The .deb files it was made from. */
  debs: string[];
}

/**
 * The busybox + Debian kernel image as an oci-archive (built once per inputs,
 * cached under .cache/images). `modules: 'drivers'` makes the ~200 MB variant
 * the benchmark uses.
 */
export async function debianBusyboxImage(opts: { modules?: ModuleSet; cacheDir?: string } = {}): Promise<DebianImage> {
  const modules = opts.modules ?? 'net';
  const kpkg = kernelPackage();
  const kernelVersion = kpkg.replace(/^linux-image-/, '');
  const debs = aptDownload([kpkg, 'busybox-static']);
  const key = createHash('sha256').update(JSON.stringify({ RECIPE, modules, debs: debs.map((d) => basename(d)) })).digest('hex').slice(0, 16);
  const dir = opts.cacheDir ?? join(CACHE, 'images');
  const out = join(dir, `debian-busybox-${modules}-${key}.tar`);
  if (existsSync(out)) return { ociArchive: out, kernelVersion, debs };
  await mkdir(dir, { recursive: true });

  // the kept modules also go to a scratch tree for busybox depmod (modules.dep, modules.alias, ...)
  const scratch = await mkdtemp(join(dir, 'depmod-'));
  try {
    const modRoot = join(scratch, 'lib', 'modules', kernelVersion);
    const [kdeb, bdeb] = debs as [string, string];
    // the package's busybox binary also goes to the scratch tree: it lists its own applets
    const busybox: LayerSpec = (pack) =>
      repackDeb(bdeb, pack, () => true, async (name, data) => {
        if (name === 'bin/busybox') await writeFile(join(scratch, 'busybox'), data, { mode: 0o755 });
      });
    const kernel: LayerSpec = (pack) =>
      repackDeb(kdeb, pack, kernelFilter(kernelVersion, modules), async (name, data) => {
        if (!name.startsWith(`lib/modules/${kernelVersion}/`)) return;
        const p = join(scratch, name);
        await mkdir(dirname(p), { recursive: true });
        await writeFile(p, data);
      });
    const own: LayerSpec = async (pack) => {
      const before = new Set(await readdir(modRoot));
      sh(`busybox depmod -b ${JSON.stringify(scratch)} ${kernelVersion}`);
      const e = (x: TarEntrySpec) => addEntry(pack, x);
      for (const d of ['bin', 'sbin', 'etc', 'proc', 'sys', 'dev', 'run', 'var', 'usr', 'usr/bin', 'usr/sbin', 'home', 'mnt']) await e({ name: `${d}/`, type: 'directory' });
      await e({ name: 'tmp/', type: 'directory', mode: 0o1777 });
      await e({ name: 'root/', type: 'directory', mode: 0o700 });
      for (const a of appletPaths(join(scratch, 'busybox'))) if (a !== 'bin/busybox') await e({ name: a, type: 'symlink', linkname: '/bin/busybox' });
      await e({ name: 'etc/passwd', data: 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' });
      await e({ name: 'etc/group', data: 'root:x:0:\nnogroup:x:65534:\n' });
      await e({ name: 'etc/shadow', data: 'root:*:19000:0:99999:7:::\n', mode: 0o640, gid: 42 });
      // busybox init's own defaults want /etc/init.d/rcS and shells on tty2-4: a shell on the console only
      await e({ name: 'etc/inittab', data: '::askfirst:-/bin/sh\n::ctrlaltdel:/sbin/reboot\n::shutdown:/bin/umount -a -r\n' });
      await e({ name: 'etc/os-release', data: 'NAME="Debian busybox (warewulf-ts test image)"\nID=debian-busybox\nVERSION_ID=1\n' });
      await e({ name: `lib/modules/${kernelVersion}/`, type: 'directory' });
      for (const f of (await readdir(modRoot)).sort()) {
        if (!before.has(f) && f.startsWith('modules.')) await e({ name: `lib/modules/${kernelVersion}/${f}`, data: await readFile(join(modRoot, f)) });
      }
    };
    const tmp = `${out}.${process.pid}.tmp`;
    await writeOciArchive(tmp, [{ layers: [busybox, kernel, own], config: { Cmd: ['/bin/sh'], Labels: { 'org.warewulf-ts.test': 'debian-busybox' } } }], { ref: 'latest' });
    await rename(tmp, out);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return { ociArchive: out, kernelVersion, debs };
}

/** The same image as a docker-archive (skopeo), tagged `tag`; cached beside the source. */
export function dockerArchiveOf(ociArchive: string, tag = 'test/image:latest'): string {
  const out = ociArchive.replace(/\.tar$/, '') + `-docker-${tag.replace(/[^\w.-]/g, '_')}.tar`;
  if (!existsSync(out)) {
    const tmp = `${out}.${process.pid}.tmp`;
    skopeoCopy(`oci-archive:${ociArchive}`, `docker-archive:${tmp}:${tag}`);
    sh(`mv ${JSON.stringify(tmp)} ${JSON.stringify(out)}`);
  }
  return out;
}
