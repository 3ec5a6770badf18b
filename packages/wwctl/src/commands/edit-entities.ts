/**
 * `node edit` / `profile edit` (§1.3): the raw YAML of the chosen entries in
 * $EDITOR; entries removed from the file are deleted, new ones added,
 * changed ones replaced. The edited text goes through the same parser as
 * nodes.conf, so a mistake is reported with its line and column before
 * anything is written.
 *
 * The editor can stay open for minutes while other wwctl commands (or the
 * API) change nodes.conf. Under the lock the edit is merged into what is on
 * disk then: entries the admin did not touch keep their newer state; an
 * entry the admin changed that was also changed meanwhile is a conflict,
 * refused with both named, and the admin's file is kept so nothing is lost.
 */
import { spawnSync } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FIELDS, WwError, cloneData, deleteEntities, dumpYaml, importEntities, isWwError, parseEntityMap,
  readNodesConf, selectNames, updateNodesConf, type NodesDocument, type RawEntity, type Section,
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

const entitiesOf = (doc: NodesDocument, section: Section): Record<string, RawEntity> => (section === 'node' ? doc.nodes : doc.profiles);
/** A comparable form of an entry (or of its absence). */
const form = (e: RawEntity | undefined): string => (e === undefined ? '' : dumpYaml(e));

export interface EditPlan {
  added: string[];
  removed: string[];
  updated: string[];
}

/**
 * Apply an edit to the document on disk now. `original` is what the admin
 * was shown, `edited` what they saved. Throws WW_ERR_CONFLICT naming the
 * entries changed both by the admin and by someone else meanwhile.
 */
export function mergeEdit(fresh: NodesDocument, section: Section, original: Record<string, RawEntity>, edited: Record<string, RawEntity>, plan: EditPlan): string[] {
  const now = entitiesOf(fresh, section);
  const touched = new Set([...plan.updated, ...plan.removed, ...plan.added]);
  // shown but left alone by the admin, changed meanwhile by someone else: their change stays
  const keptNewer = Object.keys(original).filter((id) => !touched.has(id) && form(Object.hasOwn(now, id) ? now[id] : undefined) !== form(original[id]));
  const conflicts = [...plan.updated, ...plan.removed, ...plan.added].filter((id) => form(Object.hasOwn(now, id) ? now[id] : undefined) !== form(Object.hasOwn(original, id) ? original[id] : undefined));
  if (conflicts.length > 0) {
    throw new WwError('WW_ERR_CONFLICT', `${section}(s) ${conflicts.join(', ')} changed in nodes.conf while you were editing them`);
  }
  deleteEntities(fresh, section, plan.removed);
  importEntities(fresh, section, Object.fromEntries([...plan.added, ...plan.updated].map((id) => [id, edited[id] as RawEntity])));
  return keptNewer;
}

export async function editEntities(ctx: Ctx, section: Section, patterns: readonly string[], opts: { noheader: boolean; yes: boolean }): Promise<void> {
  const { paths } = await ctx.load();
  const doc = await readNodesConf(paths.nodesConf, { cacheDir: paths.nodesCacheDir });
  const all = entitiesOf(doc, section);
  const ids = patterns.length === 0 ? Object.keys(all).sort() : selectNames(patterns, (n) => Object.hasOwn(all, n));
  const original: Record<string, RawEntity> = Object.create(null);
  for (const id of ids) original[id] = cloneData(all[id] as RawEntity);
  const dir = await mkdtemp(join(tmpdir(), 'ww4edit-'));
  const file = join(dir, section === 'node' ? 'ww4NodeEdit.yaml' : 'ww4ProfileEdit.yaml');
  try {
    const initial = (opts.noheader ? '' : schemaHeader(section)) + (ids.length ? dumpYaml(original) : '');
    await writeFile(file, initial, { mode: 0o600 });
    for (;;) {
      const editor = ctx.env.EDITOR || '/bin/vi';
      // the editor runs in wwctl's environment (WAREWULF_ROOT and all), not the parent's
      const r = spawnSync('/bin/sh', ['-c', `${editor} "$1"`, 'sh', file], { stdio: 'inherit', env: ctx.env as NodeJS.ProcessEnv });
      if (r.status !== 0) throw new WwError('WW_ERR_IO', `editor "${editor}" exited with status ${r.status ?? r.signal}`);
      const text = await readFile(file, 'utf8');
      if (text === initial) {
        ctx.out.write('No changes.\n');
        return;
      }
      let edited: Record<string, RawEntity>;
      try {
        edited = parseEntityMap(text, file, section);
      } catch (err) {
        if (!isWwError(err)) throw err;
        ctx.err.write(`ERROR: ${err.message}\n`);
        if (await ctx.confirm('Parse error: retry')) continue;
        throw new WwError(err.code, 'nothing was changed: the edited text did not parse', { cause: err });
      }
      const plan: EditPlan = {
        removed: ids.filter((id) => !Object.hasOwn(edited, id)),
        added: Object.keys(edited).filter((id) => !Object.hasOwn(original, id)),
        updated: Object.keys(edited).filter((id) => Object.hasOwn(original, id) && form(original[id]) !== form(edited[id])),
      };
      if (plan.added.length + plan.removed.length + plan.updated.length === 0) {
        ctx.out.write('No changes.\n');
        return;
      }
      if (!opts.yes && !(await ctx.confirm(`Are you sure you want to add ${plan.added.length}, delete ${plan.removed.length}, and update ${plan.updated.length} ${section}s`))) {
        ctx.out.write('No changes made!\n');
        return;
      }
      let keptNewer: string[];
      try {
        ({ result: keptNewer } = await updateNodesConf(paths.nodesConf, (fresh) => ({ result: mergeEdit(fresh, section, original, edited, plan), write: true }), {
          cacheDir: paths.nodesCacheDir,
        }));
      } catch (err) {
        if (!isWwError(err) || err.code !== 'WW_ERR_CONFLICT') throw err;
        // keep the admin's work: nothing they typed is lost
        const kept = join(tmpdir(), `ww4${section === 'node' ? 'Node' : 'Profile'}Edit-${Date.now()}-${process.pid}.yaml`);
        await copyFile(file, kept);
        throw new WwError('WW_ERR_CONFLICT', `${err.message}; nothing was written. Your edit is kept in ${kept}`, {
          hint: `review the current entries, then apply your edit again (e.g. wwctl ${section} import for nodes)`,
        });
      }
      const parts = [`${plan.added.length} added`, `${plan.removed.length} deleted`, `${plan.updated.length} updated`];
      ctx.log.info(`${section}s: ${parts.join(', ')}`);
      if (keptNewer.length > 0) {
        ctx.log.info(`merged: ${keptNewer.join(', ')} changed in nodes.conf while you were editing; you left them as they were, so their newer state is kept`);
      }
      return;
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
