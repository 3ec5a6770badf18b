/**
 * `wwctl node console NODENAME...` (§1.3): the node's serial console through
 * its BMC (`.Cmd` Console, `ipmitool ... sol activate` with the shipped
 * template), interactive: the tool gets wwctl's terminal. Nodes are attached
 * one after the other; a node without a BMC address is reported and skipped.
 */
import { Command } from 'commander';
import { WwError } from '@warewulf/core';
import type { Ctx } from '../../context.js';
import { selectBmcTargets } from '../bmc.js';

export function nodeConsoleCommand(ctx: () => Ctx): Command {
  return new Command('console')
    .summary('Connect to the serial console of node(s) through the BMC')
    .argument('[nodename...]', 'node names or patterns (required)')
    .action(async (patterns: string[]) => {
      const c = ctx();
      const { targets, unknown, templates } = await selectBmcTargets(c, patterns);
      const { bmcConsole, hasBmcAddress, NO_BMC_ADDRESS } = await import('@warewulf/core/bmc');
      const failed = [...unknown];
      for (const t of targets) {
        if (!hasBmcAddress(t)) {
          c.log.error(`${t.node}: ${NO_BMC_ADDRESS}`);
          failed.push(t.node);
          continue;
        }
        const code = await bmcConsole(t, { templates, env: c.env });
        if (code !== 0) {
          c.log.error(`${t.node}: console exited with status ${code}`);
          failed.push(t.node);
        }
      }
      if (failed.length > 0) throw new WwError('WW_ERR_BMC_FAILED', `node console failed on: ${failed.join(', ')}`);
    });
}
