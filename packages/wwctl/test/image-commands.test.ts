/**
 * `wwctl image list|show|kernels|delete|copy|rename|syncuser|exec` and
 * `kernel list`, on images made as plain directories under the chroot dir
 * (an image exists when its rootfs is a directory, §6).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, closeSync, copyFileSync, existsSync, lstatSync, mkdirSync, openSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WWCTL_BIN, isRoot, makeRoot, runCmd, wwctl, wwctlWithInput, type TestRoot } from '@warewulf/testenv';

const chroot = (t: TestRoot, name: string) => join(t.root, 'var/lib/warewulf/chroots', name, 'rootfs');

function image(t: TestRoot, name: string, files: Record<string, string>): string {
  const root = chroot(t, name);
  mkdirSync(root, { recursive: true });
  for (const [rel, data] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), data);
  }
  return root;
}

const NODES = `nodeprofiles:
  default:
    image name: image1
  other:
    comment: x
nodes:
  n1: {}
  n2:
    profiles: [other]
    container name: image2
  n3:
    profiles: [other]
    kernel:
      version: 5.14.0-427.18
    image name: image1
`;

describe('image kernels (§6.3)', () => {
  it("prints upstream's expected table for the spec's two images", async () => {
    const t = makeRoot('nodeprofiles: {}\nnodes: {}\n');
    const k = (v: string) => `/boot/vmlinuz-${v}`;
    image(t, 'image1', Object.fromEntries(['4.14.0-427.18.1.el8_4.x86_64', '5.14.0-427.18.1.el9_4.x86_64', '5.14.0-427.24.1.el9_4.x86_64'].map((v) => [k(v), 'k'])));
    image(t, 'image2', Object.fromEntries(['0-rescue-eb46964329b146e39518c625feab3ea0', '5.14.0-284.30.1.el9_2.aarch64', '5.14.0-362.24.1.el9_3.aarch64', '5.14.0-427.31.1.el9_4.aarch64', '5.14.0-427.31.1.el9_4.aarch64+debug'].map((v) => [k(v), 'k'])));
    const r = await wwctl(t, 'image', 'kernels');
    expect(r.stdout).toBe(`Image   Kernel                                                   Version          Default  Nodes
-----   ------                                                   -------          -------  -----
image1  /boot/vmlinuz-4.14.0-427.18.1.el8_4.x86_64               4.14.0-427.18.1  false    0
image1  /boot/vmlinuz-5.14.0-427.18.1.el9_4.x86_64               5.14.0-427.18.1  false    0
image1  /boot/vmlinuz-5.14.0-427.24.1.el9_4.x86_64               5.14.0-427.24.1  true     0
image2  /boot/vmlinuz-0-rescue-eb46964329b146e39518c625feab3ea0  --               false    0
image2  /boot/vmlinuz-5.14.0-284.30.1.el9_2.aarch64              5.14.0-284.30.1  false    0
image2  /boot/vmlinuz-5.14.0-362.24.1.el9_3.aarch64              5.14.0-362.24.1  false    0
image2  /boot/vmlinuz-5.14.0-427.31.1.el9_4.aarch64              5.14.0-427.31.1  true     0
image2  /boot/vmlinuz-5.14.0-427.31.1.el9_4.aarch64+debug        5.14.0-427.31.1  false    0
`);
    // nodes: n1 (profile) and n3 boot image1's default and a pinned version; n2 (legacy key) image2's default
    t.writeNodesConf(NODES);
    const nodes = (await wwctl(t, 'image', 'kernels', 'image1', 'image2')).stdout.split('\n').filter((l) => / [1-9]$/.test(l)).map((l) => l.split(/\s+/).filter(Boolean));
    expect(nodes).toEqual([
      ['image1', '/boot/vmlinuz-5.14.0-427.18.1.el9_4.x86_64', '5.14.0-427.18.1', 'false', '1'],
      ['image1', '/boot/vmlinuz-5.14.0-427.24.1.el9_4.x86_64', '5.14.0-427.24.1', 'true', '1'],
      ['image2', '/boot/vmlinuz-5.14.0-427.31.1.el9_4.aarch64', '5.14.0-427.31.1', 'true', '1'],
    ]);
    const legacy = await wwctl(t, 'kernel', 'list');
    expect(legacy.stdout.split('\n')[0]).toBe(`${'KERNEL NAME'.padEnd(35)} ${'KERNEL VERSION'.padEnd(25)} NODES`);
    expect(legacy.stdout).toContain(`${'5.14.0-427.24.1.el9_4.x86_64'.padEnd(35)} ${'5.14.0-427.24.1'.padEnd(25)} 1\n`);
  });
});

describe('kernel list (§1.6) with 4.3-imported kernels', () => {
  it('counts each node once, under the kernel it boots', async () => {
    const t = makeRoot(`nodeprofiles: {}
nodes:
  a: {image name: image1, kernel: {version: mykernel}}
  b: {image name: ghost, kernel: {version: mykernel}}
  c: {image name: image1, kernel: {version: 5.14.0-427.24.1.el9_4.x86_64}}
  d: {image name: image1}
  e: {image name: image1, kernel: {version: /boot/custom-kernel}}
`);
    image(t, 'image1', { 'boot/vmlinuz-5.14.0-427.18.1.el9_4.x86_64': 'k', 'boot/vmlinuz-5.14.0-427.24.1.el9_4.x86_64': 'k', 'boot/custom-kernel': 'k' });
    // 4.3 imports: one under its own name, one named by its version (4.3's default name)
    for (const [name, version] of [['mykernel', '5.14.0-427.24.1.el9_4.x86_64'], ['5.14.0-427.24.1.el9_4.x86_64', '5.14.0-427.24.1.el9_4.x86_64']] as const) {
      mkdirSync(join(t.root, 'var/lib/warewulf/provision/kernel', name), { recursive: true });
      writeFileSync(join(t.root, 'var/lib/warewulf/provision/kernel', name, 'version'), `${version}\n`);
    }
    const r = await wwctl(t, 'kernel', 'list');
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout.trim().split('\n').slice(1).map((l) => l.split(/\s+/));
    // a (mykernel -> its recorded version), c and d boot 427.24.1; b's image does not exist: it boots nothing; e its file
    expect(rows).toEqual([
      ['5.14.0-427.24.1.el9_4.x86_64', '5.14.0-427.24.1.el9_4.x86_64', '3'],
      ['mykernel', '5.14.0-427.24.1.el9_4.x86_64', '0'],
      ['5.14.0-427.18.1.el9_4.x86_64', '5.14.0-427.18.1', '0'],
      ['custom-kernel', '1'], // version column empty
    ]);
  });
});

describe('list, show, delete, copy, rename', () => {
  it('list and show report nodes and kernels; delete is refused while a node or profile uses the image', async () => {
    const t = makeRoot(NODES);
    image(t, 'image1', { 'bin/sh': 'sh', 'boot/vmlinuz-6.1.0-57-amd64': 'k' });
    image(t, 'image2', { 'bin/sh': 'sh' });
    image(t, 'spare', { 'bin/sh': 'sh', 'etc/data': 'x'.repeat(3000) });
    mkdirSync(join(t.root, 'var/lib/warewulf/chroots/.import-x-999999999-abcd/rootfs'), { recursive: true }); // staging: never listed
    expect((await wwctl(t, 'image', 'list')).stdout).toBe('IMAGE NAME\n----------\nimage1\nimage2\nspare\n');
    expect((await wwctl(t, 'image', 'list', '-k')).stdout).toBe(
      'IMAGE NAME  NODES  KERNEL VERSION\n----------  -----  --------------\nimage1      2      6.1.0-57\nimage2      1      --\nspare       0      --\n',
    );
    expect((await wwctl(t, 'image', 'list', '-s', '-c', 'spare')).stdout).toContain('spare       0      2.9 KiB');
    expect((await wwctl(t, 'image', 'list', '-s', 'spare')).stdout).toContain('spare       0      --');
    expect((await wwctl(t, 'image', 'build', 'spare')).code).toBe(0);
    expect((await wwctl(t, 'image', 'list', '-l', 'spare')).stdout).toMatch(/^spare\s+0\s+--\s+\d\d \w\w\w \d\d \d\d:\d\d UTC\s+\d\d \w\w\w \d\d \d\d:\d\d UTC\s+\d+\.\d KiB$/m);
    expect((await wwctl(t, 'image', 'show', 'image1')).stdout).toBe(`${chroot(t, 'image1')}\n`);
    expect((await wwctl(t, 'image', 'show', '-a', 'image1')).stdout).toBe(
      `Name: image1\nKernelVersion: 6.1.0-57\nRootfs: ${chroot(t, 'image1')}\nNr nodes: 2\nNodes: [n1 n3]\n`,
    );
    const used = await wwctl(t, 'image', 'delete', '--yes', 'image1');
    expect(used.code).toBe(255);
    expect(used.stderr).toContain('ERROR: image image1 is in use by node n3, cannot delete');
    expect(existsSync(chroot(t, 'image1'))).toBe(true);
    const legacyRef = await wwctl(t, 'image', 'delete', '--yes', 'image2');
    expect(legacyRef.stderr).toContain('image image2 is in use by node n2');
    const noTty = await wwctl(t, 'image', 'delete', 'spare');
    expect(noTty.stdout).toContain('No changes made!');
    const ok = await wwctl(t, 'image', 'delete', '--yes', 'spare');
    expect(ok.code).toBe(0);
    expect(existsSync(join(t.root, 'var/lib/warewulf/chroots/spare'))).toBe(false);
    expect(existsSync(join(t.root, 'var/lib/warewulf/provision/images/spare.img'))).toBe(false);
    expect((await wwctl(t, 'image', 'delete', '--yes', '--force', 'image2')).code).toBe(0);
  });

  it('copy makes an independent image; rename moves it and every node and profile follows', async () => {
    const t = makeRoot(NODES);
    image(t, 'image1', { 'bin/sh': 'sh' });
    expect((await wwctl(t, 'image', 'copy', 'image1', 'copy1')).code).toBe(0);
    writeFileSync(join(chroot(t, 'copy1'), 'only-in-copy'), 'x');
    expect(existsSync(join(chroot(t, 'image1'), 'only-in-copy'))).toBe(false);
    expect((await wwctl(t, 'image', 'copy', 'image1', 'copy1')).stderr).toBe('ERROR: image already exists: copy1\n');
    expect((await wwctl(t, 'image', 'copy', 'nope', 'x')).stderr).toBe('ERROR: image does not exist: nope\n');
    expect((await wwctl(t, 'image', 'build', 'image1')).code).toBe(0);
    const r = await wwctl(t, 'image', 'rename', 'image1', 'rocky:9.4');
    expect(r.code).toBe(0);
    expect(existsSync(chroot(t, 'rocky:9.4'))).toBe(true);
    expect(existsSync(join(t.root, 'var/lib/warewulf/chroots/image1'))).toBe(false);
    expect(existsSync(join(t.root, 'var/lib/warewulf/provision/images/image1.img'))).toBe(false);
    const conf = t.readNodesConf();
    expect(conf).not.toContain('image1');
    expect(conf.match(/image name: rocky:9.4/g)).toHaveLength(2); // profile default and node n3
    expect(conf).toContain('container name: image2'); // another image: untouched
    expect((await wwctl(t, 'image', 'show', '-a', 'rocky:9.4')).stdout).toContain('Nodes: [n1 n3]');
    expect((await wwctl(t, 'image', 'rename', 'rocky:9.4', '../up')).stderr).toContain('invalid image name: "../up"');
  });
});

describe('4.3 vocabulary', () => {
  it('`container import --setdefault` sets the image on profile default (as today\'s `image name`)', async () => {
    const t = makeRoot('nodeprofiles:\n  default:\n    container name: old\nnodes:\n  n1: {}\n');
    const src = image(t, 'src', { 'bin/sh': 'sh' });
    const r = await wwctl(t, 'container', 'import', '--setdefault', src, 'fresh');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Set default profile to image: fresh');
    expect(t.readNodesConf()).toContain('image name: fresh');
    expect(t.readNodesConf()).not.toContain('container name');
    expect((await wwctl(t, 'vnfs', 'list', '-k', 'fresh')).stdout).toMatch(/^fresh\s+1\s+--$/m);
  });
});

describe('syncuser', () => {
  it('reports every collision and changes nothing', async () => {
    const t = makeRoot('nodes: {}\n');
    t.write('etc/passwd', 'root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n');
    t.write('etc/group', 'root:x:0:\nalice:x:1000:\n');
    const passwd = 'root:x:0:0::/root:/bin/sh\nbob:x:1000:1000::/home/bob:/bin/sh\n';
    const root = image(t, 'img', { 'bin/sh': 'sh', 'etc/passwd': passwd, 'etc/group': 'root:x:0:\nbob:x:1000:\n' });
    const r = await wwctl(t, 'image', 'syncuser', 'img');
    expect(r.code).toBe(255);
    expect(r.stderr).toContain('ERROR: id(1000) collision: host(alice) image(bob); gid(1000) collision: host(alice) image(bob)');
    expect(readFileSync(join(root, 'etc/passwd'), 'utf8')).toBe(passwd);
  });

  it.skipIf(!isRoot)('moves image ids to the server ids, keeping setuid bits, and merges passwd (root)', async () => {
    const t = makeRoot('nodes: {}\n');
    t.write('etc/passwd', 'root:x:0:0::/root:/bin/sh\nmunge:x:990:990::/run/munge:/bin/false\n');
    t.write('etc/group', 'root:x:0:\nmunge:x:990:\n');
    const root = image(t, 'img', {
      'bin/sh': 'sh',
      'etc/passwd': 'root:x:0:0::/root:/bin/sh\nmunge:x:501:501::/run/munge:/bin/false\nlocal:x:600:600::/:/bin/false\n',
      'etc/group': 'root:x:0:\nmunge:x:501:\nlocal:x:600:\n',
      'usr/bin/munged': 'm',
    });
    chownSync(join(root, 'usr/bin/munged'), 501, 501);
    chmodSync(join(root, 'usr/bin/munged'), 0o6755);
    const check = await wwctl(t, 'image', 'syncuser', '--write=false', 'img');
    expect(check.stdout).toContain('uid/gid not synced: run `wwctl image syncuser --write=true img` to synchronize');
    const r = await wwctl(t, 'image', 'syncuser', 'img');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('uid/gid synced for image img');
    const st = statSync(join(root, 'usr/bin/munged'));
    expect([st.uid, st.gid, st.mode & 0o7777]).toEqual([990, 990, 0o6755]);
    expect(readFileSync(join(root, 'etc/passwd'), 'utf8')).toBe('root:x:0:0::/root:/bin/sh\nmunge:x:990:990::/run/munge:/bin/false\nlocal:x:600:600::/:/bin/false\n');
    expect((await wwctl(t, 'image', 'syncuser', '--write=false', 'img')).stdout).toContain('uid/gid already synced');
  });
});

describe.skipIf(!isRoot)('image exec (root)', () => {
  function busyboxImage(t: TestRoot): string {
    const root = chroot(t, 'bb');
    mkdirSync(join(root, 'bin'), { recursive: true });
    copyFileSync('/bin/busybox', join(root, 'bin/busybox'));
    chmodSync(join(root, 'bin/busybox'), 0o755);
    for (const a of ['sh', 'cat', 'ls', 'true', 'false', 'test']) symlinkSync('busybox', join(root, 'bin', a));
    return root;
  }

  it("`image exec NAME -- /bin/sh -c 'echo hi > /x'` changes the image and triggers a rebuild; an unchanged image is not rebuilt", async () => {
    const t = makeRoot('nodes: {}\n');
    const root = busyboxImage(t);
    expect((await wwctl(t, 'image', 'build', 'bb')).code).toBe(0);
    const img = join(t.root, 'var/lib/warewulf/provision/images/bb.img');
    const before = statSync(img).mtimeMs;
    const r = await wwctl(t, 'image', 'exec', 'bb', '--', '/bin/sh', '-c', 'echo hi > /x; test -d /proc/self && echo proc-mounted; echo "$WW_IMAGE_SHELL"');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('proc-mounted\nbb\n');
    expect(r.stdout).toContain('Building image: bb');
    expect(readFileSync(join(root, 'x'), 'utf8')).toBe('hi\n');
    expect(statSync(img).mtimeMs).toBeGreaterThan(before);
    // the mount points came from placeholders: the image still has no /proc, /dev, /sys, /run, /etc
    for (const d of ['proc', 'dev', 'sys', 'run', 'etc']) expect(existsSync(join(root, d))).toBe(false);
    expect(existsSync(join(t.root, 'var/lib/warewulf/chroots/bb/run'))).toBe(false);
    const same = await wwctl(t, 'image', 'exec', 'bb', '/bin/cat', '/x');
    expect(same.stdout).toBe('hi\nSkipping (Image is current): bb\n');
    const fail = await wwctl(t, 'image', 'exec', 'bb', '--', '/bin/sh', '-c', 'echo changed > /x; exit 3');
    expect(fail.code).toBe(255);
    expect(fail.stderr).toContain('ERROR: command returned an error: exit status 3');
    expect(fail.stdout).not.toContain('Building image');
  });

  it('stdin reaches the command when it is not a terminal: a piped script and a `< file` run inside the image (the real binary), output piped back', async () => {
    const t = makeRoot('nodes: {}\n');
    const root = busyboxImage(t);
    const piped = await runCmd(process.execPath, [WWCTL_BIN, 'image', 'exec', 'bb', '--', '/bin/sh'], {
      env: t.env,
      input: 'echo "hi from $WW_IMAGE_SHELL"; echo piped > /from-stdin; ls -l /proc/self/fd/0 >&2\n',
    });
    expect(piped.code).toBe(0);
    expect(piped.stdout.toString()).toContain('hi from bb\n');
    expect(piped.stderr).not.toContain('/dev/null');
    expect(readFileSync(join(root, 'from-stdin'), 'utf8')).toBe('piped\n');
    expect(piped.stdout.toString()).toContain('Building image: bb');

    // `image shell bb < setup.sh` (stdin a file, stdout a pipe)
    const script = join(t.root, 'setup.sh');
    writeFileSync(script, 'echo from-file > /from-file\necho "shell ran: $WW_IMAGE_SHELL"\n');
    const fd = openSync(script, 'r');
    const shell = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [WWCTL_BIN, 'image', 'shell', 'bb'], { env: { ...t.env, SHELL: '/bin/sh' }, stdio: [fd, 'pipe', 'inherit'] });
      let out = '';
      child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, out }));
    });
    closeSync(fd);
    expect(shell.code).toBe(0);
    expect(shell.out).toContain('shell ran: bb\n');
    expect(readFileSync(join(root, 'from-file'), 'utf8')).toBe('from-file\n');

    // bytes in, the same bytes out (descriptors passed as they are: nothing decoded on the way)
    const bytes = randomBytes(256 * 1024);
    const cat = await runCmd(process.execPath, [WWCTL_BIN, 'image', 'exec', '--build=false', 'bb', '/bin/cat'], { env: t.env, input: bytes });
    expect(cat.code).toBe(0);
    expect(cat.stdout.equals(bytes)).toBe(true);
  });

  it('stdin given to wwctl in process as a stream is piped to the command; a command that reads none of it still ends cleanly', async () => {
    const t = makeRoot('nodes: {}\n');
    const root = busyboxImage(t);
    const run = (input: string, ...args: string[]) => wwctlWithInput(t, input, ...args);
    const r = await run('echo in-process > /x; cat /x\n', 'image', 'exec', 'bb', '--', '/bin/sh');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('in-process\n');
    expect(readFileSync(join(root, 'x'), 'utf8')).toBe('in-process\n');
    const ignored = await run('x'.repeat(1 << 20), 'image', 'exec', '--build=false', 'bb', '/bin/true');
    expect(ignored).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('a running (or crashed) exec holds the image: a second one is refused; delete refuses to remove a used image', async () => {
    const t = makeRoot('nodeprofiles:\n  default:\n    image name: bb\nnodes:\n  n1: {}\n');
    busyboxImage(t);
    mkdirSync(join(t.root, 'var/lib/warewulf/chroots/bb/run'));
    const r = await wwctl(t, 'image', 'exec', 'bb', '/bin/true');
    expect(r.stderr).toContain('run directory already exists: another image command may already be running');
    const d = await wwctl(t, 'image', 'delete', '--yes', 'bb');
    expect(d.stderr).toContain('image bb is in use by profile default, cannot delete');
    expect(lstatSync(chroot(t, 'bb')).isDirectory()).toBe(true);
  });
});
