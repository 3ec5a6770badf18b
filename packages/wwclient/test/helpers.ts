/** Helpers for the wwclient tests: a node's files, a raw newc encoder for hostile archives, running the binary. */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeArchive, type CpioEntryInput } from '@warewulf/cpio';
import { Proc, WWCLIENT_BIN, runtimePath } from '@warewulf/testenv';

export const WWID = '52:54:00:aa:bb:01';
export const ASSET = 'rack 1/slot 2';
export const UUID = '8e9d3c1a-0000-4000-8000-00000000ab01';

export interface Node {
  /** Scratch directory of the test. */
  dir: string;
  /** The root wwclient applies to (--root). */
  root: string;
  /** The fixture server's files. */
  srv: string;
  conf: string;
  dmi: string;
  pidfile: string;
  cleanup(): void;
}

/** A scratch node: root, server dir, fake SMBIOS dir, and a warewulf.conf for the server on 127.0.0.1:port. */
export function makeNode(): Node {
  const dir = mkdtempSync(join(tmpdir(), 'wwclient-'));
  const n: Node = {
    dir,
    root: join(dir, 'root'),
    srv: join(dir, 'srv'),
    conf: join(dir, 'warewulf.conf'),
    dmi: join(dir, 'dmi'),
    pidfile: join(dir, 'run', 'wwclient.pid'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
  for (const d of [n.root, join(n.srv, 'runtime'), n.dmi]) mkdirSync(d, { recursive: true });
  writeFileSync(join(n.dmi, 'chassis_asset_tag'), `${ASSET}\n`);
  writeFileSync(join(n.dmi, 'product_uuid'), `${UUID}\n`);
  return n;
}

export function writeConf(n: Node, port: number, opts: { secure?: boolean; interval?: number; extra?: string } = {}): void {
  writeFileSync(
    n.conf,
    `# a server's warewulf.conf, as the wwinit overlay copies it\nipaddr: 127.0.0.1\nnetmask: 255.0.0.0\nwarewulf:\n  port: ${port}\n  secure: ${opts.secure ?? true}\n  update interval: ${opts.interval ?? 60}\n${opts.extra ?? ''}`,
  );
}

/** The overlay the server hands out (our cpio writer, as warewulfd's builder will). */
export async function serveOverlay(n: Node, entries: CpioEntryInput[]): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of writeArchive(entries, { compression: 'none' })) chunks.push(Buffer.from(c as Uint8Array));
  writeFileSync(runtimePath(n.srv, WWID), Buffer.concat(chunks));
}

export function baseArgs(n: Node): string[] {
  return ['--root', n.root, '--warewulfconf', n.conf, '--wwinit-config', join(n.dir, 'no-config'), '--wwid', WWID, '--dmi', n.dmi, '--pidfile', n.pidfile];
}

export interface Run {
  code: number | null;
  stderr: string;
}

/** wwclient to completion (for --once). */
export function runOnce(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(WWCLIENT_BIN, ['--once', ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/** wwclient as a daemon. */
export function runDaemon(args: string[], env: NodeJS.ProcessEnv = {}): Proc {
  return new Proc(WWCLIENT_BIN, args, { env: { PATH: process.env.PATH, ...env }, name: 'wwclient' });
}

export interface RawEntry {
  name: string;
  /** Full st_mode (type bits included). */
  mode: number;
  data?: string;
  uid?: number;
  gid?: number;
  mtime?: number;
}

/**
 * A newc archive written byte by byte, for names our own writer refuses to produce
 * (`..`, absolute) and for truncations.
 */
export function rawNewc(entries: RawEntry[]): Buffer {
  const parts: Buffer[] = [];
  const pad = (n: number): Buffer => Buffer.alloc((4 - (n % 4)) % 4);
  const hex = (v: number): string => v.toString(16).padStart(8, '0');
  let ino = 1;
  for (const e of [...entries, { name: 'TRAILER!!!', mode: 0 }]) {
    const data = Buffer.from(e.data ?? '');
    const name = Buffer.from(`${e.name}\0`);
    const fields = [ino++, e.mode, e.uid ?? 0, e.gid ?? 0, 1, e.mtime ?? 1_700_000_000, data.length, 0, 0, 0, 0, name.length, 0];
    const header = Buffer.from(`070701${fields.map(hex).join('')}`);
    parts.push(header, name, pad(header.length + name.length), data, pad(data.length));
  }
  return Buffer.concat(parts);
}

export const S_IFREG = 0o100000;
export const S_IFDIR = 0o040000;
export const S_IFLNK = 0o120000;
