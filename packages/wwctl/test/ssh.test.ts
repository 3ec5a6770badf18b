/**
 * `wwctl ssh` (§1.10). The remote shell is a small script that prints what
 * it was given, so the tests see the exact argument vector (no real ssh).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeRoot, wwctl, type TestRoot } from './helpers.js';

const conf = `nodeprofiles:
  default: {}
nodes:
  n01:
    network devices:
      eth0:
        ipaddr: 10.0.0.1
  n02:
    primary network: ib0
    network devices:
      eth0:
        ipaddr: 10.0.0.2
      ib0:
        ipaddr: 10.1.0.2
  n03: {}
  n04:
    network devices:
      eth0:
        hwaddr: 00:11:22:33:44:55
`;

/** A remote shell that echoes its address and each argument, one per line, writes to stderr, and fails on `fail`. */
function fakeRsh(t: TestRoot): string {
  return t.write('rsh.sh', '#!/bin/sh\necho "host=$1"\nshift\nfor a in "$@"; do echo "arg=$a"; done\necho "to stderr" >&2\n[ "$1" = fail ] && exit 3\nexit 0\n', 0o755);
}

describe('wwctl ssh', () => {
  it('runs the command at each node\'s primary address, without a shell, each line prefixed with the node', async () => {
    const t = makeRoot(conf);
    const rsh = fakeRsh(t);
    const r = await wwctl(t, 'ssh', '--rsh', rsh, '-f', '1', 'n[01-02]', '--', 'echo', 'a b', '$HOME;x', '-l');
    expect(r.code, r.stderr).toBe(0);
    // fanout 1: the nodes run one after the other, so the output is in node order
    expect(r.stdout).toBe(
      ['n01: host=10.0.0.1', 'n01: arg=echo', 'n01: arg=a b', 'n01: arg=$HOME;x', 'n01: arg=-l',
        'n02: host=10.1.0.2', 'n02: arg=echo', 'n02: arg=a b', 'n02: arg=$HOME;x', 'n02: arg=-l', ''].join('\n'),
    );
    expect(r.stderr).toBe('n01: to stderr\nn02: to stderr\n');
  });

  it('--dryrun prints each command and runs nothing', async () => {
    const t = makeRoot(conf);
    const r = await wwctl(t, 'ssh', '-n', 'n01,n02', '--', 'uptime', '-p');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('n01: /usr/bin/ssh 10.0.0.1 uptime -p\nn02: /usr/bin/ssh 10.1.0.2 uptime -p\n');
  });

  it('names nodes without a primary network or address, runs the others, and fails at the end', async () => {
    const t = makeRoot(conf);
    const r = await wwctl(t, 'ssh', '--rsh', fakeRsh(t), '-s', '0.01', 'n[01,03-04]', 'true');
    expect(r.code).toBe(255);
    expect(r.stdout).toBe('n01: host=10.0.0.1\nn01: arg=true\n');
    expect(r.stderr).toContain('ERROR  : n03: Primary network device doesn\'t exist\n');
    expect(r.stderr).toContain('ERROR  : n04: IP address not configured\n');
    expect(r.stderr).toMatch(/\nERROR: ssh: 2 of 3 node\(s\) failed: n03, n04\n$/);
  });

  it('reports a failing remote command and a remote shell that cannot start', async () => {
    const t = makeRoot(conf);
    const failed = await wwctl(t, 'ssh', '--rsh', fakeRsh(t), 'n01', 'fail');
    expect(failed.code).toBe(255);
    expect(failed.stderr).toContain('ERROR  : n01: exit status 3\n');
    expect(failed.stderr).toMatch(/ERROR: ssh: 1 of 1 node\(s\) failed: n01\n$/);
    const missing = await wwctl(t, 'ssh', '--rsh', join(t.root, 'no-such-rsh'), 'n01', 'true');
    expect(missing.code).toBe(255);
    expect(missing.stderr).toContain(`ERROR  : n01: spawn ${join(t.root, 'no-such-rsh')} ENOENT\n`);
  });

  it('refuses unknown nodes and bad flag values', async () => {
    const t = makeRoot(conf);
    const none = await wwctl(t, 'ssh', 'n99', 'true');
    expect(none.code).toBe(255);
    expect(none.stderr).toContain('ERROR  : n99: no such node\n');
    expect(none.stderr).toMatch(/ERROR: no node matches n99\n$/);
    const fanout = await wwctl(t, 'ssh', '-f', '0', 'n01', 'true');
    expect(fanout.code).toBe(255);
    expect(fanout.stderr).toMatch(/^ERROR: option '-f, --fanout <n>' argument '0' is invalid\. must be a positive integer/);
    // as upstream's, a word of the command that looks like a flag comes after `--`
    const flagLike = await wwctl(t, 'ssh', '-n', 'n01', 'uptime', '-p');
    expect(flagLike.code).toBe(255);
    expect(flagLike.stderr).toMatch(/^ERROR: unknown option '-p'/);
    const noCommand = await wwctl(t, 'ssh', 'n01');
    expect(noCommand.code).toBe(255);
    expect(noCommand.stderr).toMatch(/^ERROR: missing required argument 'command'/);
  });
});
