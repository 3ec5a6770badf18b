/**
 * The daemon's overlay builds (§4.5), on core's dependency-tracked builder.
 * With `autobuild overlays` (warewulf.conf), the first request after a new
 * snapshot of nodes.conf starts one build of everything stale (one plan,
 * the pool of workers, the shared parts made once) and every overlay
 * request waits for it: after an edit, each image is rebuilt once, not
 * once per request. Without it, only a node whose image is missing gets it
 * built (as upstream).
 */
import { access } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { MergedNode, NodeDb, Paths, WarewulfConf } from '@warewulf/core';
import type { BuildOptions, BuildReport } from '@warewulf/core/overlay';
import type { OverlayKind } from '@warewulf/core/provision';
import type { FastifyBaseLogger } from 'fastify';
import { coreLogger } from './log.js';
import type { OverlayBuilder } from './plugins/overlay-builder.js';

export interface AutobuildOptions {
  paths: Paths;
  /** The current warewulf.conf (it can be reloaded). */
  conf: () => WarewulfConf;
  log: FastifyBaseLogger;
  /** `.BuildHost`; default this host's name. */
  hostname?: string;
}

/**
 * One run of core's overlay builder on a snapshot (§5.2), with each image's
 * default kernel version looked up (§6.3); what autobuild and the REST
 * API's build endpoints share. Resolves with core's report.
 */
export async function buildSnapshotOverlays(
  o: { paths: Paths; conf: WarewulfConf; db: NodeDb; log: FastifyBaseLogger; hostname?: string | undefined },
  opts: BuildOptions = {},
): Promise<BuildReport> {
  const [{ buildOverlays }, { defaultKernelVersions }] = await Promise.all([import('@warewulf/core/overlay'), import('@warewulf/core/image/kernels')]);
  const kernelVersion = await defaultKernelVersions(o.paths, o.db.imageNames());
  return buildOverlays({ conf: o.conf, paths: o.paths, hostname: o.hostname ?? hostname(), db: o.db, log: coreLogger(o.log), kernelVersion }, opts);
}

export function overlayAutobuilder(o: AutobuildOptions): OverlayBuilder {
  let current: { db: NodeDb; conf: WarewulfConf; build: Promise<boolean> } | undefined;
  const run = async (db: NodeDb, conf: WarewulfConf, nodes?: string[]): Promise<boolean> => {
    const started = Date.now();
    const r = await buildSnapshotOverlays({ paths: o.paths, conf, db, log: o.log, hostname: o.hostname }, nodes ? { nodes, workers: 1 } : {});
    for (const f of r.results) if (!f.ok) o.log.error({ node: f.node, kind: f.kind }, `overlay build failed: ${f.error?.message ?? ''}`);
    const built = r.results.filter((x) => x.ok).length;
    if (built > 0) o.log.info({ built, failed: r.failed, ms: Date.now() - started }, `built ${built} overlay image(s)`);
    return built > 0;
  };
  return {
    async ensureFresh(node: MergedNode, kind: OverlayKind, db: NodeDb): Promise<boolean> {
      const conf = o.conf();
      if (conf.warewulf.autobuildOverlays) {
        if (current?.db !== db || current.conf !== conf) current = { db, conf, build: run(db, conf) };
        const built = await current.build;
        return built;
      }
      // no autobuild: only what is missing
      const image = `${o.paths.provisionOverlaysDir}/${node.id}/__${kind.toUpperCase()}__.img.gz`;
      if (await access(image).then(() => true, () => false)) return false;
      return run(db, conf, [node.id]);
    },
  };
}
