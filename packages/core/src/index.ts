export { WwError, isWwError, isErrnoCode, toWwError, ERROR_STATUS, type WwErrorCode } from './errors.js';
export { noopLogger, memoryLogger, type Logger } from './log.js';
// config without its zod schema: the schema, the parser and the renderer are
// reached through '@warewulf/core/config' so the CLI's start-up stays lean
export type { ExportPath, ImageMount, PathKey, PathsConf, WarewulfConf, WarewulfConfDerived } from './config/types.js';
export { PATH_KEYS } from './config/types.js';
export { DEFAULT_PATHS, DEFAULT_TFTPROOT, defaultWarewulfConf } from './config/defaults.js';
export { deriveNetworkValues } from './config/derived.js';
export { resolveConfPath, resolvePaths, type Env, type Paths, type ResolvePathsOptions } from './config/paths.js';
export { SHIPPED_ETC_DIR } from './shipped.js';
export { loadConfigAndPaths, loadWarewulfConf, loadWarewulfConfDetected, type DetectedNetwork, type LoadWarewulfConfOptions } from './config/load.js';
export { autodetectNetwork, probeSourceAddress, type AutodetectOptions } from './config/autodetect.js';
export { expandHostlist, compressHostlist, MAX_HOSTLIST_EXPANSION } from './hostlist.js';
export { findLocation, formatKeyPath, locateKeys, type Location } from './yaml-locate.js';
export { acquireLock, type LockHandle, type LockOptions } from './fs/lock.js';
export { writeFileAtomic } from './fs/atomic-write.js';
export * from './node/index.js';
// overlays (template engine, cpio) are reached through '@warewulf/core/overlay',
// so commands that never render one do not load them at start-up
export { YamlScalar, plainData, scalarText } from './yaml/scalar.js';
export { cloneData, isMapping, newMapping } from './yaml-value.js';
export { nameIssue, checkName, type NameKind } from './node/names.js';
export { dumpYaml, loadYaml } from './yaml/document.js';
export { incrementIp } from './ip.js';
export * from './server/index.js';
