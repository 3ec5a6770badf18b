/** Where the repository and the shared read-only material (`../shared`) are. */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is `packages/testenv/{src,dist}/paths.*`). */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** `../shared` beside the repository: the spec, the seed, the e2e recipes, the Go template reference. */
export const SHARED = resolve(REPO, '..', 'shared');
/** Scratch space kept between runs (fixtures built once: kernels, images); ignored by git. */
export const CACHE = resolve(REPO, '.cache');
export const WWCTL_BIN = resolve(REPO, 'packages', 'wwctl', 'bin', 'wwctl.js');
export const isRoot = process.getuid?.() === 0;
export const inCI = process.env.CI === 'true' || process.env.CI === '1';
export const WAREWULFD_BIN = resolve(REPO, 'packages', 'warewulfd', 'bin', 'warewulfd.js');
