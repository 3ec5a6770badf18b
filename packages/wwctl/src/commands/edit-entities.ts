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
  FIELDS, WwError, cloneData, deleteEntities, dumpYaml, importEntities, isWwError, parseEntityMapReport,
  readNodesConf, selectNames, unknownEntityKeyMessage, updateNodesConf, type NodesDocument, type RawEntity, type Section,
  type UnknownKey,
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

/** A copy of the admin's edited file that outlives the command (its temp dir is removed). */
async function keepEdit(file: string, section: Section): Promise<string> {
  const kept = join(tmpdir(), `ww4${section === 'node' ? 'Node' : 'Profile'}Edit-${Date.now()}-${process.pid}.yaml`);
  await copyFile(file, kept);
  return kept;
}

/** Whether `entity` has the key path `path` (mappings all the way). */
function hasPath(entity: unknown, path: readonly string[]): boolean {
  let cur = entity;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, k)) return false;
    cur = (cur as Record<string, unknown>)[k];
  }
  return true;
}

/**
 * The unknown keys the admin typed: a key already in the entry as shown
 * (kept in nodes.conf, perhaps a newer Warewulf's field) is not refused, nor
 * one a new entry copied from a shown one.
 */
function newUnknownKeys(unknown: readonly UnknownKey[], original: Record<string, RawEntity>): UnknownKey[] {
  return unknown.filter(({ path: [name, ...rest] }) => {
    if (name !== undefined && Object.hasOwn(original, name)) return !hasPath(original[name], rest);
    return !Object.values(original).some((e) => hasPath(e, rest));
  });
}

/**
 * New names in the edit that exist in nodes.conf but were not shown (e.g.
 * `n02:` renamed to `n01:` while n01 exists): refused, saying what
 * happened (the merge would otherwise take it for a concurrent change).
 */
function nameClashes(section: Section, all: Record<string, RawEntity>, original: Record<string, RawEntity>, edited: Record<string, RawEntity>): string[] {
  const gone = Object.keys(original).filter((id) => !Object.hasOwn(edited, id));
  return Object.keys(edited)
    .filter((id) => !Object.hasOwn(original, id) && Object.hasOwn(all, id))
    .map((id) => {
      const from = gone.find((g) => form(original[g]) === form(edited[id])) ?? (gone.length === 1 ? gone[0] : undefined);
      return from !== undefined
        ? `${section} ${id} already exists: the edit renames ${from} onto it (delete ${id} first to replace it)`
        : `${section} ${id} already exists and was not among the ${section}s being edited: include it in the edit to change it`;
    });
}

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
      // a problem in the edited text (it does not parse, a key nobody knows, a new name taken
      // by an entry not being edited) is reported before anything is written; retry or refuse
      let edited: Record<string, RawEntity> | undefined;
      let problems: string[];
      let what: string;
      let code: WwError['code'] = 'WW_ERR_NODES_INVALID';
      try {
        const parsed = parseEntityMapReport(text, file, section);
        edited = parsed.entities;
        problems = newUnknownKeys(parsed.unknownKeys, original).map((u) => unknownEntityKeyMessage(u, section));
        what = 'the edited text has keys the field table does not know (a typo loses its value)';
        if (problems.length === 0) {
          problems = nameClashes(section, all, original, edited);
          what = 'the edit gives an entry the name of one that exists';
          code = section === 'node' ? 'WW_ERR_NODE_EXISTS' : 'WW_ERR_PROFILE_EXISTS';
        }
      } catch (err) {
        if (!isWwError(err)) throw err;
        problems = [err.message];
        what = 'the edited text did not parse';
        code = err.code;
      }
      if (problems.length > 0 || edited === undefined) {
        for (const p of problems) ctx.err.write(`ERROR: ${p}\n`);
        if (await ctx.confirm('Parse error: retry')) continue;
        // keep the admin's work, and the lines and columns above point into it
        const kept = await keepEdit(file, section);
        throw new WwError(code, `nothing was changed: ${what}. Your edit is kept in ${kept}`);
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
        const kept = await keepEdit(file, section);
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
