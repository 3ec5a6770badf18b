/**
 * `wwctl node export [NODENAME...]` (§1.3): the nodes as a YAML map of
 * name -> entry. By default the entries as nodes.conf holds them (own
 * values only, unknown keys and the text of every scalar kept), so that
 * `node import` of the output is the identity. `--merged` prints upstream's
 * form: the merged nodes (profile values folded in), for reading, not for
 * re-import (lists would double, inherited values would become the node's).
 */
import { Command } from 'commander';
import { loadNodeDb, mergedEntity } from '@warewulf/core';
import { objectKeyOrder, writeEntityMap } from '../../output/node-list.js';
import type { Ctx } from '../../context.js';

export function nodeExportCommand(ctx: () => Ctx): Command {
  return new Command('export')
    .summary('Export nodes as YAML (as written in nodes.conf; --merged: with profile values folded in)')
    .argument('[pattern...]', 'node names or patterns (none: all)')
    .option('--merged', 'print the merged nodes, as upstream does (not suitable for node import)')
    .action(async (patterns: string[], opts: { merged?: boolean }) => {
      const c = ctx();
      const { paths } = await c.load();
      const db = await loadNodeDb(paths.nodesConf, { cacheDir: paths.nodesCacheDir, log: c.log });
      const ids = patterns.length === 0 ? db.nodeIds : db.select(patterns, { onMissing: (n) => c.log.warn(`invalid node: ${n}`) }).sort();
      // entry by entry, in the order the whole map listed them: the same text, never the whole map in memory
      const entries = (function* () {
        if (opts.merged) for (const n of db.stream(objectKeyOrder(ids))) yield [n.id, mergedEntity(n)] as const;
        else for (const id of objectKeyOrder(ids)) yield [id, db.rawNode(id)] as const;
      })();
      await writeEntityMap(c.out, entries, 2);
    });
}
