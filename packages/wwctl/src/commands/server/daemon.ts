/**
 * How wwctl runs warewulfd: as a separate program (wwctl and warewulfd do
 * not import each other). Its entry point is resolved from the workspace
 * dependency, or taken from $WAREWULFD_BIN.
 */
import { createRequire } from 'node:module';
import type { Env } from '@warewulf/core';

/** [node, warewulfd.js]: the command that runs the daemon in the foreground. */
export function daemonCommand(env: Env): string[] {
  const bin = env['WAREWULFD_BIN'] || createRequire(import.meta.url).resolve('@warewulf/warewulfd/bin');
  return [process.execPath, bin];
}

export interface DaemonFlags {
  listen?: string;
  port?: string;
}

/** Global `--warewulfconf` and the listen overrides, as daemon arguments. */
export function daemonArgs(confPath: string | undefined, f: DaemonFlags): string[] {
  return [
    ...(confPath !== undefined ? ['--warewulfconf', confPath] : []),
    ...(f.listen !== undefined ? ['--listen', f.listen] : []),
    ...(f.port !== undefined ? ['--port', f.port] : []),
  ];
}
