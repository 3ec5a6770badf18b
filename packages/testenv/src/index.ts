export { REPO, SHARED, CACHE, WWCTL_BIN, isRoot, inCI } from './paths.js';
export { makeRoot, type TestRoot } from './root.js';
export { wwctl, wwctlProcess, runCmd, type RunResult } from './run.js';
export { startBmcs, bmcSimUnavailable, type BmcSim, type BmcSpec, type SimBmc } from './bmc.js';
