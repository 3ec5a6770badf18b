/**
 * wwclient (the static C binary) against a fixture HTTP server on loopback
 * that serves /runtime/<wwid> with warewulfd's rules: ETag/304, and in
 * secure mode 401 for source ports >= 1024. Binding ports < 1024 needs root.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureWwclient, isRoot, missingTools, Proc, runtimePath, startBootServer, type BootServer } from '@warewulf/testenv';
import {
  ASSET, UUID, WWID, S_IFDIR, S_IFLNK, S_IFREG, baseArgs, makeNode, rawNewc, runDaemon, runOnce, serveOverlay, writeConf, type Node,
} from './helpers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function node(): Node {
  const n = makeNode();
  cleanups.push(n.cleanup);
  return n;
}

async function server(n: Node, secure: boolean, port = 0): Promise<BootServer> {
  const s = await startBootServer({ dir: n.srv, host: '127.0.0.1', port, secure });
  cleanups.push(() => s.close());
  return s;
}

function daemon(args: string[], env: NodeJS.ProcessEnv = {}): Proc {
  const p = runDaemon(args, env);
  cleanups.push(() => void p.stop(2000));
  return p;
}

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const MTIME = 1_700_000_000;
const overlayV1 = [
  { path: 'etc', type: 'directory' as const, mode: 0o755, mtime: MTIME },
  { path: 'etc/hosts', type: 'file' as const, mode: 0o644, data: '10.0.0.1 warewulf\n', mtime: MTIME + 1 },
  { path: 'etc/secret', type: 'file' as const, mode: 0o600, uid: 1000, gid: 1001, data: 'token\n', mtime: MTIME + 2 },
  { path: 'etc/localtime', type: 'symlink' as const, target: '/usr/share/zoneinfo/UTC' },
  { path: 'root/.ssh', type: 'directory' as const, mode: 0o700, mtime: MTIME + 3 },
  { path: 'root/.ssh/authorized_keys', type: 'file' as const, mode: 0o600, data: 'ssh-ed25519 AAAA admin\n', mtime: MTIME + 4 },
  { path: 'usr/local/bin/tool', type: 'file' as const, mode: 0o4755, data: '#!/bin/sh\n', mtime: MTIME + 5 },
  { path: 'usr/local/bin/tool-link', type: 'hardlink' as const, target: 'usr/local/bin/tool' },
];

beforeAll(() => {
  ensureWwclient();
});

describe.skipIf(!isRoot)('wwclient fetches and applies the runtime overlay (root: privileged ports, chown)', () => {
  it('applies files, directories, symlinks and hard links with their modes, owners and times, from a privileged source port', async () => {
    const n = node();
    const srv = await server(n, true);
    writeConf(n, srv.port);
    await serveOverlay(n, overlayV1);
    const r = await runOnce(baseArgs(n));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('applying runtime overlay');

    expect(srv.requests).toHaveLength(1);
    const req = srv.requests[0]!;
    expect(req.status).toBe(200);
    expect(req.path).toBe(`/runtime/${WWID}`);
    expect(req.query).toEqual({ assetkey: ASSET.replace(/ /g, '_'), uuid: UUID });
    expect(req.remotePort).toBeLessThan(1024);
    expect(req.remotePort).toBeGreaterThan(0);

    const f = (p: string): string => join(n.root, p);
    expect(readFileSync(f('etc/hosts'), 'utf8')).toBe('10.0.0.1 warewulf\n');
    const secret = statSync(f('etc/secret'));
    expect([secret.mode & 0o7777, secret.uid, secret.gid, secret.mtimeMs / 1000]).toEqual([0o600, 1000, 1001, MTIME + 2]);
    expect(readlinkSync(f('etc/localtime'))).toBe('/usr/share/zoneinfo/UTC');
    expect(statSync(f('root/.ssh')).mode & 0o7777).toBe(0o700);
    // directory times are set after their contents were written
    expect(statSync(f('root/.ssh')).mtimeMs / 1000).toBe(MTIME + 3);
    expect(statSync(f('usr/local/bin/tool')).mode & 0o7777).toBe(0o4755);
    expect(readFileSync(f('usr/local/bin/tool-link'), 'utf8')).toBe('#!/bin/sh\n');
    // no temporary files are left behind
    const leftovers = ['etc', 'root/.ssh', 'usr/local/bin'].flatMap((d) => readdirSync(f(d)) as string[]).filter((x) => x.includes('wwclient'));
    expect(leftovers).toEqual([]);
  });

  it('an unchanged overlay is answered 304; a changed one is applied within two update intervals, each file replaced atomically', async () => {
    const n = node();
    const srv = await server(n, true);
    const interval = 2;
    writeConf(n, srv.port, { interval });
    const big = (c: string): string => c.repeat(1 << 20);
    await serveOverlay(n, [{ path: 'etc/big', type: 'file', data: big('A'), mtime: MTIME }]);
    const p = daemon(baseArgs(n));
    await until(() => existsSync(join(n.root, 'etc/big')), 10_000, 'the first overlay');
    await until(() => srv.requests.some((r) => r.status === 304), 5_000, 'a 304');
    const first304 = srv.requests.find((r) => r.status === 304)!;
    expect(first304.ifNoneMatch).toMatch(/^".+"$/);

    // a reader that must only ever see a whole old or a whole new file
    const seen = new Set<string>();
    let reading = true;
    let bad = '';
    const reader = (async () => {
      while (reading) {
        try {
          const s = readFileSync(join(n.root, 'etc/big'), 'utf8');
          const kind = s === big('A') ? 'A' : s === big('B') ? 'B' : s === big('C') ? 'C' : `partial(${s.length})`;
          if (kind.startsWith('partial')) bad = kind;
          seen.add(kind);
        } catch (err) {
          bad = String(err);
        }
        await new Promise((r) => setImmediate(r));
      }
    })();
    for (const [c, mtime] of [['B', MTIME + 10], ['C', MTIME + 20]] as const) {
      const t0 = Date.now();
      await serveOverlay(n, [{ path: 'etc/big', type: 'file', data: big(c), mtime }]);
      // two update intervals (with +10% jitter), and time to write 1 MiB on a loaded machine
      const bound = 2 * interval * 1100 + 1500;
      await until(() => statSync(join(n.root, 'etc/big')).mtimeMs / 1000 === mtime, bound, `version ${c}`);
      expect(Date.now() - t0).toBeLessThan(bound);
    }
    await until(() => seen.has('C'), 5_000, 'the reader to see the last version');
    reading = false;
    await reader;
    expect(bad).toBe('');
    expect(readFileSync(join(n.root, 'etc/big'), 'utf8')).toBe(big('C'));
    expect(srv.requests.every((r) => r.remotePort < 1024)).toBe(true);
    expect(p.running).toBe(true);
  });

  it('replaces a file whose size and time stay the same but whose content changed; leaves identical files alone', async () => {
    const n = node();
    const srv = await server(n, true);
    writeConf(n, srv.port);
    // rendered overlays carry one mtime for every file, so size + time cannot tell versions apart
    await serveOverlay(n, [{ path: 'etc/motd', type: 'file', data: 'v1\n', mtime: 0 }, { path: 'etc/same', type: 'file', data: 'same\n', mtime: 0 }]);
    expect((await runOnce(baseArgs(n))).code).toBe(0);
    const ino = statSync(join(n.root, 'etc/same')).ino;
    await serveOverlay(n, [{ path: 'etc/motd', type: 'file', data: 'v2\n', mtime: 0 }, { path: 'etc/same', type: 'file', data: 'same\n', mtime: 0 }]);
    const r = await runOnce(baseArgs(n));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('1 files updated, 1 unchanged');
    expect(readFileSync(join(n.root, 'etc/motd'), 'utf8')).toBe('v2\n');
    expect(statSync(join(n.root, 'etc/same')).ino).toBe(ino); // not rewritten
  });

  it('in secure mode a client on an unprivileged port gets 401 and applies nothing', async () => {
    const n = node();
    const srv = await server(n, true);
    await serveOverlay(n, overlayV1);
    writeConf(n, srv.port, { secure: false }); // the client thinks the server is not secure: ephemeral port
    const r = await runOnce(baseArgs(n));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('not applying runtime overlay: got status code: 401');
    expect(srv.requests[0]?.remotePort).toBeGreaterThanOrEqual(1024);
    expect(readdirSync(n.root)).toEqual([]);
  });

  it('keeps polling while the server is down, and applies the overlay once it is back', async () => {
    const n = node();
    const port = await freePort();
    writeConf(n, port, { interval: 1 });
    await serveOverlay(n, overlayV1);
    const p = daemon(baseArgs(n));
    await p.waitFor(/cannot reach 127\.0\.0\.1 port \d+/, 5_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(p.running).toBe(true);
    const srv = await server(n, true, port);
    await until(() => existsSync(join(n.root, 'etc/hosts')), 5_000, 'the overlay after the server came back');
    await srv.close();
    await new Promise((r) => setTimeout(r, 2000));
    expect(p.running).toBe(true);
    await serveOverlay(n, [...overlayV1, { path: 'etc/motd', type: 'file', data: 'back\n', mtime: MTIME }]);
    await server(n, true, port);
    await until(() => existsSync(join(n.root, 'etc/motd')), 5_000, 'the changed overlay after a second outage');
  });

  it('successive updates get through although the last 4-tuple is in TIME_WAIT (other privileged ports)', async () => {
    const n = node();
    const srv = await server(n, true);
    writeConf(n, srv.port);
    await serveOverlay(n, overlayV1);
    for (let i = 0; i < 4; i++) {
      const r = await runOnce(baseArgs(n));
      expect(r.code, r.stderr).toBe(0);
    }
    expect(srv.requests.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(srv.requests.every((r) => r.remotePort < 1024)).toBe(true);
  });

  it('SIGHUP updates at once, a second instance refuses the held pid file, SIGTERM ends it and removes the pid file', async () => {
    const n = node();
    const srv = await server(n, true);
    writeConf(n, srv.port, { interval: 3600 });
    await serveOverlay(n, overlayV1);
    const p = daemon(baseArgs(n));
    await until(() => srv.requests.length === 1 && existsSync(n.pidfile), 5_000, 'the first poll');
    expect(Number(readFileSync(n.pidfile, 'utf8'))).toBe(p.pid);
    const second = await runOnce(baseArgs(n));
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`held by running process ${p.pid}: not starting`);
    p.killNow('SIGHUP');
    await until(() => srv.requests.length === 2, 3_000, 'the update after SIGHUP');
    expect(srv.requests[1]?.status).toBe(304);
    p.killNow('SIGTERM');
    const exit = await p.done;
    expect(exit.code).toBe(0);
    expect(existsSync(n.pidfile)).toBe(false);
  });

  it('reads its server from flow-style YAML, a CIDR ipaddr, WW_IPADDR, or WWIPADDR in /warewulf/config; refuses TLS', async () => {
    const n = node();
    const srv = await server(n, true);
    await serveOverlay(n, overlayV1);
    const args = baseArgs(n);
    writeFileSync(n.conf, `ipaddr: 127.0.0.1/8 # CIDR form\nwarewulf: {port: ${srv.port}, secure: true, "update interval": 5}\n`);
    expect((await runOnce(args)).code).toBe(0);

    writeFileSync(n.conf, `ipaddr: 192.0.2.1\nwarewulf:\n  port: ${srv.port}\n`);
    expect((await runOnce(args, { WW_IPADDR: '127.0.0.1' })).code).toBe(0);

    const cfg = join(n.dir, 'config');
    writeFileSync(cfg, 'WWHOSTNAME=n1\nWWIPADDR=127.0.0.1\n');
    writeFileSync(n.conf, `warewulf:\n  port: ${srv.port}\n`);
    const a = [...args];
    a[a.indexOf('--wwinit-config') + 1] = cfg;
    expect((await runOnce(a)).code).toBe(0);
    expect(srv.requests).toHaveLength(3);

    writeFileSync(n.conf, `ipaddr: 127.0.0.1\nwarewulf:\n  port: ${srv.port}\n  tls: true\n`);
    const tls = await runOnce(args);
    expect(tls.code).toBe(1);
    expect(tls.stderr).toContain('plain HTTP only');
    expect(srv.requests).toHaveLength(3);
  });

  it('takes wwid= from the kernel command line, an [interface] meaning its MAC', async () => {
    const n = node();
    const srv = await server(n, true);
    writeConf(n, srv.port);
    const args = baseArgs(n);
    args.splice(args.indexOf('--wwid'), 2);
    const cmdline = join(n.dir, 'cmdline');
    writeFileSync(cmdline, `BOOT_IMAGE=vmlinuz initrd=image wwid=${WWID.toUpperCase().replace(/:/g, '-')} quiet\n`);
    await runOnce([...args, '--cmdline', cmdline]);
    expect(srv.requests[0]?.path).toBe(`/runtime/${WWID.toUpperCase().replace(/:/g, '-')}`);
    writeFileSync(cmdline, 'quiet wwid=[lo]\n');
    await runOnce([...args, '--cmdline', cmdline]);
    expect(srv.requests[1]?.path).toBe('/runtime/00:00:00:00:00:00');
    writeFileSync(cmdline, 'quiet\n');
    const none = await runOnce([...args, '--cmdline', cmdline]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no wwid= on the kernel command line');
  });

  it.skipIf(missingTools(['socat']).length > 0)('tells systemd it is ready after the first update (NOTIFY_SOCKET, Type=notify)', async () => {
    const n = node();
    const srv = await server(n, true);
    writeConf(n, srv.port);
    await serveOverlay(n, overlayV1);
    const sock = join(n.dir, 'notify.sock');
    const listener = new Proc('socat', ['-u', `UNIX-RECV:${sock}`, 'STDOUT'], { name: 'socat' });
    cleanups.push(() => void listener.stop(500));
    await until(() => existsSync(sock), 3_000, 'the notify socket');
    expect((await runOnce(baseArgs(n), { NOTIFY_SOCKET: sock })).code).toBe(0);
    await listener.waitFor(/READY=1/, 3_000);
  });
});

describe.skipIf(!isRoot)('wwclient never writes outside its root (root)', () => {
  async function applyRaw(n: Node, archive: Buffer, env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stderr: string }> {
    const srv = await server(n, true);
    writeConf(n, srv.port);
    writeFileSync(runtimePath(n.srv, WWID), archive);
    return runOnce(baseArgs(n), env);
  }
  const file = (name: string, data = 'x\n'): { name: string; mode: number; data: string } => ({ name, mode: S_IFREG | 0o644, data });

  for (const [what, bad] of [
    ['a ".." name', '../outside-file'],
    ['an absolute name', '/outside-file'],
    ['a ".." hidden in the middle', './etc/../../outside-file'],
  ] as const) {
    it(`refuses the whole archive for ${what}: nothing is written, not even the good entries`, async () => {
      const n = node();
      const r = await applyRaw(n, rawNewc([file('good-file'), file(bad)]));
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('refusing the archive');
      expect(readdirSync(n.root)).toEqual([]);
      expect(existsSync(join(n.dir, 'outside-file'))).toBe(false);
    });
  }

  it('refuses a truncated archive without writing anything', async () => {
    const n = node();
    const whole = rawNewc([file('a', 'aaaa\n'), file('b', 'bbbb\n')]);
    const r = await applyRaw(n, whole.subarray(0, whole.length - 150));
    expect(r.code).toBe(1);
    expect(readdirSync(n.root)).toEqual([]);
  });

  for (const [mode, env] of [['openat2', {}], ['the pre-5.6 fallback', { WWCLIENT_NO_OPENAT2: '1' }]] as const) {
    it(`does not write through a symlink that leaves the root (absolute or ../), made by the archive or already there (${mode})`, async () => {
      const n = node();
      const outside = join(n.dir, 'outside');
      mkdirSync(outside);
      mkdirSync(join(n.root, 'pre'));
      symlinkSync(outside, join(n.root, 'pre', 'etc')); // a symlink already in the node's root
      const r = await applyRaw(
        n,
        rawNewc([
          { name: 'evil', mode: S_IFLNK | 0o777, data: outside },
          file('evil/pwned'),
          { name: 'rel', mode: S_IFLNK | 0o777, data: '../../outside' },
          file('rel/pwned2'),
          file('pre/etc/passwd'),
          file('after', 'still applied\n'),
        ]),
        env,
      );
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(mode === 'openat2' ? /refused: the path leaves the root through a symlink/ : /refused: the path goes through a symlink/);
      expect(readdirSync(outside)).toEqual([]);
      // symlinks themselves are fine (a node may link anywhere); the entries after the refused ones are applied
      expect(readlinkSync(join(n.root, 'evil'))).toBe(outside);
      expect(readFileSync(join(n.root, 'after'), 'utf8')).toBe('still applied\n');
    });
  }

  it('replaces a symlink at a file path instead of writing to its target, and follows symlinks that stay inside', async () => {
    const n = node();
    const outside = join(n.dir, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'hosts'), 'keep\n');
    mkdirSync(join(n.root, 'etc'));
    symlinkSync(join(outside, 'hosts'), join(n.root, 'etc', 'hosts'));
    mkdirSync(join(n.root, 'usr', 'bin'), { recursive: true });
    symlinkSync('usr/bin', join(n.root, 'bin')); // merged /usr, as in Debian
    const r = await applyRaw(
      n,
      rawNewc([
        { name: 'etc', mode: S_IFDIR | 0o755 },
        file('etc/hosts', 'new\n'),
        file('bin/tool', 'tool\n'),
      ]),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(outside, 'hosts'), 'utf8')).toBe('keep\n');
    expect(lstatSync(join(n.root, 'etc', 'hosts')).isFile()).toBe(true);
    expect(readFileSync(join(n.root, 'etc', 'hosts'), 'utf8')).toBe('new\n');
    expect(readFileSync(join(n.root, 'usr', 'bin', 'tool'), 'utf8')).toBe('tool\n');
    expect(lstatSync(join(n.root, 'bin')).isSymbolicLink()).toBe(true);
  });
});
