/**
 * Where everything lives (§0.1). Resolution rules, lowest to highest:
 *
 *   1. built-in defaults (RPM layout, DEFAULT_PATHS; tftproot /var/lib/tftpboot);
 *   2. warewulf.conf `paths:` (and `tftp.tftproot`);
 *   3. relocation: when env WAREWULF_ROOT is set (non-empty), every
 *      server-side path from 1 or 2 is placed under it — conf values too, so
 *      an admin's warewulf.conf copied into a relocated tree cannot escape it.
 *      `wwclientdir` is a path on the *node* and is never relocated.
 *
 * Derived files (nodes.conf, ipxe templates, ...) are computed from the
 * resolved directories, so they follow both conf and relocation.
 *
 * warewulf.conf itself: `--warewulfconf FILE` (confPath) > env WAREWULFCONF >
 * `<root>/etc/warewulf/warewulf.conf` (built-in sysconfdir, since `paths:`
 * cannot name the file it is read from). Explicit paths are used as given.
 *
 * Pure: env is an argument, the result is a frozen plain object.
 */
import { WwError } from '../errors.js';
import { posix } from 'node:path';
import { DEFAULT_PATHS, DEFAULT_TFTPROOT } from './defaults.js';
import type { PathKey, PathsConf, WarewulfConf } from './types.js';
import { PATH_KEYS } from './types.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface Paths extends PathsConf {
  /** WAREWULF_ROOT, or '' when not relocated. */
  root: string;
  tftproot: string;
  warewulfConf: string;
  nodesConf: string;
  authConf: string;
  ipxeTemplateDir: string;
  grubTemplateDir: string;
  keysDir: string;
  tlsDir: string;
  distOverlayDir: string;
  bmcDir: string;
  /** OCI blob cache (upstream's `<cachedir>/warewulf`). */
  ociCacheDir: string;
  /** Parsed copies of nodes.conf, apart from the blob cache. */
  nodesCacheDir: string;
  provisionImagesDir: string;
  provisionOverlaysDir: string;
}

export interface ResolvePathsOptions {
  env: Env;
  /** From `--warewulfconf`. */
  confPath?: string;
  /** The loaded config; only `paths` and `tftp.tftproot` are read. */
  conf?: Pick<WarewulfConf, 'paths' | 'tftp'>;
}

/** Paths that live on the provisioned node, not the server. */
const NODE_SIDE: ReadonlySet<PathKey> = new Set<PathKey>(['wwclientdir']);

/**
 * `$WAREWULF_ROOT`, or '' when it is not set. Set but empty is refused
 * (WW_ERR_USAGE): it would otherwise mean "no relocation" and quietly write
 * the real /etc/warewulf; a relative root is made absolute.
 */
function relocationRoot(env: Env): string {
  const root = env['WAREWULF_ROOT'];
  if (root === undefined) return '';
  if (root.trim() === '') {
    throw new WwError('WW_ERR_USAGE', 'WAREWULF_ROOT is set but empty; unset it to use the system paths, or set it to a directory', {
      hint: 'unset WAREWULF_ROOT',
    });
  }
  return posix.resolve(root);
}

function under(root: string, p: string): string {
  // Resolve against "/" first so `..` (or a relative value) cannot climb out of the root.
  return root === '' ? p : posix.join(root, posix.resolve('/', p));
}

/** The warewulf.conf to read, before anything else is known. */
export function resolveConfPath(opts: { env: Env; confPath?: string }): string {
  if (opts.confPath) return opts.confPath;
  const fromEnv = opts.env['WAREWULFCONF'];
  if (fromEnv) return fromEnv;
  return under(relocationRoot(opts.env), posix.join(DEFAULT_PATHS.sysconfdir, 'warewulf', 'warewulf.conf'));
}

export function resolvePaths(opts: ResolvePathsOptions): Paths {
  const root = relocationRoot(opts.env);
  const dirs = {} as PathsConf;
  for (const key of PATH_KEYS) {
    const value = opts.conf?.paths[key] || DEFAULT_PATHS[key];
    dirs[key] = NODE_SIDE.has(key) ? value : under(root, value);
  }
  const sysconf = posix.join(dirs.sysconfdir, 'warewulf');
  const data = posix.join(dirs.datadir, 'warewulf');
  return Object.freeze({
    ...dirs,
    root,
    tftproot: under(root, opts.conf?.tftp.tftproot || DEFAULT_TFTPROOT),
    warewulfConf: resolveConfPath(opts),
    nodesConf: posix.join(sysconf, 'nodes.conf'),
    authConf: posix.join(sysconf, 'auth.conf'),
    ipxeTemplateDir: posix.join(sysconf, 'ipxe'),
    grubTemplateDir: posix.join(sysconf, 'grub'),
    keysDir: posix.join(sysconf, 'keys'),
    tlsDir: posix.join(sysconf, 'tls'),
    distOverlayDir: posix.join(data, 'overlays'),
    bmcDir: posix.join(data, 'bmc'),
    ociCacheDir: posix.join(dirs.cachedir, 'warewulf'),
    nodesCacheDir: posix.join(dirs.cachedir, 'warewulf-nodes'),
    provisionImagesDir: posix.join(dirs.wwprovisiondir, 'images'),
    provisionOverlaysDir: posix.join(dirs.wwprovisiondir, 'overlays'),
  });
}
