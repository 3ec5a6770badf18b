/**
 * `image exec` / `image shell` (§6.6): a command run with the image as its
 * root, in its own mount, UTS and PID namespaces (`unshare`), with
 * upstream's mounts: `--bind` specs, then warewulf.conf `image mounts`;
 * /dev, /sys, /proc and /run. Mount points missing in the image come from
 * an overlayfs of placeholders (`run/lower`) over the rootfs, so the image
 * itself is not changed by them. The run directory `<chroot>/<name>/run` is
 * the lock. Afterwards `etc/warewulf/image_exit.sh` runs the same way, and
 * the image is rebuilt when it changed (build without force: the change
 * check decides).
 *
 * The namespace set-up is a short POSIX sh script run by the host's /bin/sh
 * inside `unshare`; the command's words reach `chroot` as positional
 * parameters, never through the script text.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, lstat, mkdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import type { ImageMount } from '../config/types.js';
import type { Env, Paths } from '../config/paths.js';
import { WwError, isErrnoCode } from '../errors.js';
import type { Logger } from '../log.js';
import { buildImage, type BuildResult } from './build.js';
import { realInside, type ImagePaths } from './names.js';
import { requireImage } from './store.js';
import { syncUser } from './syncuser.js';

export interface BindSpec {
  source: string;
  /** Path inside the image. */
  dest: string;
  readonly: boolean;
  /** Copy into the image for the command, removed afterwards when unchanged. */
  copy: boolean;
}

/** `SRC[:DST[:ro|copy]]` (§6.6); DST defaults to SRC. */
export function parseBindSpec(spec: string): BindSpec {
  const [source = '', dest, mode, ...rest] = spec.split(':');
  if (source === '' || rest.length > 0 || (mode !== undefined && mode !== 'ro' && mode !== 'copy' && mode !== 'rw' && mode !== '')) {
    throw new WwError('WW_ERR_USAGE', `invalid bind spec ${JSON.stringify(spec)} (SRC[:DST[:ro|copy]])`);
  }
  return { source, dest: dest || source, readonly: mode === 'ro', copy: mode === 'copy' };
}

export interface ExecOptions {
  /** `--bind` specs, before warewulf.conf's `image mounts`. */
  binds?: readonly BindSpec[];
  imageMounts?: readonly ImageMount[];
  /** `--syncuser`: check (not write) uid/gid sync when passwd/group changed. */
  syncuser?: boolean;
  /** `--build` (default true): build afterwards when the image changed. */
  build?: boolean;
  /** Environment passed to the command (plus PATH, PS1, HISTFILE, WW_IMAGE_SHELL). */
  env: Env;
  log: Logger;
  /**
   * The command's standard streams: 'inherit' (all three of this process's
   * descriptors), or one by one. `in` is passed through whether or not it is a
   * terminal (`wwctl image exec IMG -- /bin/sh < setup.sh`, as upstream): the
   * descriptor itself ('inherit') or a stream piped to the command; `out`/`err`
   * are the descriptors or writers that get the command's output as Buffers.
   */
  stdio: 'inherit' | ExecStdio;
  /** Called once the command (and the exit script) ended, before the build. */
  onCommandDone?: (code: number) => void;
}

/** Each standard stream of the command (see ExecOptions.stdio). */
export interface ExecStdio {
  in: 'inherit' | 'ignore' | NodeJS.ReadableStream;
  out: 'inherit' | { write(s: Buffer): unknown };
  err: 'inherit' | { write(s: Buffer): unknown };
}

export interface ExecResult {
  code: number;
  build: BuildResult | undefined;
}

const PATH = '/bin:/sbin:/usr/bin:/usr/sbin:/usr/local/bin:/usr/local/sbin';

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** A path inside the image, normalised (leading "/", no ".."); undefined if it climbs out. */
function imageRel(p: string): string | undefined {
  const norm = posix.normalize(`/${p}`);
  return norm.split('/').includes('..') ? undefined : norm.replace(/^\/+/, '');
}

async function isInside(rootReal: string, p: string): Promise<boolean> {
  return (await realInside(rootReal, p)) !== undefined;
}

async function exists(p: string): Promise<boolean> {
  return lstat(p).then(
    () => true,
    () => false,
  );
}

async function mtimeKey(p: string): Promise<string> {
  const st = await stat(p).catch(() => undefined);
  return st ? `${st.mtimeMs}:${st.size}` : '';
}

interface Plan {
  script: string;
  copies: { dest: string; hash: string }[];
}

/**
 * Work out the mounts: which binds apply (source present on the host,
 * mount point inside the image), which mount points need placeholders, and
 * the script that sets it all up.
 */
