/**
 * Files configure wants on the server, compared with what is there (the
 * plan: create / replace / metadata, a unified diff per text file, the
 * `.wwbackup` to make) and then written: each file atomically (temp file in
 * its directory, renamed over), the existing one first saved as
 * `<file>.wwbackup` unless a backup exists or the template said `nobackup`
 * (§5.6). Existing directories are left as they are (upstream creates
 * missing ones only).
 */
import { copyFile, chmod, lchown, lstat, mkdir, readFile, readlink, rename, symlink, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { WwError, isErrnoCode } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { resolveForWrite } from './confine.js';
import type { FileChange, Owner } from './types.js';

/** What a step wants at one path (a host path inside the output root). */
export type Desired =
  | { kind: 'file'; path: string; content: Buffer; mode: number; owner?: Owner; backup: boolean; source?: string }
  | { kind: 'symlink'; path: string; target: string; backup: boolean }
  | { kind: 'directory'; path: string; mode: number; owner?: Owner };

const BACKUP_SUFFIX = '.wwbackup';
const DIR_MODE = 0o755;

async function lstatOrUndefined(p: string) {
  try {
    return await lstat(p);
  } catch (err) {
    if (isErrnoCode(err, 'ENOENT')) return undefined;
    throw err;
  }
}

/** True when something (even a dangling symlink) is at `p`. */
export async function pathExists(p: string): Promise<boolean> {
  return (await lstatOrUndefined(p)) !== undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Text for a diff, or undefined for binary content (a NUL byte, or not UTF-8). */
function asText(b: Buffer): string | undefined {
  if (b.includes(0)) return undefined;
  try {
    return utf8.decode(b);
  } catch {
    return undefined;
  }
}

/** A unified diff `--- OLD` / `+++ NEW` (without diff's `===` banner); '' when nothing differs. */
export function unifiedDiff(oldLabel: string, newLabel: string, before: string, after: string): string {
  if (before === after) return '';
  const patch = createTwoFilesPatch(oldLabel, newLabel, before, after, undefined, undefined, { context: 3 });
  // from the `---` line on: diff adds `Index:` / `===` banners when both names are the same
  return patch.slice(patch.indexOf('--- '));
}

const octal = (m: number) => m.toString(8).padStart(4, '0');

/** Missing directories between the root and `path` (outermost first), as directory changes. */
async function missingParents(root: string, path: string): Promise<FileChange[]> {
  const out: FileChange[] = [];
  for (let d = dirname(path); d !== dirname(d); d = dirname(d)) {
    if (await lstatOrUndefined(d)) break;
    out.unshift({ path: d, root, requested: d, kind: 'directory', action: 'create', mode: DIR_MODE, diff: '', binary: false, secret: false, details: [] });
  }
  return out;
}

/**
 * The changes (missing parent directories first) that make `d` true; empty
 * when it already is.
 *
 * @param rootReal the output root's real path
 * @throws WwError WW_ERR_PATH_ESCAPE when the path or a symlink on the way
 *   leaves the root; WW_ERR_IO when something of another type is in the way
 */
export async function planChange(rootReal: string, d: Desired): Promise<FileChange[]> {
  const path = await resolveForWrite(rootReal, d.path, d.kind !== 'symlink');
  const st = await lstatOrUndefined(path);
  const parents = st ? [] : await missingParents(rootReal, path);
  const base = { path, root: rootReal, requested: d.path, kind: d.kind, diff: '', binary: false, secret: false, details: [] as string[] };
  const label = d.path;

  if (d.kind === 'directory') {
    if (st?.isDirectory()) return [];
    if (st) throw new WwError('WW_ERR_IO', `cannot create directory ${d.path}: something else is there`);
    return [...parents, { ...base, action: 'create', mode: d.mode, ...(d.owner ? { owner: d.owner } : {}) }];
  }

  if (st?.isDirectory()) throw new WwError('WW_ERR_IO', `cannot write ${d.path}: it is a directory`);
  if (st && !st.isFile() && !st.isSymbolicLink()) throw new WwError('WW_ERR_IO', `cannot write ${d.path}: it is not a regular file`);
  const backupPath = `${path}${BACKUP_SUFFIX}`;
  // a backup is made once: the first version configure replaced (§5.6)
  const backup = st?.isFile() && d.backup && !(await lstatOrUndefined(backupPath)) ? { backup: backupPath } : {};

  if (d.kind === 'symlink') {
    if (st?.isSymbolicLink()) {
      const old = await readlink(path);
      if (old === d.target) return [];
      return [{ ...base, action: 'replace', mode: 0o777, target: d.target, details: [`link ${old} -> ${d.target}`] }];
    }
    const was = st ? [`regular file -> symlink`] : [];
    return [...parents, { ...base, action: st ? 'replace' : 'create', mode: 0o777, target: d.target, details: was, ...backup }];
  }

  const owner = d.owner ? { owner: d.owner } : {};
  // a file only its owner may read (a TLS key) is never shown in a diff, nor is its old content
  const secret = (d.mode & 0o044) === 0 || (st !== undefined && (st.mode & 0o044) === 0);
  const newText = secret ? undefined : asText(d.content);
  const source = d.source !== undefined ? { source: d.source } : {};
  if (!st) {
    const diff = newText === undefined ? '' : unifiedDiff('/dev/null', label, '', newText);
    return [...parents, { ...base, action: 'create', mode: d.mode, content: d.content, diff, binary: !secret && newText === undefined, secret, ...owner, ...source }];
  }
  // a symlink here was followed by resolveForWrite unless it dangles (then the target is created)
  const old = await readFile(path);
  const details: string[] = [];
  const mode = st.mode & 0o7777;
  if (mode !== d.mode) details.push(`mode ${octal(mode)} -> ${octal(d.mode)}`);
  if (d.owner && (st.uid !== d.owner.uid || st.gid !== d.owner.gid)) details.push(`owner ${st.uid}:${st.gid} -> ${d.owner.uid}:${d.owner.gid}`);
  if (old.equals(d.content)) {
    if (details.length === 0) return [];
    return [{ ...base, action: 'metadata', mode: d.mode, details, ...owner }];
  }
  const oldText = secret ? undefined : asText(old);
  const binary = !secret && (newText === undefined || oldText === undefined);
  const diff = newText === undefined || oldText === undefined ? '' : unifiedDiff(label, label, oldText, newText);
  return [{ ...base, action: 'replace', mode: d.mode, content: d.content, diff, binary, secret, details: ['content', ...details], ...owner, ...source, ...backup }];
}

async function copyAtomic(from: string, to: string): Promise<void> {
  const tmp = join(dirname(to), `.${basename(to)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await copyFile(from, tmp);
    const st = await lstat(from);
    await chmod(tmp, st.mode & 0o7777);
    await lchown(tmp, st.uid, st.gid).catch(() => undefined); // owner kept when we may (root)
    await rename(tmp, to);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

async function symlinkAtomic(target: string, path: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  await symlink(target, tmp);
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/**
 * Make one planned change. The path is resolved again first: if what is on
 * the way changed since the plan (a new symlink), the change is refused.
 */
export async function applyChange(c: FileChange): Promise<void> {
  const again = await resolveForWrite(c.root, c.requested, c.kind !== 'symlink');
  if (again !== c.path) throw new WwError('WW_ERR_CONFLICT', `${c.requested} now resolves to ${again}, not ${c.path} as planned; run configure again`);
  if (c.kind === 'directory') {
    try {
      await mkdir(c.path, { mode: c.mode });
    } catch (err) {
      if (!isErrnoCode(err, 'EEXIST')) throw err;
      return;
    }
    await chmod(c.path, c.mode); // mkdir's mode passes through the umask
    if (c.owner) await lchown(c.path, c.owner.uid, c.owner.gid);
    return;
  }
  if (c.backup !== undefined) await copyAtomic(c.path, c.backup);
  if (c.kind === 'symlink') {
    await symlinkAtomic(c.target ?? '', c.path);
    return;
  }
  if (c.action === 'metadata') {
    await chmod(c.path, c.mode);
    if (c.owner) await lchown(c.path, c.owner.uid, c.owner.gid);
    return;
  }
  await writeFileAtomic(c.path, c.content ?? Buffer.alloc(0), c.mode, c.owner);
}
