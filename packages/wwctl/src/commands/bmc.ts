/**
 * What `power`, `node sensors` and `node console` share: their flags, the
 * node selection (never all nodes, ww#820) and the end-of-run verdict. The
 * BMC code is loaded on demand, so other commands start without the
 * template engine.
 */
import { Command, InvalidArgumentError } from 'commander';
import { WwError } from '@warewulf/core';
import type { BmcResult, BmcTarget, BmcTemplates } from '@warewulf/core/bmc';
import type { Ctx } from '../context.js';

export interface BmcFlags {
  show?: boolean;
  fanout: number;
  timeout: number;
  json?: boolean;
}

const positiveInt = (what: string) => (v: string): number => {
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`${what} must be a positive integer`);
  return n;
};

/** `-s/--show`, `--fanout N` (default 50, §1.8), `--timeout SECONDS` and `--json`. */
export function withBmcFlags(cmd: Command): Command {
  return cmd
    .option('-s, --show', 'only show the commands, with the password masked')
    .option('--fanout <n>', 'how many BMCs to talk to at once', positiveInt('--fanout'), 50)
    .option('--timeout <seconds>', 'give up on a BMC after this many seconds', positiveInt('--timeout'), 60)
    .option('--json', 'one JSON record per node');
}

/**
 * The nodes named by `patterns` and a template cache. Names that are not
 * nodes are reported at ERROR level and returned, so the command can fail at
 * the end. Throws WW_ERR_USAGE when no node is named.
 */
export async function selectBmcTargets(c: Ctx, patterns: readonly string[]): Promise<{ targets: BmcTarget[]; unknown: string[]; templates: BmcTemplates }> {
  const { paths } = await c.load();
  const bmc = await import('@warewulf/core/bmc');
  const { targets, unknown } = await bmc.loadBmcTargets(patterns, { nodesConf: paths.nodesConf, cacheDir: paths.nodesCacheDir, log: c.log });
  for (const name of unknown) c.log.error(`${name}: no such node`);
  return { targets, unknown, templates: new bmc.BmcTemplates(paths.bmcDir) };
}

/** Log each failed or skipped node as upstream does (`ERROR  : n1: No IPMI IP address`). */
export function logFailures(c: Ctx, results: readonly BmcResult[]): void {
  for (const r of results) if (!r.ok) c.log.error(`${r.node}: ${r.error ?? 'failed'}`);
}

/** Results as JSON: node, ipaddr, cmd (the template's `.Cmd`), status, ok, output, error, command (password masked). */
export function resultsJson(results: readonly BmcResult[]): string {
  const rows = results.map((r) => ({
    node: r.node, ipaddr: r.ipaddr, cmd: r.cmd, status: r.status, ok: r.ok, output: r.output,
    ...(r.error !== undefined ? { error: r.error } : {}),
    ...(r.command !== undefined ? { command: r.command } : {}),
  }));
  return `${JSON.stringify(rows, null, 2)}\n`;
}

/** Throws WW_ERR_BMC_FAILED naming the nodes that failed, were skipped or do not exist (exit 255). */
export function verdict(what: string, results: readonly BmcResult[], unknown: readonly string[]): void {
  const bad = [...results.filter((r) => !r.ok).map((r) => r.node), ...unknown];
  if (bad.length === 0) return;
  const total = results.length + unknown.length;
  throw new WwError('WW_ERR_BMC_FAILED', `${what} failed on ${bad.length} of ${total} node(s): ${bad.join(', ')}`);
}
