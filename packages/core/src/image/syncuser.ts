/**
 * syncuser (§6.5): make the image's numeric user and group ids match the
 * server's, so the syncuser overlay can merge passwd/group. Names in both
 * with different ids get the server's id (files owned by the image's id are
 * chowned, setuid/setgid bits restored); names only in the image keep
 * theirs, unless the server gives that id to another name: a collision,
 * reported in full, and nothing is changed.
 */
import { chmod, lchown, lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Paths } from '../config/paths.js';
import { WwError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import type { Logger } from '../log.js';
import { requireImage } from './store.js';

interface IdEntry {
  name: string;
  id: number;
  line: string;
}

/** passwd (7 fields) or group (4 fields) lines; NIS `+`/`-` names and non-numeric ids are skipped; first name wins. */
export function parseIdFile(text: string, fields: 7 | 4): Map<string, IdEntry> {
  const out = new Map<string, IdEntry>();
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length !== fields) continue;
    const name = f[0]!;
    if (name === '' || name.startsWith('+') || name.startsWith('-')) continue;
    if (!/^\d+$/.test(f[2]!)) continue;
    if (!out.has(name)) out.set(name, { name, id: Number(f[2]), line });
  }
  return out;
}

export interface IdChange {
  name: string;
  from: number;
  to: number;
}

export interface IdCollision {
  kind: 'uid' | 'gid';
  id: number;
  /** The server's name for the id, and the image's. */
  host: string;
  image: string;
}

export interface SyncUserResult {
  /** Nothing to do: ids already match. */
  inSync: boolean;
  uids: IdChange[];
  gids: IdChange[];
  /** Files whose owner or group changed (0 without write). */
  filesChanged: number;
  written: boolean;
}

function plan(host: Map<string, IdEntry>, image: Map<string, IdEntry>, kind: 'uid' | 'gid'): { changes: IdChange[]; collisions: IdCollision[] } {
  const byId = new Map<number, string>();
  for (const e of host.values()) if (!byId.has(e.id)) byId.set(e.id, e.name);
  const changes: IdChange[] = [];
  const collisions: IdCollision[] = [];
  for (const e of image.values()) {
    const h = host.get(e.name);
    if (h) {
      if (h.id !== e.id) changes.push({ name: e.name, from: e.id, to: h.id });
    } else {
      const other = byId.get(e.id);
      if (other !== undefined) collisions.push({ kind, id: e.id, host: other, image: e.name });
    }
  }
  return { changes, collisions };
}

function merged(hostText: string, host: Map<string, IdEntry>, image: Map<string, IdEntry>): string {
  const extra = [...image.values()].filter((e) => !host.has(e.name)).map((e) => e.line);
  const base = hostText.endsWith('\n') || hostText === '' ? hostText : `${hostText}\n`;
  return extra.length ? `${base}${extra.join('\n')}\n` : base;
}

/**
 * Check (write=false) or synchronise (write=true) image `name` against
 * `<sysconfdir>/passwd` and `<sysconfdir>/group`. Throws WW_ERR_IMAGE_SYNCUSER
 * with every collision (`id(N) collision: host(A) image(B)`) and changes nothing.
 */
export async function syncUser(paths: Paths, name: string, opts: { write: boolean; log: Logger }): Promise<SyncUserResult> {
  const ip = await requireImage(paths, name);
  const read = async (p: string, what: string): Promise<string> => {
    try {
      return await readFile(p, 'utf8');
    } catch (err) {
      throw new WwError('WW_ERR_IMAGE_SYNCUSER', `could not read ${what} ${p}: ${(err as Error).message}`, { cause: err });
    }
  };
  const hostPasswd = await read(join(paths.sysconfdir, 'passwd'), "the server's");
  const hostGroup = await read(join(paths.sysconfdir, 'group'), "the server's");
  // never through a symlinked /etc: it could lead out of the image
  if (!(await lstat(join(ip.rootfs, 'etc')).catch(() => undefined))?.isDirectory()) {
    throw new WwError('WW_ERR_IMAGE_SYNCUSER', `image ${name} has no /etc directory (or it is a symlink)`);
  }
  const imgPasswdPath = join(ip.rootfs, 'etc', 'passwd');
  const imgGroupPath = join(ip.rootfs, 'etc', 'group');
  const imgPasswd = await read(imgPasswdPath, "the image's");
  const imgGroup = await read(imgGroupPath, "the image's");
  const hp = parseIdFile(hostPasswd, 7);
  const hg = parseIdFile(hostGroup, 4);
  const ipw = parseIdFile(imgPasswd, 7);
  const ig = parseIdFile(imgGroup, 4);
  const u = plan(hp, ipw, 'uid');
  const g = plan(hg, ig, 'gid');
  const collisions = [...u.collisions, ...g.collisions];
  if (collisions.length > 0) {
    for (const c of collisions) {
      opts.log.warn(`${c.kind} ${c.id} collision: host(${c.host}) image(${c.image}): add ${c.kind === 'uid' ? 'user' : 'group'} ${c.image} to the server with an unused id, then run syncuser again`);
    }
    throw new WwError('WW_ERR_IMAGE_SYNCUSER', collisions.map((c) => `${c.kind === 'uid' ? 'id' : 'gid'}(${c.id}) collision: host(${c.host}) image(${c.image})`).join('; '), {
      hint: 'nothing was changed; add the image-only names to the server (useradd/groupadd) so their ids are reserved',
    });
  }
  const result: SyncUserResult = { inSync: u.changes.length === 0 && g.changes.length === 0, uids: u.changes, gids: g.changes, filesChanged: 0, written: false };
  if (!opts.write) {
    if (result.inSync) opts.log.info('uid/gid already synced');
    else opts.log.info(`uid/gid not synced: run \`wwctl image syncuser --write=true ${name}\` to synchronize`);
    return result;
  }
  if (!result.inSync) {
    const uidMap = new Map(u.changes.map((c) => [c.from, c.to]));
    const gidMap = new Map(g.changes.map((c) => [c.from, c.to]));
    result.filesChanged = await chownTree(ip.rootfs, uidMap, gidMap);
  }
  await writeFileAtomic(imgPasswdPath, merged(hostPasswd, hp, ipw), 0o644);
  await writeFileAtomic(imgGroupPath, merged(hostGroup, hg, ig), 0o644);
  result.written = true;
  opts.log.info(`uid/gid synced for image ${name}`);
  return result;
}

/** lchown every entry owned by a mapped id (one filesystem); chown clears setuid/setgid, so the mode is put back. */
async function chownTree(root: string, uidMap: Map<number, number>, gidMap: Map<number, number>): Promise<number> {
  const rootDev = (await lstat(root)).dev;
  let changed = 0;
  const visit = async (p: string): Promise<void> => {
    const st = await lstat(p);
    if (st.dev !== rootDev) return;
    const uid = uidMap.get(st.uid) ?? st.uid;
    const gid = gidMap.get(st.gid) ?? st.gid;
    if (uid !== st.uid || gid !== st.gid) {
      await lchown(p, uid, gid);
      if (!st.isSymbolicLink() && (st.mode & 0o6000) !== 0) await chmod(p, st.mode & 0o7777);
      changed++;
    }
    if (st.isDirectory()) for (const n of await readdir(p)) await visit(join(p, n));
  };
  await visit(root);
  return changed;
}
