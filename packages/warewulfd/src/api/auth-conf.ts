/**
 * auth.conf (§0.1, §4.10): the REST API's users and their bcrypt password
 * hashes. Read again when the file changes (its stat), so adding a user
 * needs no restart. A missing file means no user can log in; a broken one
 * (bad YAML, a duplicate name, a hash that is not bcrypt) is a server error
 * and likewise lets nobody in.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import bcrypt from 'bcryptjs';
import { z } from 'zod';
import { WwError, isErrnoCode, loadYaml, plainData } from '@warewulf/core';

const BCRYPT_RE = /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/;

const AUTH_CONF = z.object({
  users: z
    .array(z.object({ name: z.string().min(1), 'password hash': z.string().regex(BCRYPT_RE, 'expected a bcrypt hash ($2a$, $2b$ or $2y$)') }))
    .nullish(),
}).nullish();

/** Parse auth.conf text; throws WW_ERR_CONFIG_INVALID naming the file and the entry. */
export function parseAuthConf(text: string, file: string): Map<string, string> {
  const r = AUTH_CONF.safeParse(plainData(loadYaml(text, file, 'WW_ERR_CONFIG_PARSE')));
  if (!r.success) {
    const issue = r.error.issues[0] as z.core.$ZodIssue;
    throw new WwError('WW_ERR_CONFIG_INVALID', `${file}: ${issue.path.join('.')}: ${issue.message}`);
  }
  const users = new Map<string, string>();
  for (const [i, u] of (r.data?.users ?? []).entries()) {
    if (users.has(u.name)) throw new WwError('WW_ERR_CONFIG_INVALID', `${file}: users.${i}: duplicate user name ${JSON.stringify(u.name)}`);
    users.set(u.name, u['password hash']);
  }
  return users;
}

/** Every login is checked against a hash, known user or not, so timing does not tell which names exist. */
let dummyHash: Promise<string> | undefined;
const dummy = (): Promise<string> => (dummyHash ??= bcrypt.hash('not a password', 10));

/** Verified logins remembered (as HMACs, never the password) so a client's every request does not cost a bcrypt round. */
const MAX_REMEMBERED = 1024;

export class AuthStore {
  private users: Promise<Map<string, string>> | undefined;
  private stamp = '';
  private readonly key = randomBytes(32);
  private readonly verified = new Set<string>();

  constructor(private readonly file: string) {}

  /** The users of the file as it is now (re-read when its stat changed). Throws on a broken file. */
  private async load(): Promise<Map<string, string>> {
    const st = await stat(this.file).catch((err: unknown) => {
      if (isErrnoCode(err, 'ENOENT')) return undefined;
      throw err;
    });
    const stamp = st === undefined ? 'missing' : `${st.ino}:${st.size}:${st.mtimeMs}`;
    if (this.users === undefined || stamp !== this.stamp) {
      this.stamp = stamp;
      this.verified.clear();
      this.users = st === undefined ? Promise.resolve(new Map()) : readFile(this.file, 'utf8').then((t) => parseAuthConf(t, this.file));
      this.users.catch(() => {
        this.users = undefined; // try again on the next request
      });
    }
    return this.users;
  }

  /**
   * True when `user` exists and `password` matches its bcrypt hash. Throws
   * WW_ERR_CONFIG_* when auth.conf cannot be read or is invalid.
   */
  async verify(user: string, password: string): Promise<boolean> {
    const users = await this.load();
    const hash = users.get(user);
    const mark = createHmac('sha256', this.key).update(`${user}\0${hash ?? ''}\0${password}`).digest('base64');
    if (hash !== undefined && this.verified.has(mark)) return true;
    const ok = await bcrypt.compare(password, hash ?? (await dummy()));
    if (!ok || hash === undefined) return false;
    if (this.verified.size >= MAX_REMEMBERED) this.verified.clear();
    this.verified.add(mark);
    return true;
  }
}
