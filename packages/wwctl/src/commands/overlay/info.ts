/** `wwctl overlay info NAME FILE` (§1.7, §5.8): the variables a template reads, with their flag, type and help. */
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import type { Ctx } from '../../context.js';
import { formatTemplateInfo } from '../../output/overlay-info.js';
import { overlayStore } from './support.js';

export function overlayInfoCommand(ctx: () => Ctx): Command {
  return new Command('info')
    .aliases(['variables', 'vars'])
    .summary('List the variables a template uses')
    .argument('<name>', 'overlay name')
    .argument('<file>', 'template path inside the overlay')
    .action(async (name: string, file: string) => {
      const c = ctx();
      const store = await overlayStore(c);
      const o = await store.find(name);
      const path = store.pathOf(o, file);
      const ov = await import('@warewulf/core/overlay');
      const text = ov.decodeGoString(await readFile(path));
      const t = ov.compileTemplate({ overlay: name, path: file.replace(/^\/+/, ''), source: path }, text, { confDir: '/nonexistent' });
      c.out.write(formatTemplateInfo(ov.templateInfo(t.template, t.text)));
    });
}
