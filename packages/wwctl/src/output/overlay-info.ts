/** `wwctl overlay info` as text (§5.8): wwdoc lines, a blank line, then the variable table. */
import type { InfoRow } from '@warewulf/core/overlay';
import { tabTable } from './table.js';

export function formatTemplateInfo(info: { doc: string[]; rows: InfoRow[] }): string {
  const head = info.doc.length > 0 ? `${info.doc.join('\n')}\n\n` : '';
  return head + tabTable(['VARIABLE', 'OPTION', 'TYPE', 'HELP'], info.rows.map((r) => [r.variable, r.option, r.type, r.help]));
}
