/**
 * "Build the host overlay" (§1.9): the overlay `host` rendered for the
 * server's pseudo node (§5.7) onto the output root (`/`, or
 * `$WAREWULF_ROOT`), as the files configure wants there. Slots of `file`
 * with absolute names are anchored at the output root (§5.6).
 */
import { lstat } from 'node:fs/promises';
import { posix } from 'node:path';
import type { MergedNode } from '../node/merge.js';
import { TemplateBuild } from '../overlay/template-data.js';
import { OverlayStore } from '../overlay/store.js';
import { OverlayCompiler } from '../overlay/build/compiler.js';
import { templateEnv } from '../overlay/build/node-builder.js';
import type { OutputSlot } from '../overlay/compile.js';
import { SHIPPED_OVERLAYS_DIR } from '../shipped.js';
import { isInside } from './confine.js';
import type { Desired } from './files.js';
import type { ConfigureContext, Owner } from './types.js';

export const HOST_OVERLAY = 'host';

/** The output root of the host overlay: `$WAREWULF_ROOT`, or `/`. */
export function outputRoot(ctx: Pick<ConfigureContext, 'paths'>): string {
  return ctx.paths.root === '' ? '/' : ctx.paths.root;
}

/**
 * The host path of a slot. An absolute `file` name is anchored at the output
 * root (§5.6) — except one that already names a place inside a relocated
 * root: template data carries relocated paths (`.Tftp.TftpRoot` is
 * `$WAREWULF_ROOT/var/lib/tftpboot`), which must not be relocated twice.
 */
export function slotHostPath(root: string, slot: Pick<OutputSlot, 'name' | 'path'>): string {
  if (root !== '/' && slot.name.startsWith('/')) {
    const named = posix.normalize(slot.name);
    if (isInside(root, named)) return named;
  }
  return posix.join(root, slot.path);
}

export interface HostOverlayResult {
  desired: Desired[];
  warnings: string[];
  /** Templates that called `abort` (nothing written for them). */
  aborted: string[];
}

/**
 * Render the host overlay into the files it would write.
 *
 * @param only a filter on overlay paths (`etc/hosts.ww` for `configure
 *   hostfile`); directories are kept only without a filter (parents of the
 *   files are created anyway)
 * @throws TemplateFileError (WW_ERR_TEMPLATE / WW_ERR_PATH_ESCAPE) naming
 *   overlay, file, line and column; WW_ERR_OVERLAY_NOT_FOUND without an
 *   overlay `host`
 */
export async function renderHostOverlay(ctx: ConfigureContext, only?: (path: string) => boolean): Promise<HostOverlayResult> {
  const { conf, paths, hostname, log } = ctx;
  const buildTime = (ctx.now ?? new Date()).getTime();
  const env = templateEnv({ conf, paths, hostname, kernels: {}, buildTime }, log);
  const compiler = new OverlayCompiler(OverlayStore.fromPaths(paths), env, log);
  const ov = await compiler.overlay(HOST_OVERLAY);
  const warnings: string[] = [];
  if (!ov.info.dir.startsWith(`${SHIPPED_OVERLAYS_DIR}/`)) {
    // the repository's copy has the modes of a git checkout; an installed or site one must be private (§1.9)
    const mode = (await lstat(ov.info.root)).mode & 0o777;
    if (mode !== 0o750 && mode !== 0o700) {
      warnings.push(`SECWARN: ${ov.info.root} has mode ${mode.toString(8).padStart(4, '0')}; the host overlay should be 0750 or 0700`);
    }
  }
  const build = new TemplateBuild({ conf, paths, hostname, buildTime: new Date(buildTime) }, () => ctx.nodes() as Iterable<MergedNode>);
  const data = build.hostData();
  const root = outputRoot(ctx);
  // owners are kept when configure runs as root; anyone else can only create files as themselves
  const ownerOf = (e: { uid: number; gid: number }): { owner?: Owner } => (ctx.user.uid === 0 ? { owner: { uid: e.uid, gid: e.gid } } : {});
  const byPath = new Map<string, Desired>();
  const put = (d: Desired) => {
    byPath.delete(d.path); // a later overlay entry replaces an earlier one, in the later one's place
    byPath.set(d.path, d);
  };
  const aborted: string[] = [];
  for (const e of ov.entries) {
    if (only !== undefined && (e.type === 'directory' || !only(e.path))) continue;
    const at = posix.join(root, e.path);
    if (e.type === 'directory') {
      put({ kind: 'directory', path: at, mode: e.mode, ...ownerOf(e) });
    } else if (e.type === 'symlink') {
      put({ kind: 'symlink', path: at, target: e.target ?? '', backup: true });
    } else if (e.type === 'file' && !e.path.endsWith('.ww')) {
      put({ kind: 'file', path: at, content: ov.files.get(e.path) ?? Buffer.alloc(0), mode: e.mode, backup: true, ...ownerOf(e) });
    } else if (e.type === 'file') {
      const t = ov.templates.get(e.path);
      if (t === undefined) continue;
      const r = t.render(data);
      for (const w of r.warnings) warnings.push(`overlay ${HOST_OVERLAY}: ${e.path}: ${w}`);
      if (r.aborted) {
        aborted.push(e.path);
        continue;
      }
      for (const slot of r.slots) {
        const path = slotHostPath(root, slot);
        if (slot.kind === 'symlink') put({ kind: 'symlink', path, target: slot.target ?? '', backup: !r.nobackup });
        else put({ kind: 'file', path, content: Buffer.from(slot.content), mode: e.mode, backup: !r.nobackup, ...ownerOf(e) });
      }
    }
  }
  return { desired: [...byPath.values()], warnings, aborted };
}
