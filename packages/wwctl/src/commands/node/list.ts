/** `wwctl node list [OPTIONS] [PATTERN...]` (§1.3): every mode shows merged values. */
import { Command, Option } from 'commander';
import { currentProvenanceRows, mergedEntity, seedProvenanceRows, loadNodeDb } from '@warewulf/core';
import { formatJson, formatNodeList, formatNodeListAllCurrent, formatNodeAllSeed, formatNodeListIpmi, formatNodeListLong, formatNodeListNet, formatYamlMap, objectKeyOrder, writeEntityMap } from '../../output/node-list.js';
import type { Ctx } from '../../context.js';
import { writeStreamed } from '../../output/streamed.js';

interface ListOpts {
  all?: boolean; long?: boolean; net?: boolean; ipmi?: boolean; yaml?: boolean; json?: boolean; style?: string;
}

export function nodeListCommand(ctx: () => Ctx): Command {
  return new Command('list')
    .alias('ls')
    .summary('List nodes')
    .argument('[pattern...]', 'node names or patterns (none: all nodes)')
    .option('-a, --all', 'show every field with where its value comes from')
    .option('-l, --long', 'show kernel, image and overlays')
    .option('-n, --net', 'show network configuration')
    .option('-i, --ipmi', 'show IPMI configuration')
    .option('-y, --yaml', 'YAML output (with -a: provenance rows)')
    .option('-j, --json', 'JSON output (with -a: provenance rows)')
    .addOption(
      new Option('--style <style>', 'layout of -a: "seed" (fixed rows, defaults in parentheses) or "current" (today\'s upstream)')
        .choices(['seed', 'current']),
    )
    .action(async (patterns: string[], opts: ListOpts) => {
      const c = ctx();
      const { paths } = await c.load();
      const db = await loadNodeDb(paths.nodesConf, { cacheDir: paths.nodesCacheDir, log: c.log });
      const ids = patterns.length === 0 ? db.nodeIds : db.select(patterns).sort();
      const plain = !(opts.all || opts.yaml || opts.json || opts.ipmi || opts.net || opts.long);
      if (plain) {
        // the default table needs only profiles and network names
        c.out.write(formatNodeList(ids.map((id) => db.summary(id)).filter((n) => n !== undefined)));
        return;
      }
      const style = opts.style ?? c.env.WW_LIST_STYLE ?? 'seed';
      if (opts.all && !opts.yaml && !opts.json && style !== 'current') {
        // the seed layout is per node: stream it (50,000 nodes are ~2 million rows)
        await writeStreamed(c.out, (function* () {
          for (const n of db.stream(ids)) yield formatNodeAllSeed(n);
        })());
        return;
      }
      // streamed: each merged node becomes its rows and is dropped
      const nodes = db.stream(ids);
      if (opts.all && (opts.yaml || opts.json)) {
        const rows = [];
        for (const n of nodes) rows.push(...(style === 'current' ? currentProvenanceRows(n) : seedProvenanceRows(n)));
        c.out.write(opts.json ? `${formatJson(rows)}\n` : formatYamlMap({ fields: rows }, 2));
      } else if (opts.yaml) {
        // entry by entry, in the order the whole map listed them: the same text, never the whole map in memory
        await writeEntityMap(c.out, (function* () {
          for (const n of db.stream(objectKeyOrder(ids))) yield [n.id, mergedEntity(n)] as const;
        })(), 4);
      } else if (opts.json) {
        // entries, then fromEntries: a node named `__proto__` is an ordinary key
        const entries: [string, unknown][] = [];
        for (const n of nodes) entries.push([n.id, mergedEntity(n)]);
        const map = Object.fromEntries(entries);
        c.out.write(`${formatJson(map)}\n`);
      } else if (opts.all) {
        c.out.write(formatNodeListAllCurrent(nodes));
      } else if (opts.ipmi) {
        c.out.write(formatNodeListIpmi(nodes));
      } else if (opts.net) {
        c.out.write(formatNodeListNet(nodes));
      } else {
        c.out.write(formatNodeListLong(nodes));
      }
    });
}
