/**
 * Issue 8's builder and commands through wwctl: the seed's issue.ww via
 * `overlay show --render`, built images as GNU cpio lists them, the
 * dependency rules (each a test of what was rebuilt and what was not),
 * fault isolation, bad input, the mutation commands and autobuild.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seedIssueExample } from '@warewulf/testenv';
import { makeRoot, wwctl, type TestRoot } from './helpers.js';

const isRoot = process.getuid?.() === 0;

const SEED_ISSUE = seedIssueExample().output;

/** A root with site overlays `a` (a template reading the node), `b` (static files), `h` (reads .AllNodes) and `srv` (reads server data). */
function world(nodes = 3): TestRoot {
  let conf = `nodeprofiles:
  default:
    system overlay: [a, b, h]
    runtime overlay: [srv]
  other:
    system overlay: [b]
    runtime overlay: [b]
nodes:
`;
  for (let i = 1; i <= nodes; i++) {
    conf += `  n${i}:\n    network devices:\n      default: {device: eth0, ipaddr: 10.0.0.${i}, hwaddr: "52:54:00:00:00:0${i}"}\n`;
  }
  const t = makeRoot(conf);
  // builds are explicit here; autobuild has a test of its own
  t.write('etc/warewulf/warewulf.conf', 'warewulf:\n  autobuild overlays: false\n');
  const ov = 'var/lib/warewulf/overlays';
  t.write(`${ov}/a/rootfs/etc/who.ww`, '{{ .Id }} {{ .Comment }}\n');
  t.write(`${ov}/b/rootfs/etc/motd`, 'static\n');
  t.write(`${ov}/b/rootfs/usr/bin/tool`, '#!/bin/sh\necho tool\n', 0o755);
  t.write(`${ov}/h/rootfs/etc/hosts.ww`, '{{ range .AllNodes }}{{ .Id }}{{ range .NetDevs }} {{ .Ipaddr }}{{ end }}\n{{ end }}');
  t.write(`${ov}/srv/rootfs/etc/srv.ww`, 'port {{ .Warewulf.Port }}\n');
  return t;
}

const img = (t: TestRoot, node: string, kind: 'SYSTEM' | 'RUNTIME') => join(t.root, 'var/lib/warewulf/provision/overlays', node, `__${kind}__.img.gz`);
const mtime = (p: string) => statSync(p).mtimeMs;
const cpioList = (p: string) => execFileSync('bash', ['-c', `gzip -dc '${p}' | cpio -itv --quiet`], { encoding: 'utf8' });
const cpioFile = (p: string, f: string) => execFileSync('bash', ['-c', `gzip -dc '${p}' | cpio -i --to-stdout --quiet '${f}'`], { encoding: 'utf8' });

async function build(t: TestRoot, ...args: string[]) {
  const r = await wwctl(t, 'overlay', 'build', '--workers', '1', ...args);
  return r;
}

/** Which images a build rebuilt (from the dry run before it): `n1/system`... */
async function stale(t: TestRoot): Promise<string[]> {
  const r = await wwctl(t, 'overlay', 'build', '--dry-run');
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.split('\n').slice(2).filter((l) => l.trim() !== '' && !l.startsWith('Every')).map((l) => { const [n, k] = l.split(/\s+/); return `${n}/${k}`; }).sort();
}

describe('overlay show --render', () => {
  it("renders the seed's issue.ww as a site overlay into the seed's output", async () => {
    const t = makeRoot('nodeprofiles:\n  default:\n    image name: microOS2\nnodes:\n  node01:\n    network devices:\n      default:\n        device: eth0\n        ipaddr: 10.10.1.11\n        hwaddr: 52:54:00:08:A7:C0\n');
    t.write('var/lib/warewulf/overlays/myissue/rootfs/etc/issue.ww', seedIssueExample().template);
    const r = await wwctl(t, 'overlay', 'show', '--render', 'node01', 'myissue', 'etc/issue');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`backupFile: true\nwriteFile: true\nFilename: etc/issue\n${SEED_ISSUE}`);
    expect((await wwctl(t, 'overlay', 'show', '-q', '-r', 'node01', 'myissue', '/etc/issue.ww')).stdout).toBe(SEED_ISSUE);
    expect((await wwctl(t, 'overlay', 'show', 'myissue', 'etc/issue.ww')).stdout).toContain('{{');
  });
});

