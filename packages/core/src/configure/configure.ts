/**
 * `wwctl configure` (§1.9): the head node's DHCP, TFTP, NFS, /etc/hosts,
 * SSH keys, TLS and services, as a plan first (every file change with its
 * diff, every command) and then, unless it is a dry run, applied step by
 * step in §1.9's order. Everything lands inside the output root (`/`, or
 * `$WAREWULF_ROOT`). Running it again changes nothing: files are compared
 * before they are written, keys are made only when missing, services are
 * restarted only when a file of theirs changed or they are down.
 */
import { posix } from 'node:path';
import { WwError } from '../errors.js';
import { realRoot } from './confine.js';
import { applyChange, planChange, type Desired } from './files.js';
import { renderHostOverlay, type HostOverlayResult } from './host-overlay.js';
import { planConfFile } from './network.js';
import { planService } from './services.js';
import { planSsh } from './ssh.js';
import { planTftpFiles } from './tftp.js';
import { planTls, type TlsOptions } from './tls.js';
import {
  STEP_ORDER,
  type ConfigureContext,
  type ConfigurePlan,
  type ConfigureReport,
  type FileChange,
  type PlannedCommand,
  type StepName,
  type StepOptions,
  type StepPlan,
} from './types.js';

/** What one step wants, before it is compared with the disk. */
interface StepWork {
  desired: Desired[];
  /** Written where the admin named (tls --export), not confined to the root. */
  anywhere?: Desired[];
  commands: PlannedCommand[];
  warnings: string[];
  notes: string[];
  /** The unit to restart/enable; `after`: steps whose changes also call for a restart. */
  service?: { unit: string; after?: StepName[]; force?: boolean };
}

const empty = (): StepWork => ({ desired: [], commands: [], warnings: [], notes: [] });

/** DHCP and exports need the server's network: WW_ERR_CONFIG_INVALID naming what is missing. */
function requireNetwork(ctx: ConfigureContext, what: string): void {
  const missing = (['ipaddr', 'netmask', 'network'] as const).filter((k) => ctx.conf[k] === '');
  if (missing.length > 0) {
    throw new WwError('WW_ERR_CONFIG_INVALID', `${ctx.paths.warewulfConf}: ${missing.join(', ')} not set and not detected; ${what} needs the server's address on the cluster network`, {
      hint: 'set ipaddr and netmask in warewulf.conf',
    });
  }
}

export interface PlanOptions extends StepOptions {
  tls?: TlsOptions;
}

/** Plans steps; the host overlay is rendered once per plan. */
class Planner {
  private host: Promise<HostOverlayResult> | undefined;

  constructor(
    private readonly ctx: ConfigureContext,
    private readonly rootReal: string,
    private readonly steps: readonly StepName[],
    private readonly opts: PlanOptions,
  ) {}

  private hostOverlay(w: StepWork): Promise<void> {
    this.host ??= renderHostOverlay(this.ctx);
    return this.host.then((r) => {
      w.desired.push(...r.desired);
      w.warnings.push(...r.warnings);
      for (const a of r.aborted) this.ctx.log.verbose(`host overlay: ${a} aborted, not written`);
    });
  }

  /** dhcp and nfs: enabled in warewulf.conf, the server's network known, the host overlay, then the service. */
  private async hostService(w: StepWork, s: { enabled: boolean; name: string; files: string; unit: string }): Promise<StepWork> {
    if (!s.enabled) {
      w.warnings.push(`${s.name} is not enabled in warewulf.conf: not configured`);
      return w;
    }
    requireNetwork(this.ctx, s.name);
    if (this.ctx.conf.warewulf.hostOverlay) await this.hostOverlay(w);
    else w.notes.push(`warewulf.host overlay is false: ${s.files} is not written`);
    if (s.unit !== '') w.service = { unit: s.unit };
    return w;
  }

