/**
 * A real distribution image for the second boot test (../shared/e2e §G):
 * `debootstrap --variant=minbase` of Debian bookworm with systemd, udev,
 * kmod and iproute2, Debian's kernel in /boot with the test module subset
 * (depmod run in the root), systemd-networkd enabled (minbase ships it
 * disabled and has no other network configuration). wwclient needs nothing:
 * it is static. Built once (about 2 minutes) and cached under
 * .cache/debian-root/<key>/, keyed by every input; exposed as a directory
 * and as an OCI archive for `wwctl image import`.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installKernel, packDir } from './busybox-image.js';
import { ensureDebianKernel, KERNEL_MODULE_SUBSET, type DebianKernel } from './kernel.js';
import { ociArchiveOfDir } from './oci-archive.js';
import { CACHE } from './paths.js';
import { pidAlive } from './proc.js';

export const DEBIAN_SUITE = 'bookworm';
export const DEBIAN_PACKAGES = ['systemd-sysv', 'udev', 'kmod', 'iproute2'];
const RECIPE = 'debian-root-v2';

export interface DebianRoot {
  /** The root file system. */
  dir: string;
  /** The same as an OCI archive (tag `latest`). */
  ociArchive: string;
  kernel: DebianKernel;
  /** Cache key (hash of the inputs). */
  key: string;
}

/** The Debian mirror apt uses on this machine (deb.debian.org when none is found). */
export function debianMirror(): string {
  if (process.env.WW_E2E_DEBIAN_MIRROR) return process.env.WW_E2E_DEBIAN_MIRROR;
  const files = ['/etc/apt/sources.list', ...(existsSync('/etc/apt/sources.list.d') ? readdirSync('/etc/apt/sources.list.d').map((f) => join('/etc/apt/sources.list.d', f)) : [])];
  for (const f of files) {
    if (!existsSync(f) || !/\.(list|sources)$/.test(f)) continue;
    const text = readFileSync(f, 'utf8');
    const m = /^URIs:\s*(\S+\/debian)\/?\s*$/m.exec(text) ?? /^deb\s+(?:\[[^\]]*\]\s+)?(\S+\/debian)\/?\s+/m.exec(text);
    if (m) return m[1] as string;
  }
  return 'http://deb.debian.org/debian';
}

function run(cmd: string, args: readonly string[]): void {
  try {
    execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    const e = err as { stderr?: Buffer; stdout?: Buffer };
    throw new Error(`${cmd} ${args.join(' ')} failed:\n${(e.stderr ?? e.stdout ?? '').toString().slice(-3000)}`);
  }
}

/** A lock directory with the holder's pid: waits while a live process holds it, breaks it when the holder died. */
async function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const lock = `${dir}.lock`;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(existsSync(join(lock, 'pid')) ? readFileSync(join(lock, 'pid'), 'utf8') : 0);
      if (pid > 0 && !pidAlive(pid)) rmSync(lock, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Build (once) or find the cached Debian root. Needs root, debootstrap and the Debian mirror. */
export async function ensureDebianRoot(): Promise<DebianRoot> {
  const kernel = ensureDebianKernel();
  const mirror = debianMirror();
  const key = createHash('sha256')
    .update(JSON.stringify([RECIPE, DEBIAN_SUITE, DEBIAN_PACKAGES, kernel.package, KERNEL_MODULE_SUBSET, mirror]))
    .digest('hex')
    .slice(0, 16);
  const base = join(CACHE, 'debian-root');
  const dir = join(base, key);
  const result: DebianRoot = { dir: join(dir, 'rootfs'), ociArchive: join(dir, 'debian.oci.tar'), kernel, key };
  if (existsSync(join(dir, 'stamp'))) return result;
  mkdirSync(base, { recursive: true });
  return withLock(dir, async () => {
    if (existsSync(join(dir, 'stamp'))) return result;
    const work = `${dir}.work`;
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work);
    const rootfs = join(work, 'rootfs');
    run('debootstrap', ['--variant=minbase', `--include=${DEBIAN_PACKAGES.join(',')}`, DEBIAN_SUITE, rootfs, mirror]);
    installKernel(rootfs, kernel, 'chroot');
    // systemd-networkd and its wait-online service (network-online.target, wwclient's unit waits for it)
    run('chroot', [rootfs, 'systemctl', 'enable', 'systemd-networkd.service']);
    // the image is booted, not installed: no package caches or documentation (less to unpack in RAM),
    // an empty machine-id filled in at boot
    for (const d of ['var/cache/apt/archives', 'var/lib/apt/lists', 'usr/share/doc', 'usr/share/man', 'usr/share/info', 'usr/share/locale']) {
      for (const f of readdirSync(join(rootfs, d))) if (f !== 'partial' && f !== 'lock') rmSync(join(rootfs, d, f), { recursive: true, force: true });
    }
    writeFileSync(join(rootfs, 'etc', 'machine-id'), '');
    writeFileSync(join(rootfs, 'etc', 'hostname'), 'localhost\n');
    await ociArchiveOfDir(rootfs, join(work, 'debian.oci.tar'), { ref: 'latest', cmd: ['/bin/bash'] });
    writeFileSync(join(work, 'stamp'), `${RECIPE} ${key} ${kernel.package} ${mirror}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(work, dir);
    return result;
  });
}

/**
 * The Debian root packed as a gzip newc cpio (what warewulfd serves as the node's image), made
 * once beside the cached root (~90 MB; our parallel gzip) and reused.
 */
export async function debianImageInitrd(root: DebianRoot): Promise<string> {
  const out = join(root.dir, '..', 'image.img.gz');
  if (existsSync(out)) return out;
  const tmp = `${out}.${process.pid}.tmp`;
  try {
    await packDir(root.dir, tmp);
    renameSync(tmp, out);
  } finally {
    rmSync(tmp, { force: true });
  }
  return out;
}
