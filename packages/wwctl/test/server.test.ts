/**
 * `wwctl server start|stop|status|restart|reload`, `wwctl server` in the
 * foreground, and `wwctl node status` against a running daemon (§1.3, §1.10).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { httpGet, makeProvisionRoot, wwctl, wwctlProcess } from '@warewulf/testenv';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function rootWithPort() {
  const port = await freePort();
  const t = makeProvisionRoot();
  // the daemon's address as nodes would use it, so that `node status` finds it
  t.write('etc/warewulf/warewulf.conf', `ipaddr: 127.0.0.1\nwarewulf:\n  port: ${port}\n  secure: false\n  update interval: 60\n`);
  return { t, port, url: `http://127.0.0.1:${port}` };
}

describe('wwctl server', () => {
  it('starts in the background, reports, reloads, restarts and stops the daemon', async () => {
    const { t, url } = await rootWithPort();
    const pidFile = join(t.root, 'var/run/warewulfd.pid');
    try {
      expect((await wwctl(t, 'server', 'status')).stdout).toBe('Warewulf server is not running\n');
      const start = await wwctl(t, 'server', 'start', '--listen', '127.0.0.1');
      expect(start.code).toBe(0);
      const pid = Number(/PID: (\d+)/.exec(start.stdout)?.[1]);
      expect(readFileSync(pidFile, 'utf8').trim()).toBe(String(pid));
      expect((await wwctl(t, 'server', 'status')).stdout).toBe(`Warewulf server is running at PID: ${pid}\n`);
      expect((await httpGet(`${url}/ipxe/00:00:00:ff:ff:ff`)).status).toBe(200);
      const again = await wwctl(t, 'server', 'start', '--listen', '127.0.0.1');
      expect([again.code, again.stderr]).toEqual([255, `ERROR: Warewulf server is already running at PID: ${pid}\n`]);

      expect((await wwctl(t, 'server', 'reload')).code).toBe(0);
      const log = join(t.root, 'var/log/warewulfd.log');
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline && !readFileSync(log, 'utf8').includes('reloaded (requested)')) await new Promise((r) => setTimeout(r, 50));
      expect(readFileSync(log, 'utf8')).toContain('reloaded (requested)');

      const restart = await wwctl(t, 'server', 'restart', '--listen', '127.0.0.1');
      const pid2 = Number(/PID: (\d+)/.exec(restart.stdout)?.[1]);
      expect(pid2).not.toBe(pid);
      expect((await httpGet(`${url}/status`)).status).toBe(200);
      expect((await wwctl(t, 'server', 'stop')).stdout).toBe(`Warewulf server stopped (PID: ${pid2})\n`);
      expect(existsSync(pidFile)).toBe(false);
      expect((await wwctl(t, 'server', 'stop')).stdout).toBe('Warewulf server is not running\n');
      const reload = await wwctl(t, 'server', 'reload');
      expect([reload.code, reload.stderr]).toEqual([255, 'ERROR: Warewulf server is not running\n']);
    } finally {
      await wwctl(t, 'server', 'stop');
    }
  });

  it('never signals a process that is not warewulfd, whatever the pid file says (a pid reused after a reboot)', async () => {
    const { t } = await rootWithPort();
    // this test's own vitest worker: alive, and not a warewulfd
    for (const pid of [1, process.pid]) {
      t.write('var/run/warewulfd.pid', `${pid}\n`);
      expect((await wwctl(t, 'server', 'status')).stdout).toBe('Warewulf server is not running\n');
      expect((await wwctl(t, 'server', 'stop')).stdout).toBe('Warewulf server is not running\n');
      const reload = await wwctl(t, 'server', 'reload');
      expect([reload.code, reload.stderr]).toEqual([255, 'ERROR: Warewulf server is not running\n']);
    }
  });

  it('says why a daemon does not start, with the end of its log', async () => {
    const { t, port } = await rootWithPort();
    const busy = createServer().listen(port, '127.0.0.1');
    await new Promise((r) => busy.once('listening', r));
    try {
      const r = await wwctl(t, 'server', 'start', '--listen', '127.0.0.1');
      expect(r.code).toBe(255);
      expect(r.stderr).toMatch(/^ERROR: warewulfd did not start \(exit 255\); the end of .*warewulfd\.log:\n/);
      expect(r.stderr).toContain('EADDRINUSE');
    } finally {
      busy.close();
    }
  });

  it('runs in the foreground and stops on SIGTERM (what systemd does)', async () => {
    const { t, url } = await rootWithPort();
    const p = wwctlProcess(t, ['server', '--listen', '127.0.0.1']);
    let up = false;
    for (let i = 0; i < 200 && !up; i++) {
      up = await httpGet(`${url}/status`).then((r) => r.status === 200, () => false);
      if (!up) await new Promise((r) => setTimeout(r, 50));
    }
    expect(up).toBe(true);
    p.kill('SIGTERM');
    const r = await p.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('warewulfd listening on port');
  });
});

describe('wwctl node status', () => {
  it('shows what each node was last sent, as a table and as JSON', async () => {
    const { t, url } = await rootWithPort();
    try {
      expect((await wwctl(t, 'server', 'start', '--listen', '127.0.0.1')).code).toBe(0);
      await httpGet(`${url}/ipxe/00:00:00:ff:ff:ff`);
      await httpGet(`${url}/image/00:00:00:00:00:ff`);
      const table = await wwctl(t, 'node', 'status');
      expect(table.code).toBe(0);
      const lines = table.stdout.split('\n');
      expect(lines[0]).toMatch(/^NODENAME +STAGE +SENT +LASTSEEN \(s\)/);
      expect(lines[1]).toBe('='.repeat(80));
      expect(lines.find((l) => l.startsWith('n1 '))).toMatch(/^n1 +IPXE +default\.ipxe +\d+ *$/);
      expect(lines.find((l) => l.startsWith('n3 '))).toMatch(/^n3 +IMAGE +suse\.img +\d+ *$/);
      expect(lines.find((l) => l.startsWith('n2 '))).toMatch(/^n2 +-- +-- +-- *$/);
      const json = JSON.parse((await wwctl(t, 'node', 'status', '--json', 'n[1-2]')).stdout) as { name: string; state: string }[];
      expect(json.map((r) => [r.name, r.state])).toEqual([['n1', 'ok'], ['n2', 'unseen']]);
      expect((await wwctl(t, 'node', 'status', '-u')).stdout).not.toMatch(/^n1 /m);
    } finally {
      await wwctl(t, 'server', 'stop');
    }
  });

  it('fails with the address it tried when no daemon answers, also one detected because none is configured', async () => {
    const { t, port } = await rootWithPort();
    const down = await wwctl(t, 'node', 'status');
    expect(down.code).toBe(255);
    expect(down.stderr).toContain(`ERROR: cannot reach warewulfd at http://127.0.0.1:${port}/status`);
    // no ipaddr: the host's address (§3.3), not `warewulf server address is not configured`; port 1 has no daemon
    t.write('etc/warewulf/warewulf.conf', 'warewulf:\n  port: 1\n');
    const detected = await wwctl(t, 'node', 'status');
    expect(detected.code).toBe(255);
    expect(detected.stderr).toMatch(/^ERROR: cannot reach warewulfd at http:\/\/\d+\.\d+\.\d+\.\d+:1\/status/);
  });
});
