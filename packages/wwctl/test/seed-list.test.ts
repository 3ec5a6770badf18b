/**
 * The seed's `wwctl node list node01` table is an exact requirement: a
 * nodes.conf whose values come from where the seed says (profile `default`
 * gives the comment, the container, an overridden kernel, the IPMI netmask
 * and the mtu tag; the node sets the rest; the rest are built-in defaults)
 * must print those 31 rows byte for byte.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED, makeRoot, wwctl } from './helpers.js';

/** The seed's block, read from the seed itself (with a copy for machines without ../shared). */
function seedTable(): string {
  const seedFile = join(SHARED, 'seed-warewulf-v4.md');
  const copy = readFileSync(join(import.meta.dirname, 'fixtures', 'seed-node-list.txt'), 'utf8');
  if (!existsSync(seedFile)) return copy;
  const md = readFileSync(seedFile, 'utf8');
  const section = md.slice(md.indexOf('## Output of `wwctl node list node01`'));
  const block = /```\n([\s\S]*?)```/.exec(section)?.[1];
  expect(block).toBeDefined();
  expect(block).toBe(copy); // the copy must not drift from the seed
  return block as string;
}

// the seed's era: 4.2/4.3 vocabulary (container name, kernel override, netdev `default: true`)
const LEGACY = `WW_INTERNAL: 43
nodeprofiles:
  default:
    comment: This profile is automatically included for each node
    container name: tw
    kernel override: leap15.2
    ipmi netmask: 255.255.255.0
    network devices:
      default:
        tags:
          mtu: "1500"
nodes:
  node01:
    discoverable: true
    kernel override: leap15.3
    ipmi ipaddr: 10.10.10.10
    ipmi username: admin
    network devices:
      default:
        device: eth0
        hwaddr: 52:54:00:08:a7:c0
        ipaddr: 10.10.18.11
        onboot: true
        default: true
`;

// the same cluster in today's vocabulary
const MODERN = `nodeprofiles:
  default:
    comment: This profile is automatically included for each node
    image name: tw
    kernel:
      version: leap15.2
    ipmi:
      netmask: 255.255.255.0
    network devices:
      default:
        tags:
          mtu: "1500"
nodes:
  node01:
    discoverable: "true"
    profiles:
      - default
    kernel:
      version: leap15.3
    ipmi:
      username: admin
      ipaddr: 10.10.10.10
    network devices:
      default:
        onboot: "true"
        device: eth0
        hwaddr: 52:54:00:08:A7:C0
        ipaddr: 10.10.18.11
    primary network: default
`;

describe('wwctl node list -a node01 prints the seed table', () => {
  it.each([
    ['4.3 vocabulary', LEGACY],
    ['current vocabulary', MODERN],
  ])('from a nodes.conf in the %s', async (_label, conf) => {
    const t = makeRoot(conf);
    const r = await wwctl(t, 'node', 'list', '-a', 'node01');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(seedTable());
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(33); // # line, header, 31 rows
  });

  it('built the same table by wwctl commands alone', async () => {
    const t = makeRoot('nodeprofiles: {default: {}}\nnodes: {}\n');
    const steps = [
      ['profile', 'set', '--yes', 'default', '--comment', 'This profile is automatically included for each node', '--image', 'tw',
        '--kernelversion', 'leap15.2', '--ipminetmask', '255.255.255.0', '--nettagadd', 'mtu=1500'],
      ['node', 'add', 'node01', '--discoverable', '--kernelversion', 'leap15.3', '--ipmiaddr', '10.10.10.10', '--ipmiuser', 'admin',
        '--netdev', 'eth0', '--hwaddr', '52:54:00:08:A7:C0', '--ipaddr', '10.10.18.11', '--onboot', '--primarynet', 'default'],
    ];
    for (const s of steps) expect((await wwctl(t, ...s)).code).toBe(0);
    const r = await wwctl(t, 'node', 'list', '-a', 'node01');
    expect(r.stdout).toBe(seedTable());
  });

  it('marks a node value over a profile value SUPERSEDED and shows extra fields only when set', async () => {
    const t = makeRoot(MODERN);
    await wwctl(t, 'node', 'set', '--yes', 'node01', '--comment', 'mine', '--tagadd', 'rack=r1');
    const r = await wwctl(t, 'node', 'list', '-a', 'node01');
    expect(r.stdout).toContain(`${'node01'.padEnd(20)} ${'Comment'.padEnd(18)} ${'SUPERSEDED'.padEnd(12)} mine\n`);
    expect(r.stdout).toContain(`${'node01'.padEnd(20)} ${'Tag[rack]'.padEnd(18)} ${'--'.padEnd(12)} r1\n`);
    expect(r.stdout).not.toContain('IpmiPassword');
  });

  it('machine-readable provenance with -a -j', async () => {
    const t = makeRoot(MODERN);
    const r = await wwctl(t, 'node', 'list', '-a', '-j', 'node01');
    const rows = JSON.parse(r.stdout) as { field: string; source: string; value: string; origin: string }[];
    expect(rows.find((x) => x.field === 'KernelOverride')).toMatchObject({ source: 'SUPERSEDED', value: 'leap15.3', origin: 'superseded' });
    expect(rows.find((x) => x.field === 'KernelArgs')).toMatchObject({ source: '--', value: '(quiet crashkernel=no vga=791)', origin: 'default' });
    expect(rows.find((x) => x.field === 'default:TAG[mtu]')).toMatchObject({ source: 'default', origin: 'profile' });
  });
});
