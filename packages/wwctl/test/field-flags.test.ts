/**
 * Field flags end to end (a new admin's review): field values are checked
 * on every way in (disk/partition/file system values, interface names,
 * ipmitool words, IPMI user names and escape characters); a flag with an
 * optional value never takes an option as its value (4.3's bare `--netdel`);
 * an option a command lacks is named as it was typed.
 */
import { describe, expect, it } from 'vitest';
import { fails, makeRoot, nodesOf, wwctl } from './helpers.js';

const BASE = 'nodeprofiles:\n  default: {}\nnodes:\n  n02:\n    network devices:\n      ib0: {device: ib0}\n      default: {device: eth0, ipaddr: 10.0.2.60}\n';

describe('field value checks: every way in refuses what the field cannot hold', () => {
  it.each([
    [['--diskname', '/dev/vdb', '--partname', 'p1', '--partnumber', 'abc'], /^ERROR: --partnumber: expected a partition number \(0-128; 0: the next free one, as Ignition reads it\): "abc"$/m],
    [['--diskname', '/dev/vdb', '--partname', 'p1', '--partnumber', '129'], /--partnumber: expected a partition number/],
    [['--diskname', '/dev/vdb', '--partname', 'p1', '--partsize=-5'], /^ERROR: --partsize: expected a whole number of MiB \(0 or more\): "-5"$/m],
    [['--diskname', '/dev/vdb', '--partname', 'p1', '--partsize', '-5'], /--partsize: expected a whole number of MiB/],
    [['--fsname', '/dev/vdb1', '--fspath', 'relative', '--fsformat', 'ext4'], /^ERROR: --fspath: expected an absolute path without whitespace \(or swap\/none for a swap area\): "relative"$/m],
    [['--netdev', 'eth0 ; reboot'], /^ERROR: --netdev: expected a network interface name .*: "eth0 ; reboot"$/m],
    [['-N', 'eth0/1'], /--netdev: expected a network interface name/],
    [['--ipmiinterface', 'lanplus -H 10.9.9.9'], /^ERROR: --ipmiinterface: expected one ipmitool interface word .*: "lanplus -H 10.9.9.9"$/m],
    [['--ipmiescapechar', 'ab'], /^ERROR: --ipmiescapechar: expected a single escape character/m],
    [['--ipmiuser', 'ad"min'], /^ERROR: --ipmiuser: an IPMI user name cannot contain ", \\, `, \$ or control characters .*: "ad\\"min"$/m],
    [['--ipmiuser', 'a$(id)'], /--ipmiuser: an IPMI user name cannot contain/],
  ])('node set %j is refused, naming the flag', async (flags, message) => {
    await fails(makeRoot(BASE), ['node', 'set', '--yes', 'n02', ...flags], message);
  });

  it('profile set and node add use the same checks', async () => {
    const t = makeRoot(BASE);
    await fails(t, ['profile', 'set', '--yes', 'default', '--netdev', 'a b'], /--netdev: expected a network interface name/);
    await fails(t, ['node', 'add', 'n09', '--diskname', '/dev/vda', '--partname', 'p1', '--partnumber', '200'], /--partnumber: expected a partition number/);
  });

  it('valid values are stored as given and reach the BMC command; the password takes any text', async () => {
    const t = makeRoot(BASE);
    const r = await wwctl(t, 'node', 'set', '--yes', 'n02', '--diskname', '/dev/vdb', '--partname', 'p1', '--partnumber', '1', '--partsize', '0',
      '--fsname', '/dev/vdb1', '--fspath', '/scratch', '--fsformat', 'ext4', '--netdev', 'eth0.100', '--ipmiinterface', 'lanplus',
      '--ipmiescapechar', '^', '--ipmiuser', 'ad min', '--ipmipass', 'pa"ss$`\\');
    expect(r.code, r.stderr).toBe(0);
    const n = nodesOf(t).n02 as Record<string, any>;
    expect(n.disks['/dev/vdb'].partitions.p1).toEqual({ number: '1', size_mib: '0' });
    expect(n.filesystems['/dev/vdb1']).toEqual({ format: 'ext4', path: '/scratch' });
    expect(n['network devices'].default.device).toBe('eth0.100');
    expect(n.ipmi).toEqual({ username: 'ad min', password: 'pa"ss$`\\', interface: 'lanplus', escapechar: '^' });
    const show = await wwctl(t, 'node', 'set', '--yes', 'n02', '--ipmiaddr', '10.9.0.2', '--ipmitemplate', 'ipmitool.tmpl');
    expect(show.code, show.stderr).toBe(0);
    const p = await wwctl(t, 'power', 'status', '--show', 'n02');
    expect(p.stdout.trim()).toBe('10.9.0.2: ipmitool -I lanplus -e "^" -H 10.9.0.2 -U "ad min" -P "********" chassis power status');
  });

  it('a bad value written by hand in nodes.conf is named with FILE:LINE:COL; node import refuses it the same way', async () => {
    const t = makeRoot('nodeprofiles: {default: {}}\nnodes:\n  n1:\n    network devices:\n      default:\n        device: "eth0 ; reboot"\n');
    const r = await wwctl(t, 'node', 'list');
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/nodes\.conf:6:9: nodes\.n1\.network devices\.default\.device: expected a network interface name/);
    const u = makeRoot(BASE);
    const file = u.write('import.yaml', 'n05:\n  filesystems:\n    /dev/vda1:\n      path: relative\n');
    await fails(u, ['node', 'import', '--yes', file], /import\.yaml:4:7: n05\.filesystems\.\/dev\/vda1\.path: expected an absolute path/);
  });

  it('node edit refuses a bad value before anything is written', async () => {
    const t = makeRoot(BASE);
    t.env.EDITOR = t.write('editor.sh', '#!/bin/sh\nprintf \'n02:\\n  ipmi: {escapechar: ab}\\n\' > "$1"\n', 0o755);
    await fails(t, ['node', 'edit', '--yes', 'n02'], /:2:3: n02\.ipmi\.escapechar: expected a single escape character/);
  });

  it('the IPMI password is never printed by a refusal of the same command', async () => {
    const t = makeRoot(BASE);
    const r = await wwctl(t, 'node', 'set', '--yes', 'n02', '--ipmipass', 'secret-pw-77', '--ipmiuser', 'a"b');
    expect(r.code).toBe(255);
    expect(r.stdout + r.stderr).not.toContain('secret-pw-77');
  });
});