describe('overlay build', () => {
  it.skipIf(!isRoot)('(root) a built system image holds exactly the expected files, modes and owners, as GNU cpio lists them', async () => {
    const t = world(2);
    const r = await build(t);
    expect(r.code, r.stderr).toBe(0);
    const list = cpioList(img(t, 'n1', 'SYSTEM'));
    const lines = list.trim().split('\n').map((l) => { const f = l.split(/\s+/); return `${f[0]} ${f[2]}:${f[3]} ${f[8]}`; }).sort();
    expect(lines).toEqual([
      '-rw-r--r-- root:root etc/hosts',
      '-rw-r--r-- root:root etc/motd',
      '-rw-r--r-- root:root etc/who',
      '-rwxr-xr-x root:root usr/bin/tool',
      'drwxr-xr-x root:root etc',
      'drwxr-xr-x root:root usr',
      'drwxr-xr-x root:root usr/bin',
    ]);
    expect(cpioFile(img(t, 'n1', 'SYSTEM'), 'etc/who')).toBe('n1 \n');
    expect(cpioFile(img(t, 'n2', 'SYSTEM'), 'etc/hosts')).toBe('n1 10.0.0.1\nn2 10.0.0.2\n');
    expect(cpioFile(img(t, 'n2', 'RUNTIME'), 'etc/srv')).toBe('port 9873\n');
  });

  it('an overlay without files gives an empty, valid image', async () => {
    const t = world(1);
    mkdirSync(join(t.root, 'var/lib/warewulf/overlays/empty/rootfs'), { recursive: true });
    t.writeNodesConf('nodeprofiles: {default: {}}\nnodes:\n  e1: {system overlay: [empty], runtime overlay: [b]}\n');
    const r = await build(t);
    expect(r.code, r.stderr).toBe(0);
    expect(cpioList(img(t, 'e1', 'SYSTEM')).trim()).toBe('');
  });

  describe('dependency tracking: exactly the stale images are rebuilt', () => {
    it('nothing changed: nothing rebuilt; --force: everything', async () => {
      const t = world();
      expect((await build(t)).code).toBe(0);
      expect(await stale(t)).toEqual([]);
      const before = mtime(img(t, 'n1', 'SYSTEM'));
      await new Promise((r) => setTimeout(r, 20));
      expect((await build(t)).stdout).toContain('Built 0 overlay image(s), 6 up to date');
      expect(mtime(img(t, 'n1', 'SYSTEM'))).toBe(before);
      expect((await build(t, '--force')).stdout).toContain('Built 6 overlay image(s)');
    });

    it('one node changed: that node (a field .AllNodes does not read: the others\' hosts stay)', async () => {
      const t = world();
      await build(t);
      await wwctl(t, 'node', 'set', '--yes', 'n2', '--comment', 'changed');
      expect(await stale(t)).toEqual(['n2/runtime', 'n2/system']);
    });

    it('a field .AllNodes reads (an address): every node whose list reads .AllNodes', async () => {
      const t = world();
      await build(t);
      await wwctl(t, 'node', 'set', '--yes', 'n2', '--ipaddr', '10.0.0.22');
      // system lists read .AllNodes (overlay h); runtime lists do not, except n2's own (its fields changed)
      expect(await stale(t)).toEqual(['n1/system', 'n2/runtime', 'n2/system', 'n3/system']);
    });

    it('a profile: the nodes using it', async () => {
      const t = world();
      await wwctl(t, 'profile', 'add', 'extra');
      await wwctl(t, 'node', 'set', '--yes', 'n3', '--profile', 'default,extra');
      await build(t);
      await wwctl(t, 'profile', 'set', '--yes', 'extra', '--comment', 'x');
      expect(await stale(t)).toEqual(['n3/runtime', 'n3/system']);
    });

    it('an overlay file: the nodes using that overlay', async () => {
      const t = world();
      await wwctl(t, 'node', 'set', '--yes', 'n3', '--profile', 'other');
      await build(t);
      t.write('var/lib/warewulf/overlays/a/rootfs/etc/new', 'x\n');
      expect(await stale(t)).toEqual(['n1/system', 'n2/system']);
      t.write('var/lib/warewulf/overlays/b/rootfs/etc/motd', 'changed\n');
      expect(await stale(t)).toEqual(['n1/system', 'n2/system', 'n3/runtime', 'n3/system']);
    });

    it('warewulf.conf: the nodes whose templates read server data', async () => {
      const t = world();
      await build(t);
      t.write('etc/warewulf/warewulf.conf', 'ipaddr: 10.0.0.254\nnetmask: 255.255.255.0\nwarewulf:\n  port: 9999\n');
      expect(await stale(t)).toEqual(['n1/runtime', 'n2/runtime', 'n3/runtime']);
      expect((await build(t)).code).toBe(0);
      expect(cpioFile(img(t, 'n1', 'RUNTIME'), 'etc/srv')).toBe('port 9999\n');
    });

    it('a server file a template includes: the nodes that read it', async () => {
      const t = world();
      t.write('var/lib/warewulf/overlays/a/rootfs/etc/inc.ww', '{{ Include "motd.txt" }}\n');
      t.write('etc/warewulf/motd.txt', 'one\n');
      await build(t);
      t.write('etc/warewulf/motd.txt', 'two, longer\n');
      expect(await stale(t)).toEqual(['n1/system', 'n2/system', 'n3/system']);
      await build(t);
      expect(cpioFile(img(t, 'n1', 'SYSTEM'), 'etc/inc')).toBe('two, longer\n');
    });

    it('a deleted image is rebuilt', async () => {
      const t = world();
      await build(t);
      execFileSync('rm', ['-rf', join(t.root, 'var/lib/warewulf/provision/overlays/n1')]);
      expect(await stale(t)).toEqual(['n1/runtime', 'n1/system']);
    });
  });

  describe('fault isolation and bad input: the place is named, the others build, nothing half-written', () => {
    it('a template error on one node: named with overlay, file, line and column; other nodes built; old image kept; exit non-zero', async () => {
      const t = world();
      await build(t);
      const good = readFileSync(img(t, 'n2', 'SYSTEM'));
      t.write('var/lib/warewulf/overlays/a/rootfs/etc/who.ww', '{{ .Id }}\n{{ if eq .Id "n2" }}{{ .Nosuch }}{{ end }}\n');
      const r = await build(t);
      expect(r.code).toBe(255);
      expect(r.stderr).toMatch(/n2: system overlay: overlay a: etc\/who\.ww:2:\d+: .*can't evaluate field Nosuch/);
      expect(r.stderr).not.toMatch(/\bn1: system/);
      expect(cpioFile(img(t, 'n1', 'SYSTEM'), 'etc/who')).toBe('n1\n\n');
      expect(readFileSync(img(t, 'n2', 'SYSTEM')).equals(good)).toBe(true);
      expect(readdirSync(join(t.root, 'var/lib/warewulf/provision/overlays/n2')).sort()).toEqual(['__RUNTIME__.img.gz', '__SYSTEM__.img.gz']);
    });

    it('a syntax error: every node using the overlay fails with the place named; the others build', async () => {
      const t = world();
      await wwctl(t, 'node', 'set', '--yes', 'n3', '--profile', 'other');
      t.write('var/lib/warewulf/overlays/a/rootfs/etc/who.ww', 'ok\n{{ if .Id }}\n');
      const r = await build(t);
      expect(r.code).toBe(255);
      expect(r.stderr).toMatch(/n1: system overlay: overlay a: etc\/who\.ww:\d+:\d+: unexpected EOF/);
      expect(existsSync(img(t, 'n3', 'SYSTEM'))).toBe(true);
      expect(existsSync(img(t, 'n1', 'SYSTEM'))).toBe(false);
    });

    it('an unknown overlay name', async () => {
      const t = world(1);
      await wwctl(t, 'node', 'set', '--yes', 'n1', '--system-overlays', 'a,nosuch');
      const r = await build(t);
      expect(r.code).toBe(255);
      expect(r.stderr).toContain('n1: system overlay: overlay does not exist: nosuch');
    });

    it('a file path with .. in a template', async () => {
      const t = world(1);
      t.write('var/lib/warewulf/overlays/a/rootfs/etc/esc.ww', '{{ file "../../etc/passwd" }}pwned\n');
      const r = await build(t);
      expect(r.code).toBe(255);
      expect(r.stderr).toMatch(/overlay a: etc\/esc\.ww:1:\d+: .*(leaves|escape|outside)/i);
      expect(readFileSync('/etc/passwd', 'utf8')).not.toContain('pwned');
    });

    it('a socket in an overlay', async () => {
      const t = world(1);
      const sock = join(t.root, 'var/lib/warewulf/overlays/b/rootfs/etc/ctl.sock');
      const srv = createServer();
      await new Promise<void>((r) => srv.listen(sock, r));
      try {
        const r = await build(t);
        expect(r.code).toBe(255);
        expect(r.stderr).toContain('overlay b: etc/ctl.sock is a socket: only files, directories and symlinks can be in an overlay');
      } finally {
        srv.close();
      }
    });

    it('unknown node names fail as upstream', async () => {
      const r = await wwctl(world(1), 'overlay', 'build', 'n9');
      expect(r.code).toBe(255);
      expect(r.stderr).toContain('failed to find nodes: n9');
    });
  });

  it('autobuild (warewulf.conf) rebuilds what node set made stale, only for images that exist', async () => {
    const t = world();
    t.write('etc/warewulf/warewulf.conf', 'warewulf:\n  autobuild overlays: true\n');
    expect((await wwctl(t, 'overlay', 'build', 'n1')).code).toBe(0);
    await wwctl(t, 'node', 'set', '--yes', 'n1', '--comment', 'auto');
    expect(cpioFile(img(t, 'n1', 'SYSTEM'), 'etc/who')).toBe('n1 auto\n');
    expect(existsSync(img(t, 'n2', 'SYSTEM'))).toBe(false);
    t.write('etc/warewulf/warewulf.conf', 'warewulf:\n  autobuild overlays: false\n');
    await wwctl(t, 'node', 'set', '--yes', 'n1', '--comment', 'manual');
    expect(cpioFile(img(t, 'n1', 'SYSTEM'), 'etc/who')).toBe('n1 auto\n');
  });

  it('overlay diff shows what a rebuild would change, file by file', async () => {
    const t = world(2);
    await build(t);
    expect((await wwctl(t, 'overlay', 'diff', 'n1')).stdout).toBe('system overlay of n1: up to date\nruntime overlay of n1: up to date\n');
    t.write('etc/warewulf/warewulf.conf', 'warewulf:\n  autobuild overlays: false\n');
    await wwctl(t, 'node', 'set', '--yes', 'n1', '--comment', 'hello');
    const r = await wwctl(t, 'overlay', 'diff', 'n1');
    expect(r.stdout).toContain('system overlay of n1: 1 file(s) would change');
    expect(r.stdout).toContain('M /etc/who (content)\n');
    expect(r.stdout).toContain('-n1 \n+n1 hello\n');
  });
});

describe('the overlay commands', () => {
  it('list, create, mkdir, import, chmod, chown, edit, info, delete', async () => {
    const t = world(1);
    expect((await wwctl(t, 'overlay', 'create', 'mine')).code).toBe(0);
    expect((await wwctl(t, 'overlay', 'create', 'mine')).stderr).toContain('overlay already exists: mine');
    expect((await wwctl(t, 'overlay', 'mkdir', 'mine', '/etc/x', '--mode', '0700')).code).toBe(0);
    const src = t.write('src.txt', 'hello\n', 0o640);
    expect((await wwctl(t, 'overlay', 'import', 'mine', src, '/etc/x')).code).toBe(0);
    expect((await wwctl(t, 'overlay', 'import', 'mine', src, '/etc/x')).stderr).toContain('a file with that name already exists in the overlay');
    expect((await wwctl(t, 'overlay', 'chmod', 'mine', 'etc/x/src.txt', '0600')).code).toBe(0);
    expect((await wwctl(t, 'overlay', 'chown', 'mine', 'etc/x/src.txt', '12:34')).code).toBe(isRoot ? 0 : 255);
    t.env.EDITOR = t.write('ed.sh', '#!/bin/sh\necho "{{ .Id }}" > "$1"\n', 0o755);
    expect((await wwctl(t, 'overlay', 'edit', '--parents', 'mine', 'etc/new/id.ww')).code).toBe(0);
    const long = (await wwctl(t, 'overlay', 'list', '-l', 'mine')).stdout;
    expect(long).toMatch(/drwx------\s+\d+\s+\d+\s+mine\s+\/etc\/x\//);
    expect(long).toMatch(new RegExp(`-rw-------\\s+${isRoot ? '12\\s+34' : '\\d+\\s+\\d+'}\\s+mine\\s+/etc/x/src.txt\\s+true`));
    expect((await wwctl(t, 'overlay', 'list', 'mine')).stdout).toMatch(/mine\s+5\s+true/);
    expect((await wwctl(t, 'overlay', 'info', 'mine', 'etc/new/id.ww')).stdout).toContain('VARIABLE');
    expect((await wwctl(t, 'overlay', 'delete', 'mine')).stderr).toContain('is not empty');
    expect((await wwctl(t, 'overlay', 'delete', 'mine', 'etc/x/src.txt', '--parents')).code).toBe(0);
    expect(existsSync(join(t.root, 'var/lib/warewulf/overlays/mine/rootfs/etc/x'))).toBe(false);
    expect((await wwctl(t, 'overlay', 'delete', '--force', 'mine')).code).toBe(0);
    expect((await wwctl(t, 'overlay', 'list', 'mine')).stderr).toContain('overlay does not exist: mine');
  });

  it('a change to a distribution overlay clones it to the site first; the shipped one is untouched', async () => {
    const t = world(1);
    const shipped = join(import.meta.dirname, '..', '..', '..', 'overlays', 'hostname', 'rootfs', 'etc', 'hostname.ww');
    const before = readFileSync(shipped, 'utf8');
    expect((await wwctl(t, 'overlay', 'mkdir', 'hostname', '/etc/extra')).code).toBe(0);
    expect(readFileSync(join(t.root, 'var/lib/warewulf/overlays/hostname/rootfs/etc/hostname.ww'), 'utf8')).toBe(before);
    expect((await wwctl(t, 'overlay', 'list', 'hostname')).stdout).toMatch(/hostname\s+3\s+true/);
    expect(readFileSync(shipped, 'utf8')).toBe(before);
    expect((await wwctl(t, 'overlay', 'delete', 'issue')).stderr).toContain('cannot delete a distribution overlay: issue');
  });

  it('an edit that changes nothing writes nothing: no site copy of a distribution overlay, no new file (§1.7)', async () => {
    const t = world(1);
    const site = join(t.root, 'var/lib/warewulf/overlays/hosts');
    t.env.EDITOR = 'true';
    for (const file of ['/etc/hosts.ww', '/etc/foo.ww', '/etc/plain']) {
      const r = await wwctl(t, 'overlay', 'edit', 'hosts', file);
      expect(r.code, r.stderr).toBe(0);
      expect(existsSync(site), file).toBe(false);
    }
    expect((await wwctl(t, 'overlay', 'list', 'hosts')).stdout).toMatch(/hosts\s+\d+\s+false/);
    // the same in a site overlay: the untouched help header of a new template is not created
    expect((await wwctl(t, 'overlay', 'create', 'mine')).code).toBe(0);
    expect((await wwctl(t, 'overlay', 'edit', '--parents', 'mine', '/etc/new/foo.ww')).code).toBe(0);
    expect(existsSync(join(t.root, 'var/lib/warewulf/overlays/mine/rootfs/etc/new'))).toBe(false);
    // the missing parent is still reported before the editor runs, and nothing is cloned for it
    expect((await wwctl(t, 'overlay', 'edit', 'hosts', '/nope/x')).stderr).toContain("/nope does not exist. Use '--parents' option to create automatically");
    expect(existsSync(site)).toBe(false);
    // a real change: the site copy, with the change
    t.env.EDITOR = t.write('ed.sh', '#!/bin/sh\necho "# added" >> "$1"\n', 0o755);
    expect((await wwctl(t, 'overlay', 'edit', 'hosts', '/etc/hosts.ww')).code).toBe(0);
    expect(readFileSync(join(site, 'rootfs/etc/hosts.ww'), 'utf8')).toMatch(/# added\n$/);
    expect((await wwctl(t, 'overlay', 'list', 'hosts')).stdout).toMatch(/hosts\s+\d+\s+true/);
    expect((await wwctl(t, 'overlay', 'edit', 'hosts', '/etc/foo.ww')).code).toBe(0);
    expect(readFileSync(join(site, 'rootfs/etc/foo.ww'), 'utf8')).toMatch(/-\}\}\n# added\n$/);
  });

  it('no command writes through a symlink in an overlay, or outside it', async () => {
    const t = world(1);
    const outside = join(t.root, 'outside');
    mkdirSync(outside);
    symlinkSync(outside, join(t.root, 'var/lib/warewulf/overlays/b/rootfs/evil'));
    const src = t.write('src.txt', 'x\n');
    t.env.EDITOR = t.write('ed.sh', '#!/bin/sh\necho pwned > "$1"\n', 0o755);
    for (const args of [
      ['import', 'b', src, '/evil/f'],
      ['edit', 'b', 'evil/f'],
      ['mkdir', 'b', 'evil/d'],
      ['import', 'b', src, '../../../../outside/f'],
      ['mkdir', 'b', '../x'],
    ]) {
      const r = await wwctl(t, 'overlay', ...args);
      expect(r.code, args.join(' ')).toBe(255);
      expect(r.stderr).toMatch(/symlink|leaves the overlay/);
    }
    expect(readdirSync(outside)).toEqual([]);
    writeFileSync(join(t.root, 'var/lib/warewulf/overlays/b/rootfs/etc/motd'), 'static\n');
  });
});
