/**
 * Running the daemon (§4.1): load warewulf.conf and nodes.conf, build the
 * app(s), listen (HTTP on warewulf.port; HTTPS on `tls port` too when
 * `warewulf.tls`), and reload on change: nodes.conf and warewulf.conf are
 * watched through their directory (wwctl writes by atomic rename, editors
 * too) and SIGHUP reloads by hand. A reload swaps the snapshot; downloads in
 * flight keep streaming. SIGTERM/SIGINT stop accepting, let requests
 * finish, remove the pid file and exit.
 */
import { watch, type FSWatcher } from 'node:fs';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import {
  WwError, isErrnoCode, loadNodeDb, loadWarewulfConf, resolveConfPath, resolvePaths, writeFileAtomic,
  type Env, type Paths,
} from '@warewulf/core';
import { buildApp } from './app.js';
import { overlayAutobuilder } from './autobuild.js';
import { createDaemonEnv, type AppDeps, type DaemonEnv } from './env.js';
import { coreLogger, createLogger } from './log.js';
import { NodeRegistry, type SnapshotLoader } from './plugins/node-db.js';
import { linkSizedStreamLimit } from './plugins/stream-limit.js';

/**
 * Connections waiting to be accepted. A boot storm opens thousands at once
 * while the loop is busy streaming; past Node's default of 511 the kernel
 * drops their SYNs and each node waits out TCP's 1 s, 3 s, 7 s retries
 * (measured: 89,000 listen overflows in a 10,000-node storm). The kernel
 * caps it at net.core.somaxconn (4096 on current kernels).
 */
const LISTEN_BACKLOG = 4096;

export interface StartOptions {
  env: Env;
  /** `--warewulfconf`. */
  confPath?: string;
  /** Address to listen on (default `::`, all interfaces, IPv4 too). */
  host?: string;
  /** Overrides warewulf.port (0: any free port). */
  port?: number;
  /** Overrides `warewulf.tls port` (0: any free port). */
  tlsPort?: number;
  log?: Logger;
  /** Written once listening, removed on close. */
  pidFile?: string;
  /** Watch nodes.conf/warewulf.conf (default true). */
  watch?: boolean;
  /** Debounce of file events before a reload, ms (default 100). */
  watchDelayMs?: number;
  /** Build overlay images on demand with core's builder (the real daemon; tests keep serving what exists). */
  autobuild?: boolean;
  /** Anything of buildApp's deps to replace (resolvers, builder, stream limit...). */
  deps?: Partial<Omit<AppDeps, 'paths' | 'registry' | 'log'>>;
}

export interface DaemonHandle {
  readonly paths: Paths;
  readonly env: DaemonEnv;
  /** The bound HTTP port. */
  readonly port: number;
  /** The bound HTTPS port when TLS is on. */
  readonly tlsPort: number | undefined;
  /** Reload both files now (what SIGHUP does). */
  reload(): Promise<void>;
  close(): Promise<void>;
}

function boundPort(app: FastifyInstance): number {
  const a = app.server.address();
  return typeof a === 'object' && a !== null ? a.port : 0;
}

async function readTls(paths: Paths): Promise<{ key: Buffer; cert: Buffer }> {
  try {
    return { key: await readFile(join(paths.tlsDir, 'warewulf.key')), cert: await readFile(join(paths.tlsDir, 'warewulf.crt')) };
  } catch (err) {
    if (isErrnoCode(err, 'ENOENT')) throw new WwError('WW_ERR_SERVER', `TLS enabled but keys not found in ${paths.tlsDir}, run 'wwctl configure tls' to generate keys`);
    throw err;
  }
}

