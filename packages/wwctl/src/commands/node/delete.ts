/** `wwctl node delete [OPTIONS] NODE...` (§1.3). */
import { Command } from 'commander';
import { deleteEntities, selectNames, readNodesConf, updateNodesConf } from '@warewulf/core';
import type { Ctx } from '../../context.js';

export function nodeDeleteCommand(ctx: () => Ctx): Command {
  return new Command('delete')
    .aliases(['rm', 'del', 'remove'])
    .summary('Delete node(s)')
    .argument('<pattern...>', 'node names or patterns')
    .option('-y, --yes', 'delete without asking')
    .action(async (patterns: string[], opts: { yes?: boolean }) => {
      const c = ctx();
      const { paths } = await c.load();
      const pick = (nodes: Record<string, unknown>) =>
        selectNames(patterns, (n) => Object.hasOwn(nodes, n), { onMissing: (n) => c.err.write(`ERROR: No match for node: ${n}\n`) });
      if (!opts.yes) {
        const ids = pick((await readNodesConf(paths.nodesConf, { cacheDir: paths.nodesCacheDir })).nodes);
        if (ids.length === 0) {
          c.out.write('No nodes found\n');
          return;
        }
        if (!(await c.confirm(`Are you sure you want to delete ${ids.length} nodes(s)`))) {
          c.out.write('No changes made!\n');
          return;
        }
      }
      const { result } = await updateNodesConf(paths.nodesConf, (doc) => {
        const ids = opts.yes ? pick(doc.nodes) : selectNames(patterns, (n) => Object.hasOwn(doc.nodes, n));
        deleteEntities(doc, 'node', ids);
        return { result: ids, write: ids.length > 0 };
      }, { cacheDir: paths.nodesCacheDir });
      if (result.length === 0) c.out.write('No nodes found\n');
      for (const n of result) c.log.verbose(`Deleted node: ${n}`);
    });
}
