/** `wwctl genconfig warewulfconf print` (hidden, alias `cnf`, §1.10). */
import { describe, expect, it } from 'vitest';
import yaml from 'js-yaml';
import { makeRoot, wwctl } from './helpers.js';

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
