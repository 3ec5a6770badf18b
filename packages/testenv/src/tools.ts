/** Built artefacts and host tools the boot tests use. */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './paths.js';

/** The static wwclient built by `node scripts/run.mjs build` (packages/wwclient/build.mjs). */
export const WWCLIENT_BIN = join(REPO, 'packages', 'wwclient', 'dist', 'wwclient');

/** The compiled boot fixture server (`tsc -b` output), to run as a process inside a namespace. */
export const BOOT_SERVER_CLI = join(REPO, 'packages', 'testenv', 'dist', 'boot-server-cli.js');

/** Build wwclient if it is missing or stale (the build script checks); returns its path. */
export function ensureWwclient(): string {
  execFileSync(process.execPath, [join(REPO, 'packages', 'wwclient', 'build.mjs')], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (!existsSync(WWCLIENT_BIN)) throw new Error(`${WWCLIENT_BIN} was not built`);
  return WWCLIENT_BIN;
}

/** The commands of `cmds` that are not on PATH. */
export function missingTools(cmds: readonly string[]): string[] {
  return cmds.filter((c) => spawnSync('sh', ['-c', `command -v ${c}`], { stdio: 'ignore' }).status !== 0);
}
