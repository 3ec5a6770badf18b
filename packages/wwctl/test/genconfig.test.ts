/** `wwctl genconfig warewulfconf print` (hidden, alias `cnf`, §1.10). */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import yaml from 'js-yaml';
import { WWCTL_BIN, makeRoot, wwctl, wwctlProcess } from './helpers.js';

/** Whether this host lets us make a network namespace with only `lo` (unprivileged: a user namespace too). */
const loopbackOnlyNetns = spawnSync('unshare', ['-rn', 'ip', 'link', 'set', 'lo', 'up'], { stdio: 'ignore' }).status === 0;

describe('wwctl genconfig', () => {
  it('prints the effective warewulf.conf: the file\'s values and the defaults it left out', async () => {
    const t = makeRoot();
    t.write('etc/warewulf/warewulf.conf', 'ipaddr: 10.0.0.1/24\nwarewulf:\n  port: 9999\ndhcp:\n  range start: 10.0.0.50\n');
    for (const noun of ['genconfig', 'cnf']) {
      const r = await wwctl(t, noun, 'warewulfconf', 'print');
      expect(r.code, r.stderr).toBe(0);
      const doc = yaml.load(r.stdout) as Record<string, Record<string, unknown>>;
      expect(doc.ipaddr).toBe('10.0.0.1');
      expect(doc.netmask).toBe('255.255.255.0'); // from the CIDR
      expect(doc.warewulf?.port).toBe(9999);
      expect(doc.warewulf?.['update interval']).toBe(60); // a default
      expect(doc.dhcp?.['range start']).toBe('10.0.0.50');
      expect(doc.tftp?.tftproot).toBe('/var/lib/tftpboot');
    }
  });

  it('is hidden from help, and names a bad warewulf.conf with file:line:col', async () => {
    const t = makeRoot();
    expect((await wwctl(t, '--help')).stdout).not.toMatch(/genconfig/);
    const conf = t.write('etc/warewulf/warewulf.conf', 'warewulf:\n  port: many\n');
    const r = await wwctl(t, 'genconfig', 'warewulfconf', 'print');
    expect(r.code).toBe(255);
    expect(r.stderr).toContain(`ERROR: ${conf}:2:9: warewulf.port`);
  });

  it('man and reference say they are not supported', async () => {
    for (const verb of ['man', 'reference']) {
      const r = await wwctl(makeRoot(), 'genconfig', verb, '/tmp/out');
      expect(r.code).toBe(255);
      expect(r.stderr).toMatch(new RegExp(`^ERROR: genconfig ${verb}: generating .* is not supported`));
    }
  });
});

describe('server address auto-detection when warewulf.conf leaves it empty (§1.1, §3.3)', () => {
  const effective = (stdout: string) => yaml.load(stdout) as Record<string, unknown>;

  it('a fresh root (no warewulf.conf) sees this host\'s address, and no warewulf.conf is written', async () => {
    const t = makeRoot();
    const r = await wwctlProcess(t, ['genconfig', 'warewulfconf', 'print']).done;
    expect(r.code, r.stderr).toBe(0);
    const doc = effective(r.stdout);
    expect(doc.ipaddr).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(doc.netmask).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(doc.network).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(r.stderr).toBe('');
    expect(spawnSync('test', ['-e', `${t.root}/etc/warewulf/warewulf.conf`]).status).not.toBe(0);
  });

  it('explicit values in warewulf.conf are kept', async () => {
    const t = makeRoot();
    t.write('etc/warewulf/warewulf.conf', 'ipaddr: 198.51.100.7\nnetmask: 255.255.255.128\n');
    const doc = effective((await wwctl(t, 'genconfig', 'warewulfconf', 'print')).stdout);
    expect([doc.ipaddr, doc.netmask, doc.network]).toEqual(['198.51.100.7', '255.255.255.128', '198.51.100.0']);
  });

  // outside CI a host may forbid namespaces (then skipped); in CI (root) it must run
  it.skipIf(!loopbackOnlyNetns && !process.env['CI'])('on a loopback-only host, a fresh root uses 127.0.0.1 and says so with -v (network namespace; skipped only outside CI when namespaces are refused)', () => {
    const t = makeRoot();
    const r = spawnSync('unshare', ['-rn', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"', process.execPath, WWCTL_BIN, '-v', 'genconfig', 'warewulfconf', 'print'], {
      env: t.env,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const doc = effective(r.stdout);
    expect([doc.ipaddr, doc.netmask, doc.network]).toEqual(['127.0.0.1', '255.0.0.0', '127.0.0.0']);
    expect(r.stderr).toContain('no network but loopback: using 127.0.0.1, which no other machine can reach');
  });
});
