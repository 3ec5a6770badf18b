/** `wwctl genconfig warewulfconf print` (§1.10): the effective warewulf.conf, defaults included, as YAML. */
import { Command } from 'commander';
import type { Ctx } from '../../context.js';

export function genconfigWarewulfconfCommand(ctx: () => Ctx): Command {
  const cmd = new Command('warewulfconf').summary('warewulf.conf');
  cmd.addCommand(
    new Command('print').summary('Print the effective warewulf.conf, with defaults').action(async () => {
      const c = ctx();
      const { conf } = await c.load();
      const { warewulfConfToYaml } = await import('@warewulf/core/config');
      c.out.write(warewulfConfToYaml(conf));
    }),
  );
  return cmd;
}
