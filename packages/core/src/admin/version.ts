/**
 * The version `wwctl version` prints (§1.10): upstream's `<VERSION>-<RELEASE>`,
 * VERSION being the release of the sources and RELEASE the packaging
 * release of the build (an RPM's `Release:`). Here VERSION is the version of
 * the `@warewulf/core` package (the workspace's packages share it) and
 * RELEASE is `1`: the source tree is its own only packaging.
 */
import { readFileSync } from 'node:fs';
import { WwError } from '../errors.js';

/** The packaging release (see above). */
const RELEASE = '1';

/** The one field read from package.json, checked by hand: zod would add ~60 ms to `wwctl --help`. */
function versionOf(pkg: unknown): string | undefined {
  if (typeof pkg !== 'object' || pkg === null || !('version' in pkg)) return undefined;
  const v = (pkg as { version: unknown }).version;
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export interface WwVersion {
  /** The package version, e.g. `0.1.0`. */
  readonly version: string;
  /** The packaging release, e.g. `1`. */
  readonly release: string;
}

/**
 * VERSION and RELEASE of this build. Reads core's package.json (two levels
 * above this module in src/ and in dist/ alike).
 * Throws WW_ERR_IO when package.json cannot be read or has no version.
 */
export function wwVersion(): WwVersion {
  const url = new URL('../../package.json', import.meta.url);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(url, 'utf8'));
  } catch (err) {
    throw new WwError('WW_ERR_IO', `${url.pathname}: cannot read the package version: ${(err as Error).message}`, { cause: err });
  }
  const version = versionOf(parsed);
  if (version === undefined) throw new WwError('WW_ERR_IO', `${url.pathname}: no "version" in package.json`);
  return { version, release: RELEASE };
}

/** `<VERSION>-<RELEASE>`, as upstream's `wwctl version` line (§1.10). */
export function versionString(v: WwVersion): string {
  return `${v.version}-${v.release}`;
}
