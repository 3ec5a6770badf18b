/**
 * A real OS image: busybox-static and Debian's current kernel with its
 * network and disk modules, made from .deb files (apt-get download, cached
 * in .cache/) into an oci-archive and a docker-archive, imported, built and
 * inspected with wwctl.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { debianBusyboxImage, dockerArchiveOf, makeRoot, wwctl } from '@warewulf/testenv';

describe('the Debian busybox + kernel image (apt-get download on first use)', () => {
  it('imports from oci-archive and docker-archive, builds, and lists its kernel and modules', async () => {
    const img = await debianBusyboxImage();
    const t = makeRoot('nodeprofiles:\n  default:\n    image name: debian\nnodes:\n  n1: {}\n');
    const imp = await wwctl(t, 'image', 'import', `oci-archive:${img.ociArchive}:latest`, 'debian');
    expect(imp.code).toBe(0);
    expect(imp.stdout).toMatch(/Unpacked layer 3\/3/);
    const docker = await wwctl(t, 'image', 'import', dockerArchiveOf(img.ociArchive), 'debian-docker');
    expect(docker.code).toBe(0);
    const build = await wwctl(t, 'image', 'build', 'debian');
    expect(build.code).toBe(0);
    const version = img.kernelVersion; // e.g. 6.1.0-57-amd64
    const kernels = await wwctl(t, 'image', 'kernels', 'debian');
    expect(kernels.stdout).toMatch(new RegExp(`^debian\\s+/boot/vmlinuz-${version}\\s+${version.replace(/-[a-z0-9]+$/, '')}\\s+true\\s+1$`, 'm'));
    const members = execFileSync('bash', ['-c', `gzip -dc ${join(t.root, 'var/lib/warewulf/provision/images/debian.img.gz')} | cpio -it --quiet`], { encoding: 'utf8', maxBuffer: 64 << 20 }).split('\n');
    for (const m of ['bin/busybox', 'bin/sh', `boot/vmlinuz-${version}`, `lib/modules/${version}/modules.dep`, `lib/modules/${version}/kernel/drivers/net/ethernet/intel/e1000/e1000.ko`, `lib/modules/${version}/kernel/drivers/net/virtio_net.ko`]) {
      expect(members, m).toContain(m);
    }
    const dep = readFileSync(join(t.root, `var/lib/warewulf/chroots/debian/rootfs/lib/modules/${version}/modules.dep`), 'utf8');
    expect(dep).toMatch(/virtio_net\.ko: .*net_failover\.ko/);
    expect((await wwctl(t, 'image', 'list', '-k')).stdout).toMatch(/^debian\s+1\s+6\.1\.\d+-\d+/m);
  });
});
