#!/usr/bin/env node
// Compile wwclient (C) into a static binary, dist/wwclient, and place it in
// the wwclient overlay (overlays/wwclient/rootfs/warewulf/wwclient, not
// committed) so overlay builds ship it. Nodes have no Node.js and may have
// nothing but busybox, hence static. musl-gcc (Debian musl-tools) gives a
// ~100 KB binary; `cc -static` with glibc works too (~800 KB).
// Skipped when the binary is newer than every source. Exit 1 with a clear
// message when no C compiler with a static libc is found.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const srcDir = join(here, 'src');
const out = join(here, 'dist', 'wwclient');
const overlayCopy = join(here, '..', '..', 'overlays', 'wwclient', 'rootfs', 'warewulf', 'wwclient');
const sources = readdirSync(srcDir).filter((f) => f.endsWith('.c')).sort().map((f) => join(srcDir, f));
const inputs = [...sources, join(srcDir, 'wwclient.h'), fileURLToPath(import.meta.url)];
const force = process.argv.includes('--force');

const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : -1);
const newest = Math.max(...inputs.map(mtime));

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function compilers() {
  const list = [];
  if (has('musl-gcc')) list.push({ cc: 'musl-gcc', why: 'musl' });
  if (has('cc')) {
    const libc = spawnSync('cc', ['-print-file-name=libc.a'], { encoding: 'utf8' }).stdout.trim();
    if (libc.startsWith('/') && existsSync(libc)) list.push({ cc: 'cc', why: 'glibc' });
  }
  return list;
}

function install() {
  mkdirSync(dirname(overlayCopy), { recursive: true });
  if (mtime(overlayCopy) >= mtime(out)) return;
  copyFileSync(out, `${overlayCopy}.tmp`);
  chmodSync(`${overlayCopy}.tmp`, 0o755);
  renameSync(`${overlayCopy}.tmp`, overlayCopy);
}

if (!force && mtime(out) >= newest) {
  install();
  process.exit(0);
}
const found = compilers();
if (found.length === 0) {
  console.error('wwclient: no C compiler with a static libc found. Install Debian package musl-tools (or gcc and libc6-dev) and build again.');
  process.exit(1);
}
mkdirSync(dirname(out), { recursive: true });
const flags = ['-static', '-Os', '-s', '-std=c11', '-D_GNU_SOURCE', '-Wall', '-Wextra', '-Werror', '-fno-strict-aliasing'];
let lastErr = '';
for (const { cc, why } of found) {
  const r = spawnSync(cc, [...flags, '-o', `${out}.tmp`, ...sources], { encoding: 'utf8' });
  if (r.status === 0) {
    renameSync(`${out}.tmp`, out);
    install();
    console.log(`wwclient: built ${out} with ${cc} (${why}, ${statSync(out).size} bytes)`);
    process.exit(0);
  }
  lastErr = `${cc}: ${r.stderr || r.error}`;
}
console.error(`wwclient: compilation failed\n${lastErr}`);
process.exit(1);
