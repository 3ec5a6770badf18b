/**
 * The services configure restarts and enables (§1.9: `systemctl restart
 * NAME`, `systemctl enable NAME`). Only where systemd is PID 1 and the files
 * written are the ones the services read: under WAREWULF_ROOT, or without
 * systemd, the commands are planned and shown but not run, and the plan
 * says why. A restart is planned when a file of the step changed (or the
 * step was asked for by name, as upstream restarts always) or the unit is
 * not running; `enable` only when it is not enabled — so a second
 * `configure --all` changes nothing.
 */
import { access } from 'node:fs/promises';
import type { Paths } from '../config/paths.js';
import { findOnPath, run, runChecked } from './exec.js';
import type { PlannedCommand } from './types.js';

export interface ServiceManager {
  /** Why services are not managed here (undefined: they are). */
  readonly unavailable?: string;
  /** The systemctl to run. */
  readonly systemctl: string;
}

/** sd_booted(3): systemd is the init system when /run/systemd/system exists. */
async function systemdBooted(): Promise<boolean> {
  try {
    await access('/run/systemd/system');
    return true;
  } catch {
    return false;
  }
}

/**
 * How services are managed for these paths: never under WAREWULF_ROOT (the
 * host's services do not read a relocated tree), never without systemd.
 */
export async function detectServiceManager(paths: Pick<Paths, 'root'>, env: Readonly<Record<string, string | undefined>> = process.env): Promise<ServiceManager> {
  const systemctl = (await findOnPath('systemctl', env)) ?? 'systemctl';
  if (paths.root !== '') return { systemctl, unavailable: 'WAREWULF_ROOT is set, the host\'s services do not read these files' };
  if (!(await systemdBooted())) return { systemctl, unavailable: 'systemd is not running here' };
  return { systemctl };
}

/** `dhcpd` -> `dhcpd.service`; names with a suffix are kept. */
export function unitName(name: string): string {
  return /\.(service|socket|target|mount|timer)$/.test(name) ? name : `${name}.service`;
}

export interface ServicePlan {
  commands: PlannedCommand[];
  warnings: string[];
}

/**
 * The systemctl commands that bring `name` up to date.
 *
 * @param trigger why a restart is due (`its configuration changed`), or
 *   undefined when nothing of the step changed (then only a unit that is
 *   down is restarted)
 */
export async function planService(sm: ServiceManager, name: string, trigger?: string): Promise<ServicePlan> {
  const unit = unitName(name);
  const cmd = (verb: string, why: string): PlannedCommand => {
    const argv = [sm.systemctl, verb, unit];
    if (sm.unavailable !== undefined) return { argv, why, runnable: false, skipped: sm.unavailable };
    return { argv, why, runnable: true, exec: async () => void (await runChecked(argv)) };
  };
  if (sm.unavailable !== undefined) {
    // nothing can be asked of systemd: say what would be done when something changed
    return { commands: trigger !== undefined ? [cmd('restart', trigger), cmd('enable', 'start it at boot')] : [], warnings: [] };
  }
  const load = (await run([sm.systemctl, 'show', '-p', 'LoadState', '--value', unit])).stdout.trim();
  if (load !== 'loaded') return { commands: [], warnings: [`service ${unit} is not installed (${load || 'unknown'}): not started`] };
  const active = (await run([sm.systemctl, 'is-active', '--quiet', unit])).code === 0;
  const enabled = (await run([sm.systemctl, 'is-enabled', '--quiet', unit])).code === 0;
  const commands: PlannedCommand[] = [];
  if (trigger !== undefined || !active) commands.push(cmd('restart', trigger ?? 'it is not running'));
  if (!enabled) commands.push(cmd('enable', 'it is not enabled'));
  return { commands, warnings: [] };
}
