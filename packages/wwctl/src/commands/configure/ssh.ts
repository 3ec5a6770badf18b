/**
 * `wwctl configure ssh [-t TYPE]...` (§1.9): the host overlay, the cluster's
 * host keys (ssh-keygen, one per key type) and the invoking user's key and
 * authorized_keys when missing.
 */
import { Command, Option } from 'commander';
import type { Ctx } from '../../context.js';
import { isDryRun, runConfigure, withDryRun } from './support.js';

const collect = (v: string, prev: string[]) => [...prev, ...v.split(',').map((s) => s.trim()).filter((s) => s !== '')];

export function configureSshCommand(ctx: () => Ctx): Command {
  return withDryRun(new Command('ssh').summary('Create the cluster SSH keys'))
    .addOption(new Option('-t, --keytypes <type>', 'key types to create (repeatable; default: warewulf.conf ssh.key types)').argParser(collect).default([]))
    .action(async (opts: { keytypes: string[] }, cmd: Command) => {
      await runConfigure(ctx(), ['ssh'], isDryRun(cmd), opts.keytypes.length > 0 ? { keyTypes: opts.keytypes } : {});
    });
}
