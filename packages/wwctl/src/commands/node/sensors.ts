/**
 * `wwctl node sensors [-F/--full] [OPTIONS] PATTERN...` (§1.3): the BMC
 * sensor readings (`.Cmd` SDRList, or SensorList with --full), printed as
 * upstream does, `<ipmi ipaddr>: <line>` per line, nodes in the order named.
 */
import { Command } from 'commander';
import type { Ctx } from '../../context.js';
import { logFailures, resultsJson, selectBmcTargets, verdict, withBmcFlags, type BmcFlags } from '../bmc.js';

export function nodeSensorsCommand(ctx: () => Ctx): Command {
  return withBmcFlags(
    new Command('sensors')
      .summary('Show the BMC sensor readings of node(s)')
      .argument('[pattern...]', 'node names or patterns (required)')
      .option('-F, --full', 'the full sensor list (ipmitool sensor list) instead of the SDR summary'),
  ).action(async (patterns: string[], opts: BmcFlags & { full?: boolean }) => {
    const c = ctx();
    const { targets, unknown, templates } = await selectBmcTargets(c, patterns);
    const { runBmcBatch } = await import('@warewulf/core/bmc');
    const cmd = opts.full ? 'SensorList' : 'SDRList';
    const results = await runBmcBatch(targets, cmd, {
      templates, env: c.env, fanout: opts.fanout, timeoutMs: opts.timeout * 1000, show: opts.show === true,
    });
    logFailures(c, results);
    if (opts.json) c.out.write(resultsJson(results));
    else {
      for (const r of results) {
        if (!r.ok) continue;
        for (const line of r.output.split('\n')) if (line.trim() !== '') c.out.write(`${r.ipaddr}: ${line}\n`);
      }
    }
    verdict('node sensors', results, unknown);
  });
}
