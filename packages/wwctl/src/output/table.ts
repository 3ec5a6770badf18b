/**
 * Upstream's two table styles: the tab-writer of today's wwctl (§0.3,
 * Appendix A) and 4.3's fixed-width printf rows.
 */

/** Columns as wide as their widest cell + 2; the last column unpadded; a dash row under the header. */
export function tabTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, header.map((h) => '-'.repeat(h.length)), ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const lines: string[] = [];
  for (const r of all) {
    let line = '';
    for (let i = 0; i < header.length; i++) {
      const cell = r[i] ?? '';
      line += i === header.length - 1 ? cell : cell.padEnd((widths[i] ?? 0) + 2);
    }
    lines.push(line);
  }
  return `${lines.join('\n')}\n`;
}

/** `%-Ns` columns, the last one as is. */
export function printfRow(widths: readonly number[], cells: readonly string[]): string {
  let line = '';
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i] as string;
    line += i < widths.length ? `${c.padEnd(widths[i] as number)} ` : c;
  }
  return `${line}\n`;
}
