/**
 * `wwctl node status [OPTIONS] [NODENAME...]` (§1.3): what warewulfd last
 * served each node, from its `/status`. Nodes not seen for more than the
 * update interval are yellow, for two intervals red (on a terminal); never
 * seen ones grey. `--json` prints the rows with their state instead.
 */
import { Command, Option } from 'commander';
import { expandHostlist } from '@warewulf/core';
import type { Ctx } from '../../context.js';

interface StatusOpts {
  watch?: boolean;
  update?: string;
  time?: string;
  last?: boolean;
  reverse?: boolean;
  unknown?: boolean;
  json?: boolean;
  server?: string;
}

export function nodeStatusCommand(ctx: () => Ctx): Command {
  return new Command('status')
    .summary('View the provisioning status of nodes')
    .argument('[nodename...]', 'node names or patterns (none: all nodes)')
    .option('-w, --watch', 'watch the status (refresh every --update ms)')
    .option('-U, --update <ms>', 'refresh interval in watch mode', '500')
    .option('-t, --time <sec>', 'hide nodes last seen before this unix time')
    .option('-l, --last', 'sort by last seen, newest first')
    .option('-r, --reverse', 'sort names in reverse')
    .option('-u, --unknown', 'only nodes never seen')
    .option('--json', 'JSON rows (with their state: ok, late, lost, unseen)')
    .addOption(new Option('--server <url>', 'status URL (default from warewulf.conf ipaddr and port)').hideHelp())
    .action(async (patterns: string[], opts: StatusOpts) => {
      const c = ctx();
      // loaded here: the status schema pulls in zod, which the other node commands' start-up does without
      const { fetchStatus, formatNodeStatus, nodeStatusRows, statusUrl } = await import('@warewulf/core/provision');
      const { conf, paths } = await c.load();
      const url = opts.server ?? statusUrl(conf, paths.warewulfConf);
      const names = patterns.length > 0 ? expandHostlist(patterns) : undefined;
      const color = (c.out as { isTTY?: boolean }).isTTY === true;
      const once = async (): Promise<string> => {
        const rows = nodeStatusRows(await fetchStatus(url), {
          now: Math.floor(Date.now() / 1000),
          interval: conf.warewulf.updateInterval,
          ...(names ? { names } : {}),
          ...(opts.time !== undefined ? { time: Number(opts.time) } : {}),
          last: opts.last === true,
          reverse: opts.reverse === true,
          unknown: opts.unknown === true,
        });
        return opts.json ? `${JSON.stringify(rows, null, 2)}\n` : formatNodeStatus(rows, { color });
      };
      if (!opts.watch) {
        c.out.write(await once());
        return;
      }
      const every = Math.max(100, Number(opts.update) || 500);
      for (;;) {
        const text = await once();
        const height = (process.stdout.rows ?? 0) > 3 ? process.stdout.rows - 1 : Infinity;
        const lines = text.split('\n');
        c.out.write(`\x1b[H\x1b[2J${lines.length > height ? `${lines.slice(0, height - 1).join('\n')}\n... ` : text}`);
        await new Promise((r) => setTimeout(r, every));
      }
    });
}
