/** `wwctl node unset [OPTIONS] PATTERN...` (§1.3): clear fields on the node itself. */
import { Command } from 'commander';
import { WwError, expandHostlist } from '@warewulf/core';
import { editsForUnset } from '../../requests.js';
import type { Ctx } from '../../context.js';
import { addUnsetFlags, unsetRequestFrom } from '../../field-flags.js';
import { runMutation } from '../mutate.js';
import { selectExisting } from '../select.js';

export function nodeUnsetCommand(ctx: () => Ctx): Command {
  const cmd = new Command('unset')
    .summary('Unset node fields (profile values show through again)')
    .argument('[pattern...]', 'node names or patterns')
    .option('-y, --yes', 'apply without asking')
    .option('-f, --force', 'skip unknown nodes with a warning');
  addUnsetFlags(cmd, 'node');
  cmd.action(async (patterns: string[], opts: { yes?: boolean; force?: boolean }) => {
    const c = ctx();
    if (patterns.length === 0) throw new WwError('WW_ERR_USAGE', 'no nodes specified');
    const edits = editsForUnset(unsetRequestFrom(cmd));
    await runMutation(c, {
      section: 'node',
      select: (doc, quiet) => {
        const missing = expandHostlist(patterns).filter((n) => doc.nodes[n] === undefined);
        if (missing.length > 0 && !opts.force) throw new WwError('WW_ERR_NODE_NOT_FOUND', `node not found: ${missing[0]}`);
        return selectExisting(patterns, doc.nodes, quiet ? undefined : c.log, 'node');
      },
      edits,
      yes: opts.yes === true,
      failWhenUnchanged: 'no nodes were modified',
    });
  });
  return cmd;
}
