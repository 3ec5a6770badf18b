/**
 * What the `configure` leaves share: the configure context of this wwctl
 * run, the plan printed (with a unified diff per text file under
 * `--dry-run`), then applied with one line per change or command.
 */
import { hostname, userInfo } from 'node:os';
import { Command, Option } from 'commander';
import { loadNodeDb } from '@warewulf/core';
import type { ConfigurePlan, FileChange, PlanOptions, PlannedCommand, StepName } from '@warewulf/core/configure';
import type { Ctx } from '../../context.js';

export interface DryRunFlag {
  dryRun?: boolean;
}

/** Adds `-n/--dry-run` (also accepted before the leaf: `configure --dry-run dhcp`). */
export function withDryRun(cmd: Command): Command {
  return cmd.addOption(new Option('-n, --dry-run', 'show the changes (unified diffs) and commands, change nothing'));
}

/** `--dry-run` given on the leaf or on `configure`. */
export function isDryRun(cmd: Command): boolean {
  return cmd.optsWithGlobals<DryRunFlag>().dryRun === true;
}

/** The step as the admin knows it (`conf` is the write-back of detected network values). */
const label = (step: StepName) => (step === 'conf' ? 'warewulf.conf' : step);

const octal = (m: number) => m.toString(8).padStart(4, '0');

function changeLine(c: FileChange, dry: boolean): string {
  const verb = (now: string, done: string) => (dry ? now : done);
  const extra: string[] = [];
  if (c.kind === 'directory') return `${verb('mkdir', 'created directory')} ${c.path} (${octal(c.mode)})`;
  if (c.kind === 'symlink') {
    if (c.backup) extra.push(`backup ${c.backup}`);
    const v = c.action === 'create' ? verb('symlink', 'linked') : verb('relink', 'relinked');
    return `${v} ${c.path} -> ${c.target ?? ''}${extra.length ? ` (${extra.join(', ')})` : ''}`;
  }
  if (c.action === 'metadata') return `${verb('update', 'updated')} ${c.path} (${c.details.join(', ')})`;
  extra.push(octal(c.mode));
  if (c.owner) extra.push(`owner ${c.owner.uid}:${c.owner.gid}`);
  if (c.source) extra.push(`from ${c.source}`);
  if (c.binary) extra.push(`binary, ${c.content?.length ?? 0} bytes`);
  if (c.secret) extra.push(`private, ${c.content?.length ?? 0} bytes, content not shown`);
  extra.push(...c.details.filter((d) => d !== 'content'));
  if (c.backup) extra.push(`backup ${c.backup}`);
  const v = c.action === 'create' ? verb('create', 'created') : verb('replace', 'replaced');
  return `${v} ${c.path} (${extra.join(', ')})`;
}

function commandLine(cmd: PlannedCommand, dry: boolean, showCommand: (argv: string[]) => string): string {
  const shown = showCommand(cmd.argv);
  if (!cmd.runnable) return `not run: ${shown}  # ${cmd.why}; ${cmd.skipped ?? 'cannot run here'}`;
  return `${dry ? 'would run' : 'ran'}: ${shown}  # ${cmd.why}`;
}

/** The plan as text: per step its warnings, notes, changes (with diffs when `dry`) and commands. */
export function formatPlan(plan: ConfigurePlan, dry: boolean, showCommand: (argv: string[]) => string): string {
  let out = '';
  for (const s of plan.steps) {
    const empty = s.changes.length === 0 && s.commands.length === 0 && s.plannedEarlier.length === 0;
    out += `configure ${label(s.step)}:${empty ? ' nothing to change' : ''}\n`;
    for (const n of s.notes) out += `  ${n}\n`;
    if (s.plannedEarlier.length > 0) out += `  (${s.plannedEarlier.length} of its file change(s) listed under an earlier step)\n`;
    for (const c of s.changes) {
      out += `  ${changeLine(c, dry)}\n`;
      if (dry && c.diff !== '') out += c.diff.endsWith('\n') ? c.diff : `${c.diff}\n`;
    }
    for (const cmd of s.commands) {
      out += `  ${commandLine(cmd, dry, showCommand)}\n`;
      if (cmd.creates?.length) out += `    creates ${cmd.creates.join(', ')}\n`;
    }
  }
  return out;
}

/**
 * Plan `steps` for this wwctl run and print it (`--dry-run`) or apply it.
 * `--all` also persists auto-detected network values (§1.9).
 */
export async function runConfigure(c: Ctx, steps: readonly StepName[], dry: boolean, opts: PlanOptions = {}): Promise<ConfigurePlan> {
  // the load already filled an empty address from the host (§3.3); `detected` says which values
  const { conf, paths, detected } = await c.load();
  const cfg = await import('@warewulf/core/configure');
  // no parse cache: a dry run must not write into the root
  const db = await loadNodeDb(paths.nodesConf, { log: c.log });
  const me = userInfo();
  const ctx = {
    conf, paths, hostname: hostname(), nodes: () => db.all(), log: c.log, detected,
    user: { uid: process.geteuid?.() ?? me.uid, gid: process.getegid?.() ?? me.gid, home: me.homedir },
    services: await cfg.detectServiceManager(paths, c.env),
  };
  const plan = await cfg.planConfigure(ctx, steps, opts);
  for (const s of plan.steps) for (const w of s.warnings) c.log.warn(`configure ${label(s.step)}: ${w}`);
  const changes = plan.steps.reduce((n, s) => n + s.changes.length, 0);
  const commands = plan.steps.reduce((n, s) => n + s.commands.filter((x) => x.runnable).length, 0);
  if (dry) {
    c.out.write(formatPlan(plan, true, cfg.showCommand));
    c.out.write(cfg.planIsEmpty(plan) ? 'dry run: nothing to change\n' : `dry run: ${changes} file change(s) and ${commands} command(s) planned; nothing was changed\n`);
    return plan;
  }
  // each line once it is done: a failure leaves a record of what was changed before it
  let changed = 0;
  let ran = 0;
  let notRun = 0;
  for (const s of plan.steps) {
    const empty = s.changes.length === 0 && s.commands.length === 0 && s.plannedEarlier.length === 0;
    c.out.write(`configure ${label(s.step)}:${empty ? ' nothing to change' : ''}\n`);
    for (const n of s.notes) c.out.write(`  ${n}\n`);
    if (s.plannedEarlier.length > 0) c.out.write(`  (${s.plannedEarlier.length} of its file change(s) made by an earlier step)\n`);
    const r = await cfg.applyConfigure({ root: plan.root, steps: [s] }, (e) => {
      c.out.write(`  ${e.type === 'change' ? changeLine(e.change, false) : commandLine(e.command, false, cfg.showCommand)}\n`);
    });
    changed += r.changed;
    ran += r.ran;
    notRun += r.notRun;
  }
  if (cfg.planIsEmpty(plan)) c.out.write('configure: nothing to change, everything is up to date\n');
  else c.out.write(`configure: ${changed} file change(s) made, ${ran} command(s) run${notRun ? `, ${notRun} not run` : ''}\n`);
  return plan;
}
