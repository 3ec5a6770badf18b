/**
 * Who may use the REST API and the dashboard (§4.10): `api.enabled` (else
 * the paths do not exist: 404), a source address inside `api.allowed
 * subnets` (403), HTTPS when `api.tls` (403), then HTTP Basic credentials
 * checked against auth.conf's bcrypt hashes (401 with
 * `WWW-Authenticate: Basic realm="Restricted"`; 503 WW_ERR_AUTH_UNAVAILABLE
 * while auth.conf is broken, the detail only in the log). Checked in that order on
 * every request, against the warewulf.conf of the current snapshot, so a
 * reload applies at once. Refusals are counted by reason; passwords are
 * never logged.
 */
import { BlockList } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { WwError, type WarewulfConf } from '@warewulf/core';
import { parsePeer } from '@warewulf/core/provision';
import type { DaemonEnv } from '../env.js';
import { loggableUrl } from '../plugins/errors.js';
import { AuthUnavailableError, type AuthStore } from './auth-conf.js';

export const BASIC_CHALLENGE = 'Basic realm="Restricted"';

/** The error code of the 503 while auth.conf is unusable (the API's own: no handler throws it). */
export const AUTH_UNAVAILABLE = 'WW_ERR_AUTH_UNAVAILABLE';

/** The allowed subnets of a warewulf.conf as a BlockList (made once per loaded config). */
const subnetLists = new WeakMap<WarewulfConf, BlockList>();

function allowedSubnets(conf: WarewulfConf): BlockList {
  let list = subnetLists.get(conf);
  if (list === undefined) {
    list = new BlockList();
    for (const cidr of conf.api.allowedSubnets) {
      const [net, bits] = cidr.split('/') as [string, string | undefined];
      const family = net.includes(':') ? 'ipv6' : 'ipv4';
      list.addSubnet(net, bits === undefined ? (family === 'ipv6' ? 128 : 32) : Number(bits), family);
    }
    subnetLists.set(conf, list);
  }
  return list;
}

/** `Authorization: Basic base64(user:password)`, or undefined when absent or malformed. */
export function basicCredentials(header: string | undefined): { user: string; password: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const text = Buffer.from(m[1] as string, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The API user a request authenticated as ('' before). */
    apiUser: string;
  }
}

/**
 * The onRequest guard of /api and the dashboard. Throws WwError: 403
 * (subnet, TLS), 401 (credentials). While the API is disabled it answers
 * the daemon's plain 404 itself and resolves with the reply; so it answers
 * 503 WW_ERR_AUTH_UNAVAILABLE while auth.conf is unusable (failing closed,
 * without the file's path or problem, which AuthStore logs once).
 */
export function apiGuard(env: DaemonEnv, auth: AuthStore): (req: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined> {
  const refuse = (req: FastifyRequest, reason: 'api_subnet' | 'api_tls' | 'api_auth', code: 'WW_ERR_FORBIDDEN' | 'WW_ERR_DENIED', msg: string): never => {
    env.metrics.refusals.inc({ reason });
    req.log.warn({ reason, url: req.url }, `DENIED : API ${msg}`);
    throw new WwError(code, msg);
  };
  return async (req, reply) => {
    const conf = env.registry.current.conf;
    // disabled: the paths do not exist, answered as every unknown path of the daemon is
    if (!conf.api.enabled) return reply.code(404).type('text/plain; charset=utf-8').send('404 page not found\n');
    const raw = env.peerOf(req.raw);
    let address: string;
    let family: 'ipv4' | 'ipv6';
    try {
      const peer = parsePeer(raw.address, raw.port);
      address = peer.address;
      family = peer.family === 4 ? 'ipv4' : 'ipv6';
    } catch {
      return refuse(req, 'api_subnet', 'WW_ERR_FORBIDDEN', `request from an unknown address ${raw.address ?? '?'}`);
    }
    if (!allowedSubnets(conf).check(address, family)) refuse(req, 'api_subnet', 'WW_ERR_FORBIDDEN', `request from ${address} outside the allowed subnets`);
    if (conf.api.tls && (req.raw.socket as { encrypted?: boolean }).encrypted !== true) refuse(req, 'api_tls', 'WW_ERR_FORBIDDEN', 'requires HTTPS (api.tls)');
    const cred = basicCredentials(req.headers.authorization);
    reply.header('WWW-Authenticate', BASIC_CHALLENGE);
    if (cred === undefined) return refuse(req, 'api_auth', 'WW_ERR_DENIED', 'authentication required');
    let ok: boolean;
    try {
      ok = await auth.verify(cred.user, cred.password);
    } catch (err) {
      if (!(err instanceof AuthUnavailableError)) throw err;
      req.log.debug({ url: loggableUrl(req.url) }, `API ${err.message}`);
      reply.removeHeader('WWW-Authenticate');
      return reply.code(503).type('application/json; charset=utf-8').send({ error: { code: AUTH_UNAVAILABLE, status: 503, message: err.message } });
    }
    if (!ok) refuse(req, 'api_auth', 'WW_ERR_DENIED', `bad credentials for user ${JSON.stringify(cred.user)}`);
    reply.removeHeader('WWW-Authenticate');
    req.apiUser = cred.user;
    return undefined;
  };
}
