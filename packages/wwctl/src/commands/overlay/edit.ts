/**
 * `wwctl overlay edit NAME FILE` (§1.7): the file in $EDITOR; nothing is
 * written when it is unchanged (a distribution overlay is then not cloned to
 * the site, and a new file left as its help header is not created);
 * otherwise a distribution overlay is cloned to the site first and the
 * change lands there. A new template starts with a short help header.
 */
import { spawnSync } from 'node:child_process';
import { chmod, lstat, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Command } from 'commander';
import { WwError, isErrnoCode } from '@warewulf/core';
/** Loaded on first use: wwctl's start-up stays lean for every other command. */
const overlayMod = () => import('@warewulf/core/overlay');
import type { Ctx } from '../../context.js';
import { autobuild, overlayStore } from './support.js';

const NEW_TEMPLATE = `{{- /* This is a Go text/template (warewulf overlay template).
   Node fields: .Id .ClusterName .NetDevs .Tags .Kernel.Args ...; all nodes: .AllNodes;
   see 'wwctl overlay info' for what a template reads, and 'wwctl overlay show --render NODE' to try it. */ -}}
`;

export function overlayEditCommand(ctx: () => Ctx): Command {
  return new Command('edit')
    .summary('Edit (or create) a file in an overlay')
    .argument('<name>', 'overlay name')
    .argument('<file>', 'file path inside the overlay')
    .option('-p, --parents', 'create missing parent directories')
    .action(async (name: string, file: string, opts: { parents?: boolean }) => {
      const c = ctx();
      const store = await overlayStore(c);
      // read where the file is now (a distribution overlay is not cloned yet): an edit that
      // changes nothing must leave no site copy behind, or it would shadow the shipped overlay for good
      const found = await store.find(name);
      const readPath = await store.pathForWrite(found, file);
      // bytes, not text: a file that is not UTF-8 goes to the editor and back as it is
      let original: Buffer | undefined;
      try {
        const st = await lstat(readPath);
        if (!st.isFile()) throw new WwError('WW_ERR_USAGE', `${file} is not a regular file`);
        original = await readFile(readPath);
      } catch (err) {
        if (!isErrnoCode(err, 'ENOENT')) throw err;
      }
      // the missing-parent error comes before the editor opens, as upstream's does; the directories
      // themselves are made only when there is something to write
      if (original === undefined && opts.parents !== true) await (await overlayMod()).ensureParent(readPath, false, file);
      const dir = await mkdtemp(join(tmpdir(), 'ww4overlay-'));
      const tmp = join(dir, basename(file));
      let text: Buffer;
      try {
        const initial = original ?? Buffer.from(file.endsWith('.ww') ? NEW_TEMPLATE : '');
        await writeFile(tmp, initial, { mode: 0o600 });
        const editor = c.env.EDITOR || '/bin/vi';
        const r = spawnSync('/bin/sh', ['-c', `${editor} "$1"`, 'sh', tmp], { stdio: 'inherit', env: c.env as NodeJS.ProcessEnv });
        if (r.status !== 0) throw new WwError('WW_ERR_IO', `editor "${editor}" exited with status ${r.status ?? r.signal}`);
        text = await readFile(tmp);
        // unchanged, or a new file left as the help header (or empty): nothing to write (§1.7)
        if (text.equals(initial)) {
          c.log.verbose(original === undefined ? `No changes: ${file} not created.` : 'No changes.');
          return;
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      const o = await store.ensureSite(name);
      const path = await store.pathForWrite(o, file);
      // the site copy's mode (the shipped overlay's real modes are applied by the clone)
      let mode = 0o644;
      try {
        const st = await lstat(path);
        if (st.isFile()) mode = st.mode & 0o7777;
      } catch (err) {
        if (!isErrnoCode(err, 'ENOENT')) throw err;
        await (await overlayMod()).ensureParent(path, opts.parents === true, file);
      }
      // a temp file in the overlay renamed over the file: never half-written, a symlink is replaced not followed
      const out = `${path}.wwedit-${process.pid}`;
      await writeFile(out, text, { mode });
      await chmod(out, mode);
      await rename(out, path);
      await autobuild(c);
    });
}
