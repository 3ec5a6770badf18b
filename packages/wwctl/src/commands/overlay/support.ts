/**
 * What the overlay commands share: the store of this configuration, a
 * build context, and autobuild (warewulf.conf `autobuild overlays`): after a
 * change to nodes or overlays, the images that change made stale are
 * rebuilt (only images that exist; a node never built is built on its
 * first boot or by `wwctl overlay build`).
 */
import { hostname } from 'node:os';
import { loadNodeDb, type NodeDb } from '@warewulf/core';
import type { BuildContext, BuildReport, ImageOutcome, OverlayStore as Store } from '@warewulf/core/overlay';
import type { Ctx } from '../../context.js';

export async function overlayStore(c: Ctx): Promise<Store> {
  const { paths } = await c.load();
  const { OverlayStore } = await import('@warewulf/core/overlay');
  return OverlayStore.fromPaths(paths);
}

/** A build context on the current nodes.conf. */
export async function buildContext(c: Ctx, db?: NodeDb): Promise<BuildContext> {
  const { conf, paths } = await c.load();
  const nodes = db ?? (await loadNodeDb(paths.nodesConf, { cacheDir: paths.nodesCacheDir, log: c.log }));
  // `.Kernel.Version` of a node without one is its image's default kernel (§5.3, §6.3)
  // the kernel lookup alone: the image module would load the OCI client (undici) for nothing
  const { defaultKernelVersions } = await import('@warewulf/core/image/kernels');
  const kernelVersion = await defaultKernelVersions(paths, nodes.imageNames());
  return { conf, paths, hostname: hostname(), db: nodes, log: c.log, kernelVersion };
}

/** One line per failed image: the node, the image, and the error (naming overlay, file, line and column). */
export function reportFailures(c: Ctx, results: readonly ImageOutcome[]): number {
  let failed = 0;
  for (const r of results) {
    if (r.ok) continue;
    failed++;
    c.log.error(`${r.node}: ${r.kind} overlay: ${r.error?.message ?? 'failed'}`);
  }
  return failed;
}

/**
 * Rebuild what a change made stale, when warewulf.conf says so. Never
 * fails the command that made the change (its change is written): problems
 * are warnings.
 */
export async function autobuild(c: Ctx): Promise<BuildReport | undefined> {
  const { conf } = await c.load();
  if (!conf.warewulf.autobuildOverlays) return undefined;
  const { buildOverlays, builtNodeDirs } = await import('@warewulf/core/overlay');
  try {
    // nothing built yet, nothing to keep fresh: skip loading the node database (a `node set` on a new cluster)
    if ((await builtNodeDirs((await c.load()).paths.provisionOverlaysDir)).size === 0) return undefined;
    const report = await buildOverlays(await buildContext(c), { onlyBuilt: true });
    const ok = report.results.filter((r) => r.ok).length;
    if (ok > 0) c.log.verbose(`autobuild: rebuilt ${ok} overlay image(s)`);
    for (const r of report.results) if (!r.ok) c.log.warn(`autobuild: ${r.node}: ${r.kind} overlay: ${r.error?.message ?? 'failed'}`);
    return report;
  } catch (err) {
    c.log.warn(`autobuild: ${(err as Error).message}`);
    return undefined;
  }
}
