/**
 * The smallest realistic node image: busybox-static with every applet
 * linked, a passwd/group, Debian's kernel in /boot (warewulfd finds a
 * node's kernel inside its image, §6.3) and the NIC/IPMI modules with a
 * modules.dep made by busybox's depmod. No init configuration, no network
 * manager: wwinit's fallback network script has to do the work.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { packTreeToFile, type Compression, type PackResult } from '@warewulf/cpio';
import type { DebianKernel } from './kernel.js';

/** The busybox-static binary of the Debian package. */
export function busyboxPath(): string {
  const list = execFileSync('dpkg', ['-L', 'busybox-static'], { encoding: 'utf8' });
  const bb = list.split('\n').find((l) => /\/bin\/busybox$/.test(l));
  if (!bb || !existsSync(bb)) throw new Error('busybox-static is not installed (apt-get install busybox-static)');
  return bb;
}

/**
 * Copy a kernel and its module subset into an image root and run depmod for it: busybox's from
 * the host, or (`'chroot'`) the image's own, for images that have kmod.
 */
export function installKernel(root: string, kernel: DebianKernel, depmod: 'busybox' | 'chroot' = 'busybox'): void {
  mkdirSync(join(root, 'boot'), { recursive: true });
  copyFileSync(kernel.vmlinuz, join(root, 'boot', `vmlinuz-${kernel.version}`));
  mkdirSync(join(root, 'lib', 'modules'), { recursive: true });
  cpSync(join(kernel.modulesRoot, 'lib', 'modules', kernel.version), join(root, 'lib', 'modules', kernel.version), { recursive: true });
  // the package's modules.dep/alias come from its postinst, not the .deb: without them nothing loads
  const [cmd, ...args] = depmod === 'chroot' ? ['chroot', root, 'depmod', kernel.version] : [busyboxPath(), 'depmod', '-b', root, kernel.version];
  execFileSync(cmd as string, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Build a busybox image tree in `dir` (created; should be empty). */
export function buildBusyboxImage(dir: string, kernel: DebianKernel): void {
  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc', 'proc', 'sys', 'dev', 'run', 'root', 'var/log', 'var/run', 'tmp']) {
    mkdirSync(join(dir, d), { recursive: true });
  }
  chmodSync(join(dir, 'tmp'), 0o1777);
  chmodSync(join(dir, 'root'), 0o700);
  const bb = busyboxPath();
  copyFileSync(bb, join(dir, 'bin', 'busybox'));
  chmodSync(join(dir, 'bin', 'busybox'), 0o755);
  for (const applet of execFileSync(bb, ['--list-full'], { encoding: 'utf8' }).split('\n').filter(Boolean)) {
    const p = join(dir, applet);
    if (existsSync(p)) continue;
    mkdirSync(dirname(p), { recursive: true });
    symlinkSync('/bin/busybox', p);
  }
  writeFileSync(join(dir, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  writeFileSync(join(dir, 'etc', 'group'), 'root:x:0:\n');
  writeFileSync(join(dir, 'etc', 'os-release'), 'NAME="BusyBox"\nID=busybox\nPRETTY_NAME="BusyBox test image"\n');
  installKernel(dir, kernel);
}

/** Pack a directory as a newc cpio (gzip by default), as an image or overlay initrd. */
export function packDir(dir: string, out: string, compression: Compression = 'gzip'): Promise<PackResult> {
  return packTreeToFile(dir, out, { compression });
}
