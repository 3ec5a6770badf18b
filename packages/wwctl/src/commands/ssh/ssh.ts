/**
 * `wwctl ssh [OPTIONS] NODE_PATTERN COMMAND...` (§1.10): the command on each
 * node's primary address through `--rsh` (spawned with an argument vector,
 * never a shell), every output line prefixed `<node>: `. As upstream's
 * (cobra parses flags anywhere), words of the command that look like flags
 * come after `--`: `wwctl ssh n1 -- ls -l`.
 */
import { Command, InvalidArgumentError } from 'commander';
import { WwError, loadNodeDb } from '@warewulf/core';
import type { Ctx } from '../../context.js';

interface SshOpts {
  rsh: string;
  fanout: number;
  sleep: number;
  dryrun?: boolean;
}

const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
};

const seconds = (v: string): number => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number of seconds (0 or more)');
  return n;
};

export function sshCommand(ctx: () => Ctx): Command {
  return new Command('ssh')
    .summary('SSH into configured nodes in parallel')
    .argument('<node_pattern>', 'nodes to run on (names or patterns, comma separated)')
    .argument('<command...>', 'the command to run')
    .option('--rsh <path>', 'the remote shell program', '/usr/bin/ssh')
    .option('-f, --fanout <n>', 'how many nodes to run on at once', positiveInt, 32)
    .option('-s, --sleep <seconds>', 'seconds to wait between starting nodes', seconds, 0)
    .option('-n, --dryrun', 'show the commands, run nothing')
    .action(async (pattern: string, command: string[], opts: SshOpts) => {
      const c = ctx();
      const { paths } = await c.load();
      const { runSsh, sshArgv, sshTargets } = await import('@warewulf/core/admin');
      const db = await loadNodeDb(paths.nodesConf, { cacheDir: paths.nodesCacheDir, log: c.log });
      const ids = db.select([pattern], { onMissing: (n) => c.log.error(`${n}: no such node`) });
      if (ids.length === 0) throw new WwError('WW_ERR_NODE_NOT_FOUND', `no node matches ${pattern}`);
      const { targets, problems } = sshTargets(db, ids);
      const failed: string[] = [];
      for (const p of problems) {
        c.log.error(p.message);
        failed.push(p.node);
      }
      if (opts.dryrun) {
        for (const t of targets) c.out.write(`${t.node}: ${sshArgv(opts.rsh, t, command).join(' ')}\n`);
      } else {
        const outcomes = await runSsh(targets, {
          rsh: opts.rsh,
          command,
          fanout: opts.fanout,
          sleepSeconds: opts.sleep,
          env: c.env,
          onLine: (node, stream, line) => (stream === 'stdout' ? c.out : c.err).write(`${node}: ${line}\n`),
        });
        for (const o of outcomes) {
          if (o.error === undefined && o.code === 0) continue;
          c.log.error(`${o.node}: ${o.error ?? `exit status ${o.code}`}`);
          failed.push(o.node);
        }
      }
      if (failed.length > 0) throw new WwError('WW_ERR_COMMAND_FAILED', `ssh: ${failed.length} of ${ids.length} node(s) failed: ${failed.join(', ')}`);
    });
}
