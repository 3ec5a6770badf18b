export { REPO, SHARED, CACHE, WWCTL_BIN, isRoot, inCI } from './paths.js';
export { makeRoot, type TestRoot } from './root.js';
export { wwctl, wwctlProcess, runCmd, type RunResult } from './run.js';