/** Start the daemon; resolves once it listens. */
export async function startDaemon(o: StartOptions): Promise<DaemonHandle> {
  const log = o.log ?? createLogger();
  const confPath = resolveConfPath({ env: o.env, ...(o.confPath !== undefined ? { confPath: o.confPath } : {}) });
  const allowMissing = o.env['WAREWULF_ROOT'] !== undefined;
  const conf0 = await loadWarewulfConf(confPath, { allowMissing, logger: coreLogger(log) });
  const paths = resolvePaths({ env: o.env, confPath, conf: conf0 });
  // what both files were at the last load: a reload that finds them the same skips the parse
  let lastStamp = '';
  const stamp = async (): Promise<string> => {
    const parts: string[] = [];
    for (const f of [confPath, paths.nodesConf]) {
      try {
        const s = await stat(f, { bigint: true });
        parts.push(`${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`);
      } catch {
        parts.push('-');
      }
    }
    return parts.join('|');
  };
  const load: SnapshotLoader = async () => {
    // taken before reading: a change during the read shows up as a new stamp next time
    const now = await stamp();
    if (now === lastStamp) return null;
    const conf = await loadWarewulfConf(confPath, { allowMissing, logger: coreLogger(log) });
    const db = await loadNodeDb(paths.nodesConf, { cacheDir: paths.nodesCacheDir, log: coreLogger(log) });
    lastStamp = now; // only after a good load: a failed one is retried on the next event
    return { db, conf };
  };
  const db0 = await loadNodeDb(paths.nodesConf, { cacheDir: paths.nodesCacheDir, log: coreLogger(log) });
  const registry = new NodeRegistry({ db: db0, conf: conf0 }, load);
  const streamLimit = o.deps?.streamLimit ?? (conf0.warewulf.streamLimit > 0 ? conf0.warewulf.streamLimit : await linkSizedStreamLimit());
  const builder = o.autobuild && o.deps?.overlayBuilder === undefined ? { overlayBuilder: overlayAutobuilder({ paths, conf: () => registry.current.conf, log }) } : {};
  const env = createDaemonEnv({ ...o.deps, ...builder, paths, registry, log, streamLimit });
  registry.onSwap((s, prev) => {
    if (s.conf.warewulf.port !== prev.conf.warewulf.port || s.conf.warewulf.tls !== prev.conf.warewulf.tls) {
      log.warn('warewulf.conf changed the port or TLS setting: restart warewulfd to apply it');
    }
  });

  // keys first: a daemon that cannot serve TLS must not half-start on plain HTTP
  const tlsKeys = conf0.warewulf.tls ? await readTls(paths) : undefined;
  const apps: FastifyInstance[] = [];
  const host = o.host ?? '::';
  const http = buildApp(env);
  apps.push(http);
  await http.listen({ host, port: o.port ?? conf0.warewulf.port, backlog: LISTEN_BACKLOG });
  let tlsPort: number | undefined;
  if (tlsKeys) {
    const https = buildApp(env, { https: tlsKeys });
    apps.push(https);
    await https.listen({ host, port: o.tlsPort ?? conf0.warewulf.tlsPort, backlog: LISTEN_BACKLOG });
    tlsPort = boundPort(https);
  }
  const port = boundPort(http);
  // before the listening line: whoever waits for that line may read the pid file next
  if (o.pidFile) {
    await mkdir(dirname(o.pidFile), { recursive: true });
    await writeFileAtomic(o.pidFile, `${process.pid}\n`, 0o644);
  }
  log.info({ port, tlsPort, streamLimit, nodes: registry.current.db.nodeIds.length }, `warewulfd listening on port ${port}${tlsPort ? ` and ${tlsPort} (TLS)` : ''}`);

  const reload = async (why: string): Promise<void> => {
    const r = await registry.reload();
    if (r.ok && !r.loaded) {
      // the watcher's echo of a write already reloaded for (an API write reloads before it answers)
      log.debug({ why }, `nodes.conf and warewulf.conf unchanged since the last load (${why})`);
      return;
    }
    env.metrics.reloads.inc({ result: r.ok ? 'ok' : 'error' });
    if (r.ok) log.info({ why, revision: r.snapshot.db.revision.slice(0, 12), nodes: r.snapshot.db.nodeIds.length, changed: r.changed }, `reloaded (${why})`);
    else log.error({ why, err: r.error }, `reload failed (${why}); still serving the previous configuration: ${r.error.message}`);
  };

  const watchers: FSWatcher[] = [];
  if (o.watch !== false) {
    const watched = new Map<string, Set<string>>();
    for (const f of [paths.nodesConf, confPath]) {
      const set = watched.get(dirname(f)) ?? new Set<string>();
      set.add(basename(f));
      watched.set(dirname(f), set);
    }
    let timer: NodeJS.Timeout | undefined;
    for (const [dir, names] of watched) {
      try {
        const w = watch(dir, { persistent: false }, (_ev, name) => {
          if (name === null || !names.has(name.toString())) return;
          clearTimeout(timer);
          timer = setTimeout(() => void reload(`${name} changed`), o.watchDelayMs ?? 100);
        });
        w.on('error', (err) => log.error({ err, dir }, `watching ${dir} failed: ${err.message}`));
        watchers.push(w);
      } catch (err) {
        log.warn({ dir }, `cannot watch ${dir} (${(err as Error).message}); reload with SIGHUP`);
      }
    }
  }


  let closed: Promise<void> | undefined;
  return {
    paths,
    env,
    port,
    tlsPort,
    reload: () => reload('requested'),
    close() {
      closed ??= (async () => {
        for (const w of watchers) w.close();
        await Promise.all(apps.map((a) => a.close()));
        if (o.pidFile) await rm(o.pidFile, { force: true });
      })();
      return closed;
    },
  };
}
