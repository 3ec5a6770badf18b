/**
 * `wwctl overlay show NAME FILE [--render NODE]` (§1.7, §5.7): the file as
 * written, or rendered for a node (an unknown node renders for the server's
 * own pseudo node, as upstream) in §5.7's format.
 */
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { WwError, isErrnoCode } from '@warewulf/core';
import type { Ctx } from '../../context.js';
import { buildContext, overlayStore } from './support.js';

export function overlayShowCommand(ctx: () => Ctx): Command {
  return new Command('show')
    .alias('cat')
    .summary('Show (or render) a file of an overlay')
    .argument('<name>', 'overlay name')
    .argument('<file>', 'file path inside the overlay')
    .option('-r, --render <node>', 'render the template for this node')
    .option('-q, --quiet', 'only the rendered content')
    .action(async (name: string, file: string, opts: { render?: string; quiet?: boolean }) => {
      const c = ctx();
      const store = await overlayStore(c);
      const o = await store.find(name);
      let path = store.pathOf(o, file);
      let rel = file.replace(/^\/+/, '');
      const read = async (p: string) => {
        try {
          // bytes, not text: a binary or Latin-1 file is shown as it is (upstream prints the file's bytes)
          return await readFile(p);
        } catch (err) {
          if (isErrnoCode(err, 'ENOENT') || isErrnoCode(err, 'EISDIR')) return undefined;
          throw err;
        }
      };
      let bytes = await read(path);
      if (opts.render !== undefined && bytes === undefined && !rel.endsWith('.ww')) {
        // FILE may be named without its .ww (§5.7)
        bytes = await read(`${path}.ww`);
        if (bytes !== undefined) {
          path += '.ww';
          rel += '.ww';
        }
      }
      if (bytes === undefined) throw new WwError('WW_ERR_NOT_FOUND', `file ${file} does not exist in overlay ${name}`);
      if (opts.render === undefined) {
        c.out.write(bytes);
        return;
      }
      const ov = await import('@warewulf/core/overlay');
      const warn = ov.notTemplateWarning(rel);
      if (warn) c.log.warn(warn);
      // the context and data `overlay build` renders with: the preview is the file the build writes
      const r = ov.renderPreview(await buildContext(c), { overlay: name, path: rel, source: path }, ov.decodeGoString(bytes), opts.render);
      c.out.write(ov.encodeGoString(ov.showRenderText(r, opts.quiet ? { quiet: true } : {})));
    });
}
