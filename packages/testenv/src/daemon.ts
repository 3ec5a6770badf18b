/**
 * warewulfd in a test: the app built on a test root (no listen) for
 * `inject()`, with the TCP peer taken from an `x-test-peer` header
 * (`10.10.10.10:9873`, `[fd00::1]:987`) because inject has no source port,
 * and the log lines captured as parsed JSON. Or the whole daemon listening
 * on loopback (startDaemon) for real-TCP tests.
 */
import { loadNodeDb, loadWarewulfConf, resolveConfPath, resolvePaths, type Paths } from '@warewulf/core';
import {
  NodeRegistry, buildApp, createDaemonEnv, createLogger, startDaemon,
  type AppDeps, type DaemonEnv, type DaemonHandle, type StartOptions,
} from '@warewulf/warewulfd';
import { onTestFinished } from 'vitest';
import type { TestRoot } from './root.js';

export interface LogLine {
  level: number;
  msg: string;
  [k: string]: unknown;
}

export interface InjectOptions {
  /** `addr:port` or `[v6]:port` of the simulated peer (default `10.10.10.10:9873`). */
  peer?: string;
  method?: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  headers?: Record<string, string>;
  /** A JSON body (sent with content-type application/json). */
  json?: unknown;
}

export interface InjectResponse {
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
  rawPayload: Buffer;
}

export interface TestApp {
  env: DaemonEnv;
  paths: Paths;
  registry: NodeRegistry;
  logs: LogLine[];
  request(url: string, o?: InjectOptions): Promise<InjectResponse>;
  close(): Promise<void>;
}

/** A log destination that keeps every JSON line. */
export function captureLog(): { logs: LogLine[]; log: ReturnType<typeof createLogger> } {
  const logs: LogLine[] = [];
  const dest = { write: (s: string) => void logs.push(JSON.parse(s) as LogLine) };
  return { logs, log: createLogger({ level: 'debug', pretty: false, destination: dest as unknown as NodeJS.WritableStream }) };
}

function testPeer(v: string | string[] | undefined): { address: string | undefined; port: number | undefined } {
  const s = typeof v === 'string' ? v : '10.10.10.10:9873';
  const m = /^\[(.+)\]:(\d+)$/.exec(s) ?? /^([^:]+):(\d+)$/.exec(s);
  return m ? { address: m[1], port: Number(m[2]) } : { address: undefined, port: undefined };
}

/** The app of a test root, for inject(); closed when the test finishes. */
export async function provisionApp(t: Pick<TestRoot, 'env'>, deps: Partial<Omit<AppDeps, 'paths' | 'registry' | 'log'>> = {}): Promise<TestApp> {
  const confPath = resolveConfPath({ env: t.env });
  const load = async () => {
    const conf = await loadWarewulfConf(confPath, { allowMissing: true });
    const paths = resolvePaths({ env: t.env, conf });
    return { conf, db: await loadNodeDb(paths.nodesConf) };
  };
  const first = await load();
  const paths = resolvePaths({ env: t.env, conf: first.conf });
  const registry = new NodeRegistry(first, load);
  const { logs, log } = captureLog();
  const env = createDaemonEnv({ paths, registry, log, peerOf: (raw) => testPeer(raw.headers['x-test-peer']), arpLookup: async () => undefined, ...deps });
  const app = buildApp(env);
  await app.ready();
  onTestFinished(() => app.close());
  return {
    env,
    paths,
    registry,
    logs,
    async request(url, o = {}) {
      const headers: Record<string, string> = { ...(o.json !== undefined ? { 'content-type': 'application/json' } : {}), ...(o.headers ?? {}), 'x-test-peer': o.peer ?? '10.10.10.10:9873' };
      const r = await app.inject({ method: o.method ?? 'GET', url, headers, ...(o.json !== undefined ? { payload: JSON.stringify(o.json) } : {}) });
      return { statusCode: r.statusCode, headers: r.headers, body: r.body, rawPayload: r.rawPayload };
    },
    close: () => app.close(),
  };
}

/** The real daemon on 127.0.0.1 (any free port), logging into `logs`; closed when the test finishes. */
export async function startTestDaemon(t: Pick<TestRoot, 'env'>, o: Partial<StartOptions> = {}): Promise<DaemonHandle & { logs: LogLine[]; url: string }> {
  const { logs, log } = captureLog();
  const d = await startDaemon({ env: t.env, host: '127.0.0.1', port: 0, log, ...o });
  onTestFinished(() => d.close());
  return Object.assign(d, { logs, url: `http://127.0.0.1:${d.port}` });
}

/** The real `warewulfd` binary in a child process (needs the build), on 127.0.0.1 and a free port. */
export interface DaemonProcess {
  pid: number;
  port: number;
  url: string;
  /** JSON log lines seen so far. */
  logs: LogLine[];
  /** Resolves with the exit code when the process ends. */
  exited: Promise<number | null>;
  signal(sig: NodeJS.Signals): void;
  stop(): Promise<number | null>;
}

export async function spawnDaemon(t: Pick<TestRoot, 'env'>, args: string[] = []): Promise<DaemonProcess> {
  const { spawn } = await import('node:child_process');
  const { WAREWULFD_BIN } = await import('./paths.js');
  const child = spawn(process.execPath, [WAREWULFD_BIN, '--listen', '127.0.0.1', '--port', '0', ...args], { env: t.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: LogLine[] = [];
  let stderr = '';
  let buf = '';
  const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try {
          const l = JSON.parse(line) as LogLine;
          logs.push(l);
          if (typeof l['port'] === 'number' && l.msg.startsWith('warewulfd listening')) resolve(l['port']);
        } catch {
          /* not JSON */
        }
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    void exited.then((code) => reject(new Error(`warewulfd exited (${code}) before listening: ${stderr}`)));
  });
  return {
    pid: child.pid as number,
    port,
    url: `http://127.0.0.1:${port}`,
    logs,
    exited,
    signal: (sig) => void child.kill(sig),
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
