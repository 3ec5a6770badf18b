/**
 * `wwctl overlay show NAME FILE [--render NODE]` (§1.7, §5.7): the file as
 * written, or rendered for a node (an unknown node renders for the server's
 * own pseudo node, as upstream) in §5.7's format.
 */
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { Command } from 'commander';
import { WwError, isErrnoCode, loadNodeDb } from '@warewulf/core';
import type { Ctx } from '../../context.js';
import { overlayStore } from './support.js';

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
          return await readFile(p, 'utf8');
        } catch (err) {
          if (isErrnoCode(err, 'ENOENT') || isErrnoCode(err, 'EISDIR')) return undefined;
          throw err;
        }
      };
      let text = await read(path);
      if (opts.render !== undefined && text === undefined && !rel.endsWith('.ww')) {
        // FILE may be named without its .ww (§5.7)
        text = await read(`${path}.ww`);
        if (text !== undefined) {
          path += '.ww';
          rel += '.ww';
        }
      }
      if (text === undefined) throw new WwError('WW_ERR_NOT_FOUND', `file ${file} does not exist in overlay ${name}`);
      if (opts.render === undefined) {
        c.out.write(text);
        return;
      }
      const ov = await import('@warewulf/core/overlay');
      const warn = ov.notTemplateWarning(rel);
      if (warn) c.log.warn(warn);
      const { conf, paths } = await c.load();
      const db = await loadNodeDb(paths.nodesConf, { cacheDir: paths.nodesCacheDir, log: c.log });
      const settings = { conf, paths, hostname: hostname(), kernels: {}, buildTime: Date.now() };
      const build = new ov.TemplateBuild({ conf, paths, hostname: settings.hostname }, () => db.all());
      const node = db.get(opts.render);
      const data = node ? build.dataFor(node) : build.hostData();
      const t = ov.compileTemplate({ overlay: name, path: rel, source: path }, text, ov.templateEnv(settings, c.log));
      c.out.write(ov.showRenderText(t.render(data), opts.quiet ? { quiet: true } : {}));
    });
}
