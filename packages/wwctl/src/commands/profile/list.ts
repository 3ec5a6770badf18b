/** `wwctl profile list [OPTIONS] [PROFILE...]` (§1.4): raw profiles (no inheritance). */
import { Command } from 'commander';
import {
  compareFields, entityFromFields, fieldText, flattenEntity, readNodesConf, scalarText,
} from '@warewulf/core';
import { formatJson, formatYamlMap } from '../../output/node-list.js';
import { tabTable } from '../../output/table.js';
import type { Ctx } from '../../context.js';

export function profileListCommand(ctx: () => Ctx): Command {
  return new Command('list')
    .alias('ls')
    .summary('List profiles')
    .argument('[profile...]', 'profile names (a single comma-separated argument is split)')
    .option('-a, --all', 'show every field')
    .option('-y, --yaml', 'YAML output')
    .option('-j, --json', 'JSON output')
    .action(async (args: string[], opts: { all?: boolean; yaml?: boolean; json?: boolean }) => {
      const c = ctx();
      const { paths } = await c.load();
      const doc = await readNodesConf(paths.nodesConf, { cacheDir: paths.nodesCacheDir });
      let names = args.length === 1 && (args[0] ?? '').includes(',') ? (args[0] ?? '').split(',').filter((s) => s !== '') : args;
      if (names.length === 0) names = Object.keys(doc.profiles);
      names = names.filter((n) => doc.profiles[n] !== undefined).sort();
      if (opts.yaml || opts.json) {
        // typed per field (text fields as text, resources as YAML values), like node list -y/-j
        const map = Object.fromEntries(names.map((n) => [n, entityFromFields(flattenEntity(doc.profiles[n] ?? {}, false).values())]));
        c.out.write(opts.json ? `${formatJson(map)}\n` : formatYamlMap(map, 2));
        return;
      }
      if (opts.all) {
        const rows: string[][] = [];
        for (const n of names) {
          const flat = [...flattenEntity(doc.profiles[n] ?? {}, false).values()].sort(compareFields);
          for (const e of flat) {
            // as node list -a prints it: lists of words joined, structured values (resources) as compact JSON
            const v = fieldText(e) ?? '';
            rows.push([n, e.path, e.ref.spec.secret ? '********' : v]);
          }
        }
        c.out.write(tabTable(['PROFILE', 'FIELD', 'VALUE'], rows));
        return;
      }
      c.out.write(
        tabTable(
          ['PROFILE NAME', 'COMMENT/DESCRIPTION'],
          names.map((n) => {
            const comment = scalarText(doc.profiles[n]?.comment);
            return [n, comment !== '' ? comment : '--'];
          }),
        ),
      );
    });
}
