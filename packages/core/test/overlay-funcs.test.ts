/** Warewulf's template functions and the output slot rules (§5.5, §5.6). */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileTemplate, systemdEscape, systemdEscapePath, TemplateFileError, uniqueField } from '../src/overlay/index.js';
import { makeWorld } from './overlay-fixture.js';

const world = makeWorld();
afterAll(() => world.cleanup());

const render = (text: string, path = 'etc/x.ww', node = 'node1') =>
  compileTemplate({ overlay: 'ov', path, source: `/ovl/${path}` }, text, world.env).render(world.data(node));

function thrown(f: () => unknown): TemplateFileError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(TemplateFileError);
    return e as TemplateFileError;
  }
  throw new Error('expected an error');
}

describe('output slots', () => {
  it('without `file` the default slot (template path minus .ww) is written', () => {
    const r = render('hello {{ .Id }}\n');
    expect(r.slots).toEqual([{ name: 'etc/x', path: 'etc/x', kind: 'file', content: 'hello node1\n' }]);
    expect([r.aborted, r.nobackup]).toEqual([false, false]);
  });

  it('`file` starts named slots: relative to the template dir, absolute under the output root; the default slot is dropped', () => {
    const r = render('lost{{ file "a.conf" }}A{{ file "/srv/b" }}B{{ file "sub/../c" }}C', 'etc/net/x.ww');
    expect(r.slots.map((s) => [s.name, s.path, s.content])).toEqual([
      ['a.conf', 'etc/net/a.conf', 'A'],
      ['/srv/b', 'srv/b', 'B'],
      ['sub/../c', 'etc/net/c', 'C'],
    ]);
    expect(r.partial).toBe('lostABC');
  });

  it('a default slot turned into a symlink before `file` is kept; softlink after `file` links that slot', () => {
    const r = render('{{ softlink "/usr/share/zoneinfo/UTC" }}{{ file "b" }}{{ softlink "../t" }}ignored');
    expect(r.slots).toEqual([
      { name: 'etc/x', path: 'etc/x', kind: 'symlink', content: '', target: '/usr/share/zoneinfo/UTC' },
      { name: 'b', path: 'etc/b', kind: 'symlink', content: 'ignored', target: '../t' },
    ]);
  });

  it('abort stops at once and writes nothing; the partial text is kept for overlay show', () => {
    const r = render('before {{ .Id }}{{ abort }} after');
    expect(r).toMatchObject({ aborted: true, slots: [], partial: 'before node1' });
  });

  it('nobackup is recorded', () => {
    expect(render('{{ nobackup }}x').nobackup).toBe(true);
  });
});

describe('paths never leave their root', () => {
  it('`file` climbing out of the output root is an error naming overlay, file, line and column', () => {
    const e = thrown(() => render('ok\n  {{ file "../../../etc/shadow" }}', 'etc/x.ww'));
    expect(e.code).toBe('WW_ERR_PATH_ESCAPE');
    expect([e.overlay, e.file, e.line, e.col]).toEqual(['ov', 'etc/x.ww', 2, 5]);
    expect(e.message).toBe('overlay ov: etc/x.ww:2:5: executing "etc/x.ww" at <file "../../../etc/shadow">: error calling file: file "../../../etc/shadow" escapes its root');
  });

  it('a relative Include climbing out of <sysconfdir>/warewulf is refused; absolute paths read the server root', () => {
    expect(thrown(() => render('{{ Include "../../../etc/passwd" }}')).code).toBe('WW_ERR_PATH_ESCAPE');
    expect(render('{{ Include "/etc/group" }}|').slots[0]!.content).toBe('root:x:0:\nwwuser:x:2000:|');
    expect(render('[{{ Include "/no/such/file" }}]').slots[0]!.content).toBe('[]');
    expect(render('{{ Include "keys/ssh_host_ed25519_key.pub" }}').slots[0]!.content).toBe('ssh-ed25519 FAKE');
  });

  it('IncludeFrom follows an image symlink inside the image, never to the server', () => {
    const root = world.env.imageRoot!('rockylinux-9')!;
    mkdirSync(join(root, 'etc', 'alt'), { recursive: true });
    writeFileSync(join(root, 'etc', 'alt', 'shadow'), 'image shadow\n');
    symlinkSync('../../../../../../../../../etc/alt/shadow', join(root, 'etc', 'evil'));
    symlinkSync('/etc/alt/shadow', join(root, 'etc', 'abs'));
    expect(render('{{ IncludeFrom .ImageName "/etc/evil" }}|{{ IncludeFrom .ImageName "/etc/abs" }}').slots[0]!.content).toBe('image shadow|image shadow');
    expect(thrown(() => render('{{ IncludeFrom .ImageName "/../../etc/passwd" }}')).code).toBe('WW_ERR_PATH_ESCAPE');
    const r = render('[{{ IncludeFrom "nosuchimage" "/etc/passwd" }}]');
    expect(r.slots[0]!.content).toBe('[]');
    expect(r.warnings).toEqual(['IncludeFrom: image nosuchimage does not exist']);
    expect(r.reads).toEqual([]);
  });

  it('records what it read (dependency tracking)', () => {
    const r = render('{{ Include "/etc/group" }}{{ IncludeFrom .ImageName "/etc/passwd" }}');
    expect(r.reads).toEqual([join(world.env.serverRoot!, 'etc/group'), join(world.env.imageRoot!('rockylinux-9')!, 'etc/passwd')]);
  });

  it('readlink and ImportLink resolve on the server', () => {
    expect(render('{{ readlink "/etc/localtime" }}').slots[0]!.content).toBe('/usr/share/zoneinfo/Europe/Paris');
    expect(render('{{ ImportLink "/etc/localtime" }}').slots[0]).toMatchObject({ kind: 'symlink', target: '/usr/share/zoneinfo/Europe/Paris' });
    expect(thrown(() => render('{{ readlink "/nope" }}')).message).toContain('error calling readlink: lstat /nope: no such file or directory');
  });
});

