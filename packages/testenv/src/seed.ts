/** The seed document's examples, read from the seed itself (../shared/seed-warewulf-v4.md). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED } from './paths.js';

/** The seed's issue.ww template and its rendering for node01 (the exact requirement). */
export function seedIssueExample(): { template: string; output: string } {
  const section = readFileSync(join(SHARED, 'seed-warewulf-v4.md'), 'utf8').split('## Overlay template {#issue}')[1] ?? '';
  const blocks = [...section.matchAll(/```\n([\s\S]*?)```/g)].map((m) => m[1] as string);
  if (blocks.length < 2) throw new Error('the seed has no issue.ww example');
  return { template: blocks[0] as string, output: blocks[1] as string };
}
