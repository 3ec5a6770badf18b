/** `wwctl node set [OPTIONS] PATTERN...` (§1.3). */
import { Command } from 'commander';
import { WwError, type NodesDocument } from '@warewulf/core';
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
    // network fields without --netname go to the network named `default`
    const toDefaultNet = cmd.getOptionValueSource('netname') !== 'cli' && edits.some((e) => 'ref' in e && e.ref.spec.scope === 'net');
    await runMutation(c, {
      section: 'node',
      select: (doc, quiet) => {
        const ids = opts.all ? Object.keys(doc.nodes).sort() : selectExisting(patterns, doc.nodes, quiet ? undefined : c.log, 'node');
        if (toDefaultNet && !quiet) warnNewDefaultNetwork(c, doc, ids);
        return ids;
      },
      edits,
      yes: opts.yes === true,
    });
  });
  return cmd;
}

/**
 * A node whose networks have other names (4.3's `eth0`) gets a second
 * network `default` from `--ipaddr` without `--netname`, as upstream does;
 * say so, since the admin most likely meant the existing one.
 */
function warnNewDefaultNetwork(c: Ctx, doc: NodesDocument, ids: readonly string[]): void {
  const affected: string[] = [];
  let example = '';
  for (const id of ids) {
    const nets = doc.nodes[id]?.['network devices'];
    if (typeof nets !== 'object' || nets === null || Array.isArray(nets)) continue;
    const names = Object.keys(nets);
    if (names.length === 0 || names.includes('default')) continue;
    affected.push(id);
    example ||= names.join(', ');
  }
  if (affected.length === 0) return;
  const shown = affected.slice(0, 5).join(', ') + (affected.length > 5 ? `, ... (${affected.length - 5} more)` : '');
  c.log.warn(`no --netname: the change goes to a new network "default" on ${affected.length} node(s) whose networks have other names (${shown}: ${example}); use --netname to change an existing one`);
}