async function planMounts(ip: ImagePaths, binds: readonly BindSpec[], log: Logger): Promise<Plan> {
  const rootReal = await realpath(ip.rootfs);
  const lower = join(ip.runDir, 'lower');
  const lines: string[] = ['set -e', `cd ${q(ip.dir)}`];
  const mounts: string[] = [];
  const copies: Plan['copies'] = [];
  let overlay = false;

  const placeholder = async (rel: string, dir: boolean): Promise<void> => {
    const p = join(lower, rel);
    await mkdir(dir ? p : dirname(p), { recursive: true });
    if (!dir) await writeFile(p, '');
    overlay = true;
  };

  for (const b of binds) {
    const rel = imageRel(b.dest);
    if (rel === undefined || rel === '') {
      log.warn(`bind ${b.source}:${b.dest}: destination must be a path inside the image; skipped`);
      continue;
    }
    const srcSt = await stat(b.source).catch(() => undefined);
    if (!srcSt) {
      log.verbose(`bind source ${b.source} does not exist on this host; skipped`);
      continue;
    }
    const target = join(ip.rootfs, rel);
    // the nearest existing ancestor must be inside the image (missing ones come from placeholders)
    let anc = dirname(target);
    while (anc !== ip.rootfs && !(await exists(anc))) anc = dirname(anc);
    if (!(await isInside(rootReal, anc)) || !(await stat(anc).then((s) => s.isDirectory(), () => false))) {
      log.warn(`bind ${b.source}:${b.dest}: the mount point's directory leads out of the image; skipped`);
      continue;
    }
    if (b.copy && anc !== dirname(target)) continue; // copies only go where the parent exists (§6.6)
    const present = await exists(target);
    if (present && !(await isInside(rootReal, target))) {
      log.warn(`bind ${b.source}:${b.dest}: the mount point leads out of the image; skipped`);
      continue;
    }
    if (b.copy) {
      if (present || !srcSt.isFile()) continue;
      await copyFile(b.source, target);
      copies.push({ dest: target, hash: await mtimeKey(target) });
      continue;
    }
    if (!present) await placeholder(rel, srcSt.isDirectory());
    mounts.push(`mount --bind ${q(b.source)} ${q(`rootfs/${rel}`)} || echo ${q(`WARN   : could not bind ${b.source} to ${b.dest}`)} >&2`);
    if (b.readonly) mounts.push(`mount -o remount,bind,ro ${q(`rootfs/${rel}`)} || echo ${q(`WARN   : could not make ${b.dest} read-only`)} >&2`);
  }
  const specials: [string, string][] = [['dev', 'devtmpfs'], ['sys', 'sysfs'], ['proc', 'proc'], ['run', 'tmpfs']];
  for (const [rel, fs] of specials) {
    const target = join(ip.rootfs, rel);
    const present = await exists(target);
    if (present && !((await lstat(target)).isDirectory())) {
      log.warn(`/${rel} in the image is not a directory; ${fs} not mounted`);
      continue;
    }
    if (!present) await placeholder(rel, true);
    mounts.push(`mount -t ${fs} ${fs} ${q(`rootfs/${rel}`)} || echo ${q(`WARN   : could not mount ${fs} on /${rel}`)} >&2`);
  }
  if (overlay) {
    await mkdir(join(ip.runDir, 'work'), { recursive: true });
    // relative paths: image names may hold ':' which overlayfs would take as a separator
    lines.push('mount -t overlay overlay -o lowerdir=run/lower,upperdir=rootfs,workdir=run/work rootfs');
  }
  if (await exists(ip.readonlyMarker)) lines.push('mount --bind rootfs rootfs', 'mount -o remount,bind,ro rootfs');
  lines.push(...mounts, 'cd rootfs', 'exec chroot . "$@"');
  return { script: `${lines.join('\n')}\n`, copies };
}

function runInImage(script: string, argv: readonly string[], env: NodeJS.ProcessEnv, stdio: ExecOptions['stdio']): Promise<number> {
  const io: ExecStdio = stdio === 'inherit' ? { in: 'inherit', out: 'inherit', err: 'inherit' } : stdio;
  return new Promise((resolve, reject) => {
    const child = spawn(
      'unshare',
      ['--mount', '--uts', '--pid', '--fork', '--kill-child', '--propagation', 'private', '--', '/bin/sh', '-c', script, 'ww-image-exec', ...argv],
      { env, stdio: [typeof io.in === 'string' ? io.in : 'pipe', io.out === 'inherit' ? 'inherit' : 'pipe', io.err === 'inherit' ? 'inherit' : 'pipe'] },
    );
    const input = typeof io.in === 'string' ? undefined : io.in;
    if (input && child.stdin) {
      // the command may end without reading all of it (EPIPE is not an error of ours)
      child.stdin.on('error', () => undefined);
      input.pipe(child.stdin);
      child.on('close', () => input.unpipe(child.stdin ?? undefined));
    }
    const { out, err } = io;
    if (out !== 'inherit') child.stdout?.on('data', (d: Buffer) => out.write(d));
    if (err !== 'inherit') child.stderr?.on('data', (d: Buffer) => err.write(d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 255)));
  });
}

