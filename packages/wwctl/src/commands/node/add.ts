/** `wwctl node add [OPTIONS] NODENAME...` (§1.3). */
import { Command } from 'commander';
import { WwError, addEntities, duplicateIpaddrs, expandHostlist, incrementIp, touchesIpaddrs, updateNodesConf, type EditOp } from '@warewulf/core';
import { warnDuplicateIpaddrs } from '../mutate.js';
import { editsForSet } from '../../requests.js';
import type { Ctx } from '../../context.js';
import { autobuild } from '../overlay/support.js';
import { addFieldFlags, setRequestFrom } from '../../field-flags.js';

/** The 2nd, 3rd... node of a range get the next addresses (§1.3 node add). */
function numbered(edits: readonly EditOp[], index: number): EditOp[] {
  return edits.map((e) =>
    e.op === 'set' && e.ref.spec.numbered === true
      ? { ...e, value: incrementIp(e.value as string, index) }
      : e,
  );
}

export function nodeAddCommand(ctx: () => Ctx): Command {
  const cmd = new Command('add')
    .aliases(['new', 'create'])
    .summary('Add new node(s)')
    .description('Add new node(s) to the registry; NODENAME may be a range like n[01-10].')
    .argument('<nodename...>', 'node names or patterns');
  addFieldFlags(cmd, 'node', false);
  cmd.action(async (patterns: string[]) => {
    const c = ctx();
    const edits = editsForSet(setRequestFrom(cmd));
    const names = expandHostlist(patterns);
    if (names.length === 0) throw new WwError('WW_ERR_USAGE', `no node name in ${JSON.stringify(patterns.join(' '))}`);
    const { paths } = await c.load();
    const { result: dups } = await updateNodesConf(paths.nodesConf, (doc) => {
      addEntities(doc, 'node', names, (_id, i) => numbered(edits, i));
      return { result: touchesIpaddrs(edits) ? duplicateIpaddrs(doc, names) : [], write: true };
    }, { cacheDir: paths.nodesCacheDir });
    for (const n of names) c.log.info(`Added node: ${n}`);
    warnDuplicateIpaddrs(c, dups);
    await autobuild(c);
  });
  return cmd;
}
