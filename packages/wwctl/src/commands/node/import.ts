/**
 * `wwctl node import [OPTIONS] FILE` (§1.3): a YAML map of node name → fields.
 * Listed nodes are created or replaced whole (what upstream's docs promise;
 * upstream's code merges non-empty fields, which cannot clear anything).
 */
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { WwError, duplicateIpaddrs, importEntities, parseEntityMapReport, unknownEntityKeyMessage, updateNodesConf } from '@warewulf/core';
import type { Ctx } from '../../context.js';
import { warnDuplicateIpaddrs } from '../mutate.js';

export function nodeImportCommand(ctx: () => Ctx): Command {
  return new Command('import')
    .summary('Import nodes from a YAML file')
    .argument('<file>', 'YAML map of node name to node fields')
    .option('-y, --yes', 'import without asking')
    .action(async (file: string, opts: { yes?: boolean }) => {
      const c = ctx();
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        throw new WwError('WW_ERR_IO', `could not read ${file}: ${(err as Error).message}`);
      }
      // the same checks as nodes.conf, so errors carry line and column
      const { entities: incoming, unknownKeys } = parseEntityMapReport(text, file);
      // a key the field table does not know is most often a typo whose value would be lost: say where, before asking
      for (const u of unknownKeys) c.log.warn(`${unknownEntityKeyMessage(u, 'node')} (imported as it is, not used)`);
      const n = Object.keys(incoming).length;
      if (!opts.yes && !(await c.confirm(`Are you sure you want to modify ${n} nodes`))) {
        c.out.write('No changes made!\n');
        return;
      }
      const { paths } = await c.load();
      const { result } = await updateNodesConf(paths.nodesConf, (doc) => {
        const r = importEntities(doc, 'node', incoming);
        return { result: { ...r, dups: duplicateIpaddrs(doc, [...r.added, ...r.updated]) }, write: n > 0 };
      }, { cacheDir: paths.nodesCacheDir });
      c.log.info(`Imported ${n} node(s): ${result.added.length} added, ${result.updated.length} updated`);
      if (result.updated.length > 0) {
        // upstream merges into existing nodes; here an entry replaces the node, so say what that means
        const shown = result.updated.slice(0, 10).join(', ') + (result.updated.length > 10 ? `, ... (${result.updated.length - 10} more)` : '');
        c.log.warn(`${result.updated.length} existing node(s) replaced whole by ${file}: fields not in the file are gone (${shown})`);
      }
      warnDuplicateIpaddrs(c, result.dups);
    });
}
