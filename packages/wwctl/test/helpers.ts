/** wwctl's tests use the shared test environment. */
export { REPO, SHARED, WWCTL_BIN, makeRoot, wwctl, wwctlProcess, type TestRoot, type RunResult } from '@warewulf/testenv';
