/**
 * The shipped default.ipxe runs on the iPXE Debian ships (ipxe-qemu, no
 * HTTPS, no imgextract): qemu network-boots from warewulfd on loopback with
 * the DHCP filename of §7.0 (`/ipxe/${mac:hexhyp}?assetkey=${asset}&uuid=${uuid}`),
 * the node has an asset key, the first kernel download is refused with a
 * 503 (all stream slots taken) so the script's retry loop runs, then the
 * kernel, image and both overlays are fetched and the kernel boots with the
 * node's arguments, and the overlays' hooks run. Fixture: ../shared/e2e/pxe-smoke.sh.
 */
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CACHE, REPO, SHARED, makeRoot, startTestDaemon } from '@warewulf/testenv';

const MAC = '52:54:00:12:34:56';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe.skipIf(process.arch !== 'x64')('default.ipxe on Debian\'s iPXE in qemu (x86_64 only)', () => {
  it('boots a node: 503 retried, kernel + image + system + runtime fetched with the node identity', async () => {
    const port = await freePort();
    const fixture = join(CACHE, 'pxe');
    const url = `http://10.0.2.2:${port}/ipxe/\${mac:hexhyp}?assetkey=\${asset}&uuid=\${uuid}`;
    const cmd = execFileSync(join(SHARED, 'e2e', 'pxe-smoke.sh'), [fixture, url, process.env.WW_QEMU_TIMEOUT ?? '200'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, PXE_ASSET: 'rack1', PXE_UUID: '4c4c4544-0000-1000-8000-000000000001', PXE_MAC: MAC },
    })
      .trim()
      // TCG always: with this machine's nested /dev/kvm, iPXE stops after its banner (pxe-smoke's own selftest too)
      .replace('pc,accel=kvm', 'pc,accel=tcg');

    const t = makeRoot(`nodeprofiles:
  default:
    image name: e2e
nodes:
  n1:
    asset key: rack1
    kernel:
      args: [console=ttyS0, panic=-1]
    network devices:
      default:
        hwaddr: ${MAC}
`);
    t.write('etc/warewulf/warewulf.conf', `ipaddr: 10.0.2.2\nnetmask: 255.255.255.0\nwarewulf:\n  port: ${port}\n  secure: false\n`);
    for (const d of ['ipxe', 'grub']) {
      mkdirSync(join(t.root, 'etc/warewulf', d), { recursive: true });
    }
    t.write('etc/warewulf/ipxe/default.ipxe', readFileSync(join(REPO, 'etc/warewulf/ipxe/default.ipxe')));
    const boot = join(t.root, 'var/lib/warewulf/chroots/e2e/rootfs/boot');
    mkdirSync(boot, { recursive: true });
    copyFileSync(join(fixture, 'vmlinuz'), join(boot, 'vmlinuz-6.1.0-e2e'));
    t.write('var/lib/warewulf/provision/images/e2e.img.gz', readFileSync(join(fixture, 'initrd.gz')));
    for (const [kind, marker] of [['SYSTEM', 'E2E-SYSTEM-OVERLAY'], ['RUNTIME', 'E2E-RUNTIME-OVERLAY']] as const) {
      const src = join(t.root, 'src', kind);
      mkdirSync(join(src, 'etc', 'e2e.d'), { recursive: true });
      t.write(`src/${kind}/etc/e2e.d/${kind === 'SYSTEM' ? 10 : 20}-${kind.toLowerCase()}.sh`, `echo "${marker} $(cat /proc/cmdline | tr ' ' '\\n' | grep ^wwid=)"\n`, 0o755);
      mkdirSync(join(t.root, 'var/lib/warewulf/provision/overlays/n1'), { recursive: true });
      execFileSync(join(SHARED, 'e2e', 'pxe-smoke.sh'), ['--pack', src, join(t.root, `var/lib/warewulf/provision/overlays/n1/__${kind}__.img.gz`)]);
    }

    const d = await startTestDaemon(t, { port, deps: { streamLimit: 1, streamQueueTimeoutMs: 200, retryAfter: 1 } });
    // every stream slot taken until iPXE has been refused once: the script must retry
    const hold = await d.env.streams.acquire();
    let qemuDone = false;
    const released = (async () => {
      while (!qemuDone && !d.logs.some((l) => String(l.msg).startsWith('BUSY:'))) await new Promise((r) => setTimeout(r, 100));
      hold?.();
    })();
    try {
      const child = spawn('bash', ['-c', cmd], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      let serial = '';
      child.stdout.on('data', (c: Buffer) => (serial += c.toString('latin1')));
      child.stderr.on('data', (c: Buffer) => (serial += c.toString('latin1')));
      await new Promise((r) => child.on('close', r));
      qemuDone = true;
      if (!serial.includes('E2E-DONE')) console.log(serial.slice(-4000));
      await released;
      const stages = d.logs.filter((l) => l['hwaddr'] === MAC && typeof l['stage'] === 'string').map((l) => l['stage']);
      expect(stages.slice(0, 2)).toEqual(['ipxe', 'kernel']);
      expect(stages).toEqual(expect.arrayContaining(['kernel', 'image', 'system', 'runtime']));
      expect(stages.filter((s) => s === 'kernel').length).toBeGreaterThanOrEqual(2); // refused, retried
      expect(serial).toContain('E2E-BOOT-OK');
      const cmdline = /E2E-CMDLINE (.*)/.exec(serial)?.[1] ?? '';
      expect(cmdline).toContain(`wwid=${MAC}`);
      expect(cmdline).toContain('console=ttyS0');
      expect(cmdline).toContain('panic=-1');
      expect(serial).toContain(`E2E-SYSTEM-OVERLAY wwid=${MAC}`);
      expect(serial).toContain(`E2E-RUNTIME-OVERLAY wwid=${MAC}`);
      expect(serial).toContain('E2E-DONE');
      expect(d.env.status.get('n1')).toMatchObject({ stage: 'runtime', sent: '__RUNTIME__.img.gz' });
    } finally {
      hold?.();
      await d.close();
    }
  }, 420_000);
});
