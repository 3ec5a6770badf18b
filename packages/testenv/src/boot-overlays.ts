/**
 * Rendering the node-side overlays (wwinit, wwclient, test fixtures) for
 * boot tests with core's real template data and function map: a nodes.conf
 * and a warewulf.conf in, one node's data object out (§5.3), each overlay
 * rendered by core's `renderOverlay` (slots, `Include`, `abort`, Sprig) and
 * packed as the gzip newc cpio iPXE hands to the kernel. The overlay builder
 * and warewulfd will do the same from their stores.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NodeMerger, parseNodesConf, resolvePaths, type MergedNode } from '@warewulf/core';
import { parseWarewulfConf } from '@warewulf/core/config';
import { TemplateBuild, packOverlay, renderOverlay, type NodeData, type RenderedEntry, type TemplateEnv } from '@warewulf/core/overlay';
import type { PackResult } from '@warewulf/cpio';
import { REPO } from './paths.js';

export type { RenderedEntry };

export interface BootWorld {
  /** `<sysconfdir>/warewulf`: warewulf.conf (what wwinit's copy includes), tls/ for a certificate. */
  confDir: string;
  env: TemplateEnv;
  build: TemplateBuild;
  /** The data object of a node of the nodes.conf. */
  data(id: string): NodeData;
}

/**
 * A server's view for rendering: `warewulfConf` is written to `<confDir>/warewulf.conf` and parsed,
 * `nodesConf` parsed and merged. Throws core's errors for invalid input.
 */
export function bootWorld(opts: { confDir: string; nodesConf: string; warewulfConf: string; hostname?: string }): BootWorld {
  mkdirSync(opts.confDir, { recursive: true });
  writeFileSync(join(opts.confDir, 'warewulf.conf'), opts.warewulfConf);
  const conf = parseWarewulfConf(opts.warewulfConf);
  const doc = parseNodesConf(opts.nodesConf);
  const merger = new NodeMerger(doc);
  const nodes = new Map<string, MergedNode>();
  for (const id of Object.keys(doc.nodes)) nodes.set(id, merger.merge(id)!);
  const build = new TemplateBuild({ conf, paths: resolvePaths({ env: {}, conf }), hostname: opts.hostname ?? 'wwserver' }, () => nodes.values());
  return {
    confDir: opts.confDir,
    env: { confDir: opts.confDir },
    build,
    data(id) {
      const node = nodes.get(id);
      if (!node) throw new Error(`no node ${id} in the nodes.conf`);
      return build.dataFor(node);
    },
  };
}

/** The repository's overlay directory of that name (`overlays/<name>`). */
export function repoOverlay(name: string): string {
  return resolve(REPO, 'overlays', name);
}

/**
 * Render overlays (directories) in order for one node, later ones overwriting earlier files,
 * as one system or runtime image is built (§5.2). Aborted templates produce no file.
 */
export async function renderBootOverlays(dirs: readonly string[], data: NodeData, env: TemplateEnv): Promise<RenderedEntry[]> {
  const byPath = new Map<string, RenderedEntry>();
  for (const dir of dirs) for (const e of await renderOverlay(dir, data, { env })) byPath.set(e.path, e);
  return [...byPath.values()];
}

/** Render and pack as a gzip newc cpio (an iPXE initrd). */
export async function packBootOverlays(dirs: readonly string[], data: NodeData, env: TemplateEnv, out: string): Promise<PackResult> {
  return packOverlay(await renderBootOverlays(dirs, data, env), out);
}
