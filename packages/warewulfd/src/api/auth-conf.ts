/**
 * auth.conf (§0.1, §4.10): the REST API's users and their bcrypt password
 * hashes. Read again when the file changes (its stat), so adding a user
 * needs no restart. A missing file means no user can log in; a broken one
 * (bad YAML, a duplicate name, a hash that is not bcrypt) or an unreadable
 * one lets nobody in either: the guard answers 503 without detail (the
 * file's path and schema are not the client's business) and the detail is
 * logged once per distinct problem, at error level.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import bcrypt from 'bcryptjs';
import { z } from 'zod';
import type { FastifyBaseLogger } from 'fastify';
import { WwError, isErrnoCode, isWwError, loadYaml, plainData } from '@warewulf/core';

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

/**
 * auth.conf cannot be used (unreadable, invalid): nobody can be checked.
 * `cause` holds the detail for the log; the client is told only that
 * (access.ts: 503 WW_ERR_AUTH_UNAVAILABLE).
 */
export class AuthUnavailableError extends Error {
  constructor(cause: unknown) {
    super('authentication is not configured correctly; see the server log', { cause });
    this.name = 'AuthUnavailableError';
  }
}

/** A problem of the file's content: it stays until the file changes, so it is kept with the file's stamp. */
const isContentError = (err: unknown): boolean => isWwError(err) && (err.code === 'WW_ERR_CONFIG_INVALID' || err.code === 'WW_ERR_CONFIG_PARSE');

export class AuthStore {
  private cache: { stamp: string; users: Promise<Map<string, string>> } | undefined;
  /** The problem last logged (the file's stamp and the message); undefined while the file is usable. */
  private problem: string | undefined;
  private readonly key = randomBytes(32);
  private readonly verified = new Set<string>();

  /** `log` gets the detail of a broken auth.conf (error) and its repair (info). */
  constructor(
    private readonly file: string,
    private readonly log?: Pick<FastifyBaseLogger, 'error' | 'info'>,
  ) {}

  /**
   * The users of the file as it is now (re-read when its stat changed).
   * A problem is logged when it first appears (and its repair); throws
   * AuthUnavailableError while the file is broken or unreadable.
   */
  private async users(): Promise<Map<string, string>> {
    let stamp = ''; // stays '' when stat fails
    try {
      const st = await stat(this.file).catch((err: unknown) => {
        if (isErrnoCode(err, 'ENOENT')) return undefined;
        throw err;
      });
      stamp = st === undefined ? 'missing' : `${st.ino}:${st.size}:${st.mtimeMs}`;
      if (this.cache === undefined || stamp !== this.cache.stamp) {
        this.verified.clear();
        const entry = { stamp, users: st === undefined ? Promise.resolve(new Map<string, string>()) : readFile(this.file, 'utf8').then((t) => parseAuthConf(t, this.file)) };
        this.cache = entry;
        entry.users.catch((err: unknown) => {
          // a broken content is parsed again only when the file changes; a read error (EACCES ...) is retried on the next request
          if (!isContentError(err) && this.cache === entry) this.cache = undefined;
        });
      }
      const users = await this.cache.users;
      if (this.problem !== undefined) {
        this.problem = undefined;
        this.log?.info({ file: this.file }, `${this.file} is valid again; the REST API accepts logins`);
      }
      return users;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      // once per problem: the same message about the same file is not logged again; an edit that is still broken is
      const problem = `${stamp}\0${message}`;
      if (problem !== this.problem) {
        this.problem = problem;
        this.log?.error({ err, file: this.file }, `auth.conf unusable, the REST API refuses every login (503) until it is fixed: ${message}`);
      }
      throw new AuthUnavailableError(err);
    }
  }

  /**
   * True when `user` exists and `password` matches its bcrypt hash. Throws
   * AuthUnavailableError when auth.conf cannot be read or is invalid.
   */
  async verify(user: string, password: string): Promise<boolean> {
    const users = await this.users();
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
