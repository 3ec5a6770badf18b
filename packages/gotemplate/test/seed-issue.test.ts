// The seed's issue.ww overlay renders to the seed's output for node01.
import { readFileSync } from 'node:fs';
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

describe('seed issue.ww', () => {
  it('renders the seed output', () => {
    const text = readFileSync(path.join(import.meta.dirname, 'fixtures/issue.ww'), 'utf8');
    const t = parseTemplate('issue.ww', text);
    expect(t.execute(node)).toBe(expected);
  });
  it('shows the Kernel line when a version is set', () => {
    const text = readFileSync(path.join(import.meta.dirname, 'fixtures/issue.ww'), 'utf8');
    const out = parseTemplate('issue.ww', text).execute({ ...node, Kernel: { Version: '5.14', Args: 'quiet' } });
    expect(out).toContain('Kernel:             5.14 Kernelargs:         quiet\n');
  });
});
