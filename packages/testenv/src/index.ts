export { REPO, SHARED, CACHE, WWCTL_BIN, isRoot, inCI } from './paths.js';
export { makeRoot, type TestRoot } from './root.js';
export { wwctl, wwctlProcess, runCmd, type RunResult } from './run.js';
export { makeProvisionRoot, PROVISION_NODES_CONF, type ProvisionRoot, type ProvisionRootOptions, type ProvisionFiles } from './provision.js';
export { provisionApp, startTestDaemon, captureLog, type TestApp, type InjectOptions, type InjectResponse, type LogLine } from './daemon.js';
