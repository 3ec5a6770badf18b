/**
 * The server-administration commands of §1.10 that are not the daemon:
 * `version`, `clean`, `ssh`, `upgrade config|nodes`. Reached through
 * '@warewulf/core/admin' so other commands do not load them at start-up.
 */
export { wwVersion, versionString, type WwVersion } from './version.js';
export { cleanProvision, type CleanOptions, type CleanResult } from './clean.js';
export { sshTargets, sshArgv, runSsh, type SshTarget, type SshTargets, type SshRunOptions, type SshOutcome } from './ssh.js';
export {
  upgradeNodesDocument, replaceGeneric, GENERIC_RUNTIME_OVERLAYS, DEFAULT_KERNEL_ARGS, DEFAULT_FSTAB,
  type LegacyMount, type UpgradeNodesOptions,
} from './upgrade-nodes.js';
export { upgradeWarewulfConf, legacyMounts } from './upgrade-config.js';
export { upgradeConfigFile, upgradeNodesFile, STDOUT, OLD_SUFFIX, type UpgradeFileResult } from './upgrade-files.js';