  async work(step: StepName): Promise<StepWork> {
    const { conf } = this.ctx;
    const w = empty();
    switch (step) {
      case 'conf': {
        const r = await planConfFile(this.ctx);
        w.desired.push(...r.desired);
        w.warnings.push(...r.warnings);
        return w;
      }
      case 'tls': {
        const tls = this.opts.tls ?? {};
        if (!conf.warewulf.tls && tls.importDir === undefined && tls.exportDir === undefined) {
          w.notes.push('TLS is not enabled in warewulf.conf');
          return w;
        }
        const r = await planTls(this.ctx, this.rootReal, tls);
        w.desired.push(...r.desired);
        w.anywhere = r.exported;
        w.commands.push(...r.commands);
        // `--all` restarts warewulfd in its own step, after this one
        if (!this.steps.includes('warewulfd') && conf.warewulf.systemdName !== '' && tls.exportDir === undefined) w.service = { unit: conf.warewulf.systemdName };
        return w;
      }
      case 'warewulfd': {
        if (conf.warewulf.systemdName === '') {
          w.warnings.push('warewulf.systemd name is empty in warewulf.conf: warewulfd is not restarted');
          return w;
        }
        w.service = { unit: conf.warewulf.systemdName, after: ['conf', 'tls'], force: this.opts.explicit === true };
        return w;
      }
      case 'tftp': {
        const r = await planTftpFiles(this.ctx);
        w.desired.push(...r.desired);
        w.warnings.push(...r.warnings);
        if (!conf.tftp.enabled) w.notes.push('TFTP is not enabled in warewulf.conf: its service is left alone');
        else if (conf.tftp.systemdName === '') w.warnings.push('tftp.systemd name is empty in warewulf.conf: the TFTP server is not restarted');
        else w.service = { unit: conf.tftp.systemdName };
        return w;
      }
      case 'dhcp':
        return this.hostService(w, { enabled: conf.dhcp.enabled, name: 'DHCP', files: 'the DHCP configuration', unit: conf.dhcp.systemdName });
      case 'nfs':
        return this.hostService(w, { enabled: conf.nfs.enabled, name: 'NFS', files: '/etc/exports', unit: conf.nfs.systemdName || 'nfs-server' });
      case 'ssh': {
        // the cluster's keys are root's business; under WAREWULF_ROOT they are the tree's
        const hostKeys = this.ctx.user.uid === 0 || this.ctx.paths.root !== '';
        if (!hostKeys) w.warnings.push('not root: the cluster host keys and the host overlay are left alone');
        else if (conf.warewulf.hostOverlay) await this.hostOverlay(w);
        const r = await planSsh(this.ctx, this.rootReal, this.opts.keyTypes ?? conf.ssh.keyTypes, hostKeys);
        w.desired.push(...r.desired);
        w.commands.push(...r.commands);
        return w;
      }
      case 'hostfile': {
        const r = await renderHostOverlay(this.ctx, (p) => p === 'etc/hosts.ww');
        w.desired.push(...r.desired);
        w.warnings.push(...r.warnings);
        if (r.desired.length === 0) w.notes.push('the host overlay has no etc/hosts.ww that writes a file');
        return w;
      }
    }
  }
}

/**
 * Plan `steps` (run in §1.9's order whatever order they are given in). Reads
 * only: the root is not changed. Throws a TemplateFileError naming overlay,
 * file, line and column for a bad template, WW_ERR_PATH_ESCAPE for a write
 * that would leave the root (a symlink planted in it), WW_ERR_CONFIG_INVALID
 * when DHCP or NFS lack the server's network.
 */
export async function planConfigure(ctx: ConfigureContext, steps: readonly StepName[], opts: PlanOptions = {}): Promise<ConfigurePlan> {
  const rootReal = await realRoot(ctx.paths.root);
  const planner = new Planner(ctx, rootReal, steps, opts);
  /** Every path planned so far: a later step that renders the same file (the host overlay) does not repeat it. */
  const planned = new Map<string, StepName>();
  const touchedSteps = new Set<StepName>();
  const out: StepPlan[] = [];
  for (const step of STEP_ORDER) {
    if (!steps.includes(step)) continue;
    const w = await planner.work(step);
    const sp: StepPlan = { step, changes: [], plannedEarlier: [], commands: [...w.commands], warnings: [...w.warnings], notes: [...w.notes] };
    let touched = w.commands.length > 0;
    const add = (changes: FileChange[]) => {
      for (const c of changes) {
        touched = true;
        const by = planned.get(c.path);
        if (by !== undefined) {
          if (by !== step && !sp.plannedEarlier.includes(c.path)) sp.plannedEarlier.push(c.path);
          continue;
        }
        planned.set(c.path, step);
        sp.changes.push(c);
      }
    };
    for (const d of w.desired) add(await planChange(rootReal, d));
    for (const d of w.anywhere ?? []) add(await planChange('/', { ...d, path: posix.resolve(d.path) }));
    if (w.service) {
      const after = (w.service.after ?? []).filter((s) => touchedSteps.has(s));
      const trigger = touched
        ? 'its configuration changed'
        : after.length > 0
          ? `configure ${after.join(', ')} changed`
          : w.service.force
            ? 'asked for by name'
            : undefined;
      const sv = await planService(ctx.services, w.service.unit, trigger);
      sp.commands.push(...sv.commands);
      sp.warnings.push(...sv.warnings);
    }
    if (touched) touchedSteps.add(step);
    out.push(sp);
  }
  return { root: rootReal, steps: out };
}

export type ProgressEvent =
  | { type: 'change'; step: StepName; change: FileChange }
  | { type: 'command'; step: StepName; command: PlannedCommand; ran: boolean };

/**
 * Apply a plan: per step its file changes (each atomic, backups first),
 * then its commands (those that cannot run here are reported as not run).
 * Stops at the first failure (a WwError naming the file or command); what
 * was done before stays done and `onProgress` has reported it.
 */
export async function applyConfigure(plan: ConfigurePlan, onProgress?: (e: ProgressEvent) => void): Promise<ConfigureReport> {
  let changed = 0;
  let ran = 0;
  let notRun = 0;
  for (const sp of plan.steps) {
    for (const c of sp.changes) {
      await applyChange(c);
      changed++;
      onProgress?.({ type: 'change', step: sp.step, change: c });
    }
    for (const cmd of sp.commands) {
      if (cmd.runnable && cmd.exec) {
        await cmd.exec();
        ran++;
      } else {
        notRun++;
      }
      onProgress?.({ type: 'command', step: sp.step, command: cmd, ran: cmd.runnable });
    }
  }
  return { plan, changed, ran, notRun };
}

/** True when the plan changes no file and runs no command (a second `configure` after a first). */
export function planIsEmpty(plan: ConfigurePlan): boolean {
  return plan.steps.every((s) => s.changes.length === 0 && s.commands.length === 0);
}
