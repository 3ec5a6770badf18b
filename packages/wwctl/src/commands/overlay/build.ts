/**
 * `wwctl overlay build [NODENAME...]` (§1.7, §5.2): rebuild exactly the
 * stale system and runtime images (each with its reason; `--force` all),
 * in parallel worker threads; a node whose template fails is reported with
 * overlay, file, line and column, the others still build, and the exit
 * status says some failed. `--dry-run` lists what would be rebuilt and why.
 */
import { Command } from 'commander';
import { WwError, loadNodeDb } from '@warewulf/core';
import type { Ctx } from '../../context.js';
import { tabTable } from '../../output/table.js';
import { buildContext, reportFailures } from './support.js';

interface BuildOpts {
  workers?: string;
  force?: boolean;
  dryRun?: boolean;
}

export function overlayBuildCommand(ctx: () => Ctx): Command {
  return new Command('build')
    .summary('(Re)build node overlay images')
    .argument('[nodename...]', 'node names or patterns (none: every node)')
    .option('--workers <n>', 'worker threads (<= 0: one per CPU)')
    .option('-f, --force', 'rebuild every image, stale or not')
    .option('--dry-run', 'say what would be rebuilt and why, build nothing')
    .action(async (patterns: string[], opts: BuildOpts) => {
      const c = ctx();
      const { paths } = await c.load();
      const db = await loadNodeDb(paths.nodesConf, { cacheDir: paths.nodesCacheDir, log: c.log });
      const missing: string[] = [];
      const nodes = patterns.length === 0 ? db.nodeIds : db.select(patterns, { onMissing: (n) => missing.push(n) });
      if (missing.length > 0) throw new WwError('WW_ERR_NODE_NOT_FOUND', `failed to find nodes: ${missing.join(', ')}`);
      const workers = opts.workers === undefined ? undefined : Number(opts.workers);
      if (workers !== undefined && !Number.isInteger(workers)) throw new WwError('WW_ERR_USAGE', `--workers: not a number: ${opts.workers}`);
      const { buildOverlays } = await import('@warewulf/core/overlay');
      const started = Date.now();
      const report = await buildOverlays(await buildContext(c, db), {
        nodes,
        ...(opts.force ? { force: true } : {}),
        ...(opts.dryRun ? { dryRun: true } : {}),
        ...(workers !== undefined ? { workers } : {}),
        onImage: (r) => {
          if (r.ok) c.log.verbose(`Built ${r.kind} overlay image for ${r.node}: ${r.path}.gz`);
          for (const w of r.warnings) c.log.warn(`${r.node}: ${w}`);
        },
      });
      for (const e of report.emptyLists) c.log.warn(`No ${e.kind} overlays defined for ${e.node}`);
      if (opts.dryRun) {
        c.out.write(report.planned.length === 0 ? 'Every overlay image is up to date.\n' : tabTable(['NODE', 'OVERLAY', 'REASON'], report.planned.map((p) => [p.node, p.kind, p.reason])));
        reportFailures(c, report.results);
        return;
      }
      const failed = reportFailures(c, report.results);
      const built = report.results.length - failed;
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      c.log.info(`Built ${built} overlay image(s), ${report.upToDate} up to date, ${failed} failed (${nodes.length} node(s), ${secs} s)`);
      if (failed > 0) throw new WwError('WW_ERR_BUILD', `${failed} overlay image(s) failed to build`);
    });
}