async function idFilesKey(ip: ImagePaths): Promise<string> {
  const h = createHash('sha256');
  for (const f of ['passwd', 'group']) h.update(await readFile(join(ip.rootfs, 'etc', f)).catch(() => Buffer.alloc(0)));
  return h.digest('hex');
}

/**
 * Run `command` in image `name`. Throws WW_ERR_IMAGE_NOT_FOUND,
 * WW_ERR_IMAGE_BUSY (`run directory already exists: ...`), WW_ERR_IMAGE_EXEC
 * (not root; `command returned an error: exit status N`, and then no build).
 */
export async function execInImage(paths: Paths, name: string, command: readonly string[], opts: ExecOptions): Promise<ExecResult> {
  const ip = await requireImage(paths, name);
  if (command.length === 0) throw new WwError('WW_ERR_USAGE', 'no command given');
  if (process.getuid?.() !== 0) {
    throw new WwError('WW_ERR_IMAGE_EXEC', 'image exec and shell need root (they mount inside a new mount namespace)');
  }
  try {
    await mkdir(ip.runDir, { mode: 0o750 });
  } catch (err) {
    if (isErrnoCode(err, 'EEXIST')) {
      throw new WwError('WW_ERR_IMAGE_BUSY', `run directory already exists: another image command may already be running (otherwise, remove ${ip.runDir})`);
    }
    throw err;
  }
  let code = 0;
  let copies: Plan['copies'] = [];
  const idsBefore = opts.syncuser ? await idFilesKey(ip) : '';
  try {
    const binds = [
      ...(opts.binds ?? []),
      ...(opts.imageMounts ?? []).map((m) => ({ source: m.source, dest: m.dest || m.source, readonly: m.readonly, copy: m.copy })),
    ];
    const plan = await planMounts(ip, binds, opts.log);
    copies = plan.copies;
    const env: NodeJS.ProcessEnv = {
      ...opts.env,
      PATH,
      PS1: `[warewulf:${name}] ${opts.env['WW_PS1'] ?? '\\w\\$ '}`,
      HISTFILE: opts.env['WW_HISTFILE'] ?? '/dev/null',
      WW_CONTAINER_SHELL: name,
      WW_IMAGE_SHELL: name,
    };
    code = await runInImage(plan.script, command, env, opts.stdio);
    for (const exit of ['etc/warewulf/image_exit.sh', 'etc/warewulf/container_exit.sh']) {
      if (code !== 0) break;
      if (await exists(join(ip.rootfs, exit))) {
        opts.log.verbose(`running /${exit}`);
        // a piped stdin was the command's (and is consumed): the exit script reads none of it
        const stdio = opts.stdio !== 'inherit' && typeof opts.stdio.in === 'object' ? { ...opts.stdio, in: 'ignore' as const } : opts.stdio;
        code = await runInImage(plan.script, ['/bin/sh', `/${exit}`], env, stdio);
        break;
      }
    }
  } finally {
    for (const c of copies) {
      if ((await mtimeKey(c.dest)) === c.hash) await rm(c.dest, { force: true });
    }
    await rm(ip.runDir, { recursive: true, force: true });
  }
  opts.onCommandDone?.(code);
  if (code !== 0) throw new WwError('WW_ERR_IMAGE_EXEC', `command returned an error: exit status ${code}`);
  if (opts.syncuser && (await idFilesKey(ip)) !== idsBefore) await syncUser(paths, name, { write: false, log: opts.log });
  const build = opts.build === false ? undefined : await buildImage(paths, name, { log: opts.log });
  return { code, build };
}

/** The shell `image shell` runs: $SHELL, /bin/bash, /bin/sh, the first present in the image. */
export async function imageShell(paths: Paths, name: string, env: Env): Promise<string> {
  const ip = await requireImage(paths, name);
  const rootReal = await realpath(ip.rootfs);
  for (const sh of [env['SHELL'], '/bin/bash', '/bin/sh']) {
    if (!sh) continue;
    const rel = imageRel(sh);
    if (rel && (await exists(join(ip.rootfs, rel))) && (await isInside(rootReal, join(ip.rootfs, rel)).catch(() => false))) return sh;
    // an absolute symlink (/bin/sh -> /usr/bin/dash) resolves on the host; inside the image it is fine
    if (rel && (await lstat(join(ip.rootfs, rel)).catch(() => undefined))?.isSymbolicLink()) return sh;
  }
  throw new WwError('WW_ERR_IMAGE_EXEC', `image ${name} has no shell ($SHELL, /bin/bash, /bin/sh)`);
}
