/**
 * `configure ssh` (§1.9): the cluster's host keys
 * (`<keysDir>/ssh_host_<type>_key`, served to nodes by the ssh.host_keys
 * overlay) made with ssh-keygen for each key type, and the invoking user's
 * key: when `~/.ssh/authorized_keys` is missing, `~/.ssh/id_<first type>`
 * is made (or reused) and its public half copied there (the
 * ssh.authorized_keys overlay gives it to the nodes).
 *
 * Under WAREWULF_ROOT the user's home is relocated too (`$WAREWULF_ROOT/root`
 * for root): the overlays read `/root/.ssh/authorized_keys` from the same
 * relocated tree, and nothing outside the root is written.
 *
 * ssh-keygen writes into a private temporary directory beside the key, and
 * the pair is moved in place public half first: a key whose private half
 * exists is never regenerated.
 */
import { mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { WwError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { resolveForWrite } from './confine.js';
import { findOnPath, runChecked } from './exec.js';
import { pathExists, type Desired } from './files.js';
import type { ConfigureContext, PlannedCommand } from './types.js';

const KEY_TYPE_RE = /^[a-z0-9][a-z0-9-]*$/;

/** Key types as ssh-keygen's `-t` takes them; throws WW_ERR_INVALID_VALUE for anything else (they become file names). */
export function checkKeyTypes(types: readonly string[]): string[] {
  if (types.length === 0) throw new WwError('WW_ERR_INVALID_VALUE', 'no SSH key types: set ssh.key types in warewulf.conf or use --keytypes');
  for (const t of types) {
    if (!KEY_TYPE_RE.test(t)) throw new WwError('WW_ERR_INVALID_VALUE', `invalid SSH key type ${JSON.stringify(t)} (ssh-keygen -t: ed25519, ecdsa, rsa ...)`);
  }
  return [...new Set(types)];
}

/** ssh-keygen into a temp directory beside `dest`, then the pair moved in place (public half first). */
async function keygen(tool: string, type: string, dest: string): Promise<void> {
  const tmp = await mkdtemp(join(dirname(dest), '.wwkeygen-'));
  try {
    await runChecked([tool, '-q', '-t', type, '-f', join(tmp, 'key'), '-C', '', '-N', '']);
    await rename(join(tmp, 'key.pub'), `${dest}.pub`);
    await rename(join(tmp, 'key'), dest);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** The public half of an existing private key (`ssh-keygen -y`). */
async function derivePublic(tool: string, key: string): Promise<void> {
  const r = await runChecked([tool, '-y', '-f', key]);
  await writeFileAtomic(`${key}.pub`, r.stdout, 0o644);
}

export interface SshWork {
  desired: Desired[];
  commands: PlannedCommand[];
}

/**
 * What `configure ssh` does.
 *
 * @param rootReal the output root's real path
 * @param hostKeys make the cluster host keys (as root, or under WAREWULF_ROOT)
 * @throws WwError WW_ERR_INVALID_VALUE for a bad key type, WW_ERR_PATH_ESCAPE
 *   when a key's place leaves the root
 */
export async function planSsh(ctx: ConfigureContext, rootReal: string, keyTypes: readonly string[], hostKeys: boolean): Promise<SshWork> {
  const types = checkKeyTypes(keyTypes);
  const tool = ctx.tools?.sshKeygen ?? (await findOnPath('ssh-keygen')) ?? 'ssh-keygen';
  const desired: Desired[] = [];
  const commands: PlannedCommand[] = [];
  const keyCommand = async (type: string, at: string, why: string, then?: () => Promise<void>): Promise<PlannedCommand> => {
    const key = await resolveForWrite(rootReal, at, true);
    const shown = [tool, '-q', '-t', type, '-f', key, '-C', '', '-N', ''];
    return { argv: shown, why, runnable: true, creates: [key, `${key}.pub`], exec: async () => {
      await keygen(tool, type, key);
      await then?.();
    } };
  };
  const pubCommand = async (at: string, why: string, then?: () => Promise<void>): Promise<PlannedCommand> => {
    const key = await resolveForWrite(rootReal, at, true);
    return { argv: [tool, '-y', '-f', key], why, runnable: true, creates: [`${key}.pub`], exec: async () => {
      await derivePublic(tool, key);
      await then?.();
    } };
  };

  if (hostKeys) {
    desired.push({ kind: 'directory', path: ctx.paths.keysDir, mode: 0o755 });
    for (const type of types) {
      const key = posix.join(ctx.paths.keysDir, `ssh_host_${type}_key`);
      const [hasKey, hasPub] = [await pathExists(key), await pathExists(`${key}.pub`)];
      if (hasKey && !hasPub) commands.push(await pubCommand(key, `the public half of the ${type} host key is missing`));
      else if (!hasKey) commands.push(await keyCommand(type, key, `the cluster has no ${type} host key`));
    }
  }

  const home = ctx.paths.root === '' ? ctx.user.home : posix.join(ctx.paths.root, ctx.user.home);
  const sshDir = posix.join(home, '.ssh');
  const authorized = posix.join(sshDir, 'authorized_keys');
  if (!(await pathExists(authorized))) {
    const first = types[0] as string;
    const id = posix.join(sshDir, `id_${first}`);
    const copyPub = async () => {
      const dest = await resolveForWrite(rootReal, authorized, true);
      await writeFileAtomic(dest, await readFile(`${await resolveForWrite(rootReal, id, true)}.pub`), 0o600);
    };
    // a home made here is private, as useradd makes them
    desired.push({ kind: 'directory', path: home, mode: 0o700 }, { kind: 'directory', path: sshDir, mode: 0o700 });
    const [hasId, hasPub] = [await pathExists(id), await pathExists(`${id}.pub`)];
    const why = `${authorized} is missing`;
    if (hasId && hasPub) {
      desired.push({ kind: 'file', path: authorized, content: await readFile(`${id}.pub`), mode: 0o600, backup: false, source: `${id}.pub` });
    } else if (hasId) {
      const c = await pubCommand(id, why, copyPub);
      commands.push({ ...c, creates: [...(c.creates ?? []), authorized] });
    } else {
      const c = await keyCommand(first, id, why, copyPub);
      commands.push({ ...c, creates: [...(c.creates ?? []), authorized] });
    }
  }
  return { desired, commands };
}