describe('template errors name the place', () => {
  it('a syntax error', () => {
    const e = thrown(() => render('line1\n{{ if .Id }}\nno end'));
    expect(e.code).toBe('WW_ERR_TEMPLATE');
    expect(e.message).toMatch(/^overlay ov: etc\/x\.ww:3:\d+: unexpected EOF$/);
  });

  it('an unknown function', () => {
    const e = thrown(() => render('\n\n {{ nosuchfunc .Id }}'));
    expect([e.line, e.col]).toEqual([3, 4]);
    expect(e.message).toBe('overlay ov: etc/x.ww:3:4: function "nosuchfunc" not defined');
  });

  it('a misspelt field', () => {
    expect(thrown(() => render('{{ .NetDevs.default.Ipadr }}')).message).toBe(
      'overlay ov: etc/x.ww:1:11: executing "etc/x.ww" at <.NetDevs.default.Ipadr>: can\'t evaluate field Ipadr in type NetDevData',
    );
  });
});

describe('helper functions', () => {
  it('IncludeBlock keeps the lines above the marker', () => {
    expect(render('{{ IncludeBlock "/etc/hosts" "# Do not edit after this line" }}').slots[0]!.content).toBe(
      '127.0.0.1 localhost\n10.1.1.1 site-gateway\n# Do not edit after this line',
    );
    expect(render('{{ IncludeBlock "/none" "# MARK" }}').slots[0]!.content).toBe('# MARK');
  });

  it('basename, inc, dec', () => {
    expect(render('{{ basename "/a/b.ww" }} {{ inc 1 }} {{ dec 1 }} {{ basename "" }}').slots[0]!.content).toBe('b.ww 2 0 .');
  });

  it('UniqueField keeps the first line per key, and lines without the field', () => {
    expect(uniqueField(':', 0, 'root:x:0\nbin:x:1\nroot:y:0\n\nshort\nbin:z')).toBe('root:x:0\nbin:x:1\n\nshort');
    expect(uniqueField(' ', 1, 'a k1\nb k1\nc\nd k2')).toBe('a k1\nc\nd k2');
  });

  // CI installs systemd (scripts/debian-packages.txt): there a missing systemd-escape fails instead of skipping
  it.skipIf(!existsSync('/usr/bin/systemd-escape') && !process.env['CI'])('SystemdEscape and SystemdEscapePath agree with systemd-escape', () => {
    for (const s of ['/scratch', '/var/tmp', 'a b-c', '.hidden/x', '/', 'ünï', 'a:b_c.d', '//x//y/']) {
      const plain = spawnSync('systemd-escape', ['--', s], { encoding: 'utf8' }).stdout.trim();
      expect(systemdEscape(s), s).toBe(plain);
      const path = spawnSync('systemd-escape', ['--path', '--', s], { encoding: 'utf8' });
      if (path.status === 0) expect(systemdEscapePath(s), s).toBe(path.stdout.trim());
    }
    expect(render('{{ SystemdEscapePath "/var/tmp" }}.mount').slots[0]!.content).toBe('var-tmp.mount');
  });

  it('IgnitionJson describes the disks and file systems', () => {
    const j = JSON.parse(render('{{ IgnitionJson }}').slots[0]!.content);
    expect(j.ignition).toEqual({ version: '3.1.0' });
    expect(j.storage.disks).toEqual([
      { device: '/dev/vda', wipeTable: true, partitions: [{ label: 'scratch', number: 1, sizeMiB: 1024, shouldExist: true }, { label: 'swap', number: 2, sizeMiB: 512 }] },
    ]);
    expect(j.storage.filesystems[0]).toEqual({ device: '/dev/disk/by-partlabel/scratch', format: 'btrfs', path: '/scratch', mountOptions: ['noatime'] });
    expect(render('[{{ IgnitionJson }}]', 'etc/x.ww', 'node2').slots[0]!.content).toBe('[]');
  });

  it('Sprig is there, with its semantics', () => {
    expect(render('{{ splitList "," "a,b" | join "-" }} {{ default "d" .AssetKey }} {{ regexMatch "^node[0-9]$" .Id }}').slots[0]!.content).toBe('a-b d true');
  });
});
