/** `wwctl node set [OPTIONS] PATTERN...` (§1.3). */
import { Command } from 'commander';
import { WwError } from '@warewulf/core';
import { editsForSet } from '../../requests.js';
import type { Ctx } from '../../context.js';
import { addFieldFlags, setRequestFrom } from '../../field-flags.js';
import { runMutation } from '../mutate.js';
import { selectExisting } from '../select.js';

export function nodeSetCommand(ctx: () => Ctx): Command {
  const cmd = new Command('set')
    .alias('modify')
    .summary('Configure node properties')
    .argument('[pattern...]', 'node names or patterns')
    .option('-a, --all', 'modify all nodes')
    .option('-y, --yes', 'apply without asking')
    .option('-f, --force', '(deprecated, no effect)');
  addFieldFlags(cmd, 'node', true);
  cmd.action(async (patterns: string[], opts: { all?: boolean; yes?: boolean }) => {
    const c = ctx();
    if (patterns.length === 0 && !opts.all) throw new WwError('WW_ERR_USAGE', 'no nodes specified; use --all to modify all nodes');
    if (opts.all) c.log.warn('this command will modify all nodes');
    const edits = editsForSet(setRequestFrom(cmd));
    await runMutation(c, {
      section: 'node',
      select: (doc, quiet) => (opts.all ? Object.keys(doc.nodes).sort() : selectExisting(patterns, doc.nodes, quiet ? undefined : c.log, 'node')),
      edits,
      yes: opts.yes === true,
    });
  });
  return cmd;
}
