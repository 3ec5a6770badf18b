/**
 * `configure --all` first writes the ipaddr/netmask/network that loading
 * warewulf.conf auto-detected (§3.3; config/load.ts)
 * into warewulf.conf (§1.9), so the DHCP configuration, the exports and the
 * nodes' view of the server agree from then on. An existing file keeps its
 * comments and layout: only the three top-level lines are set or added.
 */
import { readFile, stat } from 'node:fs/promises';
import { isErrnoCode } from '../errors.js';
import { isInside } from './confine.js';
import type { Desired } from './files.js';
import type { ConfigureContext } from './types.js';

export const NETWORK_KEYS = ['ipaddr', 'netmask', 'network'] as const;
export type NetworkKey = (typeof NETWORK_KEYS)[number];
export type NetworkValues = Partial<Record<NetworkKey, string>>;

/**
 * `text` with the top-level `ipaddr:` / `netmask:` / `network:` lines set to
 * `values`; missing ones are added before the first key (after the leading
 * comments).
 */
export function setNetworkLines(text: string, values: NetworkValues): string {
  let out = text;
  const missing: string[] = [];
  for (const k of NETWORK_KEYS) {
    const v = values[k];
    if (v === undefined) continue;
    const re = new RegExp(`^${k}:.*$`, 'm');
    if (re.test(out)) out = out.replace(re, `${k}: ${v}`);
    else missing.push(`${k}: ${v}`);
  }
  if (missing.length === 0) return out;
  const lines = out.split('\n');
  // after the network keys the file has, else before its first key
  const last = lines.reduce((found, l, i) => (NETWORK_KEYS.some((k) => l.startsWith(`${k}:`)) ? i : found), -1);
  let at = last >= 0 ? last + 1 : lines.findIndex((l) => l.trim() !== '' && !l.startsWith('#') && l.trim() !== '---');
  if (at < 0) at = lines.length;
  lines.splice(at, 0, ...missing);
  return lines.join('\n');
}

/**
 * The warewulf.conf change of `configure --all`, or nothing when no value
 * was detected. A file outside WAREWULF_ROOT (`--warewulfconf`) is not
 * written: a warning says so.
 */
export async function planConfFile(ctx: ConfigureContext): Promise<{ desired: Desired[]; warnings: string[] }> {
  const values = ctx.detected ?? {};
  const keys = NETWORK_KEYS.filter((k) => values[k] !== undefined);
  if (keys.length === 0) return { desired: [], warnings: [] };
  const file = ctx.paths.warewulfConf;
  const shown = keys.map((k) => `${k} ${values[k]}`).join(', ');
  if (ctx.paths.root !== '' && !isInside(ctx.paths.root, file)) {
    return { desired: [], warnings: [`${file} is outside WAREWULF_ROOT: the detected ${shown} are not written to it`] };
  }
  let text: string | undefined;
  let mode = 0o644;
  try {
    text = await readFile(file, 'utf8');
    mode = (await stat(file)).mode & 0o7777;
  } catch (err) {
    if (!isErrnoCode(err, 'ENOENT')) throw err;
  }
  const { warewulfConfToYaml } = await import('../config/render.js');
  const content = text === undefined ? warewulfConfToYaml(ctx.conf) : setNetworkLines(text, values);
  return { desired: [{ kind: 'file', path: file, content: Buffer.from(content), mode, backup: true }], warnings: [] };
}
