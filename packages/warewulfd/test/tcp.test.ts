/**
 * Over real TCP on loopback: the privileged-port rule with a client bound to
 * a port < 1024 (root) and one on a high port, the asset key, raw request
 * lines with traversal that no client would send, and the binary's SIGHUP
 * reload and graceful stop.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { join } from 'node:path';
import { httpGet, isRoot, makeProvisionRoot, privilegedGet, rawGet, spawnDaemon, startTestDaemon } from '@warewulf/testenv';

const N1 = '00:00:00:ff:ff:ff';

describe('real TCP', () => {
  it.skipIf(!isRoot)('secure: a client on a privileged source port gets the runtime overlay, one on a high port gets 401 (root)', async () => {
    const t = makeProvisionRoot({ secure: true });
    const d = await startTestDaemon(t);
    const low = await privilegedGet(`${d.url}/runtime/${N1}?compress=gz`);
    expect(low.status).toBe(200);
    expect(low.body.equals(t.files.runtimeGz)).toBe(true);
    expect(d.env.status.get('n1')).toMatchObject({ stage: 'runtime', sent: '__RUNTIME__.img.gz', ipaddr: '127.0.0.1' });
    const high = await httpGet(`${d.url}/runtime/${N1}?compress=gz`);
    expect(high.status).toBe(401);
    expect(high.body.equals(t.files.runtimeGz)).toBe(false);
    expect(high.body.toString()).toMatch(/privileged source port/);
    expect(d.logs.some((l) => /^DENIED : Non-privileged port: 127\.0\.0\.1:\d{4,5}$/.test(l.msg))).toBe(true);
    // the other stages do not care about the port
    expect((await httpGet(`${d.url}/system/${N1}`)).status).toBe(200);
  });

  it('refuses a wrong or missing asset key over TCP and serves the right one', async () => {
    const t = makeProvisionRoot();
    const d = await startTestDaemon(t);
    expect((await httpGet(`${d.url}/kernel/00:00:00:00:00:04`)).status).toBe(401);
    expect((await httpGet(`${d.url}/image/00:00:00:00:00:04?assetkey=guess`)).status).toBe(401);
    const ok = await httpGet(`${d.url}/image/00:00:00:00:00:04?assetkey=secret-key`);
    expect(ok.status).toBe(200);
    expect(ok.body.equals(t.files.image)).toBe(true);
  });

  it('reads nothing outside the tree from raw request lines', async () => {
    const t = makeProvisionRoot();
    t.write('secret.txt', 'TOPSECRET-raw');
    const d = await startTestDaemon(t);
    for (const target of [
      '/image/../../../../secret.txt',
      `/kernel/${N1}/../../../../../secret.txt`,
      '/files/../../../../../secret.txt?wwid=00:00:00:ff:ff:ff',
      '/efiboot/../../../../../../secret.txt?wwid=00:00:00:ff:ff:ff',
      '/files/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/secret.txt?wwid=00:00:00:ff:ff:ff',
      '/ipxe/%00',
      '/image/%c0%ae%c0%ae/secret.txt',
      '//../../../../etc/passwd',
      '/../../../../etc/passwd',
      'http://127.0.0.1/../../../secret.txt',
    ]) {
      const r = await rawGet('127.0.0.1', d.port, target);
      expect([target, r.status >= 400]).toEqual([target, true]);
      expect(r.body).not.toContain('TOPSECRET');
      expect(r.body).not.toContain('root:x:0:0');
    }
  });

  it('the binary reloads on SIGHUP (file watching off) and stops on SIGTERM, removing its pid file', async () => {
    const t = makeProvisionRoot();
    const pidFile = `${t.root}/run/warewulfd.pid`;
    const d = await spawnDaemon(t, ['--no-watch', '--pidfile', pidFile]);
    try {
      const { existsSync } = await import('node:fs');
      expect(readFileSync(pidFile, 'utf8').trim()).toBe(String(d.pid));
      const before = await httpGet(`${d.url}/ipxe/${N1}`);
      expect(before.body.toString()).toContain('Kernel args: quiet crashkernel=no vga=791');
      t.writeNodesConf(t.readNodesConf().replace('  n1:\n', '  n1:\n    kernel:\n      args: [console=ttyS0]\n'));
      await new Promise((r) => setTimeout(r, 300));
      expect((await httpGet(`${d.url}/ipxe/${N1}`)).body.toString()).toContain('Kernel args: quiet crashkernel=no vga=791');
      d.signal('SIGHUP');
      const deadline = Date.now() + 5000;
      let body = '';
      while (Date.now() < deadline) {
        body = (await httpGet(`${d.url}/ipxe/${N1}`)).body.toString();
        if (body.includes('Kernel args: console=ttyS0')) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(body).toContain('Kernel args: console=ttyS0');
      expect(await d.stop()).toBe(0);
      expect(existsSync(pidFile)).toBe(false);
    } finally {
      d.signal('SIGKILL');
    }
  });

  it('listens with a deep accept queue: a boot storm\'s connections are queued, not dropped (ss: Send-Q of a LISTEN socket is its backlog)', async () => {
    const t = makeProvisionRoot();
    const d = await startTestDaemon(t);
    const line = execFileSync('ss', ['-Hltn', `sport = :${d.port}`], { encoding: 'utf8' }).trim();
    const backlog = Number(line.split(/\s+/)[2]);
    const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));
    // the kernel caps the backlog at somaxconn; Node's own default would be 511
    expect(backlog).toBe(Math.min(4096, somaxconn));
    expect(backlog).toBeGreaterThan(511);
  });

  it('serves a multi-MB image byte-identical over TCP', async () => {
    const t = makeProvisionRoot({ imageBytes: 8 * 1024 * 1024 + 17 });
    const d = await startTestDaemon(t);
    const r = await httpGet(`${d.url}/image/${N1}`);
    expect(r.status).toBe(200);
    expect(createHash('sha256').update(r.body).digest('hex')).toBe(createHash('sha256').update(t.files.image).digest('hex'));
  });

  it('with tls, listens on HTTPS too and serves runtime overlays only there (403 over HTTP)', async () => {
    const t = makeProvisionRoot({ warewulfExtra: '  tls: true\n' });
    const tls = join(t.root, 'etc/warewulf/tls');
    t.write('etc/warewulf/tls/.keep', '');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', join(tls, 'warewulf.key'), '-out', join(tls, 'warewulf.crt')], { stdio: 'ignore' });
    const d = await startTestDaemon(t, { tlsPort: 0 });
    expect(d.tlsPort).toBeGreaterThan(0);
    expect((await httpGet(`${d.url}/runtime/${N1}`)).status).toBe(403);
    const body = await new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
      httpsGet(`https://127.0.0.1:${d.tlsPort}/runtime/${N1}`, { rejectUnauthorized: false }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts) }));
      }).on('error', reject);
    });
    expect(body.status).toBe(200);
    expect(body.body.equals(t.files.runtime)).toBe(true);
    expect(d.env.status.get('n1')).toMatchObject({ stage: 'runtime', sent: '__RUNTIME__.img' });
  });

  it('refuses to start with tls and no keys, naming the directory', async () => {
    const t = makeProvisionRoot({ warewulfExtra: '  tls: true\n' });
    await expect(startTestDaemon(t, { tlsPort: 0 })).rejects.toThrow(/TLS enabled but keys not found in .*etc\/warewulf\/tls, run 'wwctl configure tls' to generate keys/);
  });
});
