/** `wwctl clean` (§1.10): remove the OCI cache and the overlay images of deleted nodes. */
import { Command } from 'commander';
import { loadNodeDb } from '@warewulf/core';
import type { Ctx } from '../../context.js';

export function cleanCommand(ctx: () => Ctx): Command {
  return new Command('clean')
    .summary('Clean up the OCI cache and the overlays of deleted nodes')
    .action(async () => {
      const c = ctx();
      const { paths } = await c.load();
      const { cleanProvision } = await import('@warewulf/core/admin');
      const db = await loadNodeDb(paths.nodesConf, { cacheDir: paths.nodesCacheDir, log: c.log });
      await cleanProvision({
        ociCacheDir: paths.ociCacheDir,
        provisionOverlaysDir: paths.provisionOverlaysDir,
        nodes: new Set(db.nodeIds),
        log: c.log,
      });
    });
}
