/**
 * `wwctl power on|off|cycle|reset|soft|status [OPTIONS] PATTERN...` (§1.8).
 * The six leaves differ only in the action word, so they are built here from
 * one table. Output as upstream: `<ipmi ipaddr>: <output>` per node answered
 * (scripts grep it); `--table` a table of every node named (NODE, IPMI
 * IPADDR, RESULT), `--json` one record per node; `--show` prints upstream's
 * `<ipaddr>: <command>` lines with the password masked. Failed and skipped
 * nodes are logged at ERROR level, and the command exits 255 when any failed.
 */
import { Command } from 'commander';
import { compressHostlist } from '@warewulf/core';
import { tabTable } from '../../output/table.js';
import type { BmcResult, PowerAction } from '@warewulf/core/bmc';
import type { Ctx } from '../../context.js';
import { logFailures, resultsJson, selectBmcTargets, verdict, withBmcFlags, type BmcFlags } from '../bmc.js';

const SUMMARIES: Readonly<Record<PowerAction, string>> = {
  on: 'Power on the given node(s)',
  off: 'Power off the given node(s)',
  cycle: 'Power cycle the given node(s)',
  reset: 'Hard reset the given node(s)',
  soft: 'Soft (ACPI) power off the given node(s)',
  status: 'Show the power status of the given node(s)',
};

export function powerCommand(ctx: () => Ctx): Command {
  const power = new Command('power').summary('Node power management');
  for (const action of Object.keys(SUMMARIES) as PowerAction[]) {
    power.addCommand(
      withBmcFlags(new Command(action).summary(SUMMARIES[action]).argument('[pattern...]', 'node names or patterns (required)'))
        .option('--table', 'a table with each node\'s name, BMC address and result (failures included)')
        .action(async (patterns: string[], opts: BmcFlags & { table?: boolean }) => runPower(ctx(), action, patterns, opts)),
    );
  }
  return power;
}

async function runPower(c: Ctx, action: PowerAction, patterns: string[], opts: BmcFlags & { table?: boolean }): Promise<void> {
  const { targets, unknown, templates } = await selectBmcTargets(c, patterns);
  const { POWER_CMD, runBmcBatch } = await import('@warewulf/core/bmc');
  c.log.verbose(`power ${action}: ${compressHostlist(targets.map((t) => t.node))}`);
  const results = await runBmcBatch(targets, POWER_CMD[action], {
    templates, env: c.env, fanout: opts.fanout, timeoutMs: opts.timeout * 1000, show: opts.show === true,
  });
  logFailures(c, results);
  if (opts.json) {
    c.out.write(resultsJson(results));
  } else if (opts.table) {
    c.out.write(powerTable(results));
  } else {
    // --show: the command; otherwise the BMC's answer (§1.8)
    for (const r of results) if (r.ok) c.out.write(`${r.ipaddr}: ${r.output.trim()}\n`);
  }
  verdict(`power ${action}`, results, unknown);
}

/**
 * One row per node; a failed or skipped node shows its error (ipmitool's own
 * `Error: ` prefix dropped). Multi-line answers are joined with `; `.
 */
export function powerTable(results: readonly BmcResult[]): string {
  const oneLine = (s: string) => s.split('\n').map((l) => l.trim()).filter((l) => l !== '').join('; ');
  const rows = results.map((r) => [r.node, r.ipaddr || '--', oneLine(r.ok ? r.output : `ERROR: ${(r.error ?? 'failed').replace(/^error:\s*/i, '')}`)]);
  return tabTable(['NODE', 'IPMI IPADDR', 'RESULT'], rows);
}