describe('an optional flag value never takes an option: --netdel alone is 4.3\'s, the --netname network', () => {
  it.each([
    [['--netname', 'ib0', '--netdel'], ['default']],
    [['--netdel', '--netname', 'ib0'], ['default']],
    [['--netdel', 'ib0'], ['default']],
    [['--netdel=ib0'], ['default']],
    [['--netdel'], ['ib0']],
  ])('node set n02 %j', async (flags, left) => {
    const t = makeRoot(BASE);
    const r = await wwctl(t, 'node', 'set', '--yes', 'n02', ...flags);
    expect(r.code, r.stderr).toBe(0);
    expect(Object.keys(nodesOf(t).n02?.['network devices'] as object)).toEqual(left);
  });

  it('--netdel followed by a word takes it as the name (today\'s form), even where 4.3 saw a node pattern', async () => {
    const t = makeRoot(BASE);
    await fails(t, ['node', 'set', '--yes', '--netname', 'ib0', '--netdel', 'n02', 'n02'], /network device name doesn't exist: n02/);
  });

  it('a missing --netname network is named', async () => {
    const t = makeRoot(BASE);
    await fails(t, ['node', 'set', '--yes', 'n02', '--netdel', '--netname', 'nosuch'], /^ERROR: network device name doesn't exist: nosuch$/m);
  });

  it('profile set takes it too', async () => {
    const t = makeRoot('nodeprofiles:\n  p1:\n    network devices: {ib0: {device: ib0}, default: {}}\nnodes: {}\n');
    const r = await wwctl(t, 'profile', 'set', '--yes', 'p1', '--netdel', '--netname', 'ib0');
    expect(r.code, r.stderr).toBe(0);
    expect(t.readNodesConf()).not.toContain('ib0');
  });

  it('the option after a bare --netdel keeps its own value verbatim: --netdel --ipmipass -e stores "-e"', async () => {
    const t = makeRoot(BASE);
    const r = await wwctl(t, 'node', 'set', '--yes', 'n02', '--netname', 'ib0', '--netdel', '--ipmipass', '-e');
    expect(r.code, r.stderr).toBe(0);
    const n = nodesOf(t).n02 as Record<string, any>;
    expect([Object.keys(n['network devices']), n.ipmi, n.discoverable]).toEqual([['default'], { password: '-e' }, undefined]);
  });

  it('--primary alone (4.3) does not swallow the next option', async () => {
    const t = makeRoot(BASE);
    const r = await wwctl(t, 'node', 'set', '--yes', 'n02', '--primary', '--netname', 'ib0');
    expect(r.code, r.stderr).toBe(0);
    expect(nodesOf(t).n02?.['primary network']).toBe('ib0');
  });
});

describe('an option the command lacks is named as typed', () => {
  it.each([
    [['--discoverable'], '--discoverable'],
    [['-e'], '-e'],
    [['--discoverable', 'false'], '--discoverable'],
    [['--discoverable=yes'], '--discoverable=yes'],
    [['--asset', 'k'], '--asset'],
  ])('profile set default %j (node-only field)', async (flags, named) => {
    const t = makeRoot(BASE);
    await fails(t, ['profile', 'set', '--yes', 'default', ...flags], new RegExp(`^ERROR: unknown option '${named}'$`, 'm'));
  });

  it('node set still takes them', async () => {
    const t = makeRoot(BASE);
    const r = await wwctl(t, 'node', 'set', '--yes', 'n02', '--discoverable');
    expect(r.code, r.stderr).toBe(0);
    expect(nodesOf(t).n02?.discoverable).toBe('true');
  });
});
