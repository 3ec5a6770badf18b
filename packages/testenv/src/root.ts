/** A throwaway WAREWULF_ROOT per test, removed when the test finishes. */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { onTestFinished } from 'vitest';

export interface TestRoot {
  root: string;
  nodesConf: string;
  /** Environment for wwctl and the daemon: only PATH, WAREWULF_ROOT and TZ=UTC. */
  env: NodeJS.ProcessEnv;
  readNodesConf(): string;
  writeNodesConf(text: string): void;
  /** Write a file relative to the root, creating its directories. */
  write(rel: string, text: string | Buffer, mode?: number): string;
}

/** Make a root; `nodesConf` (text) is written to `etc/warewulf/nodes.conf` when given. */
export function makeRoot(nodesConf?: string, opts: { keep?: boolean } = {}): TestRoot {
  const root = mkdtempSync(join(tmpdir(), 'ww-test-'));
  if (!opts.keep) onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  const conf = join(root, 'etc', 'warewulf', 'nodes.conf');
  mkdirSync(dirname(conf), { recursive: true });
  if (nodesConf !== undefined) writeFileSync(conf, nodesConf, { mode: 0o600 });
  return {
    root,
    nodesConf: conf,
    env: { PATH: process.env.PATH, WAREWULF_ROOT: root, TZ: 'UTC' },
    readNodesConf: () => readFileSync(conf, 'utf8'),
    writeNodesConf: (text) => writeFileSync(conf, text, { mode: 0o600 }),
    write(rel, text, mode = 0o644) {
      const p = join(root, rel);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, text, { mode });
      return p;
    },
  };
}
