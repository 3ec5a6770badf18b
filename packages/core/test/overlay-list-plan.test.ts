/**
 * The builder's per-list renderer (ListRenderer) gives exactly what
 * renderImage gives, node by node: the same entries in the same order, the
 * same shared part, reads and warnings, and the same packed bytes; also
 * where a node's output lands on a path another overlay of the list writes
 * (the merge order decides), for some nodes of a list and not others.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NodeDb } from '../src/node/nodedb.js';
import { parseNodesConf } from '../src/node/document.js';
import { OverlayStore } from '../src/overlay/store.js';
import { OverlayCompiler } from '../src/overlay/build/compiler.js';
import { ListRenderer } from '../src/overlay/build/list-plan.js';
import { packImage, renderImage, type SharedRenders } from '../src/overlay/build/image.js';
import { TemplateBuild } from '../src/overlay/template-data.js';
import type { CompiledTemplate, RenderResult } from '../src/overlay/compile.js';
import { defaultWarewulfConf } from '../src/config/defaults.js';
import { resolvePaths } from '../src/config/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'ww-list-plan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function put(rel: string, text: string): void {
  const p = join(dir, 'site', rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
}

// `own` writes per node, sometimes onto `late`'s static file (later in the list: the static file wins),
// and sometimes onto `early`'s (earlier: the rendered file wins); `twice` writes one path from two templates
// for n3; `deep` writes where no overlay has a directory; `hosts` reads only .AllNodes (node-independent)
put('early/rootfs/etc/early.conf', 'early static\n');
put('early/rootfs/etc/dir/keep', 'kept\n');
put('own/rootfs/etc/who.ww', '{{ .Id }}\n{{ if eq .Id "n2" }}{{ file "late.conf" }}n2 over late\n{{ end }}{{ if eq .Id "n4" }}{{ file "early.conf" }}n4 over early\n{{ end }}');
put('own/rootfs/etc/warn.ww', '{{ IncludeFrom "no-such-image" "/etc/x" }}{{ .Id }}\n');
put('twice/rootfs/etc/a.ww', '{{ if eq .Id "n3" }}{{ file "same" }}from a {{ .Id }}\n{{ end }}');
put('twice/rootfs/etc/b.ww', '{{ if eq .Id "n3" }}{{ file "same" }}from b {{ .Id }}\n{{ end }}');
put('deep/rootfs/etc/x.ww', '{{ file (printf "sub/%s/id" .Id) }}{{ .Id }}\n');
put('hosts/rootfs/etc/hosts.ww', '{{ range .AllNodes }}{{ .Id }}\n{{ end }}');
put('late/rootfs/etc/late.conf', 'late static\n');

const LIST = ['early', 'hosts', 'own', 'twice', 'deep', 'late'];
let nodesConf = `nodeprofiles:\n  default:\n    system overlay: [${LIST.join(', ')}]\nnodes:\n`;
for (let i = 1; i <= 5; i++) nodesConf += `  n${i}: {}\n`;

function memShared(): SharedRenders {
  const m = new Map<CompiledTemplate, RenderResult>();
  return {
    get: async (_o, _p, t) => m.get(t),
    set: async (_o, _p, t, r) => void m.set(t, r),
  };
}

describe('ListRenderer', () => {
  it("renders every node's image exactly as renderImage does, collisions included", async () => {
    const paths = resolvePaths({ env: { WAREWULF_ROOT: join(dir, 'root') } });
    const db = new NodeDb(parseNodesConf(nodesConf), '');
    const setup = () => {
      const store = new OverlayStore(join(dir, 'site'), []);
      const compiler = new OverlayCompiler(store, { confDir: join(dir, 'conf'), serverRoot: dir, imageRoot: () => undefined });
      const build = new TemplateBuild({ conf: defaultWarewulfConf(), paths, hostname: 'h', buildTime: new Date(1e12) }, () => db.all());
      return { compiler, build, shared: memShared(), parts: new Map<string, Promise<Buffer>>() };
    };
    const ref = setup();
    const fast = setup();
    const lists = new ListRenderer(fast.compiler, fast.build, 1000, fast.shared);
    const seen = new Set<string>();
    for (const id of db.nodeIds) {
      const node = db.require(id);
      const want = await renderImage(ref.compiler, ref.build, node, LIST, 1000, ref.shared);
      const got = await lists.render(node, LIST);
      expect(got, id).toEqual(want);
      expect(Buffer.concat(await packImage(got, fast.parts)).equals(Buffer.concat(await packImage(want, ref.parts))), id).toBe(true);
      for (const e of want.entries) seen.add(`${id}:${e.path}`);
      expect(want.warnings.length, id).toBeGreaterThan(0);
    }
    // the cases above happened: n2's file lost to late's, n4's replaced early's, n3 wrote one path twice, parents added
    expect(seen).toContain('n4:etc/early.conf');
    expect(seen).not.toContain('n2:etc/late.conf');
    expect(seen).toContain('n3:etc/same');
    expect(seen).toContain('n1:etc/sub/n1');
  });
});
