/**
 * `wwctl overlay show --render NODE OVERLAY FILE` output (§5.7): per written
 * slot the INFO lines `backupFile:`, `writeFile:`, `Filename:` (and
 * `Symlink:`), then the content at OUT level; an aborted template shows
 * `writeFile: false`, what it rendered before aborting and `Aborted`.
 */
import type { RenderResult } from './compile.js';

export interface ShowLine {
  /** INFO lines are hidden by `-q`; OUT is the content. */
  level: 'info' | 'out';
  text: string;
}

/** The lines to print for a rendered template; `out` texts are printed as they are (no newline added). */
export function formatShowRender(result: RenderResult): ShowLine[] {
  const backup = `backupFile: ${!result.nobackup}`;
  if (result.aborted) {
    return [
      { level: 'info', text: backup },
      { level: 'info', text: 'writeFile: false' },
      { level: 'out', text: result.partial },
      { level: 'info', text: 'Aborted' },
    ];
  }
  const lines: ShowLine[] = [];
  for (const slot of result.slots) {
    lines.push({ level: 'info', text: backup }, { level: 'info', text: 'writeFile: true' }, { level: 'info', text: `Filename: ${slot.name}` });
    if (slot.kind === 'symlink') lines.push({ level: 'info', text: `Symlink: ${slot.target ?? ''}` });
    else lines.push({ level: 'out', text: slot.content });
  }
  return lines;
}

/** The whole output as one text (INFO lines included unless quiet), each INFO line on its own line. */
export function showRenderText(result: RenderResult, opts: { quiet?: boolean } = {}): string {
  let out = '';
  for (const l of formatShowRender(result)) {
    if (l.level === 'info') {
      if (opts.quiet) continue;
      if (out !== '' && !out.endsWith('\n')) out += '\n';
      out += `${l.text}\n`;
    } else out += l.text;
  }
  return out;
}

/** The warning for rendering a file that is not a template. */
export function notTemplateWarning(file: string): string | undefined {
  return file.endsWith('.ww') ? undefined : `${file} lacks the '.ww' suffix, will not be rendered in an overlay`;
}
