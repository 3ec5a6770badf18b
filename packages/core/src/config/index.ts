export type { ExportPath, ImageMount, PathKey, PathsConf, WarewulfConf, WarewulfConfDerived } from './types.js';
export { PATH_KEYS } from './types.js';
export type { WarewulfConfDocument } from './schema.js';
export { warewulfConfSchema } from './schema.js';
export {
  DEFAULT_ALLOWED_SUBNETS,
  DEFAULT_EXPORT_OPTIONS,
  DEFAULT_IPXE,
  DEFAULT_KEY_TYPES,
  DEFAULT_PATHS,
  DEFAULT_TFTPROOT,
  defaultWarewulfConf,
} from './defaults.js';
export type { ParseWarewulfConfOptions } from './parse.js';
export { parseWarewulfConf } from './parse.js';
export { legacyNfsMounts, legacyMountAdvice, type LegacyNfsMount } from './legacy-mounts.js';
export { warewulfConfToDocument, warewulfConfToYaml } from './render.js';
export { deriveNetworkValues } from './derived.js';
export type { Env, Paths, ResolvePathsOptions } from './paths.js';
export { resolveConfPath, resolvePaths } from './paths.js';
export type { DetectedNetwork, LoadWarewulfConfOptions } from './load.js';
export { loadConfigAndPaths, loadWarewulfConf, loadWarewulfConfDetected } from './load.js';
export type { AutodetectOptions } from './autodetect.js';
export { autodetectNetwork, fallbackAddress, probeSourceAddress } from './autodetect.js';
