/**
 * `node edit` / `profile edit` (§1.3): the raw YAML of the chosen entries in
 * $EDITOR; entries removed from the file are deleted, new ones added, changed
 * ones replaced. The edited text goes through the same parser as nodes.conf,
 * so a mistake is reported with its line and column before anything is written.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FIELDS, WwError, deleteEntities, expandHostlist, formatYamlMap, importEntities, isWwError, parseEntityMap,
  readNodesConf, updateNodesConf, type RawEntity, type Section,
} from '@warewulf/core';
import type { Ctx } from '../context.js';

function schemaHeader(section: Section): string {
  const lines = [`#${section}name:`];
  for (const s of FIELDS) {
    if (s.nodeOnly && section === 'profile') continue;
    lines.push(`#  ${s.yaml.join('.').replace(/\*/g, '<name>')}: ${s.typeLabel}`);
  }
  return `${lines.join('\n')}\n`;
}

export async function editEntities(ctx: Ctx, section: Section, patterns: readonly string[], opts: { noheader: boolean; yes: boolean }): Promise<void> {
  const { paths } = await ctx.load();
  const doc = await readNodesConf(paths.nodesConf, { cacheDir: paths.nodesCacheDir });
  const all = section === 'node' ? doc.nodes : doc.profiles;
  const ids = patterns.length === 0 ? Object.keys(all).sort() : expandHostlist(patterns).filter((n) => all[n] !== undefined);
  const original: Record<string, RawEntity> = Object.fromEntries(ids.map((id) => [id, all[id] as RawEntity]));
  const dir = await mkdtemp(join(tmpdir(), 'ww4edit-'));
  const file = join(dir, section === 'node' ? 'ww4NodeEdit.yaml' : 'ww4ProfileEdit.yaml');
  try {
    const initial = (opts.noheader ? '' : schemaHeader(section)) + (ids.length ? formatYamlMap(original, 2) : '');
    await writeFile(file, initial, { mode: 0o600 });
    const hash = (s: string) => createHash('sha256').update(s).digest('hex');
    for (;;) {
      const editor = ctx.env.EDITOR || '/bin/vi';
      const r = spawnSync('/bin/sh', ['-c', `${editor} "$1"`, 'sh', file], { stdio: 'inherit' });
      if (r.status !== 0) throw new WwError('WW_ERR_IO', `editor "${editor}" exited with status ${r.status ?? r.signal}`);
      const text = await readFile(file, 'utf8');
      if (hash(text) === hash(initial)) {
        ctx.out.write('No changes.\n');
        return;
      }
      let edited: Record<string, RawEntity>;
      try {
        edited = parseEntityMap(text, file);
      } catch (err) {
        if (!isWwError(err)) throw err;
        ctx.err.write(`ERROR: ${err.message}\n`);
        if (await ctx.confirm('Parse error: retry')) continue;
        return;
      }
      const removed = ids.filter((id) => edited[id] === undefined);
      const added = Object.keys(edited).filter((id) => original[id] === undefined);
      const updated = Object.keys(edited).filter((id) => original[id] !== undefined && JSON.stringify(original[id]) !== JSON.stringify(edited[id]));
      if (!opts.yes && !(await ctx.confirm(`Are you sure you want to add ${added.length}, delete ${removed.length}, and update ${updated.length} ${section}s`))) {
        ctx.out.write('No changes made!\n');
        return;
      }
      await updateNodesConf(paths.nodesConf, (fresh) => {
        deleteEntities(fresh, section, removed);
        importEntities(fresh, section, Object.fromEntries([...added, ...updated].map((id) => [id, edited[id] as RawEntity])));
        return { result: undefined, write: true };
      }, { cacheDir: paths.nodesCacheDir });
      return;
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
