/** Keys the field table does not know: kept in the file, named with FILE:LINE:COL, never the legacy vocabulary. */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadNodeDb, parseNodesConf, readNodesConf, unknownKeyWarnings, updateNodesConf } from '../src/index.js';

const TEXT = [
  'WW_INTERNAL: 45', // upstream's writers put this at the top
  'site notes: x', // 2
  'nodeprofiles:',
  '  default:',
  '    kernal:', // 5: a typo
  '      args: [quiet]',
  '    ipmi username: admin', // 4.3
  'nodes:',
  '  n1:',
  '    comment: c',
  '    kernel: {override: k1, args: [a]}', // 4.3 `kernel.override`
  '    network devices:',
  '      eth0:',
  '        ipcidr: 10.0.0.1/24', // 4.3
  '        primary: "true"', // 4.3
  '        hwadr: aa:bb:cc:dd:ee:ff', // 16: a typo
  '    tags: {any: thing}',
  '',
].join('\n');

describe('unknown nodes.conf keys', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('are found at parse time with file, line and column; the 4.3 vocabulary, tag names and WW_INTERNAL are not unknown', () => {
    const doc = parseNodesConf(TEXT, 'nodes.conf');
    expect(doc.unknownKeys).toEqual([
      { path: ['site notes'], where: 'nodes.conf:2:1' },
      { path: ['nodeprofiles', 'default', 'kernal'], where: 'nodes.conf:5:5' },
      { path: ['nodes', 'n1', 'network devices', 'eth0', 'hwadr'], where: 'nodes.conf:16:9' },
    ]);
    expect(unknownKeyWarnings(doc)).toEqual([
      'nodes.conf:2:1: unknown key "site notes" (kept in the file, not used)',
      'nodes.conf:5:5: unknown key "kernal" in profile default (kept in the file, not used)',
      'nodes.conf:16:9: unknown key "network devices.eth0.hwadr" in node n1 (kept in the file, not used)',
    ]);
    expect(parseNodesConf('nodes:\n  n1: {comment: c}\n').unknownKeys).toBeUndefined();
  });

  it('many are summarised after the first five', () => {
    const text = `nodes:\n${Array.from({ length: 8 }, (_, i) => `  n${i}: {typo: 1}\n`).join('')}`;
    const lines = unknownKeyWarnings(parseNodesConf(text, 'f'));
    expect(lines).toHaveLength(6);
    expect(lines[5]).toBe('... and 3 more unknown key(s) in nodes.conf');
  });

  it('survive the parse cache and a write (re-located in the new text, dropped when the edit removed them), and loadNodeDb warns', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ww-unknown-'));
    dirs.push(root);
    mkdirSync(join(root, 'etc'));
    const conf = join(root, 'etc', 'nodes.conf');
    const cacheDir = join(root, 'cache');
    writeFileSync(conf, TEXT);
    const first = await readNodesConf(conf, { cacheDir });
    const cached = await readNodesConf(conf, { cacheDir });
    expect(cached.unknownKeys).toEqual(first.unknownKeys);
    // the flow sequence `[quiet]` is written as a block: everything below moves down a line; eth0 (and its typo) removed
    await updateNodesConf(conf, (doc) => {
      delete (doc.nodes.n1?.['network devices'] as Record<string, unknown>).eth0;
      return { result: undefined, write: true };
    }, { cacheDir });
    const after = await readNodesConf(conf, { cacheDir });
    expect(after.unknownKeys?.map((u) => u.path.join('.'))).toEqual(['site notes', 'nodeprofiles.default.kernal']);
    expect(after.unknownKeys?.[1]?.where).toBe(`${conf}:5:5`);
    const warned: string[] = [];
    const log = { debug() {}, verbose() {}, info() {}, warn: (m: string) => void warned.push(m), error() {} };
    await loadNodeDb(conf, { cacheDir, log });
    expect(warned).toEqual([`${conf}:2:1: unknown key "site notes" (kept in the file, not used)`, `${conf}:5:5: unknown key "kernal" in profile default (kept in the file, not used)`]);
  });
});
