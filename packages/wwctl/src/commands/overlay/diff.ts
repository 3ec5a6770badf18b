/**
 * `wwctl overlay diff NODE`: what a rebuild would change in the node's
 * system and runtime images, file by file, with a unified diff of text
 * files (ours; upstream has no such command).
 */
import { Command } from 'commander';
/** Loaded on first use: wwctl's start-up stays lean for every other command. */
const diffMod = () => import('diff');
import type { Ctx } from '../../context.js';
import { buildContext } from './support.js';

export function overlayDiffCommand(ctx: () => Ctx): Command {
  return new Command('diff')
    .summary('Show what rebuilding a node\'s overlays would change')
    .argument('<node>', 'node name')
    .option('--names', 'only the changed files, no content diff')
    .action(async (node: string, opts: { names?: boolean }) => {
      const c = ctx();
      const { diffNodeImages } = await import('@warewulf/core/overlay');
      const diffs = await diffNodeImages(await buildContext(c), node);
      for (const d of diffs) {
        if (d.built === undefined) {
          c.out.write(`${d.kind} overlay of ${node}: not built yet (${d.changes.length} file(s) would be created)\n`);
          continue;
        }
        if (d.changes.length === 0) {
          c.out.write(`${d.kind} overlay of ${node}: up to date\n`);
          continue;
        }
        c.out.write(`${d.kind} overlay of ${node}: ${d.changes.length} file(s) would change (${d.built})\n`);
        for (const ch of d.changes) {
          const mark = ch.change === 'added' ? 'A' : ch.change === 'removed' ? 'D' : 'M';
          c.out.write(`${mark} /${ch.path}${ch.what.length > 0 ? ` (${ch.what.join(', ')})` : ''}\n`);
          if (!opts.names && ch.before !== undefined && ch.after !== undefined) {
            c.out.write((await diffMod()).createTwoFilesPatch(`a/${ch.path}`, `b/${ch.path}`, ch.before, ch.after, 'built', 'rebuild').split('\n').slice(1).join('\n'));
          }
        }
      }
    });
}
