/**
 * Debian's kernel for boot tests, as nodes boot it (../shared/e2e §A): the
 * package linux-image-amd64 depends on, downloaded with apt once and cached
 * under .cache/kernel/<package>/: the bzImage plus the few modules a test
 * node needs (NIC drivers: network drivers are modules in Debian's kernel;
 * IPMI), with the modules.builtin* files depmod wants.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE } from './paths.js';

export interface DebianKernel {
  /** Debian package, e.g. linux-image-6.1.0-57-amd64. */
  package: string;
  /** Kernel release (`uname -r`), e.g. 6.1.0-57-amd64. */
  version: string;
  vmlinuz: string;
  /** A tree holding `lib/modules/<version>/...` (the subset below), to copy into an image root. */
  modulesRoot: string;
}

/** Modules taken from the package, relative to lib/modules/<version>/ (shell globs). */
export const KERNEL_MODULE_SUBSET = [
  'kernel/drivers/net/ethernet/intel/e1000/e1000.ko',
  'kernel/drivers/net/virtio_net.ko',
  'kernel/drivers/net/net_failover.ko',
  'kernel/net/core/failover.ko',
  'kernel/drivers/virtio/*.ko',
  'kernel/drivers/char/ipmi/*.ko',
  'modules.builtin',
  'modules.builtin.modinfo',
  'modules.order',
];

const RECIPE = 'kernel-v1';

function sh(cmd: string, cwd?: string): string {
  return execFileSync('bash', ['-c', cmd], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** The versioned kernel package behind linux-image-amd64 (runs `apt-get update` once if apt knows none). */
export function kernelPackage(): string {
  const q = `apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}'`;
  let pkg = process.env.WW_E2E_KERNEL_PKG ?? sh(q);
  if (!pkg) {
    sh('apt-get -o DPkg::Lock::Timeout=600 update >/dev/null 2>&1 || true');
    pkg = sh(q);
  }
  if (!pkg) throw new Error('cannot resolve the kernel package behind linux-image-amd64 (apt-cache depends linux-image-amd64)');
  return pkg;
}

/** Download (once) and unpack Debian's kernel; synchronous, about 10 s the first time, instant after. */
export function ensureDebianKernel(): DebianKernel {
  const pkg = kernelPackage();
  const dir = join(CACHE, 'kernel', pkg);
  const stamp = join(dir, 'stamp');
  const modulesRoot = join(dir, 'modules');
  if (!existsSync(stamp)) {
    mkdirSync(join(CACHE, 'kernel'), { recursive: true });
    const work = mkdtempSync(join(CACHE, 'kernel', `.${pkg}-`));
    try {
      sh(`apt-get -o APT::Sandbox::User=root download ${pkg} >/dev/null`, work);
      const globs = KERNEL_MODULE_SUBSET.map((g) => `'./lib/modules/*/${g}'`).join(' ');
      mkdirSync(join(work, 'modules'));
      sh(`dpkg-deb --fsys-tarfile ${pkg}_*.deb | tar -x --wildcards './boot/vmlinuz-*'`, work);
      sh(`dpkg-deb --fsys-tarfile ${pkg}_*.deb | tar -x -C modules --wildcards ${globs}`, work);
      const vmlinuz = readdirSync(join(work, 'boot')).find((n) => n.startsWith('vmlinuz-'));
      if (!vmlinuz) throw new Error(`${pkg}: no /boot/vmlinuz-* in the package`);
      renameSync(join(work, 'boot', vmlinuz), join(work, 'vmlinuz'));
      rmSync(join(work, 'boot'), { recursive: true });
      for (const f of readdirSync(work)) if (f.endsWith('.deb')) rmSync(join(work, f));
      writeFileSync(join(work, 'stamp'), `${RECIPE} ${pkg} ${vmlinuz.slice('vmlinuz-'.length)}\n`);
      try {
        renameSync(work, dir);
      } catch {
        // another test process finished first (rename onto a non-empty dir fails): keep its copy
        rmSync(work, { recursive: true, force: true });
        if (!existsSync(stamp)) throw new Error(`${dir}: cannot install the kernel`);
      }
    } catch (err) {
      rmSync(work, { recursive: true, force: true });
      throw err;
    }
  }
  const version = readdirSync(join(modulesRoot, 'lib', 'modules'))[0];
  if (!version) throw new Error(`${dir}: no lib/modules/<version>`);
  return { package: pkg, version, vmlinuz: join(dir, 'vmlinuz'), modulesRoot };
}
