// The fixture world of the overlay golden tests: nodes.conf and warewulf.conf
// from fixtures/overlays, a server root with the files templates include
// (/etc/hosts, /root/.ssh/authorized_keys, /etc/localtime, keys), an image
// rootfs with /etc/passwd and /etc/group, a fixed build time and host name.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { NodeMerger, parseNodesConf, resolvePaths, type MergedNode } from '../src/index.js';
import { parseWarewulfConf } from '../src/config/index.js';
import { compileTemplate, TemplateBuild, type NodeData, type OutputSlot, type RenderResult, type TemplateEnv } from '../src/overlay/index.js';

// .BuildTime is local time: pin the zone so the golden files do not depend on the machine's
process.env['TZ'] = 'UTC';

export const REPO = resolve(import.meta.dirname, '..', '..', '..');
export const OVERLAYS = join(REPO, 'overlays');
export const FIXTURES = join(import.meta.dirname, 'fixtures', 'overlays');

export interface World {
  dir: string;
  env: TemplateEnv;
  build: TemplateBuild;
  nodes: Map<string, MergedNode>;
  data(id: string): NodeData;
  cleanup(): void;
}

const put = (path: string, text: string) => {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
};

export function makeWorld(opts: { nodesConf?: string; warewulfConf?: string; keys?: Record<string, string> } = {}): World {
  const dir = mkdtempSync(join(tmpdir(), 'ww-overlay-world-'));
  const serverRoot = join(dir, 'server');
  put(join(serverRoot, 'etc', 'hosts'), '127.0.0.1 localhost\n10.1.1.1 site-gateway\n# Do not edit after this line\nold generated lines\n');
  put(join(serverRoot, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/bash\nwwuser:x:2000:2000::/home/wwuser:/bin/bash\n');
  put(join(serverRoot, 'etc', 'group'), 'root:x:0:\nwwuser:x:2000:\n');
  put(join(serverRoot, 'root', '.ssh', 'authorized_keys'), 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTheGoldenTestOnly root@wwserver\n');
  put(join(serverRoot, 'usr', 'share', 'zoneinfo', 'Europe', 'Paris'), 'TZif');
  symlinkSync('../usr/share/zoneinfo/Europe/Paris', join(serverRoot, 'etc', 'localtime'));
  const confDir = join(serverRoot, 'etc', 'warewulf');
  for (const [name, text] of Object.entries(opts.keys ?? { ssh_host_ed25519_key: 'FAKE ED25519 PRIVATE KEY\n', 'ssh_host_ed25519_key.pub': 'ssh-ed25519 FAKE\n' })) {
    put(join(confDir, 'keys', name), text);
  }
  const imageRoot = join(dir, 'chroots', 'rockylinux-9', 'rootfs');
  put(join(imageRoot, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/bash\nbin:x:1:1:bin:/bin:/sbin/nologin\n');
  put(join(imageRoot, 'etc', 'group'), 'root:x:0:\nbin:x:1:\n');
  const conf = parseWarewulfConf(opts.warewulfConf ?? readFileSync(join(FIXTURES, 'warewulf.conf'), 'utf8'));
  const paths = resolvePaths({ env: {}, conf });
  const doc = parseNodesConf(opts.nodesConf ?? readFileSync(join(FIXTURES, 'nodes.conf'), 'utf8'));
  const merger = new NodeMerger(doc);
  const nodes = new Map<string, MergedNode>();
  for (const id of Object.keys(doc.nodes)) nodes.set(id, merger.merge(id)!);
  const build = new TemplateBuild(
    { conf, paths, hostname: 'wwserver', buildTime: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)), kernelVersion: (image) => (image === 'rockylinux-9' ? '5.14.0-427.el9.x86_64' : undefined) },
    () => nodes.values(),
  );
  const env: TemplateEnv = {
    confDir,
    serverRoot,
    imageRoot: (name) => (name === 'rockylinux-9' ? imageRoot : undefined),
  };
  return {
    dir,
    env,
    build,
    nodes,
    data: (id) => (nodes.has(id) ? build.dataFor(nodes.get(id)!) : build.hostData()),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Every `.ww` template of an overlay (paths relative to its rootfs), sorted. */
export function overlayTemplates(name: string): string[] {
  const root = join(OVERLAYS, name, 'rootfs');
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const n of readdirSync(join(root, rel)).sort()) {
      const r = rel === '' ? n : `${rel}/${n}`;
      const st = statSync(join(root, r), { throwIfNoEntry: false });
      if (st?.isDirectory()) walk(r);
      else if (n.endsWith('.ww')) out.push(r);
    }
  };
  walk('');
  return out;
}

export interface Rendered {
  template: string;
  result: RenderResult;
}

/** Render every template of an overlay for one data object. */
export function renderAll(world: World, overlay: string, data: NodeData): Rendered[] {
  return overlayTemplates(overlay).map((template) => {
    const file = join(OVERLAYS, overlay, 'rootfs', template);
    // .BuildSource as installed, so the golden files do not depend on where the repository is
    const source = `/usr/share/warewulf/overlays/${overlay}/rootfs/${template}`;
    const t = compileTemplate({ overlay, path: template, source }, readFileSync(file, 'utf8'), world.env);
    return { template, result: t.render(data) };
  });
}

/** The written slots of a rendering as `path -> text` (symlinks as `-> target`). */
export function slotsOf(rendered: Rendered[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of rendered) for (const s of r.result.slots as OutputSlot[]) out.set(s.path, s.kind === 'symlink' ? `-> ${s.target}` : s.content);
  return out;
}
