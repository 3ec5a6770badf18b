/**
 * `wwctl upgrade nodes --add-defaults=<bool> --replace-overlays=<bool>
 * [-i PATH] [-o PATH] [--with-warewulfconf PATH]` (§1.10, §2.7). Both bool
 * flags are required, as upstream: the admin decides.
 */
import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { WwError, parseBoolWord } from '@warewulf/core';
import type { Ctx } from '../../context.js';
import { reportUpgrade } from './report.js';

interface NodesOpts {
  addDefaults: boolean;
  replaceOverlays: boolean;
  inputPath?: string;
  outputPath?: string;
  withWarewulfconf?: string;
}

const bool = (flag: string) => (v: string): boolean => {
  const b = parseBoolWord(v);
  if (b === undefined) throw new InvalidArgumentError(`${flag} takes true or false`);
  return b;
};

export function upgradeNodesCommand(ctx: () => Ctx): Command {
  return new Command('nodes')
    .summary('Upgrade an existing nodes.conf')
    .addOption(new Option('--add-defaults <bool>', 'fill profile "default" with upstream\'s defaults (true|false)').argParser(bool('--add-defaults')).makeOptionMandatory())
    .addOption(new Option('--replace-overlays <bool>', 'replace 4.3\'s wwinit and generic overlays by today\'s (true|false)').argParser(bool('--replace-overlays')).makeOptionMandatory())
    .option('-i, --input-path <path>', 'the nodes.conf to read (default: the one in use)')
    .option('-o, --output-path <path>', 'where to write ("-": standard output; default: the input, old copy kept as <file>-old)')
    .option('--with-warewulfconf <path>', 'a legacy warewulf.conf whose mounted NFS exports become fstab entries of profile "default"')
    .action(async (opts: NodesOpts) => {
      const c = ctx();
      const { paths } = await c.load();
      const admin = await import('@warewulf/core/admin');
      let mounts: ReturnType<typeof admin.legacyMounts> | undefined;
      if (opts.withWarewulfconf !== undefined) {
        const file = opts.withWarewulfconf;
        const text = await readFile(file, 'utf8').catch((err: Error) => {
          throw new WwError('WW_ERR_IO', `cannot read ${file}: ${err.message}`, { cause: err });
        });
        const { parseWarewulfConf } = await import('@warewulf/core/config');
        mounts = admin.legacyMounts(parseWarewulfConf(text, { file, logger: c.log }));
      }
      const { resolveKernelOverride } = await import('@warewulf/core/image/kernels');
      const input = opts.inputPath ?? paths.nodesConf;
      const output = opts.outputPath ?? input;
      reportUpgrade(c, await admin.upgradeNodesFile(input, output, {
        addDefaults: opts.addDefaults,
        replaceOverlays: opts.replaceOverlays,
        log: c.log,
        // 4.3's kernel override names an imported kernel: today's images are looked in (§2.7)
        resolveKernelOverride: async (name, image) => {
          try {
            return await resolveKernelOverride(paths, image, name);
          } catch (err) {
            // an image name nodes.conf holds but no image can have: nothing to resolve in
            if (err instanceof WwError) return undefined;
            throw err;
          }
        },
        ...(mounts !== undefined ? { mounts } : {}),
        // the parse cache belongs to the live file only
        ...(output === paths.nodesConf ? { cacheDir: paths.nodesCacheDir } : {}),
      }));
    });
}
