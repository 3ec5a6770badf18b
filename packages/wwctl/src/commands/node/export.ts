/** `wwctl node export [NODENAME...]`: the merged nodes as a YAML map (§1.3). */
import { Command } from 'commander';
import { NodeMerger, expandHostlist, formatYamlMap, mergedEntity, readNodesConf } from '@warewulf/core';
import type { Ctx } from '../../context.js';

export function nodeExportCommand(ctx: () => Ctx): Command {
  return new Command('export')
    .summary('Export merged nodes as YAML')
    .argument('[pattern...]', 'node names or patterns (none: all)')
    .action(async (patterns: string[]) => {
      const c = ctx();
      const { paths } = await c.load();
      const doc = await readNodesConf(paths.nodesConf, { cacheDir: paths.nodesCacheDir });
      const merger = new NodeMerger(doc, c.log);
      const ids = (patterns.length === 0 ? Object.keys(doc.nodes) : expandHostlist(patterns).filter((n) => doc.nodes[n] !== undefined)).sort();
      const map: Record<string, unknown> = {};
      for (const id of ids) {
        const m = merger.merge(id);
        if (m) map[id] = mergedEntity(m);
      }
      c.out.write(formatYamlMap(map, 2));
    });
}
