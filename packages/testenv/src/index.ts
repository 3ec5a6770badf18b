export { REPO, SHARED, CACHE, WWCTL_BIN, WAREWULFD_BIN, isRoot, inCI } from './paths.js';
export { makeRoot, type TestRoot } from './root.js';
export { wwctl, wwctlProcess, runCmd, type RunResult } from './run.js';
export { makeProvisionRoot, PROVISION_NODES_CONF, type ProvisionRoot, type ProvisionRootOptions, type ProvisionFiles } from './provision.js';
export { provisionApp, startTestDaemon, spawnDaemon, captureLog, type DaemonProcess, type TestApp, type InjectOptions, type InjectResponse, type LogLine } from './daemon.js';
export { httpGet, privilegedGet, rawGet, type HttpResult } from './http.js';
