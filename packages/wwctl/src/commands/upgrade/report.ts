/** What `upgrade config|nodes` say when done: the text for `-o -`, else where the files went. */
import type { UpgradeFileResult } from '@warewulf/core/admin';
import type { Ctx } from '../../context.js';

export function reportUpgrade(c: Ctx, r: UpgradeFileResult): void {
  if (r.text !== undefined) c.out.write(r.text);
  if (r.written !== undefined) c.log.verbose(`wrote ${r.written}${r.old !== undefined ? ` (previous version kept as ${r.old})` : ''}`);
}
