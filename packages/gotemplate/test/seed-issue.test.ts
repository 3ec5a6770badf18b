// The seed's issue.ww overlay renders to the seed's output for node01.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTemplate } from '../src/index.js';

const node = {
  Id: 'node01',
  Container: 'microOS2',
  Kernel: { Version: '', Args: 'quiet crashkernel=no vga=791' },
  NetDevs: { default: { Device: 'eth0', IpCIDR: '10.10.1.11/24', Ipaddr6: '', Hwaddr: '52:54:00:08:a7:c0' } },
};

const expected = `Warewulf Node:      node01
Container:          microOS2
Kernelargs:         quiet crashkernel=no vga=791

Network:
    default: eth0
    default: 10.10.1.11/24
    default: 52:54:00:08:a7:c0
`;

/** The seed's own template and rendering, when ../shared is there; they must equal our copies. */
function fromSeed(): { template: string; output: string } | undefined {
  const seed = path.resolve(import.meta.dirname, '..', '..', '..', '..', 'shared', 'seed-warewulf-v4.md');
  if (!existsSync(seed)) return undefined;
  const section = readFileSync(seed, 'utf8').split('## Overlay template {#issue}')[1] ?? '';
  const blocks = [...section.matchAll(/```\n([\s\S]*?)```/g)].map((m) => m[1] as string);
  return { template: blocks[0] as string, output: blocks[1] as string };
}

describe('seed issue.ww', () => {
  it('renders the seed output', () => {
    const text = readFileSync(path.join(import.meta.dirname, 'fixtures/issue.ww'), 'utf8');
    const seed = fromSeed();
    if (seed) {
      expect(text).toBe(seed.template);
      expect(expected).toBe(seed.output);
    }
    const t = parseTemplate('issue.ww', text);
    expect(t.execute(node)).toBe(expected);
  });
  it('shows the Kernel line when a version is set', () => {
    const text = readFileSync(path.join(import.meta.dirname, 'fixtures/issue.ww'), 'utf8');
    const out = parseTemplate('issue.ww', text).execute({ ...node, Kernel: { Version: '5.14', Args: 'quiet' } });
    expect(out).toContain('Kernel:             5.14 Kernelargs:         quiet\n');
  });
});
