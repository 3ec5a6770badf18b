export { WwError, isWwError, isErrnoCode, type WwErrorCode } from './errors.js';
export { noopLogger, memoryLogger, type Logger } from './log.js';
export * from './config/index.js';
export { expandHostlist, compressHostlist, MAX_HOSTLIST_EXPANSION } from './hostlist.js';
export { tabTable, printfRow } from './table.js';
export { locateYamlPath, type YamlPosition } from './yaml-locate.js';
export { acquireLock, type LockHandle, type LockOptions } from './fs/lock.js';
export { writeFileAtomic } from './fs/atomic-write.js';
export * from './node/index.js';
