/**
 * The seed's issue.ww, rendered from a nodes.conf through the whole chain:
 * registry → merge (with the built-in netmask default giving the /24) →
 * template data → Go-template engine → a gzip newc cpio the tools can read.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listArchive } from '@warewulf/cpio';
import { NodeMerger, parseNodesConf } from '../src/index.js';
import { nodeTemplateData, packOverlay, renderOverlay } from '../src/overlay/index.js';

const REPO = resolve(import.meta.dirname, '..', '..', '..');
const OVERLAY = join(REPO, 'overlays', 'issue');

/** The seed's expected rendering, from the seed itself when ../shared is there. */
const SEED_OUTPUT = `Warewulf Node:      node01
Container:          microOS2
Kernelargs:         quiet crashkernel=no vga=791

Network:
    default: eth0
    default: 10.10.1.11/24
    default: 52:54:00:08:a7:c0
`;

const NODES = `nodeprofiles:
  default:
    comment: This profile is automatically included for each node
    image name: microOS2
nodes:
  node01:
    network devices:
      default:
        device: eth0
        ipaddr: 10.10.1.11
        hwaddr: 52:54:00:08:A7:C0
`;

let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('overlays/issue renders the seed example', () => {
  it('the shipped issue.ww is the seed\'s template, and its rendering is the seed\'s output', async () => {
    const seed = resolve(REPO, '..', 'shared', 'seed-warewulf-v4.md');
    if (existsSync(seed)) {
      const section = readFileSync(seed, 'utf8').split('## Overlay template {#issue}')[1] ?? '';
      const blocks = [...section.matchAll(/```\n([\s\S]*?)```/g)].map((m) => m[1]);
      expect(readFileSync(join(OVERLAY, 'rootfs', 'etc', 'issue.ww'), 'utf8')).toBe(blocks[0]);
      expect(SEED_OUTPUT).toBe(blocks[1]);
    }
    const node = new NodeMerger(parseNodesConf(NODES)).merge('node01');
    expect(node).toBeDefined();
    const files = await renderOverlay(OVERLAY, nodeTemplateData(node!));
    expect(files.map((f) => `${f.type} ${f.path}`)).toEqual(['directory etc', 'file etc/issue']);
    expect(files[1]?.data).toBe(SEED_OUTPUT);
  });

  it('a misspelt field is an error naming the template, line and column (Go struct semantics)', async () => {
    const node = new NodeMerger(parseNodesConf(NODES)).merge('node01')!;
    const { parseTemplate } = await import('@warewulf/gotemplate');
    expect(() => parseTemplate('etc/motd', 'x\n{{ .Contianer }}').execute(nodeTemplateData(node))).toThrow(
      'template: etc/motd:2:3: executing "etc/motd" at <.Contianer>: can\'t evaluate field Contianer in type NodeData',
    );
  });

  it('packs the rendered overlay as a gzip newc cpio that GNU cpio and our reader list', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ww-overlay-'));
    const node = new NodeMerger(parseNodesConf(NODES)).merge('node01')!;
    const out = join(dir, 'provision', 'overlays', 'node01', '__SYSTEM__.img.gz'); // parents made on the way
    await packOverlay(await renderOverlay(OVERLAY, nodeTemplateData(node)), out);
    const ours = (await listArchive(createReadStream(out))).map((e) => e.name);
    expect(ours).toEqual(['etc', 'etc/issue']);
    const gnu = execFileSync('bash', ['-c', `gzip -dc '${out}' | cpio -i --to-stdout --quiet etc/issue`], { encoding: 'utf8' });
    expect(gnu).toBe(SEED_OUTPUT);
  });
});
