/**
 * The API's state of one daemon, shared by its HTTP and HTTPS apps: the
 * users (auth.conf), the event hub, and the queue of nodes.conf writes.
 */
import { updateNodesConf, type NodesDocument } from '@warewulf/core';
import type { DaemonEnv } from '../env.js';
import { AuthStore } from './auth-conf.js';
import { EventHub } from './events.js';

export interface ApiState {
  readonly auth: AuthStore;
  readonly events: EventHub;
  /**
   * Change nodes.conf: `change` runs under the nodes.conf lock on the file
   * as it is now (wwctl's writes and this daemon's are serialised by that
   * lock; this daemon's also queue here, so they do not poll for it), and
   * returns whether to write. After a write the daemon's snapshot is
   * reloaded before this resolves, so the caller's next read sees it.
   * Throws what `change` throws (nothing written) or WW_ERR_NODES_LOCK.
   */
  writeNodes<T>(change: (doc: NodesDocument) => Promise<{ result: T; write: boolean }>): Promise<T>;
}

const states = new WeakMap<DaemonEnv, ApiState>();

/** The API state of `env`, made on first use. */
export function apiState(env: DaemonEnv): ApiState {
  let s = states.get(env);
  if (s !== undefined) return s;
  let tail: Promise<unknown> = Promise.resolve();
  const writeNodes = <T>(change: (doc: NodesDocument) => Promise<{ result: T; write: boolean }>): Promise<T> => {
    const run = async (): Promise<T> => {
      const { result, written } = await updateNodesConf(env.paths.nodesConf, change, { cacheDir: env.paths.nodesCacheDir });
      if (written) {
        const r = await env.registry.reload();
        if (!r.ok) env.log.error({ err: r.error }, `reload after an API write failed: ${r.error.message}`);
      }
      return result;
    };
    const p = tail.then(run, run);
    tail = p.catch(() => undefined);
    return p;
  };
  s = { auth: new AuthStore(env.paths.authConf, env.log), events: new EventHub(env), writeNodes };
  states.set(env, s);
  return s;
}
