/**
 * Golden tests of the distribution overlays: the fixture nodes.conf and
 * warewulf.conf in, every rendered file out, byte for byte
 * (fixtures/overlays/expected/<overlay>/<node>/<path>; a symlink is stored
 * as a file holding `-> target`). GOLDEN_UPDATE=1 rewrites the expected
 * files (review the diff). Templates that use only Go built-ins are also
 * rendered by Go's text/template (gotemplate-ref) on the same data as JSON.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, makeWorld, OVERLAYS, renderAll, slotsOf } from './overlay-fixture.js';
// @ts-expect-error plain JS module shared with the bench script
import { goJSONData } from '../../../bench/overlays/go-json.mjs';

const EXPECTED = join(FIXTURES, 'expected');
const UPDATE = !!process.env['GOLDEN_UPDATE'];

/** overlay -> nodes it is rendered for (`wwserver`: the host overlay's pseudo node). */
const CASES: Record<string, string[]> = {
  hostname: ['node1'],
  hosts: ['node1'],
  issue: ['node1', 'node3'],
  resolv: ['node1'],
  fstab: ['node1', 'node2'],
  'ssh.authorized_keys': ['node1'],
  'ssh.host_keys': ['node1'],
  syncuser: ['node1', 'node2'],
  ifcfg: ['node1', 'node3'],
  NetworkManager: ['node1'],
  'systemd.networkd': ['node1', 'node3'],
  ifupdown: ['node1'],
  'debian.interfaces': ['node1'],
  'udev.netname': ['node1'],
  'systemd.netname': ['node1', 'node3'],
  localtime: ['node1', 'node2'],
  chrony: ['node1', 'node2'],
  debug: ['node1'],
  host: ['wwserver'],
  generic: ['node2'],
  wwinit: ['node1', 'node2'],
  wwclient: ['node1'],
  sfdisk: ['node1', 'node2'],
  mkfs: ['node1', 'node2'],
  mkswap: ['node1', 'node2'],
  'systemd.mount': ['node1', 'node2'],
  'systemd.swap': ['node1', 'node2'],
};

const world = makeWorld();
afterAll(() => world.cleanup());

function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const n of readdirSync(join(dir, rel)).sort()) {
      const r = rel === '' ? n : `${rel}/${n}`;
      if (statSync(join(dir, r)).isDirectory()) walk(r);
      else out.set(r, readFileSync(join(dir, r), 'utf8'));
    }
  };
  if (existsSync(dir)) walk('');
  return out;
}

describe('distribution overlays render their golden files', () => {
  it('every distribution overlay has a golden case', () => {
    expect(readdirSync(OVERLAYS).filter((n) => statSync(join(OVERLAYS, n)).isDirectory()).sort()).toEqual(Object.keys(CASES).sort());
  });

  for (const [overlay, nodes] of Object.entries(CASES)) {
    for (const node of nodes) {
      it(`${overlay} for ${node}`, () => {
        const got = slotsOf(renderAll(world, overlay, world.data(node)));
        const dir = join(EXPECTED, overlay, node);
        if (UPDATE) {
          rmSync(dir, { recursive: true, force: true });
          for (const [path, text] of got) {
            mkdirSync(dirname(join(dir, path)), { recursive: true });
            writeFileSync(join(dir, path), text);
          }
        }
        expect(Object.fromEntries(got)).toEqual(Object.fromEntries(readTree(dir)));
      });
    }
  }
});

/** Templates whose functions are all Go built-ins or the reference's identical ones (hasPrefix, default). */
const GO_CHECKED: [string, string, string][] = [
  ['hostname', 'etc/hostname.ww', 'node1'],
  ['hosts', 'etc/hosts.ww', 'node1'],
  ['issue', 'etc/issue.ww', 'node1'],
  ['issue', 'etc/issue.ww', 'node3'],
  ['fstab', 'etc/fstab.ww', 'node1'],
  ['udev.netname', 'etc/udev/rules.d/70-persistent-net.rules.ww', 'node1'],
];

describe("the same bytes from Go's text/template (gotemplate-ref)", () => {
  let bin = '';
  const ref = () => {
    if (bin === '') {
      bin = execFileSync('bash', [join(FIXTURES, '..', '..', '..', '..', '..', '..', 'shared', 'tools', 'gotemplate-ref', 'build.sh'), join(FIXTURES, '..', '..', '..', '..', '..', '.cache', 'gotemplate-ref')], { encoding: 'utf8' }).trim().split('\n').pop()!;
    }
    return bin;
  };
  it.each(GO_CHECKED)('%s %s for %s', (overlay, template, node) => {
    const data = world.data(node);
    const ours = slotsOf(renderAll(world, overlay, data)).get(template.slice(0, -3));
    const tpl = join(OVERLAYS, overlay, 'rootfs', template);
    const json = join(world.dir, 'data.json');
    writeFileSync(json, JSON.stringify(goJSONData(data)));
    const go = execFileSync(ref(), ['-name', template, tpl, json], { encoding: 'utf8' });
    expect(go).toBe(ours);
  }, 120_000);
});
