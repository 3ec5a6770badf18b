/**
 * The pieces of `configure` below the CLI: writes confined to the output
 * root (symlinks followed only while they stay inside), the plan's
 * comparison with the disk (create / replace / metadata, backups once,
 * diffs), warewulf.conf's network lines, and the service rule (restart when
 * changed or down, enable when disabled) against a systemctl stand-in,
 * since systemd is not PID 1 here.
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  applyChange, planChange, planService, realRoot, resolveForWrite, setNetworkLines, unitName, type ServiceManager,
} from '../src/configure/index.js';
import { wwRejectionOf } from './helpers.js';

let work: string;
let root: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'ww-configure-'));
  root = join(work, 'root');
  mkdirSync(join(root, 'etc'), { recursive: true });
  mkdirSync(join(work, 'outside'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));


describe('resolveForWrite', () => {
  it('keeps a path whose components do not exist yet as named', async () => {
    const r = await realRoot(root);
    expect(await resolveForWrite(r, join(r, 'var/lib/tftpboot/x'), true)).toBe(join(r, 'var/lib/tftpboot/x'));
  });

  it('follows a relative link that stays inside the root', async () => {
    mkdirSync(join(root, 'srv/etc'), { recursive: true });
    symlinkSync('../srv/etc', join(root, 'etc/alias'));
    const r = await realRoot(root);
    expect(await resolveForWrite(r, join(r, 'etc/alias/hosts'), true)).toBe(join(r, 'srv/etc/hosts'));
  });

  it('follows an absolute link naming a place inside the root', async () => {
    const r = await realRoot(root);
    writeFileSync(join(root, 'etc/hosts.real'), 'x');
    symlinkSync(join(r, 'etc/hosts.real'), join(root, 'etc/hosts'));
    expect(await resolveForWrite(r, join(r, 'etc/hosts'), true)).toBe(join(r, 'etc/hosts.real'));
    // a symlink slot replaces the link itself
    expect(await resolveForWrite(r, join(r, 'etc/hosts'), false)).toBe(join(r, 'etc/hosts'));
  });

  it('refuses links that leave the root: absolute, relative with .., and in the last component', async () => {
    const r = await realRoot(root);
    symlinkSync(join(work, 'outside'), join(root, 'abs'));
    symlinkSync('../../outside', join(root, 'etc/rel'));
    symlinkSync(join(work, 'outside/file'), join(root, 'etc/last'));
    for (const p of ['abs/hosts', 'etc/rel/hosts', 'etc/last']) {
      const e = await wwRejectionOf(resolveForWrite(r, join(r, p), true));
      expect(e.code).toBe('WW_ERR_PATH_ESCAPE');
      expect(e.message).toContain('outside the output root');
    }
    expect((await wwRejectionOf(resolveForWrite(r, join(work, 'outside/x'), true))).code).toBe('WW_ERR_PATH_ESCAPE');
  });

  it('everything is inside when the root is /', async () => {
    expect(await resolveForWrite('/', join(work, 'outside', 'x'), true)).toBe(join(await realRoot(work), 'outside', 'x'));
  });
});

describe('planChange / applyChange', () => {
  it('creates missing parents, then replaces with one backup, then changes nothing', async () => {
    const r = await realRoot(root);
    const path = join(r, 'etc/dhcp/dhcpd.conf');
    const want = (text: string) => ({ kind: 'file' as const, path, content: Buffer.from(text), mode: 0o640, backup: true });
    const first = await planChange(r, want('a\n'));
    expect(first.map((c) => [c.kind, c.action, c.path])).toEqual([
      ['directory', 'create', join(r, 'etc/dhcp')],
      ['file', 'create', path],
    ]);
    expect(first[1]?.diff).toContain('+a');
    for (const c of first) await applyChange(c);
    expect(readFileSync(path, 'utf8')).toBe('a\n');
    expect(lstatSync(path).mode & 0o7777).toBe(0o640);
    expect(await planChange(r, want('a\n'))).toEqual([]);

    const second = await planChange(r, want('b\n'));
    expect(second).toHaveLength(1);
    expect(second[0]).toMatchObject({ action: 'replace', backup: `${path}.wwbackup` });
    expect(second[0]?.diff).toMatch(/^--- .*\n\+\+\+ .*\n@@ .* @@\n-a\n\+b\n$/);
    await applyChange(second[0]!);
    // the first version is the backup, and it is made only once
    const third = await planChange(r, want('c\n'));
    expect(third[0]?.backup).toBeUndefined();
    await applyChange(third[0]!);
    expect(readFileSync(`${path}.wwbackup`, 'utf8')).toBe('a\n');
    expect(readFileSync(path, 'utf8')).toBe('c\n');
  });

  it('nobackup (backup: false) replaces without a backup; a mode change alone is a metadata change', async () => {
    const r = await realRoot(root);
    const path = join(r, 'etc/exports');
    writeFileSync(path, 'old\n');
    chmodSync(path, 0o600);
    const meta = await planChange(r, { kind: 'file', path, content: Buffer.from('old\n'), mode: 0o644, backup: false });
    expect(meta.map((c) => [c.action, c.details])).toEqual([['metadata', ['mode 0600 -> 0644']]]);
    await applyChange(meta[0]!);
    expect(lstatSync(path).mode & 0o7777).toBe(0o644);
    const rep = await planChange(r, { kind: 'file', path, content: Buffer.from('new\n'), mode: 0o644, backup: false });
    await applyChange(rep[0]!);
    expect(existsSync(`${path}.wwbackup`)).toBe(false);
  });

  it('binary content has no text diff; a symlink is created, then relinked', async () => {
    const r = await realRoot(root);
    const bin = await planChange(r, { kind: 'file', path: join(r, 'boot.efi'), content: Buffer.from([0x4d, 0x5a, 0, 1]), mode: 0o644, backup: false });
    expect(bin[0]).toMatchObject({ binary: true, diff: '' });
    const link = join(r, 'etc/dhcpd.conf');
    const l1 = await planChange(r, { kind: 'symlink', path: link, target: 'dhcp/dhcpd.conf', backup: true });
    await applyChange(l1[0]!);
    expect(await planChange(r, { kind: 'symlink', path: link, target: 'dhcp/dhcpd.conf', backup: true })).toEqual([]);
    const l2 = await planChange(r, { kind: 'symlink', path: link, target: 'other', backup: true });
    expect(l2[0]).toMatchObject({ action: 'replace', details: ['link dhcp/dhcpd.conf -> other'] });
  });

  it('refuses to apply when a link appeared on the way since the plan', async () => {
    const r = await realRoot(root);
    const plan = await planChange(r, { kind: 'file', path: join(r, 'etc/sub/x'), content: Buffer.from('x'), mode: 0o644, backup: false });
    symlinkSync(join(work, 'outside'), join(root, 'etc/sub'));
    expect((await wwRejectionOf(applyChange(plan[1]!))).code).toBe('WW_ERR_PATH_ESCAPE');
    expect(existsSync(join(work, 'outside/x'))).toBe(false);
  });
});

describe('setNetworkLines', () => {
  it('sets existing top-level lines and adds missing ones after them, keeping comments', () => {
    const text = '# site settings\nipaddr: 10.0.0.1\nnetmask: ""\nwarewulf:\n  port: 9873\n';
    expect(setNetworkLines(text, { netmask: '255.255.0.0', network: '10.0.0.0' })).toBe(
      '# site settings\nipaddr: 10.0.0.1\nnetmask: 255.255.0.0\nnetwork: 10.0.0.0\nwarewulf:\n  port: 9873\n',
    );
    expect(setNetworkLines('# only a comment\nwarewulf: {}\n', { ipaddr: '192.168.1.1' })).toBe('# only a comment\nipaddr: 192.168.1.1\nwarewulf: {}\n');
  });
});

describe('services', () => {
  /** A systemctl stand-in: unit states from files, every call logged. */
  function fakeSystemctl(state: { loaded: boolean; active: boolean; enabled: boolean }): { sm: ServiceManager; calls: () => string[] } {
    const log = join(work, 'calls');
    const script = join(work, 'systemctl');
    writeFileSync(
      script,
      `#!/bin/sh
echo "$*" >> ${log}
case "$1" in
  show) echo ${state.loaded ? 'loaded' : 'not-found'} ;;
  is-active) exit ${state.active ? 0 : 3} ;;
  is-enabled) exit ${state.enabled ? 0 : 1} ;;
esac
exit 0
`,
      { mode: 0o755 },
    );
    return { sm: { systemctl: script }, calls: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []) };
  }

  it('restarts when a file changed or the unit is down, enables only when disabled', async () => {
    const up = fakeSystemctl({ loaded: true, active: true, enabled: true });
    expect((await planService(up.sm, 'dhcpd')).commands).toEqual([]);
    const changed = await planService(up.sm, 'dhcpd', 'its configuration changed');
    expect(changed.commands.map((c) => c.argv.slice(1))).toEqual([['restart', 'dhcpd.service']]);
    await changed.commands[0]?.exec?.();
    expect(up.calls()).toContain('restart dhcpd.service');

    const down = fakeSystemctl({ loaded: true, active: false, enabled: false });
    expect((await planService(down.sm, 'nfs-server')).commands.map((c) => [c.argv[1], c.why])).toEqual([
      ['restart', 'it is not running'],
      ['enable', 'it is not enabled'],
    ]);
  });

  it('a unit that is not installed is a warning; without systemd the commands are shown, not run', async () => {
    const none = fakeSystemctl({ loaded: false, active: false, enabled: false });
    const r = await planService(none.sm, 'tftp', 'x');
    expect(r.commands).toEqual([]);
    expect(r.warnings[0]).toContain('tftp.service is not installed');
    const off = await planService({ systemctl: 'systemctl', unavailable: 'systemd is not running here' }, 'dhcpd', 'x');
    expect(off.commands.map((c) => [c.argv.join(' '), c.runnable, c.skipped])).toEqual([
      ['systemctl restart dhcpd.service', false, 'systemd is not running here'],
      ['systemctl enable dhcpd.service', false, 'systemd is not running here'],
    ]);
    expect((await planService({ systemctl: 'systemctl', unavailable: 'x' }, 'dhcpd')).commands).toEqual([]);
    expect(unitName('tftp.socket')).toBe('tftp.socket');
  });
});
