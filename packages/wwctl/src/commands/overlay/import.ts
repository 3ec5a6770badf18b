/**
 * `wwctl overlay import NAME SRC [DEST]` (§1.7): copy a file of the server
 * into an overlay, keeping its mode and owner.
 */
import { chmod, copyFile, lchown, rename, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Command } from 'commander';
import { WwError, isErrnoCode } from '@warewulf/core';
/** Loaded on first use: wwctl's start-up stays lean for every other command. */
const overlayMod = () => import('@warewulf/core/overlay');
import type { Ctx } from '../../context.js';
import { autobuild, overlayStore } from './support.js';

export function overlayImportCommand(ctx: () => Ctx): Command {
  return new Command('import')
    .alias('cp')
    .summary('Copy a file into an overlay')
    .argument('<name>', 'overlay name')
    .argument('<src>', 'file on the server')
    .argument('[dest]', 'path inside the overlay (default: the same path as SRC)')
    .option('-o, --overwrite', 'replace a file that exists')
    .option('-p, --parents', 'create missing parent directories')
    .option('--workers <n>', '(unused, as upstream)')
    .action(async (name: string, src: string, dest: string | undefined, opts: { overwrite?: boolean; parents?: boolean }) => {
      const c = ctx();
      let st;
      try {
        st = await stat(src);
      } catch (err) {
        if (isErrnoCode(err, 'ENOENT')) throw new WwError('WW_ERR_NOT_FOUND', `no such file: ${src}`);
        throw err;
      }
      if (!st.isFile()) throw new WwError('WW_ERR_USAGE', `${src} is not a regular file`);
      const store = await overlayStore(c);
      const o = await store.ensureSite(name);
      let rel = dest ?? src;
      let path = await store.pathForWrite(o, rel);
      const existing = await stat(path).catch(() => undefined);
      if (existing?.isDirectory()) {
        rel = `${rel.replace(/\/+$/, '')}/${basename(src)}`;
        path = await store.pathForWrite(o, rel);
      }
      if (!opts.overwrite && (await stat(path).then(() => true, () => false))) {
        throw new WwError('WW_ERR_USAGE', 'a file with that name already exists in the overlay');
      }
      await (await overlayMod()).ensureParent(path, opts.parents === true, rel);
      // a temp file renamed over DEST: a symlink at DEST is replaced, never written through
      const tmp = `${path}.wwimport-${process.pid}`;
      await copyFile(src, tmp);
      await chmod(tmp, st.mode & 0o7777);
      if (process.getuid?.() === 0) await lchown(tmp, st.uid, st.gid);
      await rename(tmp, path);
      await autobuild(c);
    });
}
